//! `taskscope timeline`: one task's timeline, or the whole bundle's.

use super::load::{
    correlated, correlated_after, find_optional_task, find_optional_task_in, incident, warn_all,
    warn_if_partial,
};
use crate::bundle::correlated::{CorrelatedIndex, Unusable};
use crate::bundle::Bundle;
use crate::model::Event;
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

/// Prints the timeline: from the correlated index when it can answer
/// (only the task's events are read; one found damaged while read is
/// replaced once, by the cached copy or a rebuilt one), else from the
/// incident correlated again.
pub fn run(args: &TimelineArgs) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&args.bundle)?;
    warn_if_partial(&bundle);
    let mut answering = correlated(&bundle);
    let mut replaced = false;
    while let Some(index) = answering.take() {
        let task = find_optional_task_in(index.tasks(), args.task.as_deref())?;
        match indexed_rows(&index, &bundle, task) {
            Ok(rows) => return print(&render::timeline::render(&rows, args.format)?),
            Err(damage) if !replaced => {
                replaced = true;
                answering = correlated_after(&bundle, &index, &damage);
            }
            Err(damage) => warn_all(&[format!(
                "the other correlated index cannot be read either ({damage}); \
                 answering from the evidence, correlated in memory"
            )]),
        }
    }
    let incident = incident(&bundle);
    let task = find_optional_task(&incident, args.task.as_deref())?;
    let rows = render::timeline::rows(&incident, &bundle.manifest, task);
    print(&render::timeline::render(&rows, args.format)?)
}

/// The rows from the correlated index: the task's events, or every event.
fn indexed_rows(
    index: &CorrelatedIndex,
    bundle: &Bundle,
    task: Option<usize>,
) -> Result<Vec<render::timeline::Row>, Unusable> {
    let row = |event: &Event| render::timeline::row(event, task, index.tasks(), &bundle.manifest);
    match task {
        Some(task) => index
            .timeline(task)?
            .into_iter()
            .map(|number| Ok(row(&index.event(number)?)))
            .collect(),
        None => {
            let mut rows = Vec::new();
            index.each_event(|event| rows.push(row(&event)))?;
            Ok(rows)
        }
    }
}
