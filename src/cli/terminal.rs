//! The one check every console command makes before taking the terminal.

use anyhow::bail;
use std::io::{self, IsTerminal};

/// Refuses to start the console of `command` when standard output is not a
/// terminal, naming `instead`, what to run without one.
pub fn require_terminal(command: &str, instead: &str) -> anyhow::Result<()> {
    if !io::stdout().is_terminal() {
        bail!("{command} needs a terminal (standard output is not one): use {instead}");
    }
    Ok(())
}
