//! Where generated files go, and the summary of what was written.

use super::plan::Plan;
use crate::model::Source;
use anyhow::{bail, Context};
use flate2::{write::GzEncoder, Compression};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The sources the generator writes evidence for, in display order: every
/// evidence source but syscall captures, which it does not synthesize.
pub const GENERATED_SOURCES: [Source; 5] = [
    Source::Guardduty,
    Source::Ecs,
    Source::Cloudtrail,
    Source::Falco,
    Source::Logs,
];

/// One file written by the generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the output directory.
    pub path: String,
    /// The source its events belong to.
    pub source: Source,
    /// Events `taskscope import` reads from it.
    pub events: u64,
    /// Size on disk.
    pub bytes: u64,
}

/// What the generator wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSummary {
    /// The output directory.
    pub root: PathBuf,
    /// Number of tasks in the incident.
    pub tasks: u64,
    /// The seed used.
    pub seed: u64,
    /// Every file, in the order written.
    pub files: Vec<GeneratedFile>,
}

impl GenSummary {
    /// Files, events and bytes of one source.
    pub fn source_totals(&self, source: Source) -> (u64, u64, u64) {
        self.files
            .iter()
            .filter(|file| file.source == source)
            .fold((0, 0, 0), |(files, events, bytes), file| {
                (files + 1, events + file.events, bytes + file.bytes)
            })
    }

    /// The summary `taskscope gen` prints: one line per source with its
    /// files, events and bytes, then the totals.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let events: u64 = self.files.iter().map(|f| f.events).sum();
        let bytes: u64 = self.files.iter().map(|f| f.bytes).sum();
        let _ = writeln!(
            out,
            "generated {events} events about {} tasks (seed {}) in {}",
            self.tasks,
            self.seed,
            self.root.display()
        );
        let _ = writeln!(
            out,
            "{:<12} {:>7} {:>10} {:>14}",
            "SOURCE", "FILES", "EVENTS", "BYTES"
        );
        for source in GENERATED_SOURCES {
            let (files, events, bytes) = self.source_totals(source);
            let _ = writeln!(
                out,
                "{:<12} {files:>7} {events:>10} {bytes:>14}",
                source.name()
            );
        }
        let _ = writeln!(
            out,
            "{:<12} {:>7} {events:>10} {bytes:>14}",
            "total",
            self.files.len()
        );
        out
    }
}

/// The output directory and the files written into it so far.
pub(super) struct Output {
    root: PathBuf,
    files: Vec<GeneratedFile>,
}

impl Output {
    /// Creates `root`, which must not exist or be an empty directory.
    pub fn create(root: &Path) -> anyhow::Result<Output> {
        if root.exists() {
            let mut entries =
                fs::read_dir(root).with_context(|| format!("cannot read {}", root.display()))?;
            if entries.next().is_some() {
                bail!("{} is not empty: give a new directory", root.display());
            }
        }
        fs::create_dir_all(root).with_context(|| format!("cannot create {}", root.display()))?;
        Ok(Output {
            root: root.to_path_buf(),
            files: Vec::new(),
        })
    }

    /// Writes one file at `relative` (directories created as needed).
    pub fn write(
        &mut self,
        relative: &str,
        bytes: &[u8],
        source: Source,
        events: u64,
    ) -> anyhow::Result<()> {
        let path = self.prepare(relative)?;
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        self.files.push(GeneratedFile {
            path: relative.to_string(),
            source,
            events,
            bytes: bytes.len() as u64,
        });
        Ok(())
    }

    /// Writes one file at `relative` through `fill`, streamed to disk, so a
    /// large file never sits in memory.
    pub fn write_with(
        &mut self,
        relative: &str,
        source: Source,
        events: u64,
        fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let path = self.prepare(relative)?;
        let file =
            fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        let mut writer = BufWriter::new(file);
        fill(&mut writer)?;
        writer
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        let bytes = fs::metadata(&path)?.len();
        self.files.push(GeneratedFile {
            path: relative.to_string(),
            source,
            events,
            bytes,
        });
        Ok(())
    }

    /// The full path of `relative`, its directories created.
    fn prepare(&self, relative: &str) -> anyhow::Result<PathBuf> {
        let path = self.root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        Ok(path)
    }

    /// Like [`Output::write`], gzip-compressed first. The gzip header holds
    /// no name and no time, so the bytes depend on the content alone.
    pub fn write_gzip(
        &mut self,
        relative: &str,
        content: &[u8],
        source: Source,
        events: u64,
    ) -> anyhow::Result<()> {
        let mut encoder = GzEncoder::new(
            Vec::with_capacity(content.len() / 6),
            Compression::default(),
        );
        encoder.write_all(content)?;
        let bytes = encoder.finish()?;
        self.write(relative, &bytes, source, events)
    }

    /// The summary of everything written.
    pub fn finish(self, plan: &Plan) -> GenSummary {
        GenSummary {
            root: self.root,
            tasks: plan.tasks.len() as u64,
            seed: plan.seed,
            files: self.files,
        }
    }
}
