//! Building a bundle from files: every input is stored as received and
//! imported; rejected inputs are kept too, so nothing handed over is lost.

use super::manifest::{
    Artifact, Collection, Input, Manifest, TimeWindow, Tool, FORMAT_NAME, FORMAT_VERSION,
};
use super::paths::{safe_file_name, MAX_FILE_BYTES};
use super::write::{sha256_hex, BundleWriter};
use crate::correlate::Incident;
use crate::import::{import_bytes, FileImport, FileStatus};
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

/// Reads the files under `paths` (directories recursively); unreadable ones
/// become rejected inputs with the I/O error.
pub fn read_inputs(paths: &[PathBuf]) -> Vec<InputResult> {
    crate::import::walk::collect_files(paths)
        .into_iter()
        .map(|found| match found {
            Ok(path) => read_input(&path)
                .map(|bytes| InputFile {
                    source_path: path.display().to_string(),
                    bytes,
                })
                .map_err(|e| (path.display().to_string(), e.to_string())),
            Err((path, error)) => Err((path.display().to_string(), error.to_string())),
        })
        .collect()
}

/// Reads one input file (or a FIFO the user named, such as `/dev/stdin`),
/// refusing more than [`MAX_FILE_BYTES`]: such a file could not be read
/// back from the bundle.
fn read_input(path: &Path) -> io::Result<Vec<u8>> {
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

/// Imports `inputs` into a new bundle at `out`, sealed atomically.
pub fn import_to_bundle(inputs: Vec<InputResult>, out: &Path) -> io::Result<ImportReport> {
    let mut writer = BundleWriter::create(out)?;
    let (entries, imports) = import_inputs(inputs, |path, bytes| writer.add(path, bytes))?;
    let manifest = writer.seal(new_manifest("import", entries, &imports))?;
    Ok(ImportReport { manifest })
}

/// Imports `inputs` without writing anything: the manifest lists the
/// artifacts a bundle would hold, and the incident is correlated.
pub fn import_in_memory(inputs: Vec<InputResult>) -> (Manifest, Incident) {
    let mut artifacts = Vec::new();
    let stored = import_inputs(inputs, |path, bytes| {
        artifacts.push(Artifact {
            path: path.to_string(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        });
        Ok::<usize, std::convert::Infallible>(artifacts.len() - 1)
    });
    let Ok((entries, imports)) = stored;
    let mut events = Vec::new();
    let mut tasks = Vec::new();
    let mut manifest = new_manifest("import", entries, &imports);
    for imported in imports {
        events.extend(imported.events);
        tasks.extend(imported.tasks);
    }
    manifest.artifacts = artifacts;
    (manifest, Incident::build(events, tasks))
}

/// An input file, or the path and error of one that could not be read.
pub type InputResult = Result<InputFile, (String, String)>;

/// Stores each readable input through `store` (which returns the artifact
/// index) and imports it. Rejected inputs are stored too.
fn import_inputs<E>(
    inputs: Vec<InputResult>,
    mut store: impl FnMut(&str, &[u8]) -> Result<usize, E>,
) -> Result<(Vec<Input>, Vec<FileImport>), E> {
    let mut entries = Vec::new();
    let mut imports = Vec::new();
    for (position, input) in inputs.into_iter().enumerate() {
        match input {
            Ok(file) => {
                let name = Path::new(&file.source_path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let artifact_path = format!("raw/{:04}-{}", position + 1, safe_file_name(&name));
                let index = store(&artifact_path, &file.bytes)?;
                let imported = import_bytes(&file.bytes, index);
                entries.push(input_entry(file.source_path, artifact_path, &imported));
                imports.push(imported);
            }
            Err((source_path, error)) => entries.push(Input {
                source_path,
                artifact: String::new(),
                status: FileStatus::Rejected,
                formats: Vec::new(),
                records: 0,
                errors: vec![format!("cannot read: {error}")],
            }),
        }
    }
    Ok((entries, imports))
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

/// A manifest describing `inputs` (artifacts are filled in when sealed).
pub fn new_manifest(method: &str, inputs: Vec<Input>, imports: &[FileImport]) -> Manifest {
    let mut collection = Collection {
        method: method.to_string(),
        ..Collection::default()
    };
    let mut first = None;
    let mut last = None;
    for imported in imports {
        collection
            .accounts
            .extend(imported.accounts.iter().cloned());
        collection.regions.extend(imported.regions.iter().cloned());
        for event in &imported.events {
            collection.sources.insert(event.source.name().to_string());
            first = Some(
                first.map_or(event.time, |t: chrono::DateTime<chrono::Utc>| {
                    t.min(event.time)
                }),
            );
            last = Some(last.map_or(event.time, |t: chrono::DateTime<chrono::Utc>| {
                t.max(event.time)
            }));
        }
    }
    if let (Some(from), Some(to)) = (first, last) {
        collection.time_window = Some(TimeWindow {
            from: format_time(&from),
            to: format_time(&to),
        });
    }
    for input in &inputs {
        match input.status {
            FileStatus::Imported => collection.files_imported += 1,
            FileStatus::Partial => collection.files_partial += 1,
            FileStatus::Rejected => collection.files_rejected += 1,
        }
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
        inputs,
        artifacts: Vec::new(),
    }
}
