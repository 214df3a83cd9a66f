//! Builds the correlated index from the derived index, holding a few
//! bytes per event instead of the events: what linking needs is gathered
//! first ([`super::gather`]: at import from the parsing workers, here from
//! a pass over the sections); then each merged event is linked, summed
//! into its tasks' summaries and written as a record to a scratch file, in
//! one pass over the sections; then the records are copied from the
//! scratch file in time order. The result equals correlating the whole
//! incident in memory ([`crate::correlate::Incident::build_from_parts`]);
//! tests compare them.

use super::gather::{position, FactKeys, Facts, Gathering, SectionFacts};
use super::record;
use super::sections::each_section;
use super::write::CorrelatedWriter;
use crate::correlate::{absorb_copy, Linker};
use crate::model::{Event, Severity, Source, TaskSummary, Timestamp};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Bytes read from the scratch file at a time when copying records.
const BLOCK: usize = 1 << 16;
/// Blocks of the scratch file kept while copying (16 MiB).
const CACHED_BLOCKS: usize = 256;

/// Builds the correlated index of the derived index at `index` onto `out`,
/// using `scratch` (a path to create, removed afterwards) for the records
/// in import order.
pub fn build<W: Write>(index: &Path, scratch: &Path, out: W, digest: &[u8; 32]) -> io::Result<W> {
    let keys = FactKeys::new();
    let mut gathering = Gathering::default();
    each_section(
        index,
        |_| true,
        |_, content| gathering.add(SectionFacts::of(&content.events, &content.tasks, &keys)?),
    )?;
    build_gathered(gathering, index, scratch, out, digest)
}

/// Builds the correlated index of the derived index at `index` onto `out`
/// from what `gathering` gathered of it, section by section.
pub fn build_gathered<W: Write>(
    gathering: Gathering,
    index: &Path,
    scratch: &Path,
    out: W,
    digest: &[u8; 32],
) -> io::Result<W> {
    let (facts, linker) = gathering.finish(index)?;
    let result = link_and_write(index, scratch, &facts, &linker, out, digest);
    let removed = std::fs::remove_file(scratch);
    let out = result?;
    removed?;
    Ok(out)
}

/// The linking pass and the copy in time order.
fn link_and_write<W: Write>(
    index: &Path,
    scratch: &Path,
    facts: &Facts,
    linker: &Linker,
    out: W,
    digest: &[u8; 32],
) -> io::Result<W> {
    let tasks = linker.tasks().len();
    let mut summaries = vec![TaskSummary::default(); tasks];
    // (task, position of the event) for every link.
    let mut links: Vec<(u32, u32)> = Vec::new();
    // Where each first event's record starts in the scratch file, and ends.
    let mut placed: Vec<(u64, u32)> = vec![(u64::MAX, 0); facts.first.len()];
    let mut sources: Vec<Source> = vec![Source::Response; facts.first.len()];
    // Each finding's place on the board, and its position.
    let mut findings: Vec<(Reverse<Severity>, String, Timestamp, u32)> = Vec::new();
    let mut scratch_out = BufWriter::new(File::create_new(scratch)?);
    let mut written = 0u64;
    each_merged(index, facts, |first, mut event| {
        event.links = linker.links(&event);
        for link in &event.links {
            summaries[link.task].add(link.task, &event);
            links.push((position(link.task)?, first));
        }
        sources[first as usize] = event.source;
        if event.is_finding() {
            let (severity, kind, time) = event.finding_rank();
            findings.push((severity, kind.to_string(), time, first));
        }
        let bytes = record::encode(&event);
        let length = u32::try_from(bytes.len()).map_err(|_| io::Error::other("record too long"))?;
        scratch_out.write_all(&bytes)?;
        placed[first as usize] = (written, length);
        written += u64::from(length);
        Ok(())
    })?;
    let scratch_file = scratch_out.into_inner().map_err(|e| e.into_error())?;
    // Time order: by time, then import position, as correlation orders.
    let mut order: Vec<u32> = (0..facts.first.len())
        .filter(|&position| facts.first[position] as usize == position)
        .map(position)
        .collect::<io::Result<_>>()?;
    order.sort_unstable_by_key(|&p| (facts.times[p as usize], p));
    let mut number_of = vec![u32::MAX; facts.first.len()];
    for (number, &p) in order.iter().enumerate() {
        number_of[p as usize] = position(number)?;
    }
    let mut timelines: Vec<Vec<u32>> = vec![Vec::new(); tasks];
    for (task, p) in links {
        timelines[task as usize].push(number_of[p as usize]);
    }
    let mut findings: Vec<_> = findings
        .into_iter()
        .map(|(severity, kind, time, p)| (severity, kind, time, number_of[p as usize]))
        .collect();
    findings.sort_unstable();
    let findings: Vec<u32> = findings.into_iter().map(|(.., number)| number).collect();
    drop(number_of);
    for timeline in &mut timelines {
        timeline.sort_unstable();
    }
    let mut writer = CorrelatedWriter::new(out, linker.tasks(), &summaries, &timelines)?;
    drop(timelines);
    let mut blocks = BlockCache::new(&scratch_file);
    let mut bytes = Vec::new();
    for p in order {
        let (start, length) = placed[p as usize];
        blocks.read(start, length as usize, &mut bytes)?;
        let (time, source) = (facts.times[p as usize], sources[p as usize]);
        writer.record(&bytes, time, source)?;
    }
    writer.finish(&findings, digest)
}

