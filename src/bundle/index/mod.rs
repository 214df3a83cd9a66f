//! The derived index, `derived/index.bin`: what importing each raw artifact
//! yielded (normalized events and task facts, before correlation), written
//! at import in a compact binary form so that opening a bundle need not
//! parse the raw evidence again. docs/bundle-format.md specifies it.
//!
//! The index is an artifact like any other (listed and hashed in the
//! manifest, so `verify` covers it). It is used only when it is valid:
//! listed, the size and SHA-256 the manifest gives, this format version,
//! written by this taskscope version, derived from exactly the inputs the
//! manifest lists now, and every artifact it covers still present. Otherwise
//! the bundle is opened from the raw artifacts, as before.
//!
//! A bundle grown by live collection has [`segment`]s instead, one per
//! commit, laid out alike; [`merge`] makes them its index when the
//! collection completes.

pub mod codec;
pub mod merge;
pub mod section;
pub mod segment;
pub mod stream;

use super::manifest::{Artifact, Input, Manifest};
use super::paths;
use super::write::sha256_hex;
use crate::import::FileStatus;
use codec::{DecodeError, Decoder, Encoder};
use section::SectionContent;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;
use std::thread;

/// Where the index sits in a bundle.
pub const INDEX_PATH: &str = "derived/index.bin";
/// The first bytes of every index file.
pub const MAGIC: &[u8; 8] = b"TSINDEX\n";
/// The index layout this build writes and reads; any other is not used.
pub const INDEX_VERSION: u32 = 3;

/// Tag of an entry holding one artifact's section.
const SECTION_TAG: u8 = 1;
/// Tag of the last entry: the digest of the inputs the index covers.
const END_TAG: u8 = 2;
/// Most threads decoding sections at once.
const MAX_DECODERS: usize = 4;

/// Writes an index entry by entry, as the imported files come in.
pub struct IndexWriter<W: Write> {
    out: W,
}

impl<W: Write> IndexWriter<W> {
    /// Starts an index on `out`: writes the header.
    pub fn new(mut out: W) -> io::Result<IndexWriter<W>> {
        let mut header = Encoder::default();
        header.bytes(MAGIC);
        header.bytes(&INDEX_VERSION.to_le_bytes());
        header.str(env!("CARGO_PKG_VERSION"));
        out.write_all(&header.into_bytes())?;
        Ok(IndexWriter { out })
    }

    /// Appends the section (from [`section::encode`]) of the artifact at
    /// index `artifact` in the manifest.
    pub fn section(&mut self, artifact: usize, bytes: &[u8]) -> io::Result<()> {
        let mut head = Encoder::default();
        head.u8(SECTION_TAG);
        head.length(artifact);
        head.length(bytes.len());
        self.out.write_all(&head.into_bytes())?;
        self.out.write_all(bytes)
    }

    /// Ends the index with the digest of the inputs it covers (from
    /// [`inputs_digest`]) and hands back the output.
    pub fn finish(mut self, digest: &[u8; 32]) -> io::Result<W> {
        self.out.write_all(&[END_TAG])?;
        self.out.write_all(digest)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// What the index was derived from: SHA-256 over one line per input, in
/// manifest order, `status artifact position sha256 size` (the artifact's
/// position, hash and size from its first listing in `artifacts`, or `-`
/// for each when it is not listed). Annotations and the index itself are
/// not inputs, so they do not count; a raw artifact added or changed later
/// does.
pub fn inputs_digest(inputs: &[Input], artifacts: &[Artifact]) -> [u8; 32] {
    let listed = first_listings(artifacts);
    let mut hasher = Sha256::new();
    for input in inputs {
        let status = match input.status {
            FileStatus::Imported => "imported",
            FileStatus::Partial => "partial",
            FileStatus::Rejected => "rejected",
        };
        let line = match listed.get(input.artifact.as_str()) {
            Some(&position) => {
                let artifact = &artifacts[position];
                format!(
                    "{status} {} {position} {} {}\n",
                    input.artifact, artifact.sha256, artifact.size
                )
            }
            None => format!("{status} {} - - -\n", input.artifact),
        };
        hasher.update(line.as_bytes());
    }
    hasher.finalize().into()
}

/// The position of the first listing of each artifact path.
pub fn first_listings(artifacts: &[Artifact]) -> HashMap<&str, usize> {
    let mut listed = HashMap::with_capacity(artifacts.len());
    for (position, artifact) in artifacts.iter().enumerate() {
        listed.entry(artifact.path.as_str()).or_insert(position);
    }
    listed
}

/// The artifacts opening a bundle imports, in order: those of inputs not
/// rejected, each once (the first input naming it wins). Inputs whose
/// artifact is not listed are reported in `problems`.
pub fn imported_artifacts<'m>(
    manifest: &'m Manifest,
    problems: &mut Vec<String>,
) -> Vec<(usize, &'m Input)> {
    let listed = first_listings(&manifest.artifacts);
    let mut seen = HashSet::new();
    manifest
        .inputs
        .iter()
        .filter(|input| input.status != FileStatus::Rejected)
        .filter_map(|input| {
            let Some(&position) = listed.get(input.artifact.as_str()) else {
                problems.push(format!(
                    "{}: not listed among the artifacts",
                    input.artifact
                ));
                return None;
            };
            seen.insert(position).then_some((position, input))
        })
        .collect()
}

/// Why the index was not used (the bundle is then opened from raw evidence).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    /// The manifest lists no index: a bundle from before indexes, or one
    /// written without.
    #[error("{INDEX_PATH} is not in the manifest")]
    Missing,
    /// Written for other inputs, by another taskscope version, or in another
    /// layout: expected, and nothing is wrong with the bundle.
    #[error("{INDEX_PATH} is out of date: {0}")]
    Outdated(String),
    /// Unreadable, not matching the manifest, malformed, or the evidence it
    /// covers is not all there: worth telling the user.
    #[error("{INDEX_PATH} cannot be used: {0}")]
    Damaged(String),
}

