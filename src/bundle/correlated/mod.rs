//! The correlated index, `derived/correlated.bin`: the incident as
//! correlation leaves it (the merged tasks, each task's summary and
//! timeline, and every event with its links, in time order), written at
//! import so that answering a question reads the answer from disk instead
//! of rebuilding the incident. docs/bundle-format.md specifies it.
//!
//! Like [`super::index`], it is derived, listed and hashed in the manifest,
//! and used only while it is valid: listed, of the listed size, this layout
//! and taskscope version, derived from the inputs the manifest lists now,
//! and every part it is asked for matching the hash its footer gives.
//! Otherwise it is rebuilt from the raw evidence into a per-user cache
//! ([`cache`], [`rebuild`]), never into the bundle, and [`answering`]
//! decides which index answers.

pub mod answering;
pub mod build;
pub mod cache;
mod events;
pub mod gather;
pub mod incident;
pub mod layout;
pub mod read;
pub mod rebuild;
pub mod record;
mod sections;
pub mod summary;
pub mod write;

pub use read::CorrelatedIndex;

/// Where the correlated index sits in a bundle.
pub const CORRELATED_PATH: &str = "derived/correlated.bin";

/// Why the correlated index was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    /// The manifest lists none: a bundle from before it, or one collected
    /// or grown since it was imported.
    #[error("{CORRELATED_PATH} is not in the manifest")]
    Missing,
    /// Written for other inputs, or by another layout or taskscope version.
    #[error("{CORRELATED_PATH} is out of date: {0}")]
    Outdated(String),
    /// Unreadable, not matching its hashes, or malformed: worth telling.
    #[error("{CORRELATED_PATH} cannot be used: {0}")]
    Damaged(String),
}
