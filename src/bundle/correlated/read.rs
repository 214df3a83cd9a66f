//! Reads the correlated index in place: the file is mapped, the footer and
//! the tasks and summaries are checked on open, the other parts when first
//! used, and a record is read with the [`CHUNK`]s it lies in, checked each
//! time. Nothing is decoded into owned structs but the task list, the
//! summaries, and the events a caller asks for.

use super::layout::{read_footer, Footer, Part, CHUNK, PARTS, TIME_BYTES, VERSION};
use super::{record, summary, Unusable, CORRELATED_PATH};
use crate::bundle::index::codec::Decoder;
use crate::bundle::index::section::source_of_code;
use crate::bundle::index::{artifact_present, imported_artifacts, inputs_digest, section};
use crate::bundle::manifest::Manifest;
use crate::bundle::paths;
use crate::model::{Event, Source, TaskFacts, TaskSummary, Timestamp};
use chrono::DateTime;
use memmap2::Mmap;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;
use std::sync::OnceLock;

/// Chunks read at a time when every record is read in order (1 MiB).
const SEQUENTIAL_CHUNKS: usize = 256;

/// An opened correlated index.
pub struct CorrelatedIndex {
    /// The file, which records are read from.
    file: File,
    /// The file mapped, which the other parts are read from in place.
    map: Mmap,
    footer: Footer,
    tasks: Vec<TaskFacts>,
    summaries: Vec<TaskSummary>,
    /// Each part's check, made when it is first used.
    checked: [OnceLock<Result<(), String>>; PARTS.len()],
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
        evidence_in_place(root, manifest)?;
        let (file, metadata) =
            paths::open_inside(root, CORRELATED_PATH).map_err(|e| damaged(e.to_string()))?;
        if metadata.len() != entry.size {
            return Err(damaged(format!(
                "size {} bytes, manifest says {}",
                metadata.len(),
                entry.size
            )));
        }
        CorrelatedIndex::from_file(file, manifest)
    }

    /// Opens a correlated index file of the bundle whose manifest is
    /// `manifest`, already opened, checked as [`CorrelatedIndex::open`]
    /// checks the bundle's own past its manifest entry: the footer and its
    /// hash, this layout and taskscope version, the inputs digest, and the
    /// tasks, summaries and chunk hashes. A file the manifest does not list
    /// (one rebuilt into the cache) has its footer stand in for the entry:
    /// the parts must fill the file exactly, so a cut or lengthened file is
    /// refused as a wrong size would be.
    pub fn from_file(file: File, manifest: &Manifest) -> Result<CorrelatedIndex, Unusable> {
        let damaged = |reason: String| Unusable::Damaged(reason);
        // SAFETY: the map is read only. A bundle's files are written once
        // and never changed in place (docs/bundle-format.md), nor are the
        // cache's (each is renamed into place whole); a file changed under
        // the map anyway is caught by the hashes, or at worst ends the
        // process, as it would any reader of a file truncated while read.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| damaged(e.to_string()))?;
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
            file,
            map,
            footer,
            tasks: Vec::new(),
            summaries: Vec::new(),
            checked: Default::default(),
        };
        index.tasks = section::decode(index.part(Part::Tasks)?, 0)
            .map_err(|e| damaged(format!("tasks: {e}")))?
            .tasks;
        index.summaries = index.read_summaries()?;
        if index.part(Part::Chunks)?.len() != chunk_count * 32 {
            return Err(damaged("the chunk hashes do not cover the records".into()));
        }
        let events = index.len();
        let size = |part| index.footer.entry(part).range.len();
        if size(Part::Offsets) % 8 != 0
            || size(Part::Times) != events * TIME_BYTES
            || size(Part::Sources) != events
        {
            return Err(damaged("the per-event parts differ in length".into()));
        }
        Ok(index)
    }

    /// Whether this index was read from the file at `path` itself (not a
    /// copy of it).
    pub fn is_read_from(&self, path: &Path) -> bool {
        match (self.file.metadata(), std::fs::metadata(path)) {
            (Ok(ours), Ok(theirs)) => ours.dev() == theirs.dev() && ours.ino() == theirs.ino(),
            _ => false,
        }
    }

    /// The tasks, in the incident's order.
    pub fn tasks(&self) -> &[TaskFacts] {
        &self.tasks
    }

    /// Each task's summary, in task order.
    pub fn summaries(&self) -> &[TaskSummary] {
        &self.summaries
    }

    /// How many events the incident holds (as the footer places the
    /// offsets: checked on open against the other per-event parts).
    pub fn len(&self) -> usize {
        (self.footer.entry(Part::Offsets).range.len() / 8).saturating_sub(1)
    }

    /// Whether the incident holds no event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The event numbers on the timeline of the task at index `task`, in
    /// time order.
    pub fn timeline(&self, task: usize) -> Result<Vec<usize>, Unusable> {
        let bytes = self.part(Part::Timelines)?;
        let events = self.len();
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

    /// The event numbered `number` (in time order), with its links. The
    /// chunks its record lies in are read from the file and checked against
    /// their hashes each time, and the record is decoded from the bytes
    /// checked (a mapped page could change between the check and the read).
    pub fn event(&self, number: usize) -> Result<Event, Unusable> {
        let offsets = self.part(Part::Offsets)?;
        let records = self.footer.entry(Part::Records).range.clone();
        let offset = |at: usize| record_offset(offsets, at);
        let (start, end) = offset(number)
            .zip(offset(number + 1))
            .filter(|(start, end)| start <= end && *end <= records.len())
            .ok_or_else(|| Unusable::Damaged(format!("event {number} is out of place")))?;
        let first_chunk = start / CHUNK;
        let chunks_end = records
            .len()
            .min(end.div_ceil(CHUNK).max(first_chunk + 1) * CHUNK);
        let mut bytes = vec![0; chunks_end - first_chunk * CHUNK];
        self.file
            .read_exact_at(&mut bytes, (records.start + first_chunk * CHUNK) as u64)
            .map_err(|e| Unusable::Damaged(format!("event {number}: {e}")))?;
        self.check_chunks(first_chunk, &bytes)?;
        let within = start - first_chunk * CHUNK;
        record::decode(&bytes[within..within + (end - start)], self.tasks.len())
            .map_err(|e| Unusable::Damaged(format!("event {number}: {e}")))
    }

    /// Every event in time order, handed to `each` one at a time: the
    /// records are read from start to end, each chunk read and checked once.
    pub fn each_event(&self, mut each: impl FnMut(Event)) -> Result<(), Unusable> {
        let offsets = self.part(Part::Offsets)?;
        let records = self.footer.entry(Part::Records).range.clone();
        let offset = |at: usize| record_offset(offsets, at);
        // `window` holds the records' bytes from `window_start` on, checked.
        let mut window: Vec<u8> = Vec::new();
        let mut window_start = 0;
        let mut previous_end = 0;
        for number in 0..self.len() {
            let (start, end) = offset(number)
                .zip(offset(number + 1))
                .filter(|&(start, end)| start == previous_end && start <= end)
                .filter(|&(_, end)| end <= records.len())
                .ok_or_else(|| Unusable::Damaged(format!("event {number} is out of place")))?;
            previous_end = end;
            while window_start + window.len() < end {
                let loaded = window_start + window.len();
                window.drain(..start - window_start);
                window_start = start;
                let until = records.len().min(loaded + SEQUENTIAL_CHUNKS * CHUNK);
                let mut bytes = vec![0; until - loaded];
                self.file
                    .read_exact_at(&mut bytes, (records.start + loaded) as u64)
                    .map_err(|e| Unusable::Damaged(format!("records: {e}")))?;
                self.check_chunks(loaded / CHUNK, &bytes)?;
                window.extend_from_slice(&bytes);
            }
            let within = start - window_start;
            let event = record::decode(&window[within..within + (end - start)], self.tasks.len())
                .map_err(|e| Unusable::Damaged(format!("event {number}: {e}")))?;
            each(event);
        }
        Ok(())
    }

    /// The time of the event numbered `number`, from the times column.
    pub fn time(&self, number: usize) -> Result<Timestamp, Unusable> {
        let bytes = self.part(Part::Times)?;
        let entry = bytes
            .get(number * TIME_BYTES..(number + 1) * TIME_BYTES)
            .ok_or_else(|| Unusable::Damaged(format!("no time for event {number}")))?;
        let (seconds, nanos) = entry.split_at(8);
        let seconds = i64::from_le_bytes(seconds.try_into().unwrap_or_default());
        let nanos = u32::from_le_bytes(nanos.try_into().unwrap_or_default());
        DateTime::from_timestamp(seconds, nanos)
            .ok_or_else(|| Unusable::Damaged(format!("the time of event {number} is out of range")))
    }

    /// The source of the event numbered `number`, from the sources column.
    pub fn source(&self, number: usize) -> Result<Source, Unusable> {
        let code = self.part(Part::Sources)?.get(number).copied();
        code.and_then(source_of_code)
            .ok_or_else(|| Unusable::Damaged(format!("no source for event {number}")))
    }

    /// The findings, in board order, as event numbers.
    pub fn findings(&self) -> Result<Vec<u32>, Unusable> {
        let bytes = self.part(Part::Findings)?;
        let events = self.len();
        let findings: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
            .collect();
        if bytes.len() % 4 != 0 || findings.iter().any(|&n| n as usize >= events) {
            return Err(Unusable::Damaged("the findings list is malformed".into()));
        }
        Ok(findings)
    }

    /// Checks `bytes`, which start at chunk `first_chunk` of the records and
    /// hold whole chunks (the last may end with the records), against the
    /// chunks' hashes.
    fn check_chunks(&self, first_chunk: usize, bytes: &[u8]) -> Result<(), Unusable> {
        let hashes = self.part(Part::Chunks)?;
        for (place, chunk) in bytes.chunks(CHUNK).enumerate() {
            let at = (first_chunk + place) * 32;
            if hashes.get(at..at + 32) != Some(Sha256::digest(chunk).as_slice()) {
                return Err(Unusable::Damaged(format!(
                    "record bytes {}..{} do not match their hash",
                    (first_chunk + place) * CHUNK,
                    (first_chunk + place) * CHUNK + chunk.len()
                )));
            }
        }
        Ok(())
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

/// Whether every raw artifact the correlated index is derived from is
/// still a regular file inside the bundle at `root` of its listed size.
/// Evidence gone or replaced is reported by the raw path, as it always
/// was, rather than hidden behind an answer derived from it.
pub fn evidence_in_place(root: &Path, manifest: &Manifest) -> Result<(), Unusable> {
    for (position, _) in imported_artifacts(manifest, &mut Vec::new()) {
        artifact_present(root, &manifest.artifacts[position]).map_err(Unusable::Damaged)?;
    }
    Ok(())
}

/// Where the record numbered `at` starts in the records (the one past the
/// last: where they end), from the offsets part.
fn record_offset(offsets: &[u8], at: usize) -> Option<usize> {
    let bytes = offsets.get(at * 8..at * 8 + 8)?;
    usize::try_from(u64::from_le_bytes(bytes.try_into().ok()?)).ok()
}
