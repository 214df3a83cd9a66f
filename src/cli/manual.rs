//! `taskscope completions` and `taskscope man`: shell completion scripts and
//! man pages, generated from the same clap definitions that parse the
//! command line, so they cannot drift from it.

use super::Cli;
use crate::output::print_bytes;
use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `taskscope completions`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `taskscope man`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (default: taskscope's own).
    #[arg(conflicts_with = "out")]
    pub subcommand: Option<String>,
    /// Write taskscope.1 and one taskscope-<subcommand>.1 per subcommand
    /// into this directory (created if missing) instead of printing.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Prints the completion script.
pub fn run_completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    print_bytes(&completions(args.shell))
}

/// Prints one man page, or writes them all into `--out`.
pub fn run_man(args: &ManArgs) -> anyhow::Result<ExitCode> {
    match &args.out {
        Some(dir) => {
            for path in write_man_pages(dir)? {
                eprintln!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        None => print_bytes(&man_page(args.subcommand.as_deref())?),
    }
}

/// The program name completions and man pages are written for.
const PROGRAM: &str = "taskscope";

/// The completion script of `shell` for every subcommand and option.
fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), PROGRAM, &mut out);
    out
}

/// The command tree as the man pages show it: built (so that a subcommand's
/// page is titled `taskscope-<name>`), without clap's `help` subcommand.
fn manual_command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// The man page (roff) of `taskscope`, or of one of its subcommands.
fn man_page(subcommand: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let command = manual_command();
    let page = match subcommand {
        None => command,
        Some(name) => command.find_subcommand(name).cloned().with_context(|| {
            format!(
                "no subcommand {} (see `taskscope --help`)",
                crate::render::sanitize::escape(name)
            )
        })?,
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    Ok(out)
}

/// Writes one man page per command into `dir` (created if missing):
/// `taskscope.1` and `taskscope-<subcommand>.1`. Returns the files written.
fn write_man_pages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let command = manual_command();
    let mut written = Vec::new();
    let subcommands = command.get_subcommands().filter(|page| !page.is_hide_set());
    for page in std::iter::once(&command).chain(subcommands) {
        let path = clap_mangen::Man::new(page.clone())
            .generate_to(dir)
            .with_context(|| format!("cannot write a man page into {}", dir.display()))?;
        written.push(path);
    }
    Ok(written)
}
