//! Merging a growing bundle's segments when its collection completes: the
//! derived index of every imported artifact (each section copied from its
//! segment) and the correlated index built from it, as import writes them,
//! so that the finished bundle opens and answers as an imported one does.

use super::segment::{self, is_segment, SEGMENTS_DIR};
use super::{imported_artifacts, inputs_digest, section, IndexWriter, INDEX_PATH};
use crate::bundle::correlated::{self, CORRELATED_PATH};
use crate::bundle::manifest::{Artifact, Manifest};
use crate::bundle::paths;
use crate::bundle::write::{sha256_hex, sync_dir, write_file_atomically};
use crate::import::import_bytes_from;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

/// The directory of a bundle that holds its derived files.
const DERIVED_DIR: &str = "derived";
/// Where the correlated index's records wait while it is built.
const SCRATCH_PATH: &str = "derived/correlated.scratch";

/// Writes `derived/index.bin` and `derived/correlated.bin` into the bundle
/// at `root` for `merged`, the manifest about to be committed (the
/// artifacts of `current`, the manifest committed now, without its
/// segments), and lists them in it. A section comes from its segment, or is
/// encoded from the raw artifact when no segment covers it (a response
/// that was written by another taskscope version). Returns false, having
/// written nothing, when a segment is damaged or an artifact cannot be
/// read: the segments are then kept, for opening to report what is wrong.
pub fn merge(root: &Path, current: &Manifest, merged: &mut Manifest) -> io::Result<bool> {
    let wanted = imported_artifacts(current, &mut Vec::new());
    let covered = segment::read_all(root, current, &wanted, |position, bytes| {
        section::decode(bytes, position).map(|_| bytes.to_vec())
    });
    if !covered.problems.is_empty() {
        return Ok(false);
    }
    // Positions change when the segments leave the list: paths do not.
    let mut sections: HashMap<&str, Vec<u8>> = covered
        .sections
        .into_iter()
        .map(|(position, bytes)| (current.artifacts[position].path.as_str(), bytes))
        .collect();
    let mut unlisted = Vec::new();
    let wanted = imported_artifacts(merged, &mut unlisted);
    if !unlisted.is_empty() {
        return Ok(false);
    }
    let mut index = IndexWriter::new(Vec::new())?;
    for (position, input) in wanted {
        let section = match sections.remove(input.artifact.as_str()) {
            Some(section) => section,
            None => {
                let Ok(bytes) = paths::read_inside(root, &input.artifact) else {
                    return Ok(false);
                };
                let imported = import_bytes_from(&bytes, position, input.log_group());
                section::encode(&imported.events, &imported.tasks)
            }
        };
        index.section(position, &section)?;
    }
    let digest = inputs_digest(&merged.inputs, &merged.artifacts);
    let index = index.finish(&digest)?;
    let written = write_derived(root, &index, &digest);
    let correlated = match written {
        Ok(correlated) => correlated,
        Err(error) => {
            // Nothing unlisted is left behind.
            let _ = fs::remove_file(root.join(INDEX_PATH));
            let _ = fs::remove_file(root.join(CORRELATED_PATH));
            return Err(error);
        }
    };
    merged.artifacts.push(entry(INDEX_PATH, &index));
    merged.artifacts.push(entry(CORRELATED_PATH, &correlated));
    Ok(true)
}

/// Writes the index's bytes and the correlated index built from them, each
/// atomically, replacing what a merge that stopped before committing left.
/// Returns the correlated index's bytes.
fn write_derived(root: &Path, index: &[u8], digest: &[u8; 32]) -> io::Result<Vec<u8>> {
    let derived = root.join(DERIVED_DIR);
    if !derived.is_dir() {
        fs::create_dir(&derived)?;
        sync_dir(root)?;
    }
    write_file_atomically(&root.join(INDEX_PATH), index, true)?;
    let scratch = root.join(SCRATCH_PATH);
    if scratch.symlink_metadata().is_ok() {
        fs::remove_file(&scratch)?;
    }
    let correlated =
        correlated::build::build(&root.join(INDEX_PATH), &scratch, Vec::new(), digest)?;
    write_file_atomically(&root.join(CORRELATED_PATH), &correlated, true)?;
    Ok(correlated)
}

/// The manifest entry of a derived file.
fn entry(path: &str, bytes: &[u8]) -> Artifact {
    Artifact {
        path: path.to_string(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
    }
}

/// Removes the segments `merged_from` lists from the bundle at `root`, once
/// a manifest that no longer lists them is committed, then their directory
/// when nothing else is in it.
pub fn remove_segments(root: &Path, merged_from: &Manifest) -> io::Result<()> {
    for listed in merged_from.artifacts.iter().filter(|a| is_segment(&a.path)) {
        match fs::remove_file(root.join(&listed.path)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    let dir = root.join(SEGMENTS_DIR);
    if dir.is_dir() && fs::read_dir(&dir)?.next().is_none() {
        fs::remove_dir(&dir)?;
    }
    sync_dir(&root.join(DERIVED_DIR))
}
