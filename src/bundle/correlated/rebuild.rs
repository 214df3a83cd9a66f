//! Rebuilds a bundle's correlated index from its raw artifacts into a
//! cache directory, the way import builds it: each artifact imported on a
//! worker and its section written to a derived index as it comes in, what
//! linking needs gathered meanwhile, then the correlated index built in a
//! pass over that index. Memory stays as
//! import's (a few files in flight, a few bytes per event); nothing is
//! written to the bundle.

use super::build;
use super::cache::CACHED_FILE;
use super::gather::{FactKeys, Gathering, IndexedSection};
use crate::bundle::index::{imported_artifacts, inputs_digest, IndexWriter};
use crate::bundle::manifest::Artifact;
use crate::bundle::write::{sha256_hex, sync_dir, temp_beside};
use crate::bundle::Bundle;
use crate::import::parallel::{import_in_order, Job};
use std::fs::{self, DirBuilder, File};
use std::io::{self, BufWriter};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

/// The derived index written on the way, removed once the correlated
/// index is built from it (only the correlated index is read from the
/// cache).
const INDEX_FILE: &str = "index.bin";
/// The records in import order, while the correlated index is built.
const SCRATCH_FILE: &str = "correlated.scratch";

/// Rebuilds the correlated index of `bundle` from its raw artifacts into
/// `dir` (created, readable by its owner only, when missing) as
/// [`CACHED_FILE`]: written to a temporary file, fsynced and renamed into
/// place, so a reader sees the old file or the new one, never a part. An
/// artifact that cannot be read, or whose bytes do not match the
/// manifest's SHA-256, fails the rebuild: what is cached must be derived
/// from exactly the evidence its name says.
pub fn rebuild(bundle: &Bundle, dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let target = dir.join(CACHED_FILE);
    let (_, index) = temp_beside(&dir.join(INDEX_FILE))?;
    let (_, scratch) = temp_beside(&dir.join(SCRATCH_FILE))?;
    let (_, temp) = temp_beside(&target)?;
    let built = write_index(bundle, &index).and_then(|(digest, gathering)| {
        let out = BufWriter::new(File::create_new(&temp)?);
        let out = build::build_gathered(gathering, &index, &scratch, out, &digest)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&temp, &target)?;
        sync_dir(dir)
    });
    let _ = fs::remove_file(&index);
    if built.is_err() {
        let _ = fs::remove_file(&temp);
    }
    built
}

/// Writes the derived index of the bundle's raw artifacts at `path` (a new
/// file): one section per artifact opening imports, in that order, each
/// encoded on the worker that imported it, which also works out what the
/// correlated index's build gathers of it. Returns the inputs digest the
/// index ends with, and the gathering.
fn write_index(bundle: &Bundle, path: &Path) -> io::Result<([u8; 32], Gathering)> {
    let manifest = &bundle.manifest;
    let mut unlisted = Vec::new();
    let imported = imported_artifacts(manifest, &mut unlisted);
    if let Some(problem) = unlisted.into_iter().next() {
        return Err(io::Error::other(problem));
    }
    let mut index = IndexWriter::new(BufWriter::new(File::create_new(path)?))?;
    let mut read_failure = None;
    let mut write_failure = None;
    let jobs = imported.into_iter().map_while(|(artifact, input)| {
        match read_as_listed(bundle, &manifest.artifacts[artifact]) {
            Ok(bytes) => Some((
                artifact,
                Some(Job {
                    bytes,
                    artifact,
                    group: input.log_group(),
                }),
            )),
            Err(error) => {
                read_failure = Some(error);
                None
            }
        }
    });
    let fact_keys = FactKeys::new();
    let mut gathering = Gathering::default();
    import_in_order(
        jobs,
        |imported| IndexedSection::of(&imported.events, &imported.tasks, &fact_keys),
        |artifact, section| {
            if let (Some(section), None) = (section, &write_failure) {
                if let Err(error) = section.write(artifact, &mut index, &mut gathering) {
                    write_failure = Some(error);
                }
            }
        },
    );
    if let Some(error) = read_failure.or(write_failure) {
        return Err(error);
    }
    let digest = inputs_digest(&manifest.inputs, &manifest.artifacts);
    index
        .finish(&digest)?
        .into_inner()
        .map_err(|e| e.into_error())?;
    Ok((digest, gathering))
}

/// The artifact's bytes, when they are the ones the manifest lists.
fn read_as_listed(bundle: &Bundle, artifact: &Artifact) -> io::Result<Vec<u8>> {
    let failed = |why: String| io::Error::other(format!("{}: {why}", artifact.path));
    let bytes = bundle
        .read_artifact(&artifact.path)
        .map_err(|e| failed(e.to_string()))?;
    let hash = sha256_hex(&bytes);
    if hash != artifact.sha256 {
        return Err(failed(format!(
            "sha256 {hash}, manifest says {} (run taskscope verify)",
            artifact.sha256
        )));
    }
    Ok(bytes)
}