/// A valid index, read and decoded: what each imported artifact yielded, in
/// the order opening imports them.
pub fn load(root: &Path, manifest: &Manifest) -> Result<Vec<SectionContent>, Unusable> {
    let listed = first_listings(&manifest.artifacts);
    let entry = listed
        .get(INDEX_PATH)
        .map(|&position| &manifest.artifacts[position])
        .ok_or(Unusable::Missing)?;
    // Inputs whose artifact is not listed are the raw path's to report;
    // the inputs digest covers them.
    let wanted: Vec<usize> = imported_artifacts(manifest, &mut Vec::new())
        .into_iter()
        .map(|(position, _)| position)
        .collect();
    for &position in &wanted {
        check_present(root, &manifest.artifacts[position])?;
    }
    read_listed(root, entry, |bytes| interpret(bytes, manifest, &wanted))
}

/// Reads the derived file `entry` lists and hands its bytes to `interpret`
/// while hashing them. A file of another size or hash than the manifest
/// gives is damaged, whatever its content says.
fn read_listed<T>(
    root: &Path,
    entry: &Artifact,
    interpret: impl FnOnce(&[u8]) -> Result<T, Unusable>,
) -> Result<T, Unusable> {
    let bytes = paths::read_inside(root, &entry.path)
        .map_err(|refusal| Unusable::Damaged(refusal.to_string()))?;
    if bytes.len() as u64 != entry.size {
        return Err(Unusable::Damaged(format!(
            "size {} bytes, manifest says {}",
            bytes.len(),
            entry.size
        )));
    }
    let (hash, content) = thread::scope(|scope| {
        let hashing = scope.spawn(|| sha256_hex(&bytes));
        let content = interpret(&bytes);
        (hashing.join(), content)
    });
    let hash = hash.map_err(|_| Unusable::Damaged("hashing failed".into()))?;
    if hash != entry.sha256 {
        return Err(Unusable::Damaged(format!(
            "sha256 {hash}, manifest says {}",
            entry.sha256
        )));
    }
    content
}

/// Checks an index file's framing, versions, inputs digest and coverage
/// (`wanted`: the artifact positions opening imports, in order), then
/// decodes its sections.
fn interpret(
    bytes: &[u8],
    manifest: &Manifest,
    wanted: &[usize],
) -> Result<Vec<SectionContent>, Unusable> {
    let layout = read_layout(bytes).map_err(|e| Unusable::Damaged(e.to_string()))?;
    layout.check_current()?;
    if layout.digest != inputs_digest(&manifest.inputs, &manifest.artifacts) {
        return Err(Unusable::Outdated(
            "the manifest's inputs changed since it was written".into(),
        ));
    }
    let covered: Vec<usize> = layout.sections.iter().map(|(a, _)| *a).collect();
    if covered != wanted {
        return Err(Unusable::Damaged(
            "its sections do not match the manifest's inputs".into(),
        ));
    }
    decode_sections(&layout.sections).map_err(|e| Unusable::Damaged(e.to_string()))
}

/// An artifact the index covers must still be a regular file of the listed
/// size: otherwise the raw path reports it, as it always has.
fn check_present(root: &Path, artifact: &Artifact) -> Result<(), Unusable> {
    artifact_present(root, artifact).map_err(Unusable::Damaged)
}

