//! What the console knows of live collection (`taskscope live`): how each
//! source stands, for the title bar and the status line, and when to read the
//! growing bundle again. The console never calls AWS: collection runs on
//! another thread and sends a [`LiveStatus`] after every stored response.

use super::status::Level;
use crate::bundle::manifest::{spans_accounts, SourceReport, SourceStatus};
use std::time::{Duration, Instant};

/// Loads of the growing bundle start at least this far apart.
pub const RELOAD_INTERVAL: Duration = Duration::from_millis(500);

/// One source in one region, as collection reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    /// `guardduty`, `ecs`, `cloudtrail` or `cloudwatch-logs`.
    pub source: String,
    /// The account, when collection spans several.
    pub account: Option<String>,
    /// The region.
    pub region: String,
    /// Running, complete, partial or failed.
    pub status: SourceStatus,
    /// API calls made so far.
    pub calls: u64,
    /// The first failure, one line (from AWS: escape before drawing).
    pub first_error: Option<String>,
}

/// How live collection stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiveStatus {
    /// Responses stored in the bundle so far.
    pub responses: usize,
    /// Every source in every region, in collection's order.
    pub sources: Vec<SourceState>,
    /// Collection has ended: every source is done, or it was stopped.
    pub finished: bool,
    /// Why collection itself failed (the bundle could not be written).
    pub error: Option<String>,
}

impl LiveStatus {
    /// The status from the sources' reports.
    pub fn new(responses: usize, reports: &[SourceReport], finished: bool) -> LiveStatus {
        let named = spans_accounts(reports);
        let sources = reports
            .iter()
            .map(|report| SourceState {
                source: report.source.clone(),
                account: named.then(|| report.account.clone()),
                region: report.region.clone(),
                status: report.status,
                calls: report.calls.values().sum(),
                first_error: report.errors.first().cloned(),
            })
            .collect();
        LiveStatus {
            responses,
            sources,
            finished,
            error: None,
        }
    }

    /// The title bar's summary: each source's state over its regions, the
    /// calls made and the responses stored, e.g.
    /// `ecs ✓ guardduty ✗ cloudtrail … logs ✓ · 57 calls · 41 responses`.
    pub fn summary(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for state in &self.sources {
            if !names.contains(&state.source.as_str()) {
                names.push(&state.source);
            }
        }
        let mut parts: Vec<String> = names
            .iter()
            .map(|name| {
                let statuses = self
                    .sources
                    .iter()
                    .filter(|s| s.source == *name)
                    .map(|s| s.status);
                format!("{} {}", short_name(name), symbol(combined(statuses)))
            })
            .collect();
        let calls: u64 = self.sources.iter().map(|s| s.calls).sum();
        parts.push(format!("· {}", counted(calls, "call")));
        parts.push(format!("· {}", counted(self.responses as u64, "response")));
        parts.join(" ")
    }

    /// Whether the collection ended with something missing: a source not
    /// complete, or collection itself failing.
    pub fn is_partial(&self) -> bool {
        self.finished
            && (self.error.is_some()
                || self
                    .sources
                    .iter()
                    .any(|s| s.status != SourceStatus::Complete))
    }

    /// The status line for the worst failure, if any: a failed source's
    /// first, else a partial one's, else a running one's. An error when a
    /// source failed or collection did, else a warning. The line is raw text
    /// from AWS.
    pub fn failure(&self) -> Option<(String, Level)> {
        if let Some(error) = &self.error {
            return Some((format!("live collection failed: {error}"), Level::Error));
        }
        let mut failing: Vec<(&SourceState, &String)> = self
            .sources
            .iter()
            .filter_map(|s| s.first_error.as_ref().map(|line| (s, line)))
            .collect();
        failing.sort_by_key(|(s, _)| match s.status {
            SourceStatus::Failed => 0,
            SourceStatus::Partial => 1,
            SourceStatus::Running | SourceStatus::Complete => 2,
        });
        let (first, line) = failing.first()?;
        let state = match first.status {
            SourceStatus::Failed => "failed",
            SourceStatus::Partial => "partial",
            SourceStatus::Running | SourceStatus::Complete => "error",
        };
        let more = match failing.len() {
            1 => String::new(),
            n => format!(" (+{} more sources with errors)", n - 1),
        };
        let level = match first.status {
            SourceStatus::Failed => Level::Error,
            _ => Level::Warning,
        };
        let place = match &first.account {
            Some(account) => format!("{account} {}", first.region),
            None => first.region.clone(),
        };
        Some((
            format!("{} {place} {state}: {line}{more}", first.source),
            level,
        ))
    }
}

