//! The audit log of response actions: `audit.jsonl` in the bundle, one JSON
//! record per line, appended as things happen (the plan when confirmed, each
//! API call with its request ID and result, service events while following a
//! deployment, the result with the state after) and never rewritten. Each
//! record is also an event on the timeline of the tasks it concerns.
//! `taskscope::respond` writes it; the format is in docs/bundle-format.md.

use super::journal::{self, JournalError};
use super::Bundle;
use crate::model::keys::parse_task_arn;
use crate::model::time::{format_time, parse_time_str};
use crate::model::{Event, Key, RawRef, Severity, Source};
use crate::render::json_line;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The audit log's path at the bundle root.
pub const AUDIT_FILE: &str = "audit.jsonl";

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The AWS identity that made the calls (STS GetCallerIdentity ARN).
    pub caller: String,
    /// The local user, as recorded on notes (`user@host`).
    pub user: String,
}

/// How one API call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallStatus {
    /// AWS accepted it.
    Ok,
    /// It failed; the plan stopped here.
    Failed,
}

/// How a whole action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultStatus {
    /// Every selected step ran.
    Completed,
    /// A step failed; the steps after it did not run.
    Failed,
}

/// What became of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// All its calls succeeded.
    Done,
    /// One of its calls failed.
    Failed,
    /// It was selected, but an earlier step failed.
    NotRun,
    /// It was not selected, or had nothing to do.
    Skipped,
}

/// The outcome of one step, in a result record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// Which step (`protect`, `stop`, ...).
    pub step: String,
    /// What became of it.
    pub status: StepStatus,
}

/// What a record says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub enum Entry {
    /// A plan, confirmed and about to run.
    Plan {
        /// The plan (docs/response.md), with the steps as selected.
        plan: Value,
        /// How it was confirmed (`--yes`, `typed abcd1234`).
        confirmed_by: String,
    },
    /// One API call.
    Call {
        /// The step it belongs to.
        step: String,
        /// `service:Operation`.
        operation: String,
        /// What was sent (the parameters chosen at execution, such as a
        /// network ACL rule number, where they differ from the plan's).
        parameters: Value,
        /// The state the call changed, as read before it: what `undo`
        /// restores (see [`crate::respond::plan::Call::prior`]).
        #[serde(skip_serializing_if = "Value::is_null", default)]
        prior: Value,
        /// The request ID AWS returned, when it returned one.
        #[serde(skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// How it ended.
        status: CallStatus,
        /// Why it failed, in one line.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// What it produced worth keeping (a preserved bundle's path and
        /// manifest hash, a deployment ARN).
        #[serde(skip_serializing_if = "Value::is_null", default)]
        output: Value,
    },
    /// A service event seen while following a deployment.
    ServiceEvent {
        /// When ECS recorded it.
        at: String,
        /// Its message.
        message: String,
    },
    /// How the action ended, with the state read afterwards.
    Result {
        /// Completed or failed.
        status: ResultStatus,
        /// Every step of the plan, in order.
        steps: Vec<StepOutcome>,
        /// Why it failed, in one line.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// The state read after the last call (task or service).
        after: Value,
    },
}

/// One line of `audit.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// When it was written, RFC 3339 UTC.
    pub time: String,
    /// The plan it belongs to.
    pub plan_id: String,
    /// `isolate` or `rollback`.
    pub action: String,
    /// Who acted.
    pub actor: Actor,
    /// The task ARN or service the action targets.
    pub target: String,
    /// Task definitions the action concerns (a rollback's current and target
    /// revisions), which tie it to the tasks that ran them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub task_definitions: Vec<String>,
    /// What it says.
    #[serde(flatten)]
    pub entry: Entry,
}

/// Appends `record` to the audit log of the bundle at `bundle_root` and
/// commits it (see [`journal::append_line`]).
pub fn append(bundle_root: &Path, record: &Record) -> Result<(), JournalError> {
    let line = json_line(record)
        .map_err(|e| JournalError::Encode(format!("cannot encode an audit record: {e}")))?;
    journal::append_line(bundle_root, AUDIT_FILE, &line)
}

