//! Coverage: per source, whether the bundle could have shown the task's
//! activity at all, so that a quiet source reads as "watching, saw nothing"
//! or as "blind", never the same.

use super::index::ContextIndex;
use super::posture::Posture;
use super::summary::TimelineSummary;
use super::TaskContext;
use crate::model::time::format_time;
use crate::model::{TaskFacts, Timestamp};
use std::collections::BTreeSet;

/// CloudTrail records are sparse: a task's lifetime counts as covered when it
/// lies within this distance of the first and last record in the bundle.
pub const CLOUDTRAIL_SLACK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Container names GuardDuty gives the runtime agent sidecar it injects into Fargate tasks.
pub const GUARDDUTY_AGENT_PREFIX: &str = "aws-guardduty-agent";

/// Per source, whether the bundle could have shown activity of the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// GuardDuty agent, awslogs, Falco, CloudTrail and the ECS task record, in that order.
    pub entries: Vec<CoverageEntry>,
}

impl Coverage {
    /// The entry for a source name (`cloudtrail`, ...).
    pub fn entry(&self, source: &str) -> Option<&CoverageEntry> {
        self.entries.iter().find(|entry| entry.source == source)
    }
}

/// One source's coverage of the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageEntry {
    /// `guardduty-agent`, `awslogs`, `falco`, `cloudtrail` or `ecs-task`.
    pub source: &'static str,
    /// What the bundle can say.
    pub state: CoverageState,
    /// A sentence saying why, for the context pane.
    pub detail: String,
    /// A few words for the one-line summary (`no sidecar`, `12:30-14:31`).
    pub short: String,
}

/// How much a source can tell about the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageState {
    /// The bundle holds records of this source for the task.
    Data,
    /// The source was there and watching, and recorded nothing for the task.
    NoEvidence,
    /// The source could not have recorded the task, or its data is not in the bundle.
    NoData,
    /// The source's data covers only part of the task's lifetime.
    Partial,
}

impl CoverageState {
    /// The word used in the one-line summary.
    pub fn word(self) -> &'static str {
        match self {
            CoverageState::Data => "ok",
            CoverageState::NoEvidence => "quiet",
            CoverageState::NoData => "none",
            CoverageState::Partial => "partial",
        }
    }
}

