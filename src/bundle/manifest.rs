//! `manifest.json`: what a bundle holds and the hash of every artifact.
//! The format is specified in docs/bundle-format.md.

use crate::import::FileStatus;
use crate::model::RawRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The `format` value that marks a taskscope bundle.
pub const FORMAT_NAME: &str = "taskscope-bundle";
/// The bundle format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's file name at the bundle root.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The whole manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// Bundle format version.
    pub format_version: u32,
    /// The tool and version that wrote the bundle.
    pub tool: Tool,
    /// When the bundle was sealed (RFC 3339, UTC).
    pub created_at: String,
    /// What was collected.
    pub collection: Collection,
    /// Every file the user handed over, and how it fared.
    pub inputs: Vec<Input>,
    /// Every file in the bundle other than the manifest, with its hash.
    pub artifacts: Vec<Artifact>,
}

/// The writing tool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    /// `taskscope`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// What was collected and how complete it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Collection {
    /// `import` for files, `collect` for live AWS.
    pub method: String,
    /// Sources that yielded records (`guardduty`, `ecs`, ...).
    pub sources: BTreeSet<String>,
    /// AWS accounts named by the evidence.
    pub accounts: BTreeSet<String>,
    /// AWS regions named by the evidence.
    pub regions: BTreeSet<String>,
    /// First and last event time.
    pub time_window: Option<TimeWindow>,
    /// Number of input files imported whole, in part, and rejected.
    pub files_imported: usize,
    /// Files imported with some records unreadable.
    pub files_partial: usize,
    /// Files nothing could be read from.
    pub files_rejected: usize,
    /// True when anything failed: the bundle does not hold everything handed over.
    pub partial: bool,
}

/// A closed time interval.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimeWindow {
    /// Earliest event (RFC 3339, UTC).
    pub from: String,
    /// Latest event (RFC 3339, UTC).
    pub to: String,
}

/// One input file and its fate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Input {
    /// The path as the user gave it (or as found by walking a directory).
    pub source_path: String,
    /// The artifact holding its bytes as received.
    pub artifact: String,
    /// imported, partial or rejected.
    pub status: FileStatus,
    /// Formats recognized in it.
    pub formats: Vec<String>,
    /// Source records read from it.
    pub records: usize,
    /// What could not be read, with line and column.
    pub errors: Vec<String>,
}

/// One file stored in the bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Artifact {
    /// Path relative to the bundle root, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

impl Manifest {
    /// The artifact entry for a bundle-relative path.
    pub fn artifact(&self, path: &str) -> Option<&Artifact> {
        self.artifacts.iter().find(|a| a.path == path)
    }

    /// Where a raw record sits, as printed: `<artifact path>#<locator>`
    /// (`?` for an artifact index the manifest does not have).
    pub fn locate(&self, raw: &RawRef) -> String {
        let path = self
            .artifacts
            .get(raw.artifact)
            .map_or("?", |a| a.path.as_str());
        format!("{path}#{}", raw.locator)
    }
}
