//! `taskscope tasks`: the tasks of a bundle with their facts and counts.

use super::load::{correlated, images, incident, warn_if_partial};
use crate::bundle::Bundle;
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

/// Prints the task list: from the correlated index when it can answer,
/// else from the incident correlated again.
pub fn run(args: &TasksArgs) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&args.bundle)?;
    warn_if_partial(&bundle);
    let rows = match correlated(&bundle) {
        Some(index) => render::tasks::rows_of(index.tasks(), index.summaries(), &images(&bundle)),
        None => render::tasks::rows(&incident(&bundle)),
    };
    print(&render::tasks::render(&rows, args.format)?)
}
