//! The audit log of response actions: `audit.jsonl` in the bundle, one JSON
//! record per line, appended as things happen (the plan when confirmed, each
//! API call before it is sent and again with its request ID and result,
//! service events while following a deployment, the result with the state
//! after) and never rewritten. Each
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
    /// It failed (after its last attempt).
    Failed,
}

/// One attempt at a call, in its `call` record. Only transient failures
/// (throttling, a 5xx answer, a timeout) are attempted again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it was sent, RFC 3339 UTC (its `call-started` record's time).
    pub started: String,
    /// How it ended.
    pub status: CallStatus,
    /// The request ID AWS returned, when it returned one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
    /// Why it failed, in one line.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

/// How a whole action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultStatus {
    /// Every selected step ran.
    Completed,
    /// A step failed; the steps that needed it did not run, the others did.
    Failed,
    /// A signal (or the console quitting) stopped the plan between two
    /// calls: the call in flight was finished and recorded, the steps after
    /// it were not started.
    Interrupted,
}

/// What became of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// All its calls succeeded.
    Done,
    /// One of its calls failed, or the state re-read just before it
    /// showed it must not run (the task stopped, its IP moved).
    Failed,
    /// It was selected, but did not run: a step it needs failed or did not
    /// run, the plan was interrupted before it, or the audit log could not
    /// be written.
    NotRun,
    /// It was not selected, or had nothing to do (also when the state
    /// re-read just before it showed it done already).
    Skipped,
    /// The plan was interrupted while it ran: the call in flight was
    /// finished, its later calls were not sent.
    Interrupted,
}

impl StepStatus {
    /// The word shown on screen and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            StepStatus::Done => "done",
            StepStatus::Failed => "FAILED",
            StepStatus::NotRun => "not run",
            StepStatus::Skipped => "skipped",
            StepStatus::Interrupted => "interrupted",
        }
    }
}

/// The outcome of one step, in a result record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// Which step (`protect`, `stop`, ...).
    pub step: String,
    /// What became of it.
    pub status: StepStatus,
    /// Why it failed, did not run or was skipped at execution, in one line.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// For a step that did not run: the step it needed, which failed or did
    /// not run itself.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waited_for: Option<String>,
}

impl StepOutcome {
    /// The outcome `status` of `step`, with no reason.
    pub fn new(step: &str, status: StepStatus) -> StepOutcome {
        StepOutcome {
            step: step.to_string(),
            status,
            reason: None,
            waited_for: None,
        }
    }
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
    /// A call about to be sent: written and committed before the request
    /// leaves, so a kill before its `call` record still shows it.
    CallStarted {
        /// The step it belongs to.
        step: String,
        /// `service:Operation`.
        operation: String,
        /// The parameters as planned (the `call` record has those sent).
        parameters: Value,
        /// 1 for the first attempt; a transient failure is attempted again.
        attempt: u32,
    },
    /// One API call, as it returned.
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
        /// Every attempt, the last one last (see [`Attempt`]).
        #[serde(skip_serializing_if = "Vec::is_empty", default)]
        attempts: Vec<Attempt>,
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
        /// Completed, failed or interrupted.
        status: ResultStatus,
        /// Every step of the plan, in order.
        steps: Vec<StepOutcome>,
        /// Why it failed, in one line.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// What interrupted it (`SIGTERM`, `the console quit`).
        #[serde(skip_serializing_if = "Option::is_none", default)]
        interrupted_by: Option<String>,
        /// The step that was running when the interruption came.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        in_flight: Option<String>,
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
    journal::load_lines(bundle, AUDIT_FILE)
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
        Entry::CallStarted {
            step,
            operation,
            attempt,
            ..
        } => (
            format!("{operation} started"),
            format!("{action} {step}: {operation} sent (attempt {attempt})"),
            Severity::Info,
        ),
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
            ResultStatus::Interrupted => (
                format!("{action} interrupted"),
                format!(
                    "{action} INTERRUPTED for {}: {}",
                    record.target,
                    error.as_deref().unwrap_or("interrupted")
                ),
                Severity::High,
            ),
        },
    }
}

/// The current time as audit records write it.
pub fn now() -> String {
    format_time(&crate::model::time::now())
}
