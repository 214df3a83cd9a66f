//! Response actions in the console: `i` isolates the selected task, `r`
//! rolls back its service. Each runs as one modal popup through the stages
//! of [`flow::Stage`]: planning, the plan, the typed confirmation, progress
//! and the result. The console never calls AWS itself: a worker thread
//! holds the [`Responder`], made by the [`ActionAccess`] the first time an
//! action is asked for, and reports back through a channel and the
//! console's wake-up. docs/response.md is the user's guide.

pub mod flow;
pub mod plan_view;
pub mod request;
pub mod run;
pub mod run_view;
pub mod view;
pub mod worker;

use crate::respond::{Interrupt, Responder};
use std::fmt;
use std::sync::Arc;
use worker::{Job, Report, Worker};

/// Makes the responder; may call AWS (credentials check), so it runs on
/// the action worker, never on the UI thread.
pub type Connect = dyn Fn() -> anyhow::Result<Box<dyn Responder>> + Send + Sync;

/// Permission to act, and the way to reach AWS. The console has one only
/// when actions are allowed (`--allow-actions`, or the profile listed
/// under `[actions] allow_profiles`); without it every action key says
/// how to enable them.
#[derive(Clone)]
pub struct ActionAccess {
    connect: Arc<Connect>,
}

impl ActionAccess {
    /// Access that makes its responder with `connect` when the first
    /// action is asked for (and again after a failed attempt).
    pub fn new(
        connect: impl Fn() -> anyhow::Result<Box<dyn Responder>> + Send + Sync + 'static,
    ) -> ActionAccess {
        ActionAccess {
            connect: Arc::new(connect),
        }
    }
}

impl fmt::Debug for ActionAccess {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ActionAccess")
    }
}

/// What the status line says when an action key is pressed with actions off.
pub const ACTIONS_OFF: &str =
    "actions are off: restart with --allow-actions, or allow the profile in [actions] allow_profiles";

/// The console's side of response actions: the access, and the worker
/// started on first use. Jobs are numbered so that the reports of an
/// abandoned job (a plan cancelled with Esc) are told apart.
pub struct Actions {
    access: ActionAccess,
    notify: Arc<dyn Fn() + Send + Sync>,
    worker: Option<Worker>,
    last_job: u64,
    interrupt: Interrupt,
}

impl Actions {
    /// Actions through `access`; `notify` wakes the UI thread when the
    /// worker has a report.
    pub fn new(access: ActionAccess, notify: Arc<dyn Fn() + Send + Sync>) -> Actions {
        Actions {
            access,
            notify,
            worker: None,
            last_job: 0,
            interrupt: Interrupt::new(),
        }
    }

    /// Stops a running plan after its call in flight (the console is
    /// leaving); `why` goes into its result record.
    pub fn interrupt(&self, why: &str) {
        self.interrupt.raise(why);
    }

    /// Hands `job` to the worker, starting it if needed; returns the job's
    /// number, which its reports carry.
    pub fn submit(&mut self, job: Job) -> u64 {
        self.last_job += 1;
        let number = self.last_job;
        let job = match &self.worker {
            Some(worker) => match worker.send(number, job) {
                Ok(()) => return number,
                Err(job) => *job,
            },
            None => job,
        };
        let worker = Worker::spawn(
            Arc::clone(&self.access.connect),
            Arc::clone(&self.notify),
            self.interrupt.clone(),
        );
        // A worker that cannot take the job has stopped: `reports` then
        // answers the job with a failure.
        let _ = worker.send(number, job);
        self.worker = Some(worker);
        number
    }

    /// The reports that arrived since the last call, with their job
    /// numbers. When the worker has stopped (it panicked), the job in hand
    /// is answered with a failure and the next job starts a new worker.
    pub fn reports(&mut self) -> Vec<(u64, Report)> {
        let Some(worker) = &self.worker else {
            return Vec::new();
        };
        let (mut reports, stopped) = worker.reports();
        if stopped {
            self.worker = None;
            reports.push((
                self.last_job,
                Report::Failed(
                    "the action worker stopped; the bundle's audit.jsonl holds what ran".into(),
                ),
            ));
        }
        reports
    }
}
