//! `taskscope timeline`: one task's timeline, or the whole bundle's.

use super::load::{find_optional_task, load, warn_if_partial};
use crate::output::print;
use crate::render::{self, Format};
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope timeline`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct TimelineArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Task ID, task ARN (either format), or a unique ID prefix of 6+ characters.
    #[arg(long)]
    pub task: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Prints the timeline.
pub fn run(args: &TimelineArgs) -> anyhow::Result<ExitCode> {
    let (incident, bundle) = load(&args.bundle)?;
    warn_if_partial(&bundle);
    let task = find_optional_task(&incident, args.task.as_deref())?;
    let rows = render::timeline::rows(&incident, &bundle.manifest, task);
    print(&render::timeline::render(&rows, args.format)?)
}
