//! Why a raw record could not be returned.

/// Why a raw record could not be returned.
#[derive(Debug, thiserror::Error)]
pub enum RawError {
    /// The reference names an artifact the manifest does not list.
    #[error("artifact #{index} is not in the manifest ({count} artifacts)")]
    UnknownArtifact {
        /// The artifact index asked for.
        index: usize,
        /// How many artifacts the manifest lists.
        count: usize,
    },
    /// The artifact file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// Bundle-relative artifact path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The artifact's size or hash differs from the manifest.
    #[error("{path}: {detail}; the artifact is not what the bundle sealed")]
    Altered {
        /// Bundle-relative artifact path.
        path: String,
        /// What differs.
        detail: String,
    },
    /// The artifact is damaged gzip, a decompression bomb, or not UTF-8.
    #[error("cannot decode the artifact: {0}")]
    Decode(String),
    /// The locator is not of a form importers produce.
    #[error("invalid locator {locator:?}: {reason}")]
    BadLocator {
        /// The locator as given.
        locator: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A JSON-lines locator names a line the artifact does not have.
    #[error("the artifact has no line {0}")]
    NoLine(usize),
    /// The JSON at a position could not be read.
    #[error("{at}: {message}")]
    Json {
        /// The path walked so far (`L3/Records/2`).
        at: String,
        /// The parser's message.
        message: String,
    },
    /// The path names a member or element that is not there.
    #[error("{at}: not found ({reason})")]
    NotFound {
        /// The path walked, including the missing step.
        at: String,
        /// Why the step failed.
        reason: String,
    },
}
