//! Builds the correlated index from the derived index, in three passes
//! over its sections, holding a few bytes per event instead of the events:
//!
//! 1. each event's time and the first event of its fact (duplicates of a
//!    fact are merged, as correlation merges them), and the task facts;
//! 2. the tasks the merged events make known and the session evidence,
//!    which is what linking needs;
//! 3. each merged event linked, summed into its tasks' summaries, and
//!    written as a record to a scratch file.
//!
//! Then the records are copied from the scratch file in time order. The
//! result equals correlating the whole incident in memory
//! ([`crate::correlate::Incident::build_from_parts`]); tests compare them.

use super::record;
use super::write::CorrelatedWriter;
use crate::bundle::index::section;
use crate::bundle::index::stream::SectionStream;
use crate::correlate::{absorb_copy, discovered, is_session_evidence, merge_tasks, Linker};
use crate::model::{Event, Severity, Source, TaskFacts, TaskSummary, Timestamp};
use std::cmp::Reverse;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::hash::BuildHasher;
use std::io::{self, BufReader, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::mpsc::sync_channel;

/// Bytes read from the scratch file at a time when copying records.
const BLOCK: usize = 1 << 16;
/// Blocks of the scratch file kept while copying (16 MiB).
const CACHED_BLOCKS: usize = 256;
/// Sections decoded ahead of the pass that reads them.
const DECODED_AHEAD: usize = 4;

/// Builds the correlated index of the derived index at `index` onto `out`,
/// using `scratch` (a path to create, removed afterwards) for the records
/// in import order.
pub fn build<W: Write>(index: &Path, scratch: &Path, out: W, digest: &[u8; 32]) -> io::Result<W> {
    let facts = Facts::read(index)?;
    let (tasks, session_evidence) = discover(index, &facts)?;
    let linker = Linker::new(tasks, &session_evidence);
    drop(session_evidence);
    let result = link_and_write(index, scratch, &facts, &linker, out, digest);
    let removed = std::fs::remove_file(scratch);
    let out = result?;
    removed?;
    Ok(out)
}

/// What the first pass learns, per event position (import order).
struct Facts {
    /// Each event's time.
    times: Vec<Timestamp>,
    /// The position of the first event of each event's fact (its own when
    /// it has no fact ID or is the first).
    first: Vec<u32>,
    /// How many later copies each first event with copies has.
    copies: HashMap<u32, u32>,
    /// The task facts, in section order.
    tasks: Vec<TaskFacts>,
}

impl Facts {
    fn read(index: &Path) -> io::Result<Facts> {
        // Fact IDs are long strings; a 128-bit keyed hash stands in for
        // each, with keys no record can know in advance.
        let (left, right) = (RandomState::new(), RandomState::new());
        let mut first_of: HashMap<u128, u32> = HashMap::new();
        let mut facts = Facts {
            times: Vec::new(),
            first: Vec::new(),
            copies: HashMap::new(),
            tasks: Vec::new(),
        };
        each_section(index, |content| {
            facts.tasks.extend(content.tasks);
            for event in content.events {
                let position = position(facts.times.len())?;
                facts.times.push(event.time);
                let first = match &event.fact_id {
                    Some(fact) => {
                        let key = (u128::from(left.hash_one(fact)) << 64)
                            | u128::from(right.hash_one(fact));
                        *first_of.entry(key).or_insert(position)
                    }
                    None => position,
                };
                if first != position {
                    *facts.copies.entry(first).or_default() += 1;
                }
                facts.first.push(first);
            }
            Ok(())
        })?;
        Ok(facts)
    }
}

/// Where an ARN was given: the event's time and first position, then the
/// key's place among the merged event's keys.
type ArnOrder = (Timestamp, u32, usize);

/// The second pass: the tasks (merged facts and those the events make
/// known, the first ARN in time order winning) and the session evidence.
fn discover(index: &Path, facts: &Facts) -> io::Result<(Vec<TaskFacts>, Vec<Event>)> {
    // Per task ID, the earliest ARN given: by the event's time and
    // position, then the key's place in the merged event.
    let mut known: BTreeMap<String, Option<(ArnOrder, String)>> = BTreeMap::new();
    let mut session_evidence = Vec::new();
    each_merged(index, facts, |first, event| {
        let order = (facts.times[first as usize], first);
        for (place, (id, arn)) in discovered(&event).enumerate() {
            let best = known.entry(id.to_string()).or_default();
            if let Some(arn) = arn.filter(|arn| !arn.is_empty()) {
                if best
                    .as_ref()
                    .is_none_or(|(at, _)| (order.0, order.1, place) < *at)
                {
                    *best = Some(((order.0, order.1, place), arn.to_string()));
                }
            }
        }
        if is_session_evidence(&event) {
            session_evidence.push(event);
        }
        Ok(())
    })?;
    let discovered = known
        .iter()
        .map(|(id, best)| (id.as_str(), best.as_ref().map(|(_, arn)| arn.as_str())));
    let tasks = merge_tasks(facts.tasks.clone(), discovered);
    Ok((tasks, session_evidence))
}

/// The third pass and the copy in time order.
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
    each_section(index, |content| {
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
    })?;
    if next != facts.first.len() || !waiting.is_empty() {
        return Err(io::Error::other("the index changed between passes"));
    }
    Ok(())
}

/// Decodes the index's sections one at a time, in order, on a thread of
/// their own while `each` works on the one before (a few sections wait at
/// most).
fn each_section(
    index: &Path,
    mut each: impl FnMut(section::SectionContent) -> io::Result<()>,
) -> io::Result<()> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel::<io::Result<section::SectionContent>>(DECODED_AHEAD);
        scope.spawn(move || {
            let decode_all = || -> io::Result<()> {
                let file = BufReader::new(File::open(index)?);
                let mut stream = SectionStream::new(file).map_err(|e| invalid(e.to_string()))?;
                while let Some((artifact, bytes)) =
                    stream.next_section().map_err(|e| invalid(e.to_string()))?
                {
                    let content =
                        section::decode(&bytes, artifact).map_err(|e| invalid(e.to_string()))?;
                    if sender.send(Ok(content)).is_err() {
                        // The receiving side stopped: its error is reported.
                        return Ok(());
                    }
                }
                Ok(())
            };
            if let Err(error) = decode_all() {
                let _ = sender.send(Err(error));
            }
        });
        for content in receiver {
            each(content?)?;
        }
        Ok(())
    })
}

/// An event position or task number as stored (u32).
fn position(value: usize) -> io::Result<u32> {
    u32::try_from(value).map_err(|_| io::Error::other("more than 2^32 events"))
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
