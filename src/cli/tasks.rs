//! `taskscope tasks`: the tasks of a bundle with their facts and counts.

use super::load::{load, warn_if_partial};
use crate::output::print;
use crate::render::{self, Format};
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope tasks`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct TasksArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Prints the task list.
pub fn run(args: &TasksArgs) -> anyhow::Result<ExitCode> {
    let (incident, bundle) = load(&args.bundle)?;
    warn_if_partial(&bundle);
    print(&render::tasks::render(
        &render::tasks::rows(&incident),
        args.format,
    )?)
}
