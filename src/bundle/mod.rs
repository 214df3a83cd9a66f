//! Evidence bundles: a directory of raw artifacts, stored as received, and a
//! manifest with the SHA-256 of each. Everything shown is derived from the raw
//! artifacts, so a bundle opened anywhere shows the same timelines; a derived
//! [`index`] written at import (or its segments, written as a collection
//! grows the bundle) saves parsing them again when it is valid.

pub mod annotations;
pub mod audit;
pub mod build;
pub mod chain;
pub mod correlated;
pub mod custody;
pub mod growing;
pub mod images;
pub mod index;
pub mod journal;
pub mod journal_head;
pub mod manifest;
pub mod opening;
pub mod paths;
pub mod seal;
pub mod verify;
pub mod write;

use crate::correlate::Incident;
use manifest::{Manifest, FORMAT_NAME, FORMAT_VERSION, MANIFEST_FILE};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

/// An opened bundle.
pub struct Bundle {
    /// The bundle directory.
    pub root: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

/// A bundle's correlated incident and how it was obtained.
pub struct OpenedIncident {
    /// The incident.
    pub incident: Incident,
    /// What could not be read (artifacts, or a damaged index).
    pub problems: Vec<String>,
    /// True when it came from derived files alone (the derived index, or
    /// index segments), false when raw artifacts were imported again.
    pub from_index: bool,
}

/// Why a bundle could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The manifest is missing or unreadable. The I/O error is part of the
    /// message, not a source, so that it is printed once.
    #[error("{path}: cannot read manifest: {error}")]
    Io {
        /// The manifest path.
        path: String,
        /// The I/O error.
        error: io::Error,
    },
    /// A directory without a manifest, such as a folder of evidence files.
    #[error(
        "{path} is not a bundle (it has no manifest.json); if it holds evidence files, \
         import them first: taskscope import {path} --out BUNDLE"
    )]
    NotABundle {
        /// The directory.
        path: String,
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
        let text = paths::read_regular_file(&path, MANIFEST_FILE).map_err(|refusal| {
            let error = io::Error::from(refusal);
            if error.kind() == io::ErrorKind::NotFound && root.is_dir() {
                OpenError::NotABundle {
                    path: root.display().to_string(),
                }
            } else {
                OpenError::Io {
                    path: shown.clone(),
                    error,
                }
            }
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

    /// The correlated incident, from the derived index when it is valid,
    /// else from the valid index segments and by re-importing the raw
    /// artifacts none covers ([`Bundle::open_incident_with_coverage`]).
    /// All give the same incident. A damaged index or segment is reported
    /// in the problems; a missing or outdated one is not (old bundles have
    /// none).
    pub fn incident(&self) -> (Incident, Vec<String>) {
        let opened = self.open_incident();
        (opened.incident, opened.problems)
    }

    /// [`Bundle::incident`], also telling where the incident came from.
    pub fn open_incident(&self) -> OpenedIncident {
        self.open_incident_with_coverage().0
    }

    /// The correlated index, when it can answer for this bundle: valid (see
    /// [`correlated::CorrelatedIndex::open`]) and no action recorded since
    /// it was written (the audit log's actions are on the timelines).
    pub fn correlated(&self) -> Result<correlated::CorrelatedIndex, correlated::Unusable> {
        if self.has_recorded_actions() {
            return Err(correlated::Unusable::Outdated(
                "actions were recorded after it was written".into(),
            ));
        }
        correlated::CorrelatedIndex::open(&self.root, &self.manifest)
    }

    /// The correlated index that answers for this bundle, and notice lines
    /// for the user (unescaped): the bundle's own when it can answer
    /// ([`Bundle::correlated`]); else, when it is missing, outdated or
    /// damaged, the one rebuilt from the raw evidence into the per-user
    /// cache, rebuilt now when there is none or it cannot be used (the
    /// bundle is never written). `None` when actions were recorded, while a
    /// collection is still running, or when nothing could be rebuilt: then
    /// the answer comes from [`Bundle::incident`].
    pub fn correlated_or_rebuilt(&self) -> (Option<correlated::CorrelatedIndex>, Vec<String>) {
        correlated::answering::correlated_or_rebuilt(self)
    }

    /// Another correlated index for when `damaged`, the one
    /// [`Bundle::correlated_or_rebuilt`] gave, was found damaged while read
    /// (`damage`; records are checked as they are read): the cached copy
    /// when `damaged` was not it, else one rebuilt again from the raw
    /// evidence; and the notice lines to show. `None` when nothing could be
    /// rebuilt.
    pub fn correlated_rebuilt_after(
        &self,
        damaged: &correlated::CorrelatedIndex,
        damage: &correlated::Unusable,
    ) -> (Option<correlated::CorrelatedIndex>, Vec<String>) {
        correlated::answering::rebuilt_after(self, damaged, damage)
    }

    /// Whether the audit log lists response actions recorded on this bundle.
    pub fn has_recorded_actions(&self) -> bool {
        self.manifest
            .artifacts
            .iter()
            .any(|artifact| artifact.path == audit::AUDIT_FILE)
    }

    /// The correlated incident from the derived index, or why the index
    /// cannot be used.
    pub fn incident_from_index(&self) -> Result<Incident, index::Unusable> {
        let sections = self.index_sections()?;
        Ok(self.incident_from_sections(sections).0)
    }

    /// Re-imports every input that was not rejected and correlates the result.
    /// Artifacts are parsed on worker threads, in order. Inputs whose artifact
    /// cannot be read are reported and skipped; an artifact named by several
    /// inputs is imported once.
    pub fn incident_from_raw(&self) -> (Incident, Vec<String>) {
        let (incident, problems, _) = self.incident_from_sections(HashMap::new());
        (incident, problems)
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
