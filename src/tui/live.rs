//! What the console knows of live collection (`taskscope live`): how each
//! source stands, for the title bar and the status line (when to read the
//! growing bundle again is in `reload_schedule`). The console never calls
//! AWS: collection runs on another thread and sends a [`LiveStatus`] after
//! every stored response.

use super::status::Level;
use crate::bundle::manifest::{spans_accounts, SourceReport, SourceStatus};

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
}
