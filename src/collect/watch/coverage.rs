//! The `ecs` source report of a watch bundle (`collection.source_reports`):
//! the calls of the rounds recorded in it, and the failures seen while it
//! was being filled, so a reader knows when the watcher was blind.

use crate::bundle::manifest::{SourceReport, SourceStatus};
use std::collections::BTreeMap;

/// Distinct failure lines kept per bundle; more are counted, not kept.
pub const MAX_FAILURE_LINES: usize = 20;

/// Calls and failures accumulated for one bundle.
#[derive(Debug, Clone)]
pub struct Coverage {
    region: String,
    calls: BTreeMap<String, u64>,
    failures: Vec<(String, u64)>,
    more_failures: u64,
}

impl Coverage {
    /// Nothing recorded yet, for a bundle of `region`.
    pub fn new(region: &str) -> Coverage {
        Coverage {
            region: region.to_string(),
            calls: BTreeMap::new(),
            failures: Vec::new(),
            more_failures: 0,
        }
    }

    /// Carries on from a resumed bundle's `ecs` report.
    pub fn resume(region: &str, reports: &[SourceReport]) -> Coverage {
        let mut coverage = Coverage::new(region);
        if let Some(report) = reports.iter().find(|r| r.source == "ecs") {
            coverage.calls = report.calls.clone();
            coverage.failures = report.errors.iter().map(|e| (e.clone(), 1)).collect();
        }
        coverage
    }

    /// Adds one round's calls and failure lines.
    pub fn add(&mut self, calls: &BTreeMap<String, u64>, failures: &[String]) {
        for (operation, count) in calls {
            *self.calls.entry(operation.clone()).or_default() += count;
        }
        for line in failures {
            let kept = self.failures.len();
            match self.failures.iter_mut().find(|(known, _)| known == line) {
                Some((_, count)) => *count += 1,
                None if kept < MAX_FAILURE_LINES => self.failures.push((line.clone(), 1)),
                None => self.more_failures += 1,
            }
        }
    }

    /// The report: running until `finished`, then complete, or partial
    /// when anything failed.
    pub fn report(&self, finished: bool) -> SourceReport {
        let mut errors: Vec<String> = self
            .failures
            .iter()
            .map(|(line, count)| match count {
                1 => line.clone(),
                n => format!("{line} ({n} times)"),
            })
            .collect();
        if self.more_failures > 0 {
            errors.push(format!("{} more failures", self.more_failures));
        }
        let status = match (finished, errors.is_empty()) {
            (false, _) => SourceStatus::Running,
            (true, true) => SourceStatus::Complete,
            (true, false) => SourceStatus::Partial,
        };
        SourceReport {
            source: "ecs".to_string(),
            account: String::new(),
            region: self.region.clone(),
            status,
            calls: self.calls.clone(),
            errors,
            notes: Vec::new(),
        }
    }
}

/// The calls made between two snapshots of a recorder's counts.
pub fn calls_between(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(operation, count)| {
            let earlier = before.get(operation).copied().unwrap_or(0);
            (operation.clone(), count.saturating_sub(earlier))
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn calls_add_up_and_failures_make_the_finished_report_partial() {
        let mut coverage = Coverage::new("us-east-1");
        coverage.add(&counts(&[("ListTasks", 2), ("DescribeTasks", 1)]), &[]);
        assert_eq!(coverage.report(false).status, SourceStatus::Running);
        assert_eq!(coverage.report(true).status, SourceStatus::Complete);
        let throttled = "ecs:ListTasks: still throttled".to_string();
        for _ in 0..2 {
            coverage.add(
                &counts(&[("ListTasks", 1)]),
                std::slice::from_ref(&throttled),
            );
        }
        let report = coverage.report(true);
        assert_eq!(report.status, SourceStatus::Partial);
        assert_eq!(report.calls["ListTasks"], 4);
        assert_eq!(report.errors, ["ecs:ListTasks: still throttled (2 times)"]);
    }

    #[test]
    fn failure_lines_are_capped() {
        let mut coverage = Coverage::new("us-east-1");
        let lines: Vec<String> = (0..MAX_FAILURE_LINES + 3)
            .map(|n| format!("failure {n}"))
            .collect();
        coverage.add(&BTreeMap::new(), &lines);
        let errors = coverage.report(true).errors;
        assert_eq!(errors.len(), MAX_FAILURE_LINES + 1);
        assert_eq!(errors.last().map(String::as_str), Some("3 more failures"));
    }

    #[test]
    fn a_resumed_bundle_keeps_its_counts() {
        let mut first = Coverage::new("us-east-1");
        first.add(&counts(&[("DescribeTasks", 5)]), &["lost".into()]);
        let mut resumed = Coverage::resume("us-east-1", &[first.report(false)]);
        resumed.add(&counts(&[("DescribeTasks", 1)]), &[]);
        let report = resumed.report(true);
        assert_eq!(report.calls["DescribeTasks"], 6);
        assert_eq!(report.errors, ["lost"]);
    }

    #[test]
    fn calls_between_snapshots_are_the_difference() {
        let before = counts(&[("ListTasks", 4)]);
        let after = counts(&[("ListTasks", 6), ("DescribeTasks", 1)]);
        assert_eq!(
            calls_between(&before, &after),
            counts(&[("ListTasks", 2), ("DescribeTasks", 1)])
        );
    }
}