/// `1 call`, `57 calls`.
fn counted(n: u64, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

/// The name shown in the title bar.
fn short_name(source: &str) -> &str {
    match source {
        "cloudwatch-logs" => "logs",
        other => other,
    }
}

/// One state for a source over several regions: running while any region
/// runs; complete or failed when every region is; partial otherwise.
fn combined(statuses: impl Iterator<Item = SourceStatus>) -> SourceStatus {
    let statuses: Vec<SourceStatus> = statuses.collect();
    let all = |wanted: SourceStatus| statuses.iter().all(|s| *s == wanted);
    if statuses.contains(&SourceStatus::Running) {
        SourceStatus::Running
    } else if all(SourceStatus::Complete) {
        SourceStatus::Complete
    } else if all(SourceStatus::Failed) {
        SourceStatus::Failed
    } else {
        SourceStatus::Partial
    }
}

/// `…` running, `✓` complete, `~` partial, `✗` failed.
fn symbol(status: SourceStatus) -> &'static str {
    match status {
        SourceStatus::Running => "…",
        SourceStatus::Complete => "✓",
        SourceStatus::Partial => "~",
        SourceStatus::Failed => "✗",
    }
}

/// When to read the bundle again: one load at a time, one more after it when
/// responses were stored after it began reading, and loads starting at least
/// [`RELOAD_INTERVAL`] apart. A load of a large bundle takes long (the whole
/// bundle is read and correlated again): the next one waits as long again,
/// so that reloading keeps at most half a core busy.
#[derive(Debug, Clone)]
pub struct ReloadSchedule {
    /// A load is waiting to start or running.
    in_flight: bool,
    /// Responses were stored after the load in flight began reading.
    again: bool,
    /// When the latest load started (or will start).
    last_start: Instant,
    /// The next load starts no earlier than this (set when a load ends).
    not_before: Instant,
}

impl ReloadSchedule {
    /// A schedule whose first load starts at `now`.
    pub fn first_load(now: Instant) -> ReloadSchedule {
        ReloadSchedule {
            in_flight: true,
            again: false,
            last_start: now,
            not_before: now + RELOAD_INTERVAL,
        }
    }

    /// Collection has stored more at `now`. Returns the delay after which a
    /// load, now scheduled, is to start; None when the load in flight will
    /// see it or another will follow it.
    pub fn more_stored(&mut self, now: Instant) -> Option<Duration> {
        if self.in_flight {
            // A load that has not started reading yet will see it.
            self.again |= now >= self.last_start;
            return None;
        }
        Some(self.schedule(now))
    }

    /// A load ended at `now`. Returns the delay of the next load, if one is due.
    pub fn loaded(&mut self, now: Instant) -> Option<Duration> {
        self.in_flight = false;
        let took = now.saturating_duration_since(self.last_start);
        self.not_before = (self.last_start + RELOAD_INTERVAL).max(now + took);
        std::mem::take(&mut self.again).then(|| self.schedule(now))
    }