/// The committed audit records of `bundle`, in order, with their 1-based
/// line numbers. Lines that do not parse are reported, not skipped silently.
pub fn load(bundle: &Bundle) -> (Vec<(usize, Record)>, Vec<String>) {
    let content = match journal::read_committed(bundle, AUDIT_FILE) {
        Ok(Some(content)) => content,
        Ok(None) => return (Vec::new(), Vec::new()),
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (number, line) in content.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Record>(line) {
            Ok(record) => records.push((number + 1, record)),
            Err(error) => problems.push(format!("{AUDIT_FILE}:{}: {error}", number + 1)),
        }
    }
    (records, problems)
}

/// The timeline events of the audit log: one per record, on the timelines of
/// the target task, or of the tasks that ran the task definitions a rollback
/// names.
pub fn events(bundle: &Bundle) -> (Vec<Event>, Vec<String>) {
    let Some(artifact) = bundle
        .manifest
        .artifacts
        .iter()
        .position(|a| a.path == AUDIT_FILE)
    else {
        return (Vec::new(), Vec::new());
    };
    let (records, mut problems) = load(bundle);
    let mut events = Vec::with_capacity(records.len());
    for (line, record) in records {
        let Some(time) = parse_time_str(&record.time) else {
            problems.push(format!("{AUDIT_FILE}:{line}: bad time {:?}", record.time));
            continue;
        };
        let raw = RawRef {
            artifact,
            locator: format!("L{line}"),
        };
        let (kind, summary, severity) = describe(&record);
        let mut event = Event::new(time, Source::Response, kind, summary, raw);
        event.severity = severity;
        event.actor = Some(record.actor.caller.clone());
        if let Some(arn) = parse_task_arn(&record.target) {
            event.keys.push(Key::TaskArn {
                id: arn.id,
                arn: record.target.clone(),
            });
        }
        event.keys.extend(
            record
                .task_definitions
                .iter()
                .map(|arn| Key::TaskDefinition(arn.clone())),
        );
        events.push(event);
    }
    (events, problems)
}

/// A record's kind, one-line summary and severity on the timeline.
fn describe(record: &Record) -> (String, String, Severity) {
    let action = &record.action;
    match &record.entry {
        Entry::Plan { plan, confirmed_by } => {
            let steps: Vec<&str> = plan["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| s["selected"] == true && s.get("unavailable").is_none())
                .filter_map(|s| s["id"].as_str())
                .collect();
            (
                format!("{action} confirmed"),
                format!(
                    "{} confirmed ({confirmed_by}) by {}: {}",
                    record.plan_id,
                    record.actor.user,
                    steps.join(", ")
                ),
                Severity::Medium,
            )
        }
        Entry::Call {
            step,
            operation,
            request_id,
            status,
            error,
            ..
        } => {
            let request = request_id
                .as_deref()
                .map_or(String::new(), |id| format!(" (request {id})"));
            match status {
                CallStatus::Ok => (
                    operation.clone(),
                    format!("{action} {step}: {operation} ok{request}"),
                    Severity::Medium,
                ),
                CallStatus::Failed => (
                    operation.clone(),
                    format!(
                        "{action} {step}: {operation} FAILED{request}: {}",
                        error.as_deref().unwrap_or("unknown error")
                    ),
                    Severity::High,
                ),
            }
        }
        Entry::ServiceEvent { message, .. } => (
            "service event".to_string(),
            format!("{action}: {message}"),
            Severity::Info,
        ),
        Entry::Result { status, error, .. } => match status {
            ResultStatus::Completed => (
                format!("{action} completed"),
                format!("{action} completed for {}", record.target),
                Severity::Medium,
            ),
            ResultStatus::Failed => (
                format!("{action} failed"),
                format!(
                    "{action} FAILED for {}: {}",
                    record.target,
                    error.as_deref().unwrap_or("unknown error")
                ),
                Severity::High,
            ),
        },
    }
}

/// The current time as audit records write it.
pub fn now() -> String {
    format_time(&chrono::Utc::now())
}
