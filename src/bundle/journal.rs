//! Append-only JSON-lines artifacts of a bundle (`annotations.jsonl`,
//! `audit.jsonl`), committed line by line.
//!
//! Appending takes the bundle's lock, writes one line and fsyncs it, then
//! rewrites the manifest atomically with the file's new size and SHA-256: the
//! manifest is the commit point. Bytes past the size the manifest records were
//! never committed; the next append cuts them off, and readers ignore them.
//! Every line is linked into the journal's hash [`chain`](super::chain).
//! The protocol is specified in docs/bundle-format.md.

use super::chain;
use super::manifest::{Artifact, Manifest, MANIFEST_FILE};
use super::write::{sha256_hex, sync_dir, temp_prefix, write_file_atomically};
use super::{Bundle, OpenError};
use serde::de::DeserializeOwned;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Why a line could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The bundle does not open: nothing is written.
    #[error("cannot write to the bundle: {0}")]
    Open(#[from] OpenError),
    /// The committed part of the file differs from the manifest.
    #[error("{file} does not match the manifest ({reason}); run taskscope verify")]
    Mismatch {
        /// The journal's path in the bundle.
        file: String,
        /// What differs.
        reason: String,
    },
    /// The line or the manifest could not be encoded.
    #[error("{0}")]
    Encode(String),
    /// Reading or writing failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: io::Error,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> JournalError {
    let context = context.into();
    move |source| JournalError::Io { context, source }
}

/// Appends `line` (one JSON object, without its newline) to the journal
/// `file` at the bundle root, linked into its chain (see [`chain::link`]),
/// and commits it (see [`append_linked`]).
pub fn append_line(bundle_root: &Path, file: &str, line: &str) -> Result<(), JournalError> {
    append_linked(bundle_root, file, |prev| {
        chain::link(line, prev).map_err(JournalError::Encode)
    })
}

/// Appends the line `build` makes from the chain value before it (the
/// journal's head, see [`chain`]) to the journal `file` at the bundle root,
/// and commits it. The line must carry that value as its `prev` member.
///
/// Holds an exclusive lock on the bundle directory throughout, so concurrent
/// appends (from any process, and live collection) are serialized. Under the
/// lock: the manifest is read; an uncommitted tail left by a crash is cut off,
/// provided the committed prefix matches the manifest (otherwise nothing is
/// written); the line is built from the head, appended and fsynced; then the
/// manifest is replaced atomically with the artifact's new size and hash.
pub fn append_linked(
    bundle_root: &Path,
    file: &str,
    build: impl FnOnce(&str) -> Result<String, JournalError>,
) -> Result<(), JournalError> {
    let shown = bundle_root.display().to_string();
    let directory = File::open(bundle_root).map_err(io_error(format!(
        "{shown}: cannot open the bundle directory"
    )))?;
    directory
        .lock()
        .map_err(io_error(format!("{shown}: cannot lock the bundle")))?;
    let bundle = Bundle::open(bundle_root)?;
    remove_stale_manifest_temps(bundle_root);
    let (mut handle, mut content) = open_committed(&bundle, file)?;
    let head = chain::check(&chain::genesis(&bundle.manifest, file), &content).head;
    let mut line = format!("{}\n", build(&head)?);
    if content.last().is_some_and(|&b| b != b'\n') {
        // A committed last line without its newline (edited by hand, or
        // crafted) would swallow this one.
        line.insert(0, '\n');
    }
    handle
        .seek(SeekFrom::Start(content.len() as u64))
        .and_then(|_| handle.write_all(line.as_bytes()))
        .and_then(|_| handle.sync_all())
        .map_err(io_error(format!("{shown}/{file}: cannot append")))?;
    content.extend_from_slice(line.as_bytes());
    let mut manifest = bundle.manifest;
    record_artifact(&mut manifest, file, &content);
    let text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| JournalError::Encode(format!("cannot encode the manifest: {e}")))?;
    write_file_atomically(&bundle_root.join(MANIFEST_FILE), &text, true)
        .map_err(io_error(format!("{shown}/{MANIFEST_FILE}: cannot rewrite")))?;
    drop(directory); // releases the lock, after the commit
    Ok(())
}

