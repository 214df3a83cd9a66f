//! Where a record came from: the evidence sources and taskscope's own actions.

use serde::Serialize;
use std::fmt;

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// GuardDuty findings (runtime monitoring, attack sequences, any other type).
    Guardduty,
    /// ECS API output and ECS EventBridge events.
    Ecs,
    /// CloudTrail records, from S3 delivery files, LookupEvents or EventBridge.
    Cloudtrail,
    /// Falco JSON alerts, standalone or inside CloudWatch Logs.
    Falco,
    /// Plain container log lines from CloudWatch Logs.
    Logs,
    /// Syscall exits and capture summaries from sysdig/Falco captures (`.scap`).
    Scap,
    /// taskscope's own response actions, from the bundle's audit log.
    Response,
}

impl Source {
    /// Whether this source's records are findings (GuardDuty findings and
    /// Falco alerts): what the findings board lists.
    pub fn gives_findings(self) -> bool {
        matches!(self, Source::Guardduty | Source::Falco)
    }

    /// The lower-case name used in every output format.
    pub fn name(self) -> &'static str {
        match self {
            Source::Guardduty => "guardduty",
            Source::Ecs => "ecs",
            Source::Cloudtrail => "cloudtrail",
            Source::Falco => "falco",
            Source::Logs => "logs",
            Source::Scap => "scap",
            Source::Response => "response",
        }
    }

    /// Every source, in display order.
    pub const ALL: [Source; 7] = [
        Source::Guardduty,
        Source::Ecs,
        Source::Cloudtrail,
        Source::Falco,
        Source::Logs,
        Source::Scap,
        Source::Response,
    ];

    /// The sources of evidence (imported, collected or generated): every
    /// source but taskscope's own response actions, in display order.
    pub const EVIDENCE: [Source; 6] = [
        Source::Guardduty,
        Source::Ecs,
        Source::Cloudtrail,
        Source::Falco,
        Source::Logs,
        Source::Scap,
    ];
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