    fn schedule(&mut self, now: Instant) -> Duration {
        let delay = self.not_before.saturating_duration_since(now);
        self.in_flight = true;
        self.last_start = now + delay;
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(source: &str, region: &str, status: SourceStatus, errors: &[&str]) -> SourceReport {
        SourceReport {
            source: source.into(),
            account: String::new(),
            region: region.into(),
            status,
            calls: [("Call".to_string(), 2)].into_iter().collect(),
            errors: errors.iter().map(|e| e.to_string()).collect(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn the_summary_shows_each_source_once_with_its_worst_region() {
        let reports = [
            report("ecs", "us-east-1", SourceStatus::Complete, &[]),
            report("cloudwatch-logs", "us-east-1", SourceStatus::Running, &[]),
            report("ecs", "eu-west-1", SourceStatus::Failed, &["denied"]),
            report("guardduty", "us-east-1", SourceStatus::Failed, &["404"]),
        ];
        let status = LiveStatus::new(41, &reports, false);
        assert_eq!(
            status.summary(),
            "ecs ~ logs … guardduty ✗ · 8 calls · 41 responses"
        );
        assert_eq!(status.sources[0].calls, 2);
        assert!(!status.is_partial(), "not finished yet");
        assert!(LiveStatus::new(41, &reports, true).is_partial());
        assert!(!LiveStatus::new(1, &reports[..1], true).is_partial());
    }

    #[test]
    fn over_several_accounts_the_failure_names_its_account() {
        let in_account = |account: &str, report: SourceReport| SourceReport {
            account: account.into(),
            ..report
        };
        let reports = [
            in_account(
                "111111111111",
                report("ecs", "us-east-1", SourceStatus::Complete, &[]),
            ),
            in_account(
                "222222222222",
                report(
                    "assume-role",
                    "us-east-1",
                    SourceStatus::Failed,
                    &["denied"],
                ),
            ),
        ];
        let (line, _) = LiveStatus::new(1, &reports, true).failure().unwrap();
        assert_eq!(line, "assume-role 222222222222 us-east-1 failed: denied");
        // One account: the line is as before.
        let (line, _) = LiveStatus::new(1, &reports[1..], true).failure().unwrap();
        assert_eq!(line, "assume-role us-east-1 failed: denied");
    }

    #[test]
    fn the_worst_failure_names_its_source_and_counts_the_others() {
        let reports = [
            report("ecs", "us-east-1", SourceStatus::Complete, &[]),
            report("cloudtrail", "us-east-1", SourceStatus::Running, &["slow"]),
            report("logs", "us-east-1", SourceStatus::Partial, &["gone"]),
            report(
                "guardduty",
                "us-east-1",
                SourceStatus::Failed,
                &["404", "x"],
            ),
        ];
        let (line, level) = LiveStatus::new(3, &reports, false).failure().unwrap();
        assert_eq!(
            line,
            "guardduty us-east-1 failed: 404 (+2 more sources with errors)"
        );
        assert_eq!(level, Level::Error);
        let (line, level) = LiveStatus::new(3, &reports[..3], false).failure().unwrap();
        assert_eq!(
            line,
            "logs us-east-1 partial: gone (+1 more sources with errors)"
        );
        assert_eq!(level, Level::Warning);
        let (line, _) = LiveStatus::new(3, &reports[..2], false).failure().unwrap();
        assert_eq!(line, "cloudtrail us-east-1 error: slow");
        assert_eq!(LiveStatus::new(3, &reports[..1], false).failure(), None);
    }

    #[test]
    fn reloads_run_one_at_a_time_and_at_most_every_interval() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut schedule = ReloadSchedule::first_load(at(0));
        assert_eq!(schedule.more_stored(at(100)), None, "one load at a time");
        assert_eq!(schedule.more_stored(at(150)), None);
        // After the first load, exactly one more, not before the interval.
        assert_eq!(schedule.loaded(at(200)), Some(Duration::from_millis(300)));
        assert_eq!(schedule.loaded(at(900)), None, "nothing new meanwhile");
        // Idle: a new response starts a load at once when the interval is past.
        assert_eq!(schedule.more_stored(at(2000)), Some(Duration::ZERO));
        assert_eq!(schedule.loaded(at(2100)), None);
    }

    #[test]
    fn after_a_long_load_the_next_waits_as_long() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut schedule = ReloadSchedule::first_load(at(0));
        assert_eq!(schedule.more_stored(at(100)), None);
        assert_eq!(schedule.loaded(at(2000)), Some(Duration::from_millis(2000)));
    }

    #[test]
    fn a_response_stored_before_a_delayed_load_starts_needs_no_extra_load() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut schedule = ReloadSchedule::first_load(at(0));
        assert_eq!(schedule.loaded(at(10)), None);
        assert_eq!(
            schedule.more_stored(at(100)),
            Some(Duration::from_millis(400))
        );
        assert_eq!(schedule.more_stored(at(300)), None, "the load will see it");
        assert_eq!(schedule.loaded(at(700)), None);
    }
}
