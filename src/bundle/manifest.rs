//! `manifest.json`: what a bundle holds and the hash of every artifact.
//! The format is specified in docs/bundle-format.md.

use crate::import::FileStatus;
use crate::model::provenance::LogGroup;
use crate::model::RawRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The `format` value that marks a taskscope bundle.
pub const FORMAT_NAME: &str = "taskscope-bundle";
/// The bundle format version this build writes, and the newest it reads:
/// 2 added the seal (`seal.json` and `seal.json.sig` at the root, which a
/// reader of version 1 would take for unlisted files); 3 added the derived
/// correlated index (`derived/correlated.bin`). Bundles of versions 1 and
/// 2 still open; their correlated index is rebuilt from the raw evidence
/// into the cache (docs/bundle-format.md).
pub const FORMAT_VERSION: u32 = 3;
/// The manifest's file name at the bundle root.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The whole manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// Bundle format version.
    pub format_version: u32,
    /// The tool and version that wrote the bundle.
    pub tool: Tool,
    /// When the bundle was sealed (RFC 3339, UTC).
    pub created_at: String,
    /// What was collected.
    pub collection: Collection,
    /// Every file the user handed over, and how it fared.
    pub inputs: Vec<Input>,
    /// Every file in the bundle other than the manifest, with its hash.
    pub artifacts: Vec<Artifact>,
}

/// The writing tool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    /// `taskscope`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// What was collected and how complete it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Collection {
    /// `import` for files, `collect` for live AWS.
    pub method: String,
    /// Sources that yielded records (`guardduty`, `ecs`, ...).
    pub sources: BTreeSet<String>,
    /// AWS accounts named by the evidence.
    pub accounts: BTreeSet<String>,
    /// AWS regions named by the evidence.
    pub regions: BTreeSet<String>,
    /// First and last event time.
    pub time_window: Option<TimeWindow>,
    /// Number of input files imported whole, in part, and rejected.
    pub files_imported: usize,
    /// Files imported with some records unreadable.
    pub files_partial: usize,
    /// Files nothing could be read from.
    pub files_rejected: usize,
    /// True when anything failed: the bundle does not hold everything handed over.
    pub partial: bool,
    /// For live collection: whether it is still running, finished or was
    /// interrupted. Absent for imports, which are sealed in one step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<CollectionState>,
    /// For live collection: what was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<CollectRequest>,
    /// For live collection: how each source fared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_reports: Vec<SourceReport>,
}

impl Collection {
    /// Why the bundle is partial, in one line (`2 input(s) only partly read
    /// and 1 rejected`, the sources that did not complete, an interrupted
    /// collection); `None` when it is not partial.
    pub fn partial_reason(&self) -> Option<String> {
        if !self.partial {
            return None;
        }
        let mut reasons = Vec::new();
        if self.files_partial + self.files_rejected > 0 || self.source_reports.is_empty() {
            reasons.push(format!(
                "{} input(s) only partly read and {} rejected",
                self.files_partial, self.files_rejected
            ));
        }
        let unfinished: Vec<String> = self
            .source_reports
            .iter()
            .filter(|report| report.status != SourceStatus::Complete)
            .map(|report| {
                let status = match report.status {
                    SourceStatus::Running => "running",
                    SourceStatus::Complete => "complete",
                    SourceStatus::Partial => "partial",
                    SourceStatus::Failed => "failed",
                };
                format!("{} in {} {status}", report.source, report.region)
            })
            .collect();
        if !unfinished.is_empty() {
            reasons.push(format!("sources not complete: {}", unfinished.join(", ")));
        }
        if self.state == Some(CollectionState::Interrupted) {
            reasons.push("the collection was interrupted".to_string());
        }
        Some(reasons.join("; "))
    }
}

/// Where a live collection stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CollectionState {
    /// Still running, or killed without a chance to say so: artifacts written
    /// after the last manifest commit may lie in the bundle unlisted.
    Collecting,
    /// Every source ran to its end (some may have failed: see the reports).
    Complete,
    /// Stopped by the user (Ctrl-C) or a signal; what was received is kept.
    Interrupted,
}

/// The scope a live collection was asked for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct CollectRequest {
    /// The credentials profile, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The accounts collected from: the caller's (from STS
    /// GetCallerIdentity), or those `--accounts` named (all the
    /// organization's active accounts for `all`), reached or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// The role assumed in member accounts (`--role-name`), when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// Regions collected from.
    pub regions: Vec<String>,
    /// The cluster, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The service, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The task, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Start of the time window (RFC 3339, UTC).
    pub from: String,
    /// End of the time window (RFC 3339, UTC).
    pub to: String,
    /// A custom endpoint, when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_url: Option<String>,
}

/// How one source (GuardDuty, ECS, CloudTrail, CloudWatch Logs) fared in
/// one account and region of a collection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceReport {
    /// `guardduty`, `ecs`, `cloudtrail` or `cloudwatch-logs`; `assume-role`
    /// for a member account whose role could not be assumed.
    pub source: String,
    /// The account the source was collected in (empty in bundles written
    /// before collection spanned accounts).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account: String,
    /// The region.
    pub region: String,
    /// `complete`, `partial` or `failed`.
    pub status: SourceStatus,
    /// API calls made, by operation name.
    pub calls: std::collections::BTreeMap<String, u64>,
    /// Why the source is partial or failed, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Optional calls the endpoint does not offer (the source is not partial for them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// True when the reports span more than one account: then each line
