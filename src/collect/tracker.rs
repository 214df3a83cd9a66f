//! The progress and failures of one source in one account and region:
//! calls made and succeeded, failures counted by line, notes, what it is
//! doing now, and the state the manifest reports.

use super::failure::Failure;
use super::recorder::CallCounts;
use crate::bundle::manifest::{SourceReport, SourceStatus};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The source name under which an account that could not be reached
/// (STS AssumeRole refused or failed) is reported.
pub const ASSUME_ROLE_SOURCE: &str = "assume-role";

/// The progress and errors of one source in one account and region.
#[derive(Debug)]
pub struct Tracker {
    /// `guardduty`, `ecs`, `cloudtrail`, `cloudwatch-logs`, `images`, or
    /// [`ASSUME_ROLE_SOURCE`] for an account that could not be reached.
    pub source: &'static str,
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    calls: CallCounts,
    succeeded: AtomicU64,
    /// Each distinct failure line, with how many times it happened.
    errors: Mutex<Vec<(String, u64)>>,
    /// What could not be asked at all, without making the source partial.
    notes: Mutex<Vec<String>>,
    /// What the source is doing now, for the progress line.
    activity: Mutex<String>,
    finished: std::sync::atomic::AtomicBool,
}

impl Tracker {
    pub(super) fn new(
        source: &'static str,
        account: &str,
        region: &str,
        calls: CallCounts,
    ) -> Tracker {
        Tracker {
            source,
            account: account.to_string(),
            region: region.to_string(),
            calls,
            succeeded: AtomicU64::new(0),
            errors: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
            activity: Mutex::new(String::new()),
            finished: Default::default(),
        }
    }

    /// Notes a call that succeeded.
    pub fn succeeded(&self) {
        self.succeeded.fetch_add(1, Ordering::Relaxed);
    }

    /// Notes a failure, one line; a line that repeats is counted, not repeated.
    pub fn failed(&self, line: String) {
        if let Ok(mut errors) = self.errors.lock() {
            match errors.iter_mut().find(|(known, _)| *known == line) {
                Some((_, count)) => *count += 1,
                None => errors.push((line, 1)),
            }
        }
    }

    /// Notes something the endpoint does not offer, once per line; the
    /// source is not made partial by it.
    pub fn noted(&self, line: String) {
        if let Ok(mut notes) = self.notes.lock() {
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
    }

    /// Records a failed call: a note when optional, else a failure.
    pub fn record(&self, failure: Failure) {
        if failure.optional {
            self.noted(failure.line);
        } else {
            self.failed(failure.line);
        }
    }

    /// Says what the source is doing now (empty: nothing to add to its
    /// state), for the progress line.
    pub fn show(&self, activity: String) {
        if let Ok(mut current) = self.activity.lock() {
            *current = activity;
        }
    }

    /// What the source is doing now, as last shown.
    pub fn activity(&self) -> String {
        self.activity.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// Marks the source as done.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
    }

    /// The API calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.total()
    }

    /// The source's state for the manifest.
    pub fn report(&self) -> SourceReport {
        let errors: Vec<String> = self
            .errors
            .lock()
            .map(|errors| {
                errors
                    .iter()
                    .map(|(line, count)| match count {
                        1 => line.clone(),
                        n => format!("{line} ({n} times)"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let status = if !self.finished.load(Ordering::Relaxed) {
            SourceStatus::Running
        } else if errors.is_empty() {
            SourceStatus::Complete
        } else if self.succeeded.load(Ordering::Relaxed) > 0 {
            SourceStatus::Partial
        } else {
            SourceStatus::Failed
        };
        SourceReport {
            source: self.source.to_string(),
            account: self.account.clone(),
            region: self.region.clone(),
            status,
            calls: self.calls.snapshot(),
            errors,
            notes: self.notes.lock().map(|n| n.clone()).unwrap_or_default(),
        }
    }
}
