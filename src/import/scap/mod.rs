//! Syscall captures (`.scap`) written by Falco, sysdig and the
//! falcosecurity libraries: process executions, network connections and
//! files opened for writing, one timeline event per syscall exit, plus one
//! summary record per capture (docs/scap.md).
//!
//! The capture is read as a stream, one block at a time (through gzip when
//! compressed), never whole: captures run to gigabytes. Unknown block and
//! event types are skipped and counted; a truncated or damaged capture
//! keeps what was read before the damage and is marked partial.

mod block;
mod capture;
mod container;
mod event;
mod fields;
mod metadata;
pub mod record;
mod tables;
mod timeline;
mod tuple;

pub use block::ScapError;
pub use capture::{Capture, Exit, Stats};
pub use event::{Exec, NewThread, Syscall};
pub use tables::{Tables, Thread};

use super::decode::{self, ParseError};
use super::Sink;
use flate2::read::MultiGzDecoder;
use std::io::{self, BufReader, Read};

/// The format name in manifests.
pub const FORMAT: &str = "scap";
/// The first bytes of a capture: the section header block type.
const SECTION_HEADER_BYTES: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The locator of the summary record: the section header, at byte 0.
const SUMMARY_LOCATOR: &str = "B0";

/// Whether a file's bytes (as received, possibly gzip) hold a capture.
pub fn is_capture(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return bytes.starts_with(&SECTION_HEADER_BYTES);
    }
    let mut head = [0u8; 4];
    let mut decoder = MultiGzDecoder::new(bytes);
    let mut filled = 0;
    while filled < head.len() {
        match decoder.read(&mut head[filled..]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => filled += n,
        }
    }
    head == SECTION_HEADER_BYTES
}

/// The content of a file's bytes as a stream: decompressed on the fly
/// when gzip, with the same bomb limit as every other import.
pub fn content(bytes: &[u8]) -> Box<dyn Read + '_> {
    if bytes.starts_with(&GZIP_MAGIC) {
        let cap = decode::expansion_cap(bytes.len(), decode::MAX_DECOMPRESSED_BYTES);
        Box::new(BufReader::with_capacity(
            1 << 16,
            Capped {
                inner: MultiGzDecoder::new(bytes),
                left: cap,
                cap,
            },
        ))
    } else {
        Box::new(bytes)
    }
}

/// Imports a capture from a file's bytes as received.
pub fn import_capture(bytes: &[u8], sink: &mut Sink) {
    import_stream(content(bytes), sink);
}

/// Imports a capture read from `input`, a block at a time.
pub fn import_stream(input: impl Read, sink: &mut Sink) {
    let mut capture = match Capture::open(input) {
        Ok(capture) => capture,
        Err(error) => {
            sink.problem(ParseError::new(error.to_string()));
            return;
        }
    };
    sink.out.formats.insert(FORMAT);
    let mut on_timeline = 0;
    let mut undated = 0;
    let failure = loop {
        match capture.next_exit() {
            Ok(Some(exit)) => {
                let raw = sink.raw(locator(exit.offset));
                match timeline::exit_event(&exit, &capture.tables, raw) {
                    Some(event) => {
                        sink.record(FORMAT);
                        sink.event(event);
                        on_timeline += 1;
                    }
                    None => undated += 1,
                }
            }
            Ok(None) => break None,
            Err(error) => break Some(error),
        }
    };
    sink.record(FORMAT);
    let raw = sink.raw(SUMMARY_LOCATOR.to_string());
    if let Some(summary) =
        timeline::summary_event(&capture.stats, &capture.tables, on_timeline, raw)
    {
        sink.event(summary);
    }
    report_problems(&capture.stats, undated, failure, sink);
}

/// The locator of the block at `offset`: `B<offset>`.
pub fn locator(offset: u64) -> String {
    format!("B{offset}")
}

/// What makes the import partial: damage anywhere, or the end missing.
fn report_problems(stats: &Stats, undated: u64, failure: Option<ScapError>, sink: &mut Sink) {
    for (offset, why) in &stats.damaged_metadata {
        sink.problem(ParseError::new(format!(
            "the metadata block at byte {offset} is damaged ({why}): processes, \
             files or users it lists may be missing"
        )));
    }
    if stats.damaged_events > 0 {
        sink.problem(ParseError::new(format!(
            "{} events are damaged (their parameters do not fit) and were skipped",
            stats.damaged_events
        )));
    }
    if undated > 0 {
        sink.problem(ParseError::new(format!(
            "{undated} syscall exits have a timestamp out of range and were skipped"
        )));
    }
    if let Some(error) = failure {
        sink.problem(ParseError::new(error.to_string()));
    }
}

/// A decompressing reader that fails once the output passes the cap.
struct Capped<R> {
    inner: R,
    left: u64,
    cap: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            return Err(io::Error::other(format!(
                "gzip expands beyond {} bytes (limit {}x the compressed size): \
                 refusing a possible decompression bomb",
                self.cap,
                decode::MAX_GZIP_RATIO
            )));
        }
        let room = buffer
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buffer[..room])?;
        self.left -= read as u64;
        Ok(read)
    }
}
