//! Syscall capture throughput: the streaming reader alone, and the whole
//! import (reader, tables, timeline events, summary), in bytes of capture
//! per second. The capture is a real one (libs_curl_google.scap from the
//! shared fixtures: metadata, then 1,536 events of 60 kinds) whose event
//! blocks are repeated to SCAP_BENCH_MB mebibytes (default 64).
//! Run: `cargo bench --bench scap`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flate2::read::MultiGzDecoder;
use std::hint::black_box;
use std::io::Read;
use std::path::Path;
use taskscope::import::import_bytes;
use taskscope::import::scap::Capture;

/// Block types holding events.
const EVENT_BLOCKS: [u32; 2] = [0x204, 0x216];

/// The fixture's metadata once, then its event blocks until `size` bytes.
fn large_capture(size: usize) -> Vec<u8> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/scap/libs_curl_google.scap");
    let compressed = std::fs::read(path).expect("the shared capture fixtures");
    let mut content = Vec::new();
    MultiGzDecoder::new(compressed.as_slice())
        .read_to_end(&mut content)
        .expect("gzip");
    let word = |at: usize| u32::from_le_bytes(content[at..at + 4].try_into().unwrap());
    let mut offset = 0;
    while !EVENT_BLOCKS.contains(&word(offset)) {
        offset += word(offset + 4) as usize;
    }
    let (metadata, events) = content.split_at(offset);
    let mut capture = metadata.to_vec();
    while capture.len() < size {
        capture.extend_from_slice(events);
    }
    capture
}

fn throughput(c: &mut Criterion) {
    let mebibytes: usize = std::env::var("SCAP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let capture = large_capture(mebibytes << 20);
    let mut group = c.benchmark_group("scap");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(capture.len() as u64));
    group.bench_function("reader: every exit", |b| {
        b.iter(|| {
            let mut reader = Capture::open(black_box(capture.as_slice())).unwrap();
            let mut exits = 0u64;
            while let Some(exit) = reader.next_exit().unwrap() {
                exits += black_box(exit).tid as u64 & 1;
            }
            exits
        })
    });
    group.bench_function("import: timeline events and summary", |b| {
        b.iter(|| import_bytes(black_box(&capture), 0))
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
