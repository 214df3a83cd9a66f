//! The status line's message levels.

/// Severity of a status-line message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Information.
    Info,
    /// Something the user should know (partial data).
    Warning,
    /// Something failed.
    Error,
}
