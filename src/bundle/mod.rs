//! Evidence bundles: a directory of raw artifacts, stored as received, and a
//! manifest with the SHA-256 of each. Everything shown is derived from the raw
//! artifacts, so a bundle opened anywhere shows the same timelines.

pub mod annotations;
pub mod build;
pub mod manifest;
pub mod paths;
pub mod verify;
pub mod write;

use crate::correlate::Incident;
use crate::import;
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
    /// Inputs whose artifact cannot be read are reported and skipped; an
    /// artifact named by several inputs is imported once.
    pub fn incident(&self) -> (Incident, Vec<String>) {
        let mut events = Vec::new();
        let mut tasks = Vec::new();
        let mut problems = Vec::new();
        // By path, first listing wins: a manifest can list 100,000 artifacts.
        let mut indices = HashMap::with_capacity(self.manifest.artifacts.len());
        for (index, artifact) in self.manifest.artifacts.iter().enumerate() {
            indices.entry(artifact.path.as_str()).or_insert(index);
        }
        let mut imported = HashSet::new();
        for input in &self.manifest.inputs {
            if input.status == import::FileStatus::Rejected {
                continue;
            }
            let Some(&index) = indices.get(input.artifact.as_str()) else {
                problems.push(format!(
                    "{}: not listed among the artifacts",
                    input.artifact
                ));
                continue;
            };
            if !imported.insert(index) {
                continue; // listed by another input: imported once
            }
            match self.read_artifact(&input.artifact) {
                Ok(bytes) => {
                    let imported = import::import_bytes(&bytes, index);
                    events.extend(imported.events);
                    tasks.extend(imported.tasks);
                }
                Err(error) => problems.push(format!("{}: {error}", input.artifact)),
            }
        }
        (Incident::build(events, tasks), problems)
    }
}
