//! Building a bundle from files: every input is stored as received and
//! imported; rejected inputs are kept too, so nothing handed over is lost.

use super::manifest::{
    Artifact, Collection, Input, Manifest, TimeWindow, Tool, FORMAT_NAME, FORMAT_VERSION,
};
use super::paths::safe_file_name;
use super::write::{sha256_hex, BundleWriter};
use crate::correlate::Incident;
use crate::import::parallel::{import_in_order, Job};
use crate::import::{FileImport, FileStatus};
use crate::model::time::format_time;
use std::io;
use std::path::{Path, PathBuf};

/// One input, in memory: a display name and its bytes as received.
pub struct InputFile {
    /// Where it came from (path or embedded name).
    pub source_path: String,
    /// The bytes, possibly gzip.
    pub bytes: Vec<u8>,
}

/// The result of importing a set of inputs.
pub struct ImportReport {
    /// The manifest written (or that would be written).
    pub manifest: Manifest,
}

impl ImportReport {
    /// True when any input was rejected or only partly read.
    pub fn is_partial(&self) -> bool {
        self.manifest.collection.partial
    }
}

/// A file found under the paths given, or the path and error of one that
/// could not be listed.
pub type FoundInput = Result<PathBuf, (String, String)>;

/// Lists the files under `paths` (directories recursively), without reading them.
pub fn find_inputs(paths: &[PathBuf]) -> Vec<FoundInput> {
    crate::import::walk::collect_files(paths)
        .into_iter()
        .map(|found| found.map_err(|(path, error)| (path.display().to_string(), error.to_string())))
        .collect()
}

/// Reads one found file; an unreadable one becomes a rejected input with the I/O error.
pub fn read_input(found: FoundInput) -> InputResult {
    let path = found?;
    std::fs::read(&path)
        .map(|bytes| InputFile {
            source_path: path.display().to_string(),
            bytes,
        })
        .map_err(|e| (path.display().to_string(), e.to_string()))
}

/// The files under `paths`, each read only when the import reaches it.
pub fn read_inputs(paths: &[PathBuf]) -> impl Iterator<Item = InputResult> {
    find_inputs(paths).into_iter().map(read_input)
}

/// Imports `inputs` into a new bundle at `out`, sealed atomically. Inputs
/// are read, stored and parsed a few at a time; only each file's summary is
/// kept, so memory does not grow with the number of records.
pub fn import_to_bundle(
    inputs: impl IntoIterator<Item = InputResult>,
    out: &Path,
) -> io::Result<ImportReport> {
    let mut writer = BundleWriter::create(out)?;
    let mut summary = Summary::default();
    import_inputs(
        inputs,
        |path, bytes| writer.add(path, bytes),
        |entry, imported| summary.add(entry, imported.as_ref()),
    )?;
    let manifest = writer.seal(summary.manifest("import"))?;
    Ok(ImportReport { manifest })
}

/// Imports `inputs` without writing anything: the manifest lists the
/// artifacts a bundle would hold, and the incident is correlated.
pub fn import_in_memory(inputs: impl IntoIterator<Item = InputResult>) -> (Manifest, Incident) {
    let mut artifacts = Vec::new();
    let mut summary = Summary::default();
    let mut events = Vec::new();
    let mut tasks = Vec::new();
    let stored = import_inputs(
        inputs,
        |path, bytes| {
            artifacts.push(Artifact {
                path: path.to_string(),
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
            });
            Ok::<usize, std::convert::Infallible>(artifacts.len() - 1)
        },
        |entry, imported| {
            summary.add(entry, imported.as_ref());
            if let Some(imported) = imported {
                events.extend(imported.events);
                tasks.extend(imported.tasks);
            }
        },
    );
    let Ok(()) = stored;
    let mut manifest = summary.manifest("import");
    manifest.artifacts = artifacts;
    (manifest, Incident::build(events, tasks))
}

