//! What one task's timeline adds up to: its severity, its counts per source
//! and its window. Every view and export that shows a task's severity reads
//! it from here, so that `tasks`, the console and the report cannot disagree.

use super::event::{Event, Severity};
use super::source::Source;
use super::time::Timestamp;

/// The figures of one task's timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskSummary {
    /// Events on the timeline, per source, in [`Source::ALL`] order.
    pub per_source: [usize; Source::ALL.len()],
    /// Findings (GuardDuty findings and Falco alerts) on the timeline,
    /// whatever their link.
    pub findings: usize,
    /// The task's severity: the highest severity among its findings that are
    /// linked to it strongly; `None` when it has no such finding. Other
    /// events (a CloudTrail denial, an ECS state change) never count, and
    /// neither does a weak link.
    pub severity: Option<Severity>,
    /// Events linked to the task weakly.
    pub weak_links: usize,
    /// First and last event time on the timeline.
    pub window: Option<(Timestamp, Timestamp)>,
}

impl TaskSummary {
    /// Sums up the events on the timeline of the task at index `task`.
    pub fn of<'a>(task: usize, timeline: impl IntoIterator<Item = &'a Event>) -> TaskSummary {
        let mut summary = TaskSummary::default();
        for event in timeline {
            summary.add(task, event);
        }
        summary
    }

    /// Counts one more event on the timeline of the task at index `task`
    /// (the order events are added in does not matter).
    pub fn add(&mut self, task: usize, event: &Event) {
        self.per_source[source_slot(event.source)] += 1;
        let link = event.link_to(task);
        if link.is_some_and(|link| link.is_weak()) {
            self.weak_links += 1;
        }
        if event.is_finding() {
            self.findings += 1;
            if link.is_some_and(|link| !link.is_weak()) {
                self.severity = self.severity.max(Some(event.severity));
            }
        }
        self.window = Some(match self.window {
            Some((first, last)) => (first.min(event.time), last.max(event.time)),
            None => (event.time, event.time),
        });
    }

    /// Events on the timeline from `source`.
    pub fn count(&self, source: Source) -> usize {
        self.per_source[source_slot(source)]
    }

    /// Events on the timeline, all sources together.
    pub fn total(&self) -> usize {
        self.per_source.iter().sum()
    }
}

/// The position of `source` in [`Source::ALL`].
fn source_slot(source: Source) -> usize {
    Source::ALL
        .iter()
        .position(|s| *s == source)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::{Doubt, Link, LinkReason, RawRef};
    use chrono::TimeZone;

    fn event(second: u32, source: Source, severity: Severity, link: Link) -> Event {
        let time = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, second)
            .unwrap();
        let raw = RawRef {
            artifact: 0,
            locator: String::new(),
        };
        let mut event = Event::new(time, source, "kind", "summary", raw);
        event.severity = severity;
        event.links.push(link);
        event
    }

    #[test]
    fn severity_counts_strongly_linked_findings_only() {
        let strong = Link::strong(0, LinkReason::TaskId);
        let weak = Link {
            doubt: Some(Doubt::IpReuse),
            ..Link::strong(0, LinkReason::IpInLifetime)
        };
        let events = [
            event(3, Source::Cloudtrail, Severity::Critical, strong.clone()),
            event(1, Source::Guardduty, Severity::Critical, weak),
            event(2, Source::Falco, Severity::High, strong.clone()),
            event(5, Source::Guardduty, Severity::Medium, strong),
        ];
        let summary = TaskSummary::of(0, &events);
        assert_eq!(summary.severity, Some(Severity::High));
        assert_eq!(summary.findings, 3);
        assert_eq!(summary.weak_links, 1);
        assert_eq!(summary.count(Source::Guardduty), 2);
        assert_eq!(summary.count(Source::Logs), 0);
        assert_eq!(summary.total(), 4);
        assert_eq!(
            summary.window,
            Some((events[1].time, events[3].time)),
            "first and last by time, not by position"
        );
    }

    #[test]
    fn a_task_without_findings_has_no_severity() {
        let events = [event(
            0,
            Source::Cloudtrail,
            Severity::High,
            Link::strong(0, LinkReason::RoleSession),
        )];
        assert_eq!(TaskSummary::of(0, &events).severity, None);
        assert_eq!(TaskSummary::of(0, []).window, None);
    }
}
