//! Building a bundle from files: every input is stored as received and
//! imported; rejected inputs are kept too, so nothing handed over is lost.

use super::correlated::gather::{FactKeys, Gathering, IndexedSection};
use super::correlated::{self, CORRELATED_PATH};
use super::index::{inputs_digest, IndexWriter, INDEX_PATH};
use super::manifest::{
    Artifact, Collection, Input, Manifest, TimeWindow, Tool, FORMAT_NAME, FORMAT_VERSION,
};
use super::paths::{safe_file_name, MAX_FILE_BYTES};
use super::write::{sha256_hex, BundleWriter};
use crate::correlate::Incident;
use crate::import::parallel::{import_in_order, Job};
use crate::import::{FileImport, FileStatus};
use crate::model::provenance::LogGroup;
use crate::model::time::format_time;
use std::fs::File;
use std::io::{self, Read};
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
    read_capped(&path)
        .map(|bytes| InputFile {
            source_path: path.display().to_string(),
            bytes,
        })
        .map_err(|e| (path.display().to_string(), e.to_string()))
}

/// Reads one input file (or a FIFO the user named, such as `/dev/stdin`),
/// refusing more than [`MAX_FILE_BYTES`]: such a file could not be read
/// back from the bundle.
fn read_capped(path: &Path) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let too_large = || {
        io::Error::other(format!(
            "larger than {MAX_FILE_BYTES} bytes, the most a bundle file may hold: not imported"
        ))
    };
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
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
    let mut index = IndexWriter::new(writer.begin_stream(INDEX_PATH)?)?;
    let mut summary = Summary::default();
    let mut index_failure = None;
    // What the correlated index's build needs before linking is gathered as
    // each file is imported, so that it reads the index once, to link.
    let fact_keys = FactKeys::new();
    let mut gathering = Gathering::default();
    import_inputs(
        inputs,
        |path, bytes| writer.add(path, bytes),
        |imported| {
            // Encoded on the worker; only what opening imports is indexed.
            let section = (imported.status() != FileStatus::Rejected)
                .then(|| IndexedSection::of(&imported.events, &imported.tasks, &fact_keys));
            (FileSummary::of(&imported), section)
        },
        |entry, file| {
            let file_summary = file.map(|(artifact, (file_summary, section))| {
                if let Some(section) = section {
                    if let Err(error) = section.write(artifact, &mut index, &mut gathering) {
                        index_failure.get_or_insert(error);
                    }
                }
                file_summary
            });
            summary.add(entry, file_summary.as_ref());
        },
    )?;
    if let Some(error) = index_failure {
        return Err(error);
    }
    let manifest = summary.manifest("import");
    let digest = inputs_digest(&manifest.inputs, writer.artifacts());
    writer.finish_stream(index.finish(&digest)?)?;
    write_correlated(&mut writer, gathering, &digest)?;
    let manifest = writer.seal(manifest)?;
    Ok(ImportReport { manifest })
}

/// Correlates what the index just written holds, from what was gathered
/// while it was written, and writes the correlated index beside it (memory
/// stays a few bytes per event). An index that cannot be read back fails
/// the import.
fn write_correlated(
    writer: &mut BundleWriter,
    gathering: Gathering,
    digest: &[u8; 32],
) -> io::Result<()> {
    let index = writer.staging().join(INDEX_PATH);
    let scratch = writer.staging().join("derived/correlated.scratch");
    let stream = writer.begin_stream(CORRELATED_PATH)?;
    let stream = correlated::build::build_gathered(gathering, &index, &scratch, stream, digest)?;
    writer.finish_stream(stream)?;
    Ok(())
}

/// Imports `inputs` without writing anything: the manifest lists the
/// artifacts a bundle would hold, and the incident is correlated.
pub fn import_in_memory(inputs: impl IntoIterator<Item = InputResult>) -> (Manifest, Incident) {
    let mut artifacts = Vec::new();
    let mut summary = Summary::default();
    let mut events = Vec::new();
    let mut tasks = Vec::new();
    let mut images = Vec::new();
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
        |imported| (FileSummary::of(&imported), imported),
        |entry, imported| match imported {
            Some((_, (file, imported))) => {
                summary.add(entry, Some(&file));
                events.extend(imported.events);
                tasks.extend(imported.tasks);
                images.extend(imported.images);
            }
            None => summary.add(entry, None),
        },
    );
    let Ok(()) = stored;
    let mut manifest = summary.manifest("import");
    manifest.artifacts = artifacts;
    (manifest, Incident::build(events, tasks).with_images(images))
}

/// An input file, or the path and error of one that could not be read.
pub type InputResult = Result<InputFile, (String, String)>;