/// showing a report names its account.
pub fn spans_accounts(reports: &[SourceReport]) -> bool {
    let accounts: BTreeSet<&str> = reports
        .iter()
        .map(|report| report.account.as_str())
        .filter(|account| !account.is_empty())
        .collect();
    accounts.len() > 1
}

/// The outcome of one source.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    /// Still running.
    Running,
    /// Everything asked for was received.
    Complete,
    /// Some calls failed; what was received is kept.
    Partial,
    /// Nothing could be received.
    Failed,
}

/// A closed time interval.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimeWindow {
    /// Earliest event (RFC 3339, UTC).
    pub from: String,
    /// Latest event (RFC 3339, UTC).
    pub to: String,
}

/// One input file and its fate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Input {
    /// The path as the user gave it (or as found by walking a directory).
    pub source_path: String,
    /// The artifact holding its bytes as received.
    pub artifact: String,
    /// imported, partial or rejected.
    pub status: FileStatus,
    /// Formats recognized in it.
    pub formats: Vec<String>,
    /// Source records read from it.
    pub records: usize,
    /// What could not be read, with line and column.
    pub errors: Vec<String>,
    /// For an API response received by live collection: the call it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// The API call an artifact is the response to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Origin {
    /// The service, as the SDK names it (`ECS`, `GuardDuty`, `CloudTrail`, `CloudWatch Logs`).
    pub service: String,
    /// The operation (`DescribeTasks`, ...).
    pub operation: String,
    /// The account the call's credentials act in (empty in bundles written
    /// before collection spanned accounts, and for `watch`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account: String,
    /// The region called.
    pub region: String,
    /// AWS's request ID for the call, when the response carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// When the response was received (RFC 3339, UTC).
    pub received_at: String,
    /// True when the call read the log group collection was told holds the
    /// archive of EventBridge events (`--archive-log-group`): the envelopes
    /// in it were written by EventBridge (docs/correlation.md).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub eventbridge_archive: bool,
}

impl Input {
    /// What is known about the log group its records were read from: what
    /// the call that received them read decides who wrote what they hold.
    pub fn log_group(&self) -> LogGroup {
        self.origin
            .as_ref()
            .map(Origin::log_group)
            .unwrap_or_default()
    }
}

impl Origin {
    /// What the call tells about the log group it read.
    pub fn log_group(&self) -> LogGroup {
        if self.eventbridge_archive {
            LogGroup::EventBridgeArchive
        } else {
            LogGroup::Unknown
        }
    }
}

/// One file stored in the bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Artifact {
    /// Path relative to the bundle root, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

impl Manifest {
    /// The artifact entry for a bundle-relative path.
    pub fn artifact(&self, path: &str) -> Option<&Artifact> {
        self.artifacts.iter().find(|a| a.path == path)
    }

    /// Where a raw record sits, as printed: `<artifact path>#<locator>`
    /// (`?` for an artifact index the manifest does not have).
    pub fn locate(&self, raw: &RawRef) -> String {
        let path = self
            .artifacts
            .get(raw.artifact)
            .map_or("?", |a| a.path.as_str());
        format!("{path}#{}", raw.locator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_and_origins_from_before_accounts_still_read() {
        let report: SourceReport = serde_json::from_str(
            r#"{"source":"ecs","region":"us-east-1","status":"complete","calls":{}}"#,
        )
        .unwrap();
        assert_eq!(report.account, "");
        assert!(!serde_json::to_string(&report).unwrap().contains("account"));
        let origin: Origin = serde_json::from_str(
            r#"{"service":"ECS","operation":"ListTasks","region":"us-east-1","received_at":"2026-11-23T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(origin.account, "");
        let in_member = Origin {
            account: "222222222222".into(),
            ..origin
        };
        let text = serde_json::to_string(&in_member).unwrap();
        assert!(text.contains(r#""account":"222222222222""#), "{text}");
    }

    #[test]
    fn reports_span_accounts_only_with_two_named() {
        let report = |account: &str| SourceReport {
            source: "ecs".into(),
            account: account.into(),
            region: "us-east-1".into(),
            status: SourceStatus::Complete,
            calls: Default::default(),
            errors: Vec::new(),
            notes: Vec::new(),
        };
        assert!(!spans_accounts(&[report(""), report("111111111111")]));
        assert!(!spans_accounts(&[
            report("111111111111"),
            report("111111111111")
        ]));
        assert!(spans_accounts(&[
            report("111111111111"),
            report("222222222222")
        ]));
    }

    #[test]
    fn a_partial_collection_names_the_sources_that_did_not_complete() {
        let report = |source: &str, status| SourceReport {
            source: source.to_string(),
            account: String::new(),
            region: "eu-west-1".to_string(),
            status,
            calls: Default::default(),
            errors: Vec::new(),
            notes: Vec::new(),
        };
        let mut collection = Collection {
            source_reports: vec![
                report("ecs", SourceStatus::Complete),
                report("cloudtrail", SourceStatus::Failed),
            ],
            state: Some(CollectionState::Interrupted),
            ..Collection::default()
        };
        assert_eq!(collection.partial_reason(), None);
        collection.partial = true;
        assert_eq!(
            collection.partial_reason().as_deref(),
            Some(
                "sources not complete: cloudtrail in eu-west-1 failed; \
                 the collection was interrupted"
            )
        );
    }
}
