//! What a response action is asked to do, before anything is read from
//! AWS: the requests the console and the command line make, with their
//! defaults and limits. Plain data, built without the AWS side.

use crate::model::keys::arn_tail;
use crate::respond::suspects::RollbackHistory;
use crate::trail_tables::AthenaSource;
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An action to plan.
#[derive(Debug, Clone)]
pub enum ActionRequest {
    /// Isolate a task.
    Isolate(IsolateRequest),
    /// Roll back a service.
    Rollback(RollbackRequest),
    /// Reverse an action recorded in a bundle's audit log.
    Undo(UndoRequest),
}

/// The longest protection ECS accepts, in minutes (48 hours).
pub const MAX_PROTECT_MINUTES: i32 = 2880;

/// Minutes of protection unless the responder asks otherwise (ECS's own
/// default, two hours).
pub const DEFAULT_PROTECT_MINUTES: i32 = 120;

/// What to isolate, and the responder's choices.
#[derive(Debug, Clone)]
pub struct IsolateRequest {
    /// The cluster (name or ARN).
    pub cluster: String,
    /// The task (ID or ARN).
    pub task: String,
    /// The incident ID carried by the stop reason and the deny policy's name.
    pub incident: Option<String>,
    /// How long protection lasts, 1 to [`MAX_PROTECT_MINUTES`].
    pub protect_minutes: i32,
    /// A security group to move the service's next tasks to.
    pub quarantine_group: Option<String>,
    /// The account's quota of rules per network ACL and direction, 1 to
    /// [`MAX_RULE_QUOTA`]
    /// ([`DEFAULT_RULE_QUOTA`] unless raised).
    pub nacl_rule_quota: usize,
    /// Where the preserve step writes the task's evidence bundle.
    pub preserve_out: PathBuf,
    /// Start of the window the preserve step collects.
    pub since: DateTime<Utc>,
    /// Where the preserve step reads CloudTrail through Athena, if not
    /// LookupEvents (boxed: rarely given, and the request travels by value).
    pub athena: Option<Box<AthenaSource>>,
}

/// The default quota of rules per network ACL, in each direction (Amazon
/// VPC quotas, "Rules per network ACL").
pub const DEFAULT_RULE_QUOTA: usize = 20;

/// The highest that quota can be raised to, in each direction.
pub const MAX_RULE_QUOTA: usize = 40;

/// How long a deployment is followed unless the responder asks otherwise.
pub const DEFAULT_FOLLOW_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// What to roll back, and the responder's choices.
#[derive(Debug, Clone)]
pub struct RollbackRequest {
    /// The cluster (name or ARN).
    pub cluster: String,
    /// The service (name or ARN).
    pub service: String,
    /// The target: a revision number, `family:revision` or an ARN; chosen
    /// from the service's history when absent.
    pub to: Option<String>,
    /// Run even when the target ran an image digest under suspicion (never
    /// when it is a suspect revision).
    pub allow_same_digest: bool,
    /// How long to follow the deployment.
    pub follow_timeout: Duration,
    /// Earlier rollbacks, from the audit log of the bundle that will hold
    /// this one's: the caller reads it ([`RollbackHistory::at`]).
    pub history: RollbackHistory,
}

/// What to undo.
#[derive(Debug, Clone)]
pub struct UndoRequest {
    /// The bundle whose audit log records the action (and receives the
    /// undo's records).
    pub bundle: PathBuf,
    /// The plan ID of the action; default: the last isolate with a call
    /// undo can reverse.
    pub action: Option<String>,
}

/// The default path of a preserved evidence bundle: beside `bundle`, named
/// after it, the task and the time.
pub fn preserve_path(bundle: &Path, task: &str, now: &DateTime<Utc>) -> PathBuf {
    let name = bundle
        .file_name()
        .map_or_else(|| "bundle".into(), |n| n.to_string_lossy().into_owned());
    let short: String = arn_tail(task)
        .chars()
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    bundle.with_file_name(format!(
        "{name}.preserve-{short}-{}",
        now.format("%Y%m%dT%H%M%SZ")
    ))
}

/// Checks `--protect-minutes`.
pub fn check_protect_minutes(minutes: i32) -> anyhow::Result<i32> {
    (1..=MAX_PROTECT_MINUTES)
        .contains(&minutes)
        .then_some(minutes)
        .with_context(|| format!("--protect-minutes must be 1 to {MAX_PROTECT_MINUTES}"))
}

/// Checks `--nacl-rule-quota`.
pub fn check_rule_quota(quota: usize) -> anyhow::Result<usize> {
    (1..=MAX_RULE_QUOTA).contains(&quota).then_some(quota).ok_or_else(|| {
        anyhow::anyhow!(
            "--nacl-rule-quota must be 1 to {MAX_RULE_QUOTA} (AWS's default is {DEFAULT_RULE_QUOTA})"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_quota_is_one_to_the_maximum() {
        assert_eq!(check_rule_quota(20).unwrap(), 20);
        assert_eq!(check_rule_quota(MAX_RULE_QUOTA).unwrap(), MAX_RULE_QUOTA);
        for wrong in [0, MAX_RULE_QUOTA + 1] {
            let error = check_rule_quota(wrong).unwrap_err().to_string();
            assert!(error.contains("must be 1 to 40"), "{error}");
        }
    }
}
