//! Writes the correlated index in one pass: each part is hashed as it is
//! written, and the footer that locates them comes last.

use super::layout::{encode_footer, Part, PartEntry, CHUNK, MAGIC};
use super::{record, summary};
use crate::bundle::index::codec::Encoder;
use crate::bundle::index::section;
use crate::correlate::Incident;
use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// Writes the correlated index of `incident`, derived from the inputs whose
/// digest is `digest`, to `out`, and hands `out` back.
pub fn write<W: Write>(out: W, incident: &Incident, digest: &[u8; 32]) -> io::Result<W> {
    let mut file = PartWriter::new(out)?;
    file.part(Part::Tasks, &section::encode(&[], &incident.tasks))?;
    let mut summaries = Encoder::default();
    for task in 0..incident.tasks.len() {
        summary::encode(&mut summaries, &incident.summary(task));
    }
    file.part(Part::Summaries, &summaries.into_bytes())?;
    file.part(Part::Timelines, &timelines(&incident.timelines)?)?;
    let mut offsets = Vec::with_capacity((incident.events.len() + 1) * 8);
    let mut chunks = ChunkHasher::default();
    file.begin(Part::Records);
    let mut written = 0u64;
    for event in &incident.events {
        offsets.extend_from_slice(&written.to_le_bytes());
        let bytes = record::encode(event);
        chunks.update(&bytes);
        file.append(&bytes)?;
        written += bytes.len() as u64;
    }
    offsets.extend_from_slice(&written.to_le_bytes());
    file.end()?;
    file.part(Part::Offsets, &offsets)?;
    file.part(Part::Chunks, &chunks.finish())?;
    file.finish(digest)
}

/// Each task's timeline as u32 event numbers: the start of each list (one
/// more than there are tasks), then the lists.
fn timelines(timelines: &[Vec<usize>]) -> io::Result<Vec<u8>> {
    let too_many = || io::Error::other("more than 2^32 events or links");
    let total: usize = timelines.iter().map(Vec::len).sum();
    let mut bytes = Vec::with_capacity((timelines.len() + 1 + total) * 4);
    let mut start = 0usize;
    for timeline in timelines {
        bytes.extend_from_slice(&u32::try_from(start).map_err(|_| too_many())?.to_le_bytes());
        start += timeline.len();
    }
    bytes.extend_from_slice(&u32::try_from(start).map_err(|_| too_many())?.to_le_bytes());
    for &event in timelines.iter().flatten() {
        bytes.extend_from_slice(&u32::try_from(event).map_err(|_| too_many())?.to_le_bytes());
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
