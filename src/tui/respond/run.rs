//! A confirmed plan as it runs: each selected step's state, the calls it
//! made, and the service events seen while following a deployment, as the
//! action worker reports them.

use crate::bundle::audit::{CallStatus, StepStatus};
use crate::respond::outcome::Progress;
use crate::respond::plan::StepId;
use crate::respond::Plan;

/// Most service events kept for the progress screen (the latest).
const EVENTS_KEPT: usize = 200;

/// How a step stands while the plan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Not started yet.
    Pending,
    /// Its calls are being made.
    Running,
    /// It has ended, or was passed over (a step it needs failed).
    Ended(StepStatus),
}

impl StepState {
    /// The word shown for it.
    pub fn name(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Ended(status) => status.name(),
        }
    }
}

/// A call that returned, as the progress screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallLine {
    /// `service:Operation`.
    pub operation: String,
    /// How it ended.
    pub status: CallStatus,
    /// The request ID, or why it failed (raw text from AWS).
    pub detail: String,
}

/// One selected step of a running plan.
#[derive(Debug, Clone)]
pub struct StepRun {
    /// Which step.
    pub id: StepId,
    /// How it stands.
    pub state: StepState,
    /// Its calls that returned, in order (every attempt).
    pub calls: Vec<CallLine>,
    /// Why it failed, did not run or was skipped (raw text from AWS).
    pub reason: Option<String>,
}

/// A confirmed plan as it runs.
#[derive(Debug, Clone)]
pub struct Run {
    /// The plan sent to the worker.
    pub plan: Plan,
    /// How the plan was confirmed.
    pub confirmed_by: String,
    /// The steps that run, in order.
    pub steps: Vec<StepRun>,
    /// Service events seen while following a deployment, the latest last.
    pub events: Vec<String>,
}

impl Run {
    /// A run of `plan`'s selected steps, none started.
    pub(super) fn new(plan: Plan, confirmed_by: String) -> Run {
        let steps = plan
            .steps
            .iter()
            .filter(|step| step.will_run())
            .map(|step| StepRun {
                id: step.id,
                state: StepState::Pending,
                calls: Vec::new(),
                reason: None,
            })
            .collect();
        Run {
            plan,
            confirmed_by,
            steps,
            events: Vec::new(),
        }
    }

    /// Takes in one progress line.
    pub(super) fn record(&mut self, progress: Progress) {
        match progress {
            Progress::Step(id) => {
                if let Some(step) = self.steps.iter_mut().find(|s| s.id == id) {
                    step.state = StepState::Running;
                }
            }
            Progress::Call {
                step,
                operation,
                status,
                detail,
            } => {
                if let Some(run) = self.steps.iter_mut().find(|s| s.id == step) {
                    run.calls.push(CallLine {
                        operation,
                        status,
                        detail,
                    });
                }
            }
            Progress::StepEnded {
                step,
                status,
                reason,
            } => {
                if let Some(run) = self.steps.iter_mut().find(|s| s.id == step) {
                    run.state = StepState::Ended(status);
                    run.reason = reason;
                }
            }
            Progress::ServiceEvent(message) => {
                if self.events.len() == EVENTS_KEPT {
                    self.events.remove(0);
                }
                self.events.push(message);
            }
        }
    }

    /// The step that ran last (running or ended), for scrolling.
    pub fn current(&self) -> usize {
        self.steps
            .iter()
            .rposition(|s| s.state != StepState::Pending)
            .unwrap_or(0)
    }
}