/// Runs `each` on every merged event of the index in completion order
/// (a fact with copies completes at its last copy), with the position of
/// its first event.
fn each_merged(
    index: &Path,
    facts: &Facts,
    mut each: impl FnMut(u32, Event) -> io::Result<()>,
) -> io::Result<()> {
    let mut waiting: HashMap<u32, (Event, u32)> = HashMap::new();
    let mut next = 0usize;
    each_section(
        index,
        |_| true,
        |_, content| {
            for event in content.events {
                let here = position(next)?;
                next += 1;
                let first = *facts
                    .first
                    .get(here as usize)
                    .ok_or_else(|| io::Error::other("the index changed between passes"))?;
                if first == here {
                    match facts.copies.get(&here) {
                        Some(&copies) => {
                            waiting.insert(here, (event, copies));
                        }
                        None => each(here, event)?,
                    }
                    continue;
                }
                let Some((kept, left)) = waiting.get_mut(&first) else {
                    return Err(io::Error::other("a copy came before its fact"));
                };
                absorb_copy(kept, event);
                *left -= 1;
                if *left == 0 {
                    if let Some((merged, _)) = waiting.remove(&first) {
                        each(first, merged)?;
                    }
                }
            }
            Ok(())
        },
    )?;
    if next != facts.first.len() || !waiting.is_empty() {
        return Err(io::Error::other("the index changed between passes"));
    }
    Ok(())
}

/// Reads byte ranges of a file through a few cached blocks: records are
/// read in time order, which mostly follows the order they were written in.
struct BlockCache<'f> {
    file: &'f File,
    blocks: HashMap<u64, (Vec<u8>, u64)>,
    clock: u64,
}

impl<'f> BlockCache<'f> {
    fn new(file: &'f File) -> BlockCache<'f> {
        BlockCache {
            file,
            blocks: HashMap::new(),
            clock: 0,
        }
    }

    /// Fills `out` with the `length` bytes at `start`.
    fn read(&mut self, start: u64, length: usize, out: &mut Vec<u8>) -> io::Result<()> {
        out.clear();
        let mut at = start;
        let end = start + length as u64;
        while at < end {
            let block = at / BLOCK as u64;
            let bytes = self.block(block)?;
            let from = (at - block * BLOCK as u64) as usize;
            let to = bytes.len().min(from + (end - at) as usize);
            if from >= to {
                return Err(io::Error::other(
                    "a record lies past the scratch file's end",
                ));
            }
            out.extend_from_slice(&bytes[from..to]);
            at += (to - from) as u64;
        }
        Ok(())
    }

    fn block(&mut self, block: u64) -> io::Result<&[u8]> {
        self.clock += 1;
        if !self.blocks.contains_key(&block) {
            if self.blocks.len() >= CACHED_BLOCKS {
                let oldest = self
                    .blocks
                    .iter()
                    .min_by_key(|(_, (_, used))| *used)
                    .map(|(&number, _)| number);
                if let Some(oldest) = oldest {
                    self.blocks.remove(&oldest);
                }
            }
            let mut bytes = vec![0; BLOCK];
            let mut filled = 0;
            while filled < BLOCK {
                let read = self
                    .file
                    .read_at(&mut bytes[filled..], block * BLOCK as u64 + filled as u64)?;
                if read == 0 {
                    break;
                }
                filled += read;
            }
            bytes.truncate(filled);
            self.blocks.insert(block, (bytes, 0));
        }
        let clock = self.clock;
        let entry = self
            .blocks
            .get_mut(&block)
            .ok_or_else(|| io::Error::other("block cache"))?;
        entry.1 = clock;
        Ok(&entry.0)
    }
}
