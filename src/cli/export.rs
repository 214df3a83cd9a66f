//! `taskscope export`: a task's report or timeline, or every event.

use super::load::{find_optional_task, load, load_annotations};
use crate::export::{self, ExportFormat, ExportOptions};
use crate::output::print;
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope export`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Task ID, task ARN (either format), or a unique ID prefix of 6+ characters.
    #[arg(long)]
    pub task: Option<String>,
    /// Export every event (csv, json, timesketch); the default without --task.
    #[arg(long, conflicts_with = "task")]
    pub all: bool,
    /// Export format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Replace secret values (credentials, tokens, passwords, environment
    /// variable values) with [REDACTED]; the bundle is not changed.
    #[arg(long)]
    pub redact: bool,
    /// Include each event's raw record (redacted too with --redact).
    #[arg(long)]
    pub raw: bool,
}

/// Writes the export to `--out` or stdout.
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (incident, bundle) = load(&args.bundle)?;
    let task = find_optional_task(&incident, args.task.as_deref())?;
    let annotations = load_annotations(&bundle)?;
    let options = ExportOptions {
        redact: args.redact,
        raw: args.raw,
    };
    let text = export::export_with(&bundle, &incident, &annotations, task, args.format, options)?;
    match &args.out {
        Some(path) => {
            export::write_export(path, &text, args.force)?;
            Ok(ExitCode::SUCCESS)
        }
        None => print(&text),
    }
}