/// The committed lines of the journal `file` (the prefix the manifest
/// records), or `None` when the manifest does not list it. A file shorter
/// than the manifest says, or whose prefix has another hash, is an error.
pub fn read_committed(bundle: &Bundle, file: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(entry) = bundle.manifest.artifact(file) else {
        return Ok(None);
    };
    let mut content = bundle
        .read_artifact(file)
        .map_err(|e| format!("{file}: cannot read: {e}"))?;
    let size = usize::try_from(entry.size)
        .ok()
        .filter(|&size| size <= content.len())
        .ok_or_else(|| format!("{file}: shorter than the manifest says"))?;
    content.truncate(size);
    if sha256_hex(&content) != entry.sha256 {
        return Err(format!("{file}: its SHA-256 differs from the manifest"));
    }
    Ok(Some(content))
}

/// The committed lines of the journal `file` of `bundle`, each parsed as a
/// `T`, in order, with their 1-based line numbers. Lines that do not parse
/// are reported (`file:line: why`), not skipped silently; a journal that
/// differs from the manifest is one problem and no lines.
pub fn load_lines<T: DeserializeOwned>(
    bundle: &Bundle,
    file: &str,
) -> (Vec<(usize, T)>, Vec<String>) {
    let content = match read_committed(bundle, file) {
        Ok(Some(content)) => content,
        Ok(None) => return (Vec::new(), Vec::new()),
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (number, line) in content.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<T>(line) {
            Ok(record) => records.push((number + 1, record)),
            Err(error) => problems.push(format!("{file}:{}: {error}", number + 1)),
        }
    }
    (records, problems)
}

/// Adds or updates the journal's entry; other entries keep their positions,
/// because events refer to artifacts by index.
fn record_artifact(manifest: &mut Manifest, file: &str, content: &[u8]) {
    let entry = Artifact {
        path: file.to_string(),
        sha256: sha256_hex(content),
        size: content.len() as u64,
    };
    match manifest.artifacts.iter_mut().find(|a| a.path == file) {
        Some(existing) => *existing = entry,
        None => manifest.artifacts.push(entry),
    }
}

/// Removes manifest temporary files a crashed writer (an append, a live
/// collection) left behind. Only called under the bundle's lock, when no
/// other writer can be using one.
pub(crate) fn remove_stale_manifest_temps(root: &Path) {
    let prefix = temp_prefix(MANIFEST_FILE);
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Opens the journal for appending and returns it with its committed
/// content, after cutting off any uncommitted tail. Creates it when the
/// manifest does not list it; then any existing content is an uncommitted tail.
fn open_committed(bundle: &Bundle, file: &str) -> Result<(File, Vec<u8>), JournalError> {
    let path = bundle.root.join(file);
    let shown = path.display().to_string();
    let mismatch = |reason: String| JournalError::Mismatch {
        file: file.to_string(),
        reason,
    };
    let entry = bundle.manifest.artifact(file);
    match fs::symlink_metadata(&path) {
        Ok(meta) if !meta.file_type().is_file() => {
            return Err(mismatch("it is not a regular file".into()))
        }
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            if entry.is_some() {
                return Err(mismatch("the manifest lists it but it is missing".into()));
            }
            let handle = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(io_error(format!("{shown}: cannot create")))?;
            sync_dir(&bundle.root).map_err(io_error(format!("{shown}: cannot sync")))?;
            return Ok((handle, Vec::new()));
        }
        Err(error) => return Err(io_error(format!("{shown}: cannot read"))(error)),
    }
    let mut handle = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .map_err(io_error(format!("{shown}: cannot open")))?;
    let mut content = Vec::new();
    handle
        .read_to_end(&mut content)
        .map_err(io_error(format!("{shown}: cannot read")))?;
    let (size, sha256) = match entry {
        Some(artifact) => (artifact.size, artifact.sha256.clone()),
        None => (0, sha256_hex(b"")),
    };
    let committed = usize::try_from(size)
        .ok()
        .filter(|&size| size <= content.len())
        .ok_or_else(|| {
            mismatch(format!(
                "it holds {} bytes, the manifest says {size}",
                content.len()
            ))
        })?;
    if sha256_hex(&content[..committed]) != sha256 {
        return Err(mismatch(format!(
            "the SHA-256 of its first {size} bytes differs"
        )));
    }
    if content.len() > committed {
        handle
            .set_len(size)
            .and_then(|_| handle.sync_all())
            .map_err(io_error(format!(
                "{shown}: cannot cut off an uncommitted tail"
            )))?;
        content.truncate(committed);
    }
    Ok((handle, content))
}
