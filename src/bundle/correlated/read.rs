//! Reads the correlated index in place: the file is mapped, the footer and
//! the small parts are checked on open, and the records are checked a
//! [`CHUNK`] at a time when one of them is first read. Nothing is decoded
//! into owned structs but the task list, the summaries, and the events a
//! caller asks for.

use super::layout::{read_footer, Footer, Part, CHUNK, PARTS, VERSION};
use super::{record, summary, Unusable, CORRELATED_PATH};
use crate::bundle::index::codec::Decoder;
use crate::bundle::index::{artifact_present, imported_artifacts, inputs_digest, section};
use crate::bundle::manifest::Manifest;
use crate::bundle::paths;
use crate::model::{Event, TaskFacts, TaskSummary};
use memmap2::{Advice, Mmap};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// A chunk not checked yet.
const UNCHECKED: u8 = 0;
/// A chunk that matched its hash.
const GOOD: u8 = 1;
/// A chunk that did not.
const BAD: u8 = 2;

/// An opened correlated index.
pub struct CorrelatedIndex {
    map: Mmap,
    footer: Footer,
    tasks: Vec<TaskFacts>,
    summaries: Vec<TaskSummary>,
    /// Each part's check, made when it is first used.
    checked: [OnceLock<Result<(), String>>; PARTS.len()],
    /// Each record chunk's check.
    chunks: Vec<AtomicU8>,
}

impl CorrelatedIndex {
    /// Opens the correlated index of the bundle at `root`, if it is listed,
    /// of the size the manifest gives, this layout and taskscope version,
    /// derived from the inputs the manifest lists now, and every artifact
    /// it was derived from is still in place.
    pub fn open(root: &Path, manifest: &Manifest) -> Result<CorrelatedIndex, Unusable> {
        let entry = manifest
            .artifacts
            .iter()
            .find(|artifact| artifact.path == CORRELATED_PATH)
            .ok_or(Unusable::Missing)?;
        let damaged = |reason: String| Unusable::Damaged(reason);
        // Evidence gone or replaced is reported by the raw path, as it
        // always was, rather than hidden behind an answer derived from it.
        for (position, _) in imported_artifacts(manifest, &mut Vec::new()) {
            artifact_present(root, &manifest.artifacts[position]).map_err(damaged)?;
        }
        let (file, metadata) =
            paths::open_inside(root, CORRELATED_PATH).map_err(|e| damaged(e.to_string()))?;
        if metadata.len() != entry.size {
            return Err(damaged(format!(
                "size {} bytes, manifest says {}",
                metadata.len(),
                entry.size
            )));
        }
        // SAFETY: the map is read only. A bundle's files are written once
        // and never changed in place (docs/bundle-format.md); a file changed
        // under the map anyway is caught by the hashes, or at worst ends the
        // process, as it would any reader of a file truncated while read.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| damaged(e.to_string()))?;
        // Records are read a few at a time, anywhere in the file: without
        // this, each one read maps the pages around it too.
        map.advise(Advice::Random)
            .map_err(|e| damaged(e.to_string()))?;
        let footer = read_footer(&map).map_err(|e| damaged(e.to_string()))?;
        if footer.version != VERSION {
            return Err(Unusable::Outdated(format!(
                "layout {}, this taskscope reads {VERSION}",
                footer.version
            )));
        }
        let ours = env!("CARGO_PKG_VERSION");
        if footer.tool_version != ours {
            return Err(Unusable::Outdated(format!(
                "written by taskscope {}, this is {ours}",
                footer.tool_version
            )));
        }
        if footer.digest != inputs_digest(&manifest.inputs, &manifest.artifacts) {
            return Err(Unusable::Outdated(
                "the manifest's inputs changed since it was written".into(),
            ));
        }
        let chunk_count = footer.entry(Part::Records).range.len().div_ceil(CHUNK);
        let mut index = CorrelatedIndex {
            map,
            footer,
            tasks: Vec::new(),
            summaries: Vec::new(),
            checked: Default::default(),
            chunks: (0..chunk_count).map(|_| AtomicU8::new(UNCHECKED)).collect(),
        };
        index.tasks = section::decode(index.part(Part::Tasks)?, 0)
            .map_err(|e| damaged(format!("tasks: {e}")))?
            .tasks;
        index.summaries = index.read_summaries()?;
        if index.part(Part::Chunks)?.len() != chunk_count * 32 {
            return Err(damaged("the chunk hashes do not cover the records".into()));
        }
        Ok(index)
    }

    /// The tasks, in the incident's order.
    pub fn tasks(&self) -> &[TaskFacts] {
        &self.tasks
    }

