//! The normalized event: one line on a task's timeline.

use super::attack::Attack;
use super::keys::Key;
use super::provenance::Provenance;
use super::source::Source;
use super::time::Timestamp;
use serde::Serialize;
use std::fmt;

/// Normalized severity, comparable across sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context, no sign of harm.
    #[default]
    Info,
    /// Worth a look (GuardDuty < 4, Falco notice, denied API call).
    Low,
    /// GuardDuty 4–6.9, Falco warning.
    Medium,
    /// GuardDuty 7–8.9, Falco error.
    High,
    /// GuardDuty 9+, Falco critical and above.
    Critical,
}

impl Severity {
    /// The lower-case name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Maps a GuardDuty numeric severity (0.1–10) to a level.
    pub fn from_guardduty(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Info,
        }
    }

    /// Maps a Falco priority name (case-insensitive) to a level.
    pub fn from_falco(priority: &str) -> Severity {
        match priority.to_ascii_lowercase().as_str() {
            "emergency" | "alert" | "critical" => Severity::Critical,
            "error" => Severity::High,
            "warning" => Severity::Medium,
            "notice" => Severity::Low,
            _ => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where one raw record sits in the bundle: an artifact and a locator inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawRef {
    /// Index of the artifact in the manifest.
    pub artifact: usize,
    /// JSON pointer inside the document (`/Records/3`), prefixed with `L<n>`
    /// for JSON-lines files (`L12/detail`).
    pub locator: String,
}

/// Why an event sits on a task's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkReason {
    /// The record names the task's ARN (either ARN format).
    TaskArn,
    /// The record names the bare task ID.
    TaskId,
    /// CloudTrail identity is the task role session named after the task ID.
    RoleSession,
    /// A CloudWatch Logs awslogs stream `prefix/container/task-id`.
    LogStream,
    /// A container runtime ID of one of the task's containers.
    RuntimeId,
    /// The task's elastic network interface.
    Eni,
    /// Context: registered the task definition revision the task runs.
    TaskDefinition,
    /// Context: the deployment that started the task.
    Deployment,
    /// The task's private IP, within the task's lifetime. Weak.
    IpInLifetime,
}

impl LinkReason {
    /// The kebab-case name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            LinkReason::TaskArn => "task-arn",
            LinkReason::TaskId => "task-id",
            LinkReason::RoleSession => "role-session",
            LinkReason::LogStream => "log-stream",
            LinkReason::RuntimeId => "runtime-id",
            LinkReason::Eni => "eni",
            LinkReason::TaskDefinition => "task-definition",
            LinkReason::Deployment => "deployment",
            LinkReason::IpInLifetime => "ip-in-lifetime",
        }
    }

    /// Context links attach surrounding facts rather than the task's own activity.
    pub fn is_context(self) -> bool {
        matches!(self, LinkReason::TaskDefinition | LinkReason::Deployment)
    }
}

/// Why a link may be wrong. A link with a doubt is weak: it is shown, but
/// it never raises the task's severity and never outranks a strong link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Doubt {
    /// Only an IP ties the event to the task, and IPs are reused by later tasks.
    IpReuse,
    /// No AssumeRole in the bundle shows the session was issued to the task.
    NoIssuingRecord,
    /// The task's task and execution roles are unknown: no task definition
    /// in the bundle names them.
    TaskRolesUnknown,
    /// The session's role is neither the task's task role nor its execution role.
    NotTaskRole,
}

impl Doubt {
    /// The kebab-case name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Doubt::IpReuse => "ip-reuse",
            Doubt::NoIssuingRecord => "no-issuing-record",
            Doubt::TaskRolesUnknown => "task-roles-unknown",
            Doubt::NotTaskRole => "not-task-role",
        }
    }

    /// One sentence for a detail pane or report.
    pub fn explanation(self) -> &'static str {
        match self {
            Doubt::IpReuse => "only the IP matches, and IPs are reused by later tasks",
            Doubt::NoIssuingRecord => {
                "no AssumeRole in the bundle shows this session was issued to the task"
            }
            Doubt::TaskRolesUnknown => {
                "the task's roles are unknown (no task definition in the bundle names them)"
            }
            Doubt::NotTaskRole => "the session's role is not the task's task or execution role",
        }
    }
}

/// A link from an event to a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Index of the task in the incident's task list.
    pub task: usize,
    /// The strongest reason found.
    pub reason: LinkReason,
    /// Why the link may be wrong; `None` for a strong link.
    pub doubt: Option<Doubt>,
    /// Other tasks the same evidence fits as well (their lifetimes with the
    /// same IP overlap at the event's time), by index; empty when unambiguous.
    pub ambiguous_with: Vec<usize>,
}

impl Link {
    /// A link with no doubt, to no other task.
    pub fn strong(task: usize, reason: LinkReason) -> Link {
        Link {
            task,
            reason,
            doubt: None,
            ambiguous_with: Vec::new(),
        }
    }

    /// Weak links can be coincidental or unproven (see [`Doubt`]).
    pub fn is_weak(&self) -> bool {
        self.doubt.is_some()
    }
}

/// One normalized record on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it happened, in UTC.
    pub time: Timestamp,
    /// Which kind of evidence it came from.
    pub source: Source,
    /// Finding type, CloudTrail eventName, Falco rule, ECS status, `log`, ...
    pub kind: String,
    /// Normalized severity.
    pub severity: Severity,
    /// The severity as the source wrote it (GuardDuty score, Falco priority).
    pub original_severity: Option<String>,
    /// One-line description. Attacker-controlled: sanitize before display.
    pub summary: String,
    /// The principal or process responsible, when known.
    pub actor: Option<String>,
    /// What the record names that can tie it to tasks.
    pub keys: Vec<Key>,
    /// Identity of the underlying fact, shared by copies of it from other sources.
    pub fact_id: Option<String>,
    /// Every raw copy of this fact; the first is the one the fields came from.
    pub raw: Vec<RawRef>,
    /// Tasks the event concerns, filled in by correlation.
    pub links: Vec<Link>,
    /// The ATT&CK tactics and techniques the record names.
    pub attack: Attack,
}

impl Event {
    /// Starts an event with the mandatory fields; keys, actor and fact ID come after.
    pub fn new(
        time: Timestamp,
        source: Source,
        kind: impl Into<String>,
        summary: impl Into<String>,
        raw: RawRef,
    ) -> Event {
        Event {
            time,
            source,
            kind: kind.into(),
            severity: Severity::Info,
            original_severity: None,
            summary: summary.into(),
            actor: None,
            keys: Vec::new(),
            fact_id: None,
            raw: vec![raw],
            links: Vec::new(),
            attack: Attack::default(),
        }
    }

    /// True for detections: GuardDuty findings and attack sequences, and
    /// Falco alerts. These make up the findings board and report sections.
    pub fn is_finding(&self) -> bool {
        self.source.gives_findings()
    }

    /// Where a finding stands on the findings board: most severe first,
    /// then by type, then by time (ties keep the timeline's order).
    pub fn finding_rank(&self) -> (std::cmp::Reverse<Severity>, &str, Timestamp) {
        (std::cmp::Reverse(self.severity), &self.kind, self.time)
    }

    /// Who wrote the record, and so how far it is trusted.
    pub fn provenance(&self) -> Provenance {
        Provenance::of(self.source)
    }

    /// The link of this event to the task at `task`, if any.
    pub fn link_to(&self, task: usize) -> Option<&Link> {
        self.links.iter().find(|link| link.task == task)
    }
}
