//! What every command shares for its output: standard output that tolerates
//! a closed pipe, and the usage error that maps to exit status 2.

use std::io::{self, Write};
use std::process::ExitCode;

/// A usage error found after parsing (a path that does not exist, a value
/// not among the choices): the command line's fault, exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Prints to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<ExitCode> {
    print_bytes(text.as_bytes())
}

/// [`print`] for bytes that need not be UTF-8.
pub fn print_bytes(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    match io::stdout().lock().write_all(bytes) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.map(|_| ExitCode::SUCCESS).map_err(Into::into),
    }
}
