//! What running a plan reports: its progress as it goes, and how it ended.

use crate::bundle::audit::{CallStatus, ResultStatus, StepOutcome, StepStatus};
use crate::respond::plan::StepId;
use serde_json::Value;
use std::path::PathBuf;

/// What the executor reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A step started.
    Step(StepId),
    /// An attempt at a call returned.
    Call {
        /// Its step.
        step: StepId,
        /// `service:Operation`.
        operation: String,
        /// How it ended.
        status: CallStatus,
        /// The request ID, or why it failed (and whether it is attempted
        /// again).
        detail: String,
    },
    /// A step ended, or was passed over without starting.
    StepEnded {
        /// Which step.
        step: StepId,
        /// What became of it.
        status: StepStatus,
        /// Why it failed, did not run or was skipped.
        reason: Option<String>,
    },
    /// A service event seen while following a deployment.
    ServiceEvent(String),
}

/// How a plan ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Completed, failed or interrupted.
    pub status: ResultStatus,
    /// Every step of the plan, in order.
    pub steps: Vec<StepOutcome>,
    /// Why it failed or stopped.
    pub error: Option<String>,
    /// What interrupted it.
    pub interrupted_by: Option<String>,
    /// The step that was running when it was interrupted.
    pub in_flight: Option<String>,
    /// The state read after the last call.
    pub after: Value,
    /// The bundle holding the audit record.
    pub bundle: PathBuf,
}