/// Whether `artifact` is still a regular file inside the bundle at `root`
/// with the size the manifest lists; if not, why.
pub fn artifact_present(root: &Path, artifact: &Artifact) -> Result<(), String> {
    match paths::regular_file_size(root, &artifact.path) {
        Ok(size) if size == artifact.size => Ok(()),
        Ok(size) => Err(format!(
            "{} holds {size} bytes, manifest says {}",
            artifact.path, artifact.size
        )),
        Err(refusal) => Err(format!("{}: {refusal}", artifact.path)),
    }
}

/// The parts of an index file, sections borrowed from its bytes.
struct Layout<'a> {
    version: u32,
    tool_version: &'a str,
    sections: Vec<(usize, &'a [u8])>,
    digest: [u8; 32],
}

impl Layout<'_> {
    /// Refuses an index of another layout version or taskscope version:
    /// another version's importers may read the same raw bytes differently.
    fn check_current(&self) -> Result<(), Unusable> {
        if self.version != INDEX_VERSION {
            return Err(Unusable::Outdated(format!(
                "index version {}, this taskscope reads {INDEX_VERSION}",
                self.version
            )));
        }
        let ours = env!("CARGO_PKG_VERSION");
        if self.tool_version != ours {
            return Err(Unusable::Outdated(format!(
                "written by taskscope {}, this is {ours}",
                self.tool_version
            )));
        }
        Ok(())
    }
}

/// Splits an index file into its header, sections and digest, checking the
/// framing only (sections are decoded later).
fn read_layout(bytes: &[u8]) -> Result<Layout<'_>, DecodeError> {
    let mut input = Decoder::new(bytes);
    if input.take(MAGIC.len())? != MAGIC {
        return Err(input.error("not a taskscope index"));
    }
    let version = u32::from_le_bytes(
        input
            .take(4)?
            .try_into()
            .map_err(|_| input.error("truncated version"))?,
    );
    if version != INDEX_VERSION {
        // Nothing past the version is known to be laid out alike.
        return Ok(Layout {
            version,
            tool_version: "",
            sections: Vec::new(),
            digest: [0; 32],
        });
    }
    let tool_version = input.str()?;
    let mut sections = Vec::new();
    loop {
        match input.u8()? {
            SECTION_TAG => {
                // A position, not a count: nothing is allocated for it.
                let artifact = usize::try_from(input.varint()?)
                    .map_err(|_| input.error("artifact position out of range"))?;
                let length = input.count(1)?;
                sections.push((artifact, input.take(length)?));
            }
            END_TAG => {
                let digest = input
                    .take(32)?
                    .try_into()
                    .map_err(|_| input.error("truncated digest"))?;
                if !input.is_empty() {
                    return Err(input.error("bytes after the end of the index"));
                }
                return Ok(Layout {
                    version,
                    tool_version,
                    sections,
                    digest,
                });
            }
            other => return Err(input.error(format!("unknown entry tag {other}"))),
        }
    }
}

/// Decodes sections on a few threads, keeping their order.
fn decode_sections(sections: &[(usize, &[u8])]) -> Result<Vec<SectionContent>, DecodeError> {
    let threads = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_DECODERS);
    // Contiguous runs of about equal bytes, one per thread.
    let total: usize = sections.iter().map(|(_, bytes)| bytes.len()).sum();
    let share = total / threads + 1;
    let mut runs: Vec<&[(usize, &[u8])]> = Vec::with_capacity(threads);
    let (mut start, mut filled) = (0, 0);
    for (position, (_, bytes)) in sections.iter().enumerate() {
        filled += bytes.len();
        if filled >= share {
            runs.push(&sections[start..=position]);
            (start, filled) = (position + 1, 0);
        }
    }
    runs.push(&sections[start..]);
    thread::scope(|scope| {
        let workers: Vec<_> = runs
            .into_iter()
            .map(|run| {
                scope.spawn(move || {
                    run.iter()
                        .map(|(artifact, bytes)| section::decode(bytes, *artifact))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut decoded = Vec::with_capacity(sections.len());
        for worker in workers {
            let run = worker.join().map_err(|_| DecodeError {
                offset: 0,
                message: "a decoding thread failed".into(),
            })??;
            decoded.extend(run);
        }
        Ok(decoded)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_artifact_with_a_small_section_is_framed() {
        let mut writer = IndexWriter::new(Vec::new()).expect("writes to memory");
        let empty = section::encode(&[], &[]);
        writer.section(5_000, &empty).expect("writes to memory");
        let mut bytes = writer.finish(&[7; 32]).expect("writes to memory");
        let layout = read_layout(&bytes).expect("well formed");
        assert_eq!(layout.sections, vec![(5_000, empty.as_slice())]);
        assert_eq!(layout.digest, [7; 32]);
        assert!(layout.check_current().is_ok());
        bytes.push(0);
        assert!(read_layout(&bytes).is_err(), "a byte after the end");
    }
}
