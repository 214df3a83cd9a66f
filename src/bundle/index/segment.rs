//! Index segments, `derived/segments/NNNNNN.bin`: the derived index of the
//! artifacts one commit of a growing bundle added, written and listed in
//! that commit, so that opening a bundle still being collected parses none
//! of the responses again. A segment is laid out as the index is (header,
//! sections, end entry); its end entry holds the digest of the inputs it
//! covers only ([`super::inputs_digest`] over them). docs/bundle-format.md
//! specifies it.
//!
//! A segment is used only when it is valid: listed, of the listed size and
//! SHA-256, this layout and taskscope version, covering artifacts opening
//! imports and no other segment covers, whose inputs are still those it
//! was written for and whose files are still present. Otherwise its
//! artifacts are imported from the raw evidence.

use super::codec::DecodeError;
use super::{check_present, inputs_digest, read_layout, read_listed, IndexWriter, Unusable};
use crate::bundle::manifest::{Artifact, Input, Manifest};
use crate::bundle::write::{sha256_hex, sync_dir, write_file_atomically};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;

/// The directory of a bundle that holds its index segments.
pub const SEGMENTS_DIR: &str = "derived/segments";

/// The bundle-relative path of segment `number`.
pub fn segment_path(number: usize) -> String {
    format!("{SEGMENTS_DIR}/{number:06}.bin")
}

/// Whether the bundle-relative `path` lies in the segments directory.
pub fn is_segment(path: &str) -> bool {
    path.strip_prefix(SEGMENTS_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Writes segment `number` into the bundle at `root`, atomically (an
/// existing file is left alone and the call fails): the `section` (from
/// [`super::section::encode`]) of the artifact at position `artifact`, whose
/// input is `input`, in `artifacts` as they will be committed. Returns the
/// segment's manifest entry.
pub fn store(
    root: &Path,
    number: usize,
    artifact: usize,
    section: &[u8],
    input: &Input,
    artifacts: &[Artifact],
) -> io::Result<Artifact> {
    let mut writer = IndexWriter::new(Vec::new())?;
    writer.section(artifact, section)?;
    let bytes = writer.finish(&inputs_digest(std::slice::from_ref(input), artifacts))?;
    let dir = root.join(SEGMENTS_DIR);
    if !dir.is_dir() {
        fs::create_dir_all(&dir)?;
        // Each new directory's entry made durable in its parent.
        sync_dir(dir.parent().unwrap_or(root))?;
        sync_dir(root)?;
    }
    let path = segment_path(number);
    write_file_atomically(&root.join(&path), &bytes, false)?;
    Ok(Artifact {
        path,
        sha256: sha256_hex(&bytes),
        size: bytes.len() as u64,
    })
}

/// What the valid segments of a bundle hold.
pub struct Covered<T> {
    /// Per artifact position, what `read` made of its section.
    pub sections: HashMap<usize, T>,
    /// The damaged segments, each in a sentence.
    pub problems: Vec<String>,
}

/// Reads every segment `manifest` lists, in manifest order, and hands each
/// section of a valid one to `read` (with its artifact position). `wanted`
/// are the artifacts opening imports and their inputs
/// ([`super::imported_artifacts`]). A damaged segment is reported; one
/// written by another version is skipped silently.
pub fn read_all<T>(
    root: &Path,
    manifest: &Manifest,
    wanted: &[(usize, &Input)],
    read: impl Fn(usize, &[u8]) -> Result<T, DecodeError>,
) -> Covered<T> {
    let inputs: HashMap<usize, &Input> = wanted.iter().copied().collect();
    let mut covered = Covered {
        sections: HashMap::new(),
        problems: Vec::new(),
    };
    let listed = manifest.artifacts.iter().filter(|a| is_segment(&a.path));
    for entry in listed {
        let checked = read_listed(root, entry, |bytes| {
            let taken = |position| covered.sections.contains_key(&position);
            interpret(root, bytes, manifest, &inputs, taken, &read)
        });
        match checked {
            Ok(sections) => covered.sections.extend(sections),
            Err(Unusable::Damaged(reason)) => covered.problems.push(format!(
                "{} cannot be used: {reason}; its artifacts were imported from the raw evidence (run taskscope verify)",
                entry.path
            )),
            Err(Unusable::Missing | Unusable::Outdated(_)) => {}
        }
    }
    covered
}

/// Checks one segment's framing, versions, coverage (each artifact wanted,
/// once, and not `taken` by an earlier segment), inputs digest and
/// evidence, then reads its sections.
fn interpret<T>(
    root: &Path,
    bytes: &[u8],
    manifest: &Manifest,
    inputs: &HashMap<usize, &Input>,
    taken: impl Fn(usize) -> bool,
    read: impl Fn(usize, &[u8]) -> Result<T, DecodeError>,
) -> Result<Vec<(usize, T)>, Unusable> {
    let damaged = |error: DecodeError| Unusable::Damaged(error.to_string());
    let layout = read_layout(bytes).map_err(damaged)?;
    layout.check_current()?;
    let mut seen = HashSet::new();
    let mut covers = Vec::with_capacity(layout.sections.len());
    for &(position, _) in &layout.sections {
        let input = inputs.get(&position).ok_or_else(|| {
            Unusable::Damaged(format!(
                "it covers artifact {position}, which opening does not import"
            ))
        })?;
        if !seen.insert(position) || taken(position) {
            return Err(Unusable::Damaged(format!(
                "artifact {position} is covered twice"
            )));
        }
        covers.push((*input).clone());
    }
    if layout.digest != inputs_digest(&covers, &manifest.artifacts) {
        return Err(Unusable::Outdated(
            "the inputs it covers changed since it was written".into(),
        ));
    }
    for &(position, _) in &layout.sections {
        check_present(root, &manifest.artifacts[position])?;
    }
    layout
        .sections
        .iter()
        .map(|&(position, section)| read(position, section).map(|content| (position, content)))
        .collect::<Result<_, _>>()
        .map_err(damaged)
}
