//! `taskscope collect`: collection without the console, with a progress line
//! per source on a terminal, and a summary at the end.

use super::aws::Connection;
use super::run::{interrupted, prepare, Ending};
use super::scope::Scope;
use crate::bundle::manifest::{spans_accounts, Manifest, SourceStatus};
use crate::render::sanitize::escape;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Collects into a new bundle at `out`; returns the final manifest and how it ended.
pub fn collect(
    connection: &Connection,
    scope: Scope,
    out: &Path,
) -> anyhow::Result<(Manifest, Ending)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bars = MultiProgress::new();
        let style = ProgressStyle::with_template("{spinner} {prefix:<38} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let total = bars.add(ProgressBar::new_spinner().with_style(style.clone()));
        total.set_prefix("responses stored");
        let counter = total.clone();
        let prepared = prepare(connection, scope, out, move |stored| {
            counter.set_message(format!(
                "{} (last: {} {}, {} records)",
                stored.total,
                escape(&stored.origin.service),
                escape(&stored.origin.operation),
                stored.records
            ));
        })
        .await?;
        let trackers = prepared.collection.trackers();
        let named = spans_accounts(&prepared.collection.reports());
        let lines: Vec<(ProgressBar, Arc<super::tracker::Tracker>)> = trackers
            .into_iter()
            .map(|tracker| {
                let bar = bars.add(ProgressBar::new_spinner().with_style(style.clone()));
                bar.set_prefix(match named {
                    true => format!("{} {} {}", tracker.source, tracker.account, tracker.region),
                    false => format!("{} {}", tracker.source, tracker.region),
                });
                (bar, tracker)
            })
            .collect();
        let refresh = || {
            for (bar, tracker) in &lines {
                let report = tracker.report();
                let state = match report.status {
                    SourceStatus::Running => "running",
                    SourceStatus::Complete => "done",
                    SourceStatus::Partial => "PARTIAL",
                    SourceStatus::Failed => "FAILED",
                };
                let activity = tracker.activity();
                let activity = match activity.as_str() {
                    "" => String::new(),
                    text => format!(" ({})", escape(text)),
                };
                bar.set_message(format!("{state}, {} calls{activity}", tracker.calls()));
                if report.status == SourceStatus::Running {
                    bar.tick();
                }
            }
            total.tick();
        };
        let ticker = async {
            loop {
                refresh();
                tokio::time::sleep(Duration::from_millis(120)).await;
            }
        };
        let result = tokio::select! {
            result = prepared.run(interrupted(), || {}) => result,
            () = ticker => unreachable_ticker(),
        };
        refresh();
        for (bar, _) in &lines {
            bar.finish();
        }
        total.finish();
        result
    })
}

fn unreachable_ticker() -> anyhow::Result<(Manifest, Ending)> {
    anyhow::bail!("the progress ticker stopped")
}

/// The summary printed after a collection: each source's state and errors.
pub fn summary(manifest: &Manifest, out: &Path, ending: Ending) -> String {
    let mut text = String::new();
    let collection = &manifest.collection;
    let named = spans_accounts(&collection.source_reports);
    for report in &collection.source_reports {
        let calls: u64 = report.calls.values().sum();
        let status = match report.status {
            SourceStatus::Running => "running",
            SourceStatus::Complete => "complete",
            SourceStatus::Partial => "partial",
            SourceStatus::Failed => "failed",
        };
        let account = match named {
            true => format!("{:<13}", escape(&report.account)),
            false => String::new(),
        };
        text.push_str(&format!(
            "{:<16} {account}{:<14} {status:<9} {calls} calls\n",
            report.source, report.region
        ));
        for error in &report.errors {
            text.push_str(&format!("    {}\n", escape(error)));
        }
        for note in &report.notes {
            text.push_str(&format!("    note: {}\n", escape(note)));
        }
    }
    let records: usize = manifest.inputs.iter().map(|i| i.records).sum();
    text.push_str(&format!(
        "{} responses, {records} records stored in {}\n",
        manifest.inputs.len(),
        escape(&out.display().to_string())
    ));
    if ending == Ending::Stopped {
        text.push_str("interrupted: the bundle holds what was received and is marked partial\n");
    } else if collection.partial {
        text.push_str("PARTIAL: some sources did not complete (see above)\n");
    }
    text
}
