//! `taskscope verify`: does the bundle hold exactly what its manifest lists?

use super::manifest::MANIFEST_FILE;
use super::paths;
use super::write::sha256_hex;
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
        let full = match paths::resolve(&bundle.root, &artifact.path) {
            Ok(full) => full,
            Err(_) => {
                problems.push(Problem::UnsafePath(artifact.path.clone()));
                continue;
            }
        };
        match fs::symlink_metadata(&full) {
            Ok(meta) if meta.file_type().is_symlink() => {
                problems.push(Problem::Symlink(artifact.path.clone()));
                continue;
            }
            Ok(_) => {}
            Err(_) => {
                problems.push(Problem::Missing(artifact.path.clone()));
                continue;
            }
        }
        match fs::read(&full) {
            Ok(bytes) if bytes.len() as u64 != artifact.size => problems.push(Problem::Altered {
                path: artifact.path.clone(),
                detail: format!(
                    "size {} bytes, manifest says {}",
                    bytes.len(),
                    artifact.size
                ),
            }),
            Ok(bytes) => {
                let actual = sha256_hex(&bytes);
                if actual != artifact.sha256 {
                    problems.push(Problem::Altered {
                        path: artifact.path.clone(),
                        detail: format!("sha256 {actual}, manifest says {}", artifact.sha256),
                    });
                }
            }
            Err(_) => problems.push(Problem::Missing(artifact.path.clone())),
        }
    }
    let mut present = Vec::new();
    list_files(&bundle.root, "", &mut present, &mut problems);
    for path in present {
        if path != MANIFEST_FILE && !listed.contains(&path) {
            problems.push(Problem::Unexpected(path));
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