/// One line for the console's coverage bar, ASCII only:
/// `guardduty-agent ok(2 findings)  falco none(no sidecar)  cloudtrail partial(12:30-14:31)`.
pub fn summarize_coverage(context: &TaskContext) -> String {
    context
        .coverage
        .entries
        .iter()
        .map(|entry| {
            if entry.short.is_empty() {
                format!("{} {}", entry.source, entry.state.word())
            } else {
                format!("{} {}({})", entry.source, entry.state.word(), entry.short)
            }
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn entry(source: &'static str, state: CoverageState, detail: String, short: &str) -> CoverageEntry {
    CoverageEntry {
        source,
        state,
        detail,
        short: short.to_string(),
    }
}

fn plural(count: usize, one: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {one}s")
    }
}

pub(super) fn guardduty_coverage(facts: &TaskFacts, seen: &TimelineSummary) -> CoverageEntry {
    const SOURCE: &str = "guardduty-agent";
    let agent = facts
        .containers
        .iter()
        .any(|c| c.name.starts_with(GUARDDUTY_AGENT_PREFIX));
    if seen.runtime_findings > 0 {
        let findings = plural(seen.runtime_findings, "runtime finding");
        return entry(
            SOURCE,
            CoverageState::Data,
            format!("{findings} for this task"),
            &findings,
        );
    }
    if agent {
        return entry(
            SOURCE,
            CoverageState::NoEvidence,
            "the GuardDuty runtime agent ran in the task and reported nothing".into(),
            "",
        );
    }
    if facts.containers.is_empty() {
        return entry(
            SOURCE,
            CoverageState::NoData,
            "the task's containers are unknown and no runtime finding names it".into(),
            "containers unknown",
        );
    }
    entry(
        SOURCE,
        CoverageState::NoData,
        "no GuardDuty agent container in the task and no runtime finding names it".into(),
        "no agent",
    )
}

pub(super) fn awslogs_coverage(
    posture: Option<&Posture>,
    index: &ContextIndex,
    seen: &TimelineSummary,
) -> CoverageEntry {
    const SOURCE: &str = "awslogs";
    let groups: BTreeSet<&str> = posture
        .into_iter()
        .flat_map(|p| &p.containers)
        .filter_map(|c| c.log.as_ref())
        .filter(|log| log.driver == "awslogs")
        .map(|log| log.group.as_deref().unwrap_or("?"))
        .collect();
    let groups_text = groups.iter().copied().collect::<Vec<_>>().join(", ");
    if seen.log_records > 0 {
        let records = plural(seen.log_records, "log record");
        return entry(
            SOURCE,
            CoverageState::Data,
            format!("{records} from the task's awslogs streams"),
            &records,
        );
    }
    match posture {
        Some(_) if groups.is_empty() => entry(
            SOURCE,
            CoverageState::NoData,
            "no container of the task definition logs with the awslogs driver".into(),
            "not configured",
        ),
        Some(_) if index.log_records > 0 => entry(
            SOURCE,
            CoverageState::NoEvidence,
            format!("logs to {groups_text}; the bundle's log exports hold no stream of this task"),
            "",
        ),
        Some(_) => entry(
            SOURCE,
            CoverageState::NoData,
            format!("logs to {groups_text}, but the bundle holds no CloudWatch Logs export"),
            "not exported",
        ),
        None => entry(
            SOURCE,
            CoverageState::NoData,
            "no log records for this task, and its task definition is not in the bundle".into(),
            "no logs",
        ),
    }
}

pub(super) fn falco_coverage(
    facts: &TaskFacts,
    posture: Option<&Posture>,
    index: &ContextIndex,
    seen: &TimelineSummary,
) -> CoverageEntry {
    const SOURCE: &str = "falco";
    if seen.falco_alerts > 0 {
        let alerts = plural(seen.falco_alerts, "alert");
        return entry(
            SOURCE,
            CoverageState::Data,
            format!("{alerts} for this task"),
            &alerts,
        );
    }
    let mentions_falco = |name: &str, image: Option<&str>| {
        name.to_ascii_lowercase().contains("falco")
            || image.is_some_and(|i| i.to_ascii_lowercase().contains("falco"))
    };
    let sidecar = facts
        .containers
        .iter()
        .any(|c| mentions_falco(&c.name, c.image.as_deref()))
        || posture.is_some_and(|p| {
            p.containers
                .iter()
                .any(|c| mentions_falco(&c.name, c.image.as_deref()))
        });
    if facts.containers.is_empty() && posture.is_none() {
        return entry(
            SOURCE,
            CoverageState::NoData,
            "the task's containers are unknown and no Falco alert names it".into(),
            "containers unknown",
        );
    }
    match (sidecar, index.falco_alerts > 0) {
        (true, true) => entry(
            SOURCE,
            CoverageState::NoEvidence,
            "a Falco sidecar ran in the task and none of the bundle's Falco alerts is from it"
                .into(),
            "",
        ),
        (true, false) => entry(
            SOURCE,
            CoverageState::NoData,
            "a Falco sidecar ran in the task, but the bundle holds no Falco alerts".into(),
            "not exported",
        ),
        (false, _) => entry(
            SOURCE,
            CoverageState::NoData,
            "no Falco sidecar in the task".into(),
            "no sidecar",
        ),
    }
}

/// `HH:MM`, with the date when the two instants fall on different days.
fn short_span(from: Timestamp, to: Timestamp) -> String {
    let format = if from.date_naive() == to.date_naive() {
        "%H:%M"
    } else {
        "%Y-%m-%d %H:%M"
    };
    format!("{}-{}", from.format(format), to.format(format))
}

pub(super) fn cloudtrail_coverage(
    facts: &TaskFacts,
    index: &ContextIndex,
    seen: &TimelineSummary,
) -> CoverageEntry {
    const SOURCE: &str = "cloudtrail";
    let Some((first, last)) = index.cloudtrail_window else {
        return entry(
            SOURCE,
            CoverageState::NoData,
            "the bundle holds no CloudTrail records".into(),
            "not in bundle",
        );
    };
    let window = format!(
        "CloudTrail spans {} to {}",
        format_time(&first),
        format_time(&last)
    );
    let span = short_span(first, last);
    let start = facts.created_at.or(facts.started_at);
    let stopped = facts.stopped_at.or(facts.stopping_at);
    let end = stopped.or(index.latest_event);
    let (Some(start), Some(end)) = (start, end) else {
        return match seen.cloudtrail_records {
            0 => entry(
                SOURCE,
                CoverageState::NoEvidence,
                format!("{window}; the task's lifetime is unknown, and no record names it"),
                "lifetime unknown",
            ),
            n => entry(
                SOURCE,
                CoverageState::Data,
                format!("{} for this task; {window}", plural(n, "record")),
                &plural(n, "record"),
            ),
        };
    };
    let lifetime = match stopped {
        Some(_) => format!(
            "the task's lifetime {} to {}",
            format_time(&start),
            format_time(&end)
        ),
        None => format!(
            "the task's lifetime from {}, still running at the bundle's last record {}",
            format_time(&start),
            format_time(&end)
        ),
    };
    // Saturating: evidence can date records at the very ends of the calendar.
    let covered_from = first
        .checked_sub_signed(CLOUDTRAIL_SLACK)
        .unwrap_or(Timestamp::MIN_UTC);
    let covered_to = last
        .checked_add_signed(CLOUDTRAIL_SLACK)
        .unwrap_or(Timestamp::MAX_UTC);
    if end < covered_from || start > covered_to {
        entry(
            SOURCE,
            CoverageState::NoData,
            format!("{window}, outside {lifetime}"),
            &span,
        )
    } else if start < covered_from || end > covered_to {
        entry(
            SOURCE,
            CoverageState::Partial,
            format!("{window}: only part of {lifetime}"),
            &span,
        )
    } else if seen.cloudtrail_records > 0 {
        let records = plural(seen.cloudtrail_records, "record");
        entry(
            SOURCE,
            CoverageState::Data,
            format!("{records} for this task; {window}, covering {lifetime}"),
            &records,
        )
    } else {
        entry(
            SOURCE,
            CoverageState::NoEvidence,
            format!("{window}, covering {lifetime}; no record names the task"),
            "",
        )
    }
}

pub(super) fn ecs_task_coverage(facts: &TaskFacts) -> CoverageEntry {
    const SOURCE: &str = "ecs-task";
    match &facts.last_status {
        Some(status) => {
            let stop = facts
                .stop_code
                .as_deref()
                .map(|code| format!(" ({code})"))
                .unwrap_or_default();
            entry(
                SOURCE,
                CoverageState::Data,
                format!("task record present: last status {status}{stop}"),
                "",
            )
        }
        None => entry(
            SOURCE,
            CoverageState::NoData,
            "no describe-tasks output or task state change: the task is known only from \
             other records"
                .into(),
            "not described",
        ),
    }
}
