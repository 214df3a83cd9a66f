//! `taskscope watch` (docs/watch.md): a long-running recorder of one
//! cluster's tasks. Every `--interval` it lists the tasks (running and
//! stopped) and describes them; each round that saw something new is stored
//! whole, response by response, in a rolling bundle of the store directory,
//! so a task that stops is recorded before ECS forgets it (about an hour
//! later). `--once` runs a single round, for cron; the state between runs
//! is in the store's `watch-state.json`.

pub mod buffer;
pub mod changes;
pub mod coverage;
pub mod state;
pub mod store;
pub mod watcher;

use super::aws::{region_of, Connection};
use super::run::interrupted;
use crate::bundle::manifest::CollectRequest;
use crate::render::sanitize::escape;
use chrono::{SecondsFormat, TimeDelta};
use std::path::PathBuf;
use std::time::Duration;
use store::Store;
use watcher::{RoundReport, Settings, Watcher};

/// How long a round under way when a signal comes may take to finish and
/// be stored.
pub const GRACE: Duration = Duration::from_secs(10);

/// What to watch, and how.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// The cluster, by name or ARN.
    pub cluster: String,
    /// Time from the start of one round to the start of the next.
    pub interval: Duration,
    /// Age at which a bundle is finished and a new one started.
    pub rotate: TimeDelta,
    /// The store directory.
    pub store: PathBuf,
    /// One round, then exit.
    pub once: bool,
}

/// How a watch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchEnd {
    /// Stopped by a signal; the bundle was finished.
    Stopped,
    /// The single round of `--once` ran; `failed` when any call failed.
    Once {
        /// Some call of the round failed.
        failed: bool,
    },
}

/// Runs the watcher until a signal (Ctrl-C, SIGTERM, SIGHUP), or for one
/// round with `--once`. Only problems with the store end it early; AWS
/// errors are printed and the next round tries again.
pub fn watch(connection: &Connection, options: &WatchOptions) -> anyhow::Result<WatchEnd> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let configs = connection.load().await?;
        let [config] = configs.as_slice() else {
            anyhow::bail!("watch records one region: give --region once");
        };
        let region = region_of(config);
        let store = Store::open(&options.store)?;
        let settings = settings(connection, options, &region);
        let (mut watcher, notes) = Watcher::start(store, config, settings)?;
        for note in notes {
            eprintln!("{}", escape(&note));
        }
        let cadence = if options.once {
            "one round".to_string()
        } else {
            format!("every {}", duration_text(options.interval.as_secs()))
        };
        eprintln!(
            "watching cluster {} in {}, {cadence}, into {} (a new bundle every {})",
            escape(&options.cluster),
            escape(&region),
            options.store.display(),
            duration_text(options.rotate.num_seconds().unsigned_abs())
        );
        let end = rounds(&mut watcher, options).await;
        if end == WatchEnd::Stopped {
            finish(&mut watcher);
        }
        Ok(end)
    })
}

/// What the watcher records in every bundle, besides its window.
fn settings(connection: &Connection, options: &WatchOptions, region: &str) -> Settings {
    Settings {
        cluster: options.cluster.clone(),
        region: region.to_string(),
        rotate: options.rotate,
        request: CollectRequest {
            profile: connection.profile.clone(),
            // The watcher does not call STS: its policy is three ECS actions.
            accounts: Vec::new(),
            regions: vec![region.to_string()],
            role_name: None,
            cluster: Some(options.cluster.clone()),
            service: None,
            task: None,
            from: String::new(),
            to: String::new(),
            endpoint_url: connection
                .endpoint_url
                .clone()
                .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok()),
        },
    }
}

/// Runs rounds every `--interval` until a signal, or one with `--once`. A
/// round under way when the signal comes gets [`GRACE`] to finish.
async fn rounds(watcher: &mut Watcher, options: &WatchOptions) -> WatchEnd {
    let stop = interrupted();
    tokio::pin!(stop);
    loop {
        let started = tokio::time::Instant::now();
        let (report, stopped) = {
            let round = watcher.round();
            tokio::pin!(round);
            tokio::select! {
                report = &mut round => (Some(report), false),
                () = &mut stop => (tokio::time::timeout(GRACE, &mut round).await.ok(), true),
            }
        };
        if let Some(report) = &report {
            print_round(report);
        }
        if stopped {
            return WatchEnd::Stopped;
        }
        if options.once {
            let failed = report.is_some_and(|r| !r.failures.is_empty());
            return WatchEnd::Once { failed };
        }
        tokio::select! {
            () = tokio::time::sleep_until(started + options.interval) => {}
            () = &mut stop => return WatchEnd::Stopped,
        }
    }
}

/// Finishes the current bundle after a signal, and says so.
fn finish(watcher: &mut Watcher) {
    let mut failures = Vec::new();
    match watcher.finish_bundle(crate::model::time::now()) {
        Ok(Some(finished)) => println!(
            "{}  finished {} ({} responses)",
            now_text(),
            finished.bundle.display(),
            finished.responses
        ),
        Ok(None) => {}
        Err(line) => failures.push(line),
    }
    watcher.save_state(&mut failures);
    for line in failures {
        eprintln!("{}  {}", now_text(), escape(&line));
    }
    eprintln!("stopped");
}

/// `90s`, `5m`, `1h`, `2d`: the largest unit that divides it.
fn duration_text(seconds: u64) -> String {
    match seconds {
        0 => "0s".to_string(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn now_text() -> String {
    crate::model::time::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One line per failure (stderr), per bundle finished, and per round stored (stdout).
fn print_round(report: &RoundReport) {
    let time = report.at.to_rfc3339_opts(SecondsFormat::Secs, true);
    if let Some(finished) = &report.finished {
        println!(
            "{time}  finished {} ({} responses)",
            finished.bundle.display(),
            finished.responses
        );
    }
    for failure in &report.failures {
        eprintln!("{time}  {}", escape(failure));
    }
    if let Some(stored) = &report.stored {
        println!(
            "{time}  {} tasks, {} new, {} changed: {} responses stored in {}{}",
            report.tasks,
            report.changes.new.len(),
            report.changes.changed.len(),
            stored.responses,
            stored.bundle.display(),
            if stored.first {
                " (its first snapshot)"
            } else {
                ""
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit() {
        assert_eq!(duration_text(30), "30s");
        assert_eq!(duration_text(90), "90s");
        assert_eq!(duration_text(300), "5m");
        assert_eq!(duration_text(3_600), "1h");
        assert_eq!(duration_text(172_800), "2d");
    }
}