/// Stores each readable input through `store` (which returns the artifact
/// index), imports it on a worker thread, and hands each input's manifest
/// entry, artifact index and import result to `take`, in input order.
/// Rejected inputs are stored too.
fn import_inputs<E, R: Send>(
    inputs: impl IntoIterator<Item = InputResult>,
    mut store: impl FnMut(&str, &[u8]) -> Result<usize, E>,
    reduce: impl Fn(FileImport) -> R + Sync,
    mut take: impl FnMut(Input, Option<(usize, R)>),
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
                        Err((file.source_path, artifact_path, artifact)),
                        Some(Job {
                            bytes: file.bytes,
                            artifact,
                            group: LogGroup::Unknown,
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
                    origin: None,
                }),
                None,
            )),
        });
    // The manifest entry is made on the worker too, from the full result.
    let reduce_with_entry = |imported: FileImport| (Entry::of(&imported), reduce(imported));
    import_in_order(items, reduce_with_entry, |tag, result| {
        match (tag, result) {
            (Ok(unreadable), _) => take(unreadable, None),
            (Err((source_path, artifact_path, artifact)), Some((entry, kept))) => take(
                entry.input(source_path, artifact_path),
                Some((artifact, kept)),
            ),
            (Err(_), None) => {}
        }
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// A file's manifest entry, without its paths.
pub(crate) struct Entry {
    status: FileStatus,
    formats: Vec<String>,
    records: usize,
    errors: Vec<String>,
}

impl Entry {
    pub(crate) fn of(imported: &FileImport) -> Entry {
        Entry {
            status: imported.status(),
            formats: imported.formats.iter().map(|f| f.to_string()).collect(),
            records: imported.records,
            errors: imported.errors.iter().map(|e| e.to_string()).collect(),
        }
    }

    pub(crate) fn input(self, source_path: String, artifact: String) -> Input {
        Input {
            source_path,
            artifact,
            status: self.status,
            formats: self.formats,
            records: self.records,
            errors: self.errors,
            origin: None,
        }
    }
}

/// What the manifest needs from one imported file besides its entry.
pub(crate) struct FileSummary {
    accounts: Vec<String>,
    regions: Vec<String>,
    sources: Vec<&'static str>,
    window: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
}

impl FileSummary {
    pub(crate) fn of(imported: &FileImport) -> FileSummary {
        let mut sources = std::collections::BTreeSet::new();
        let mut window: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> =
            None;
        for event in &imported.events {
            sources.insert(event.source.name());
            window = Some(match window {
                Some((first, last)) => (first.min(event.time), last.max(event.time)),
                None => (event.time, event.time),
            });
        }
        FileSummary {
            accounts: imported.accounts.iter().cloned().collect(),
            regions: imported.regions.iter().cloned().collect(),
            sources: sources.into_iter().collect(),
            window,
        }
    }
}

/// What the manifest needs from the imported files, gathered file by file.
#[derive(Default, Clone)]
pub(crate) struct Summary {
    inputs: Vec<Input>,
    collection: Collection,
    first: Option<chrono::DateTime<chrono::Utc>>,
    last: Option<chrono::DateTime<chrono::Utc>>,
}

impl Summary {
    /// The summary a committed manifest describes, to add more inputs to.
    pub(crate) fn resume(manifest: &Manifest) -> Summary {
        let window = manifest.collection.time_window.as_ref();
        let time = |text: &str| crate::model::time::parse_time_str(text);
        Summary {
            inputs: manifest.inputs.clone(),
            collection: manifest.collection.clone(),
            first: window.and_then(|w| time(&w.from)),
            last: window.and_then(|w| time(&w.to)),
        }
    }

    pub(crate) fn add(&mut self, entry: Input, file: Option<&FileSummary>) {
        match entry.status {
            FileStatus::Imported => self.collection.files_imported += 1,
            FileStatus::Partial => self.collection.files_partial += 1,
            FileStatus::Rejected => self.collection.files_rejected += 1,
        }
        self.inputs.push(entry);
        let Some(file) = file else {
            return;
        };
        let collection = &mut self.collection;
        collection.accounts.extend(file.accounts.iter().cloned());
        collection.regions.extend(file.regions.iter().cloned());
        collection
            .sources
            .extend(file.sources.iter().map(|s| s.to_string()));
        if let Some((first, last)) = file.window {
            self.first = Some(self.first.map_or(first, |t| t.min(first)));
            self.last = Some(self.last.map_or(last, |t| t.max(last)));
        }
    }

    /// A manifest describing the inputs (artifacts are filled in when sealed).
    pub(crate) fn manifest(self, method: &str) -> Manifest {
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
            created_at: format_time(&crate::model::time::now()),
            collection,
            inputs: self.inputs,
            artifacts: Vec::new(),
        }
    }
}
