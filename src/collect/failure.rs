//! A failed call as one line, and whether it only means an optional
//! enrichment is not offered.

/// A failed call, as one line.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What failed and why.
    pub line: String,
    /// An optional enrichment the endpoint does not offer: noted, not a failure.
    pub optional: bool,
}

impl From<String> for Failure {
    fn from(line: String) -> Failure {
        Failure {
            line,
            optional: false,
        }
    }
}