/// An input file, or the path and error of one that could not be read.
pub type InputResult = Result<InputFile, (String, String)>;

/// Stores each readable input through `store` (which returns the artifact
/// index), imports it on a worker thread, and hands each input's manifest
/// entry and import result to `take`, in input order. Rejected inputs are
/// stored too.
fn import_inputs<E>(
    inputs: impl IntoIterator<Item = InputResult>,
    mut store: impl FnMut(&str, &[u8]) -> Result<usize, E>,
    mut take: impl FnMut(Input, Option<FileImport>),
) -> Result<(), E> {
    let mut failure = None;
    let items = inputs
        .into_iter()
        .enumerate()
        .map_while(|(position, input)| match input {
            Ok(file) => {
                let name = Path::new(&file.source_path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let artifact_path = format!("raw/{:04}-{}", position + 1, safe_file_name(&name));
                match store(&artifact_path, &file.bytes) {
                    Ok(artifact) => Some((
                        Err((file.source_path, artifact_path)),
                        Some(Job {
                            bytes: file.bytes,
                            artifact,
                        }),
                    )),
                    Err(error) => {
                        failure = Some(error);
                        None
                    }
                }
            }
            Err((source_path, error)) => Some((
                Ok(Input {
                    source_path,
                    artifact: String::new(),
                    status: FileStatus::Rejected,
                    formats: Vec::new(),
                    records: 0,
                    errors: vec![format!("cannot read: {error}")],
                }),
                None,
            )),
        });
    import_in_order(items, |tag, imported| match (tag, imported) {
        (Ok(unreadable), _) => take(unreadable, None),
        (Err((source_path, artifact_path)), Some(imported)) => take(
            input_entry(source_path, artifact_path, &imported),
            Some(imported),
        ),
        (Err(_), None) => {}
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// What the manifest needs from the imported files, gathered file by file.
#[derive(Default)]
struct Summary {
    inputs: Vec<Input>,
    collection: Collection,
    first: Option<chrono::DateTime<chrono::Utc>>,
    last: Option<chrono::DateTime<chrono::Utc>>,
}

impl Summary {
    fn add(&mut self, entry: Input, imported: Option<&FileImport>) {
        match entry.status {
            FileStatus::Imported => self.collection.files_imported += 1,
            FileStatus::Partial => self.collection.files_partial += 1,
            FileStatus::Rejected => self.collection.files_rejected += 1,
        }
        self.inputs.push(entry);
        let Some(imported) = imported else {
            return;
        };
        let collection = &mut self.collection;
        collection
            .accounts
            .extend(imported.accounts.iter().cloned());
        collection.regions.extend(imported.regions.iter().cloned());
        for event in &imported.events {
            collection.sources.insert(event.source.name().to_string());
            self.first = Some(self.first.map_or(event.time, |t| t.min(event.time)));
            self.last = Some(self.last.map_or(event.time, |t| t.max(event.time)));
        }
    }

    /// A manifest describing the inputs (artifacts are filled in when sealed).
    fn manifest(self, method: &str) -> Manifest {
        let mut collection = self.collection;
        collection.method = method.to_string();
        if let (Some(from), Some(to)) = (self.first, self.last) {
            collection.time_window = Some(TimeWindow {
                from: format_time(&from),
                to: format_time(&to),
            });
        }
        collection.partial = collection.files_partial + collection.files_rejected > 0;
        Manifest {
            format: FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            created_at: format_time(&chrono::Utc::now()),
            collection,
            inputs: self.inputs,
            artifacts: Vec::new(),
        }
    }
}

fn input_entry(source_path: String, artifact: String, imported: &FileImport) -> Input {
    Input {
        source_path,
        artifact,
        status: imported.status(),
        formats: imported.formats.iter().map(|f| f.to_string()).collect(),
        records: imported.records,
        errors: imported.errors.iter().map(|e| e.to_string()).collect(),
    }
}
