//! Evidence bundles: a directory of raw artifacts, stored as received, and a
//! manifest with the SHA-256 of each. Everything shown is derived from the raw
//! artifacts, so a bundle opened anywhere shows the same timelines.

pub mod annotations;
pub mod build;
pub mod growing;
pub mod manifest;
pub mod paths;
pub mod verify;
pub mod write;

use crate::correlate::Incident;
use crate::import;
use crate::import::parallel::{import_in_order, Job};
use manifest::{Manifest, FORMAT_NAME, FORMAT_VERSION, MANIFEST_FILE};
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

/// An opened bundle.
pub struct Bundle {
    /// The bundle directory.
    pub root: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

/// Why a bundle could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The manifest is missing or unreadable.
    #[error("{path}: cannot read manifest: {source}")]
    Io {
        /// The manifest path.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// The directory is the staging directory of an import that never
    /// finished (`.NAME.partial-PID-NANOS`): not a bundle, whatever it holds.
    #[error(
        "{path}: incomplete bundle: this is the staging directory of an interrupted import, \
         which never published a bundle; delete it and import again"
    )]
    Incomplete {
        /// The directory.
        path: String,
    },
    /// The manifest is not a taskscope manifest this build understands.
    #[error("{path}: {message}")]
    Invalid {
        /// The manifest path.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Bundle {
    /// Opens the bundle at `root` and reads its manifest (hashes are checked by `verify`).
    pub fn open(root: &Path) -> Result<Bundle, OpenError> {
        if is_staging_dir(root) {
            return Err(OpenError::Incomplete {
                path: root.display().to_string(),
            });
        }
        let path = root.join(MANIFEST_FILE);
        let shown = path.display().to_string();
        let text =
            paths::read_regular_file(&path, MANIFEST_FILE).map_err(|refusal| OpenError::Io {
                path: shown.clone(),
                source: refusal.into(),
            })?;
        let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| OpenError::Invalid {
            path: shown.clone(),
            message: format!("not a valid manifest: {e}"),
        })?;
        if manifest.format != FORMAT_NAME {
            return Err(OpenError::Invalid {
                path: shown,
                message: format!("format is {:?}, expected {FORMAT_NAME:?}", manifest.format),
            });
        }
        if manifest.format_version > FORMAT_VERSION {
            return Err(OpenError::Invalid {
                path: shown,
                message: format!(
                    "bundle format version {} is newer than this taskscope reads ({FORMAT_VERSION}); upgrade taskscope",
                    manifest.format_version
                ),
            });
        }
        Ok(Bundle {
            root: root.to_path_buf(),
            manifest,
        })
    }

    /// Reads one artifact's bytes, refusing paths or links that leave the
    /// bundle, anything but a regular file, and oversized files.
    pub fn read_artifact(&self, relative: &str) -> io::Result<Vec<u8>> {
        Ok(paths::read_inside(&self.root, relative)?)
    }

    /// Re-imports every input that was not rejected and correlates the result.
    /// Artifacts are parsed on worker threads, in order. Inputs whose artifact
    /// cannot be read are reported and skipped; an artifact named by several
    /// inputs is imported once.
    pub fn incident(&self) -> (Incident, Vec<String>) {
        let mut problems = Vec::new();
        // By path, first listing wins: a manifest can list 100,000 artifacts.
        let mut indices = HashMap::with_capacity(self.manifest.artifacts.len());
        for (index, artifact) in self.manifest.artifacts.iter().enumerate() {
            indices.entry(artifact.path.as_str()).or_insert(index);
        }
        let mut seen = HashSet::new();
        let jobs = self
            .manifest
            .inputs
            .iter()
            .filter(|input| input.status != import::FileStatus::Rejected)
            .filter_map(|input| {
                let Some(&index) = indices.get(input.artifact.as_str()) else {
                    problems.push(format!(
                        "{}: not listed among the artifacts",
                        input.artifact
                    ));
                    return None;
                };
                if !seen.insert(index) {
                    return None; // listed by another input: imported once
                }
                match self.read_artifact(&input.artifact) {
                    Ok(bytes) => Some((
                        (),
                        Some(Job {
                            bytes,
                            artifact: index,
                        }),
                    )),
                    Err(error) => {
                        problems.push(format!("{}: {error}", input.artifact));
                        None
                    }
                }
            });
        let mut events = Vec::new();
        let mut tasks = Vec::new();
        import_in_order(
            jobs,
            |file| file,
            |(), imported| {
                if let Some(imported) = imported {
                    events.extend(imported.events);
                    tasks.extend(imported.tasks);
                }
            },
        );
        (Incident::build(events, tasks), problems)
    }
}

/// Whether `root` names an import's staging directory (also when given as
/// `.` or through a symbolic link).
fn is_staging_dir(root: &Path) -> bool {
    let named = |path: &Path| {
        path.file_name()
            .is_some_and(|name| write::is_staging_name(&name.to_string_lossy()))
    };
    named(root) || std::fs::canonicalize(root).is_ok_and(|real| named(&real))
}
