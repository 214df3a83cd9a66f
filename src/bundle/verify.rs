//! `taskscope verify`: does the bundle hold exactly what its manifest lists
//! (and, at its root, a seal, which [`super::seal`] checks)?

use super::growing::RESPONSES_DIR;
use super::index::segment::is_segment;
use super::manifest::{CollectionState, MANIFEST_FILE};
use super::paths::{self, Refusal};
use super::seal::pair::{is_leftover, is_seal_file};
use super::write::sha256_hex;
use super::write::temp_prefix;
use super::Bundle;
use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::Path;

/// One way a bundle differs from its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Listed but not present (or not readable).
    Missing(String),
    /// Present but its size or hash differs.
    Altered {
        /// The artifact path.
        path: String,
        /// What differs.
        detail: String,
    },
    /// Present but not listed.
    Unexpected(String),
    /// A symbolic link, which a bundle never contains.
    Symlink(String),
    /// A manifest path that would leave the bundle.
    UnsafePath(String),
    /// A directory, FIFO, socket or device where an artifact should be.
    NotAFile(String),
    /// A response, derived file (or manifest temporary file) written by a
    /// live collection that stopped before committing it: the bundle says `collecting`.
    /// Not an integrity failure; the file is not part of the bundle.
    Uncommitted(String),
    /// An index segment a collection merged into `derived/index.bin` when
    /// it completed, then stopped before removing: not part of the bundle.
    MergedSegment(String),
    /// A file an interrupted seal left (docs/bundle-format.md, "Seals"):
    /// not part of the bundle or of its seal; the next seal removes it.
    SealLeftover(String),
}

impl Problem {
    /// True for problems that break the bundle's integrity (all but
    /// [`Problem::Uncommitted`], [`Problem::MergedSegment`] and
    /// [`Problem::SealLeftover`]).
    pub fn is_failure(&self) -> bool {
        !matches!(
            self,
            Problem::Uncommitted(_) | Problem::MergedSegment(_) | Problem::SealLeftover(_)
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing(path) => write!(f, "missing: {path}"),
            Problem::Altered { path, detail } => write!(f, "altered: {path} ({detail})"),
            Problem::Unexpected(path) => write!(f, "unexpected: {path} (not in the manifest)"),
            Problem::Symlink(path) => {
                write!(f, "symlink: {path} (bundles hold regular files only)")
            }
            Problem::UnsafePath(path) => write!(f, "unsafe path in manifest: {path}"),
            Problem::Uncommitted(path) => write!(
                f,
                "uncommitted: {path} (written by a collection that stopped before listing it; not part of the bundle)"
            ),
            Problem::MergedSegment(path) => write!(
                f,
                "leftover: {path} (an index segment merged into the derived index when the collection completed; not part of the bundle)"
            ),
            Problem::SealLeftover(path) => write!(
                f,
                "leftover: {path} (left by an interrupted seal; not part of the bundle, the next seal removes it)"
            ),
            Problem::NotAFile(path) => {
                write!(
                    f,
                    "not a regular file: {path} (bundles hold regular files only)"
                )
            }
        }
    }
}

/// Checks every artifact's presence, size and SHA-256, and looks for files
/// the manifest does not list. An empty result means the bundle is intact.
pub fn verify(bundle: &Bundle) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for artifact in &bundle.manifest.artifacts {
        listed.insert(artifact.path.clone());
        let path = artifact.path.clone();
        let bytes = match paths::read_inside(&bundle.root, &artifact.path) {
            Ok(bytes) => bytes,
            Err(refusal) => {
                problems.push(match refusal {
                    Refusal::UnsafePath(_) => Problem::UnsafePath(path),
                    Refusal::Symlink(_) => Problem::Symlink(path),
                    Refusal::NotAFile(_) => Problem::NotAFile(path),
                    Refusal::TooLarge { size, .. } => Problem::Altered {
                        path,
                        detail: format!(
                            "size {size} bytes, manifest says {}; too large to read",
                            artifact.size
                        ),
                    },
                    Refusal::Io(_) => Problem::Missing(path),
                });
                continue;
            }
        };
        if bytes.len() as u64 != artifact.size {
            problems.push(Problem::Altered {
                path,
                detail: format!(
                    "size {} bytes, manifest says {}",
                    bytes.len(),
                    artifact.size
                ),
            });
            continue;
        }
        let actual = sha256_hex(&bytes);
        if actual != artifact.sha256 {
            problems.push(Problem::Altered {
                path,
                detail: format!("sha256 {actual}, manifest says {}", artifact.sha256),
            });
        }
    }
    let mut present = Vec::new();
    list_files(&bundle.root, "", &mut present, &mut problems);
    let collecting = bundle.manifest.collection.state == Some(CollectionState::Collecting);
    let completed = bundle.manifest.collection.state == Some(CollectionState::Complete);
    let manifest_temp = temp_prefix(MANIFEST_FILE);
    for path in present {
        if is_seal_file(&path) {
            if is_leftover(&bundle.root, &path) {
                problems.push(Problem::SealLeftover(path));
            }
            continue;
        }
        if path != MANIFEST_FILE && !listed.contains(&path) {
            // Derived files (segments, or a merge's) are written before
            // the commit that lists them.
            let uncommitted = path.starts_with(&format!("{RESPONSES_DIR}/"))
                || path.starts_with(&manifest_temp)
                || path.starts_with("derived/");
            problems.push(if collecting && uncommitted {
                Problem::Uncommitted(path)
            } else if completed && is_segment(&path) {
                Problem::MergedSegment(path)
            } else {
                Problem::Unexpected(path)
            });
        }
    }
    let mut seen = BTreeSet::new();
    problems.retain(|problem| seen.insert(problem.to_string()));
    problems
}

fn list_files(dir: &Path, prefix: &str, out: &mut Vec<String>, problems: &mut Vec<Problem>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<_> = entries.flatten().collect();
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(kind) if kind.is_symlink() => problems.push(Problem::Symlink(relative)),
            Ok(kind) if kind.is_dir() => list_files(&entry.path(), &relative, out, problems),
            Ok(_) => out.push(relative),
            Err(_) => problems.push(Problem::Missing(relative)),
        }
    }
}
