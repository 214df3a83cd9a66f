//! The action worker: one thread that holds the responder and does what
//! would block the UI (reading AWS to plan, running a confirmed plan). It
//! makes the responder on its first job, reports every result and progress
//! line through a channel, and wakes the UI thread after each. A running
//! plan stops after its call in flight when the shared [`Interrupt`] is
//! raised (the console leaving on a signal), and still reports its outcome.

use super::Connect;
use crate::respond::outcome::{Outcome, Progress};
use crate::respond::request::ActionRequest;
use crate::respond::{Interrupt, Plan, Responder};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SendError, Sender, TryRecvError};
use std::sync::Arc;
use std::thread;

/// Something for the worker to do.
#[derive(Debug)]
pub enum Job {
    /// Read AWS and make the plan of this action.
    Plan(ActionRequest),
    /// Run a confirmed plan.
    Apply {
        /// The plan, with the steps as the user selected them.
        plan: Box<Plan>,
        /// The bundle that receives the audit record (the open bundle).
        bundle: PathBuf,
        /// How the plan was confirmed (`typed 3f9c2d7e`).
        confirmed_by: String,
    },
}

/// What the worker reports.
#[derive(Debug)]
pub enum Report {
    /// The plan is made.
    Planned(Box<Plan>),
    /// The job could not be done: connecting to AWS or planning failed
    /// (nothing ran), or the worker stopped.
    Failed(String),
    /// A confirmed plan is running: a step started, a call returned.
    Progress(Progress),
    /// A confirmed plan has ended.
    Applied(Outcome),
}

/// The UI thread's handle on the worker thread.
pub struct Worker {
    jobs: Sender<(u64, Job)>,
    reports: Receiver<(u64, Report)>,
}

impl Worker {
    /// Starts the worker; it makes its responder with `connect` when the
    /// first job arrives, calls `notify` after every report, and stops a
    /// running plan when `interrupt` is raised.
    pub fn spawn(
        connect: Arc<Connect>,
        notify: Arc<dyn Fn() + Send + Sync>,
        interrupt: Interrupt,
    ) -> Worker {
        let (jobs, job_queue) = mpsc::channel::<(u64, Job)>();
        let (report_sender, reports) = mpsc::channel();
        let send_report = move |number: u64, report: Report| {
            let _ = report_sender.send((number, report));
            notify();
        };
        let spawned = thread::Builder::new()
            .name("taskscope-respond".into())
            .spawn(move || {
                let mut responder: Option<Box<dyn Responder>> = None;
                for (number, job) in job_queue {
                    if responder.is_none() {
                        match connect() {
                            Ok(connected) => responder = Some(connected),
                            Err(error) => {
                                let error = format!("cannot reach AWS: {error:#}; nothing ran");
                                send_report(number, Report::Failed(error));
                                continue;
                            }
                        }
                    }
                    let Some(responder) = responder.as_mut() else {
                        continue;
                    };
                    match job {
                        Job::Plan(request) => match responder.plan(&request) {
                            Ok(plan) => send_report(number, Report::Planned(Box::new(plan))),
                            Err(error) => send_report(
                                number,
                                Report::Failed(format!("cannot plan: {error:#}; nothing ran")),
                            ),
                        },
                        Job::Apply {
                            plan,
                            bundle,
                            confirmed_by,
                        } => {
                            let mut progress =
                                |line: Progress| send_report(number, Report::Progress(line));
                            let outcome = responder.apply(
                                &plan,
                                &bundle,
                                &confirmed_by,
                                &interrupt,
                                &mut progress,
                            );
                            send_report(number, Report::Applied(outcome));
                        }
                    }
                }
            });
        // Without the thread, the receiver is gone: every job's `send`
        // fails and `reports` says the worker stopped.
        drop(spawned);
        Worker { jobs, reports }
    }

    /// Queues job `number`; gives the job back when the worker has stopped.
    pub fn send(&self, number: u64, job: Job) -> Result<(), Box<Job>> {
        self.jobs
            .send((number, job))
            .map_err(|SendError((_, job))| Box::new(job))
    }

    /// The reports waiting, and whether the worker has stopped.
    pub fn reports(&self) -> (Vec<(u64, Report)>, bool) {
        let mut reports = Vec::new();
        loop {
            match self.reports.try_recv() {
                Ok(report) => reports.push(report),
                Err(TryRecvError::Empty) => return (reports, false),
                Err(TryRecvError::Disconnected) => return (reports, true),
            }
        }
    }
}