    /// Each task's summary, in task order.
    pub fn summaries(&self) -> &[TaskSummary] {
        &self.summaries
    }

    /// How many events the incident holds.
    pub fn len(&self) -> Result<usize, Unusable> {
        Ok((self.part(Part::Offsets)?.len() / 8).saturating_sub(1))
    }

    /// Whether the incident holds no event.
    pub fn is_empty(&self) -> Result<bool, Unusable> {
        Ok(self.len()? == 0)
    }

    /// The event numbers on the timeline of the task at index `task`, in
    /// time order.
    pub fn timeline(&self, task: usize) -> Result<Vec<usize>, Unusable> {
        let bytes = self.part(Part::Timelines)?;
        let events = self.len()?;
        let damaged = || Unusable::Damaged(format!("the timeline of task {task} is malformed"));
        let word = |at: usize| -> Option<usize> {
            let bytes = bytes.get(at * 4..at * 4 + 4)?;
            usize::try_from(u32::from_le_bytes(bytes.try_into().ok()?)).ok()
        };
        let lists = self.tasks.len() + 1;
        let (start, end) = word(task)
            .zip(word(task + 1))
            .filter(|(start, end)| start <= end && lists + end <= bytes.len() / 4)
            .ok_or_else(damaged)?;
        let mut timeline = Vec::with_capacity(end - start);
        for at in start..end {
            let event = word(lists + at).ok_or_else(damaged)?;
            if event >= events || timeline.last().is_some_and(|&last| last >= event) {
                return Err(damaged());
            }
            timeline.push(event);
        }
        Ok(timeline)
    }

    /// The event numbered `number` (in time order), with its links.
    pub fn event(&self, number: usize) -> Result<Event, Unusable> {
        let offsets = self.part(Part::Offsets)?;
        let records = &self.map[self.footer.entry(Part::Records).range.clone()];
        let offset = |at: usize| -> Option<usize> {
            let bytes = offsets.get(at * 8..at * 8 + 8)?;
            usize::try_from(u64::from_le_bytes(bytes.try_into().ok()?)).ok()
        };
        let (start, end) = offset(number)
            .zip(offset(number + 1))
            .filter(|(start, end)| start <= end && *end <= records.len())
            .ok_or_else(|| Unusable::Damaged(format!("event {number} is out of place")))?;
        if start < end {
            for chunk in start / CHUNK..=(end - 1) / CHUNK {
                self.check_chunk(records, chunk)?;
            }
        }
        record::decode(&records[start..end], self.tasks.len())
            .map_err(|e| Unusable::Damaged(format!("event {number}: {e}")))
    }

    /// The bytes of `part`, hashed against the footer the first time.
    fn part(&self, part: Part) -> Result<&[u8], Unusable> {
        let entry = self.footer.entry(part);
        let bytes = &self.map[entry.range.clone()];
        let slot = PARTS.iter().position(|&p| p == part).unwrap_or_default();
        self.checked[slot]
            .get_or_init(|| {
                (Sha256::digest(bytes).as_slice() == entry.sha256)
                    .then_some(())
                    .ok_or_else(|| format!("its {part:?} part does not match its hash"))
            })
            .clone()
            .map_err(Unusable::Damaged)?;
        Ok(bytes)
    }

    fn check_chunk(&self, records: &[u8], chunk: usize) -> Result<(), Unusable> {
        let state = &self.chunks[chunk];
        if state.load(Ordering::Relaxed) == UNCHECKED {
            let hashes = self.part(Part::Chunks)?;
            let bytes = &records[chunk * CHUNK..records.len().min((chunk + 1) * CHUNK)];
            let good = Sha256::digest(bytes).as_slice() == &hashes[chunk * 32..chunk * 32 + 32];
            state.store(if good { GOOD } else { BAD }, Ordering::Relaxed);
        }
        match state.load(Ordering::Relaxed) {
            GOOD => Ok(()),
            _ => Err(Unusable::Damaged(format!(
                "record bytes {}..{} do not match their hash",
                chunk * CHUNK,
                (chunk + 1) * CHUNK
            ))),
        }
    }

    fn read_summaries(&self) -> Result<Vec<TaskSummary>, Unusable> {
        let bytes = self.part(Part::Summaries)?;
        let mut input = Decoder::new(bytes);
        let summaries = (0..self.tasks.len())
            .map(|_| summary::decode(&mut input))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Unusable::Damaged(format!("summaries: {e}")))?;
        if !input.is_empty() {
            return Err(Unusable::Damaged("bytes after the summaries".into()));
        }
        Ok(summaries)
    }
}
