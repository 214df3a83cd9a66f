//! Import memory as the input grows: peak resident memory of a whole
//! `taskscope import` process (the release binary, under `/usr/bin/time -v`)
//! over 1,000,000 and 5,000,000 generated CloudTrail records in gzip delivery
//! files of 1,000 records. Target: the 5M peak within 1.5x of the 1M peak.
//!
//! Run: `cargo bench --bench memory` (MEMORY_BENCH_SIZES=100000,500000 to
//! change the sizes; needs GNU time at /usr/bin/time).

use std::path::Path;
use std::process::Command;
use std::time::Instant;
use taskscope::generate::cloudtrail_delivery_files;

const BIN: &str = env!("CARGO_BIN_EXE_taskscope");
const PER_FILE: u64 = 1_000;
/// Files generated per batch, so the generator's own memory stays small.
const BATCH_FILES: u64 = 200;

/// Writes `records` records as gzip delivery files under `dir`.
fn generate(dir: &Path, records: u64) {
    std::fs::create_dir_all(dir).expect("input dir");
    let mut written = 0;
    let mut batch = 0;
    while written < records {
        let count = (BATCH_FILES * PER_FILE).min(records - written);
        for (name, bytes) in cloudtrail_delivery_files(count, PER_FILE, 500) {
            std::fs::write(dir.join(format!("b{batch:04}-{name}")), bytes).expect("write input");
        }
        written += count;
        batch += 1;
    }
}

/// Peak RSS in KiB and wall time of one `taskscope import`.
fn import(input: &Path, out: &Path) -> (u64, f64) {
    let start = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(BIN)
        .arg("import")
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .expect("GNU time at /usr/bin/time");
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stderr);
    let peak = report
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("time -v reports the peak");
    (peak, seconds)
}

fn main() {
    let sizes: Vec<u64> = std::env::var("MEMORY_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000_000, 5_000_000]);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut peaks = Vec::new();
    for &records in &sizes {
        let input = dir.path().join(format!("in-{records}"));
        generate(&input, records);
        let (peak, seconds) = import(&input, &dir.path().join(format!("bundle-{records}")));
        println!(
            "import {records} records ({} files): peak RSS {:.1} MiB, {seconds:.1} s",
            records.div_ceil(PER_FILE),
            peak as f64 / 1024.0
        );
        peaks.push(peak);
        std::fs::remove_dir_all(&input).expect("clean input");
    }
    if let (Some(first), Some(last)) = (peaks.first(), peaks.last()) {
        println!(
            "peak RSS ratio, largest / smallest: {:.2} (target <= 1.5)",
            *last as f64 / *first as f64
        );
    }
}
