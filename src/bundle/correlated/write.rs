//! Writes the correlated index in one pass: each part is hashed as it is
//! written, and the footer that locates them comes last.

use super::layout::{encode_footer, Part, PartEntry, CHUNK, MAGIC, TIME_BYTES};
use super::summary;
use crate::bundle::index::codec::Encoder;
use crate::bundle::index::section::{self, source_code};
use crate::model::{Source, TaskFacts, TaskSummary, Timestamp};
use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// Writes a correlated index: the tasks, summaries and timelines first,
/// then the event records one by one, in time order.
pub struct CorrelatedWriter<W: Write> {
    parts: PartWriter<W>,
    offsets: Vec<u8>,
    times: Vec<u8>,
    sources: Vec<u8>,
    written: u64,
    chunks: ChunkHasher,
}

impl<W: Write> CorrelatedWriter<W> {
    /// Starts the file on `out` with the tasks, each task's summary and its
    /// timeline (event numbers in time order); records follow.
    pub fn new(
        out: W,
        tasks: &[TaskFacts],
        summaries: &[TaskSummary],
        timelines: &[Vec<u32>],
    ) -> io::Result<CorrelatedWriter<W>> {
        let mut parts = PartWriter::new(out)?;
        parts.part(Part::Tasks, &section::encode(&[], tasks))?;
        let mut encoded = Encoder::default();
        for task_summary in summaries {
            summary::encode(&mut encoded, task_summary);
        }
        parts.part(Part::Summaries, &encoded.into_bytes())?;
        parts.part(Part::Timelines, &timeline_lists(timelines)?)?;
        parts.begin(Part::Records);
        Ok(CorrelatedWriter {
            parts,
            offsets: Vec::new(),
            times: Vec::new(),
            sources: Vec::new(),
            written: 0,
            chunks: ChunkHasher::default(),
        })
    }

    /// Appends the next event's record ([`super::record::encode`]), with
    /// the event's time and source for their columns.
    pub fn record(&mut self, bytes: &[u8], time: Timestamp, source: Source) -> io::Result<()> {
        self.offsets.extend_from_slice(&self.written.to_le_bytes());
        let mut entry = [0; TIME_BYTES];
        entry[..8].copy_from_slice(&time.timestamp().to_le_bytes());
        entry[8..].copy_from_slice(&time.timestamp_subsec_nanos().to_le_bytes());
        self.times.extend_from_slice(&entry);
        self.sources.push(source_code(source));
        self.chunks.update(bytes);
        self.parts.append(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Ends the records, writes where each starts and their hashes, the
    /// time and source columns and `findings` (event numbers in board
    /// order), then the footer with the inputs digest `digest`; hands `out`
    /// back.
    pub fn finish(mut self, findings: &[u32], digest: &[u8; 32]) -> io::Result<W> {
        self.offsets.extend_from_slice(&self.written.to_le_bytes());
        self.parts.end()?;
        self.parts.part(Part::Offsets, &self.offsets)?;
        self.parts.part(Part::Chunks, &self.chunks.finish())?;
        self.parts.part(Part::Times, &self.times)?;
        self.parts.part(Part::Sources, &self.sources)?;
        let findings: Vec<u8> = findings.iter().flat_map(|n| n.to_le_bytes()).collect();
        self.parts.part(Part::Findings, &findings)?;
        self.parts.finish(digest)
    }
}

/// Each task's timeline: the start of each list (one more than there are
/// tasks), then the lists, all u32 LE.
fn timeline_lists(timelines: &[Vec<u32>]) -> io::Result<Vec<u8>> {
    let total: usize = timelines.iter().map(Vec::len).sum();
    let mut bytes = Vec::with_capacity((timelines.len() + 1 + total) * 4);
    let mut start = 0usize;
    for timeline in timelines.iter().map(Vec::len).chain([0]) {
        let at = u32::try_from(start).map_err(|_| io::Error::other("more than 2^32 links"))?;
        bytes.extend_from_slice(&at.to_le_bytes());
        start += timeline;
    }
    for &event in timelines.iter().flatten() {
        bytes.extend_from_slice(&event.to_le_bytes());
    }
    Ok(bytes)
}

/// Hashes the records [`CHUNK`] bytes at a time.
#[derive(Default)]
struct ChunkHasher {
    current: Sha256,
    filled: usize,
    hashes: Vec<u8>,
}

impl ChunkHasher {
    fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = bytes.len().min(CHUNK - self.filled);
            self.current.update(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled == CHUNK {
                self.close();
            }
        }
    }

    fn close(&mut self) {
        let hash = std::mem::take(&mut self.current).finalize();
        self.hashes.extend_from_slice(&hash);
        self.filled = 0;
    }

    fn finish(mut self) -> Vec<u8> {
        if self.filled > 0 {
            self.close();
        }
        self.hashes
    }
}

/// Writes parts one after the other, recording where each sits and its hash.
struct PartWriter<W: Write> {
    out: W,
    position: usize,
    parts: Vec<PartEntry>,
    open: Option<(Part, usize, Sha256)>,
}

impl<W: Write> PartWriter<W> {
    fn new(mut out: W) -> io::Result<PartWriter<W>> {
        out.write_all(MAGIC)?;
        Ok(PartWriter {
            out,
            position: MAGIC.len(),
            parts: Vec::new(),
            open: None,
        })
    }

    fn part(&mut self, part: Part, bytes: &[u8]) -> io::Result<()> {
        self.begin(part);
        self.append(bytes)?;
        self.end()
    }

    fn begin(&mut self, part: Part) {
        self.open = Some((part, self.position, Sha256::new()));
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some((_, _, hasher)) = &mut self.open {
            hasher.update(bytes);
        }
        self.out.write_all(bytes)?;
        self.position += bytes.len();
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        let (part, start, hasher) = self
            .open
            .take()
            .ok_or_else(|| io::Error::other("no part was begun"))?;
        self.parts.push(PartEntry {
            part,
            range: start..self.position,
            sha256: hasher.finalize().into(),
        });
        Ok(())
    }

    fn finish(mut self, digest: &[u8; 32]) -> io::Result<W> {
        self.out.write_all(&encode_footer(digest, &self.parts))?;
        self.out.flush()?;
        Ok(self.out)
    }
}
