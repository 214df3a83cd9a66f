//! The call loop: a confirmed plan's steps run in order, each call
//! announced and recorded, transient failures attempted again, the steps
//! that need a failed one held back, and the result summed up and recorded.

use super::audit::{ensure_bundle, plan_entry, Auditor};
use super::context::Context;
use super::preserve::preserve;
use crate::bundle::audit::{
    self, Attempt, CallStatus, Entry, ResultStatus, StepOutcome, StepStatus,
};
use crate::model::time::parse_time_str;
use crate::respond::cloud::{CallError, Cloud, Sent};
use crate::respond::fresh::{self, Fresh};
use crate::respond::outcome::{Outcome, Progress};
use crate::respond::plan::{ActionKind, Call, Plan, Step, StepId};
use crate::respond::{isolate, rollback, undo};
use serde_json::{json, Value};

/// How one call of a step ended, after all its attempts.
enum CallEnd {
    /// It succeeded.
    Ok,
    /// It failed: `service:Operation: message`.
    Failed(String),
    /// The interruption cut it short: a read-only sequence stopped, or a
    /// transient failure not attempted again.
    Cut(String),
    /// Its record could not be written (nothing more may be sent).
    Unrecorded(String),
}

/// One plan being run.
struct Runner<'a> {
    plan: &'a Plan,
    context: &'a Context<'a>,
    auditor: Auditor<'a>,
    /// The clients for mutating calls: one attempt each.
    once: Cloud,
    outcome: Outcome,
    confirmed_at: String,
    plan_written: bool,
    /// Why the audit log cannot be written any more.
    unrecorded: Option<String>,
    /// One line per failed step.
    failures: Vec<String>,
    /// Whether the interruption kept a step from running to its end.
    cut: bool,
}

/// Runs `plan` (already confirmed, and not refused). Never panics on AWS
/// errors: a failed step ends the plan with [`ResultStatus::Failed`].
pub async fn run(
    plan: &Plan,
    context: Context<'_>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Outcome {
    let mut outcome = Outcome {
        status: ResultStatus::Completed,
        steps: plan
            .steps
            .iter()
            .map(|step| {
                let status = if step.will_run() {
                    StepStatus::NotRun
                } else {
                    StepStatus::Skipped
                };
                StepOutcome::new(step.id.name(), status)
            })
            .collect(),
        error: None,
        interrupted_by: None,
        in_flight: None,
        after: Value::Null,
        bundle: context.bundle.to_path_buf(),
    };
    if let Some(refusal) = &plan.refused {
        outcome.status = ResultStatus::Failed;
        outcome.error = Some(format!("refused: {refusal}"));
        return outcome;
    }
    let mut runner = Runner {
        plan,
        context: &context,
        auditor: Auditor {
            bundle: context.bundle,
            plan,
            actor: &context.actor,
        },
        once: context.cloud.single_attempt(),
        outcome,
        confirmed_at: audit::now(),
        plan_written: false,
        unrecorded: None,
        failures: Vec::new(),
        cut: false,
    };
    // The plan record comes first; a bundle that does not exist yet is made
    // by the preserve step when it writes there, else created empty here.
    let bundle_path = context.bundle.display().to_string();
    let preserve_creates = plan.steps.iter().any(|s| {
        s.id == StepId::Preserve
            && s.will_run()
            && s.calls
                .iter()
                .any(|c| c.parameters["out"].as_str() == Some(bundle_path.as_str()))
    });
    if !preserve_creates || context.bundle.exists() {
        if let Err(error) = runner.write_plan() {
            runner.outcome.status = ResultStatus::Failed;
            runner.outcome.error = Some(error);
            return runner.outcome;
        }
    }
    for (index, step) in plan.steps.iter().enumerate() {
        if !step.will_run() {
            continue;
        }
        if let Some((reason, waited_for)) = runner.held_back(step) {
            runner.end(
                index,
                StepStatus::NotRun,
                Some(reason),
                waited_for,
                progress,
            );
            continue;
        }
        progress(Progress::Step(step.id));
        let (status, reason) = runner.run_step(step, progress).await;
        if status == StepStatus::Failed {
            let why = reason.as_deref().unwrap_or("unknown error");
            runner
                .failures
                .push(format!("step {} failed: {why}", step.id.name()));
        }
        if runner.context.interrupt.reason().is_some() && runner.outcome.in_flight.is_none() {
            runner.outcome.in_flight = Some(step.id.name().to_string());
        }
        runner.end(index, status, reason, None, progress);
    }
    runner.finish().await
}

impl Runner<'_> {
    fn write_plan(&mut self) -> Result<(), String> {
        ensure_bundle(self.context, self.plan)?;
        self.auditor.write(
            self.confirmed_at.clone(),
            plan_entry(self.plan, &self.context.confirmed_by),
        )?;
        self.plan_written = true;
        Ok(())
    }

    /// Why `step` must not start, and the step it waited for: the audit
    /// log is broken, the plan was interrupted, or a step it needs failed
    /// or did not run.
    fn held_back(&mut self, step: &Step) -> Option<(String, Option<String>)> {
        if self.unrecorded.is_some() {
            return Some(("the audit log could not be written".to_string(), None));
        }
        if let Some(why) = self.context.interrupt.reason() {
            self.cut = true;
            return Some((format!("not started: interrupted by {why}"), None));
        }
        step.needs.iter().find_map(|need| {
            let outcome = self.outcome.steps.iter().find(|s| s.step == need.name())?;
            let what = match outcome.status {
                StepStatus::Failed => "failed",
                StepStatus::NotRun => "did not run",
                StepStatus::Interrupted => "was interrupted",
                StepStatus::Done | StepStatus::Skipped => return None,
            };
            Some((
                format!("it needs {}, which {what}", need.name()),
                Some(need.name().to_string()),
            ))
        })
    }

    /// Records what became of step `index` and reports it.
    fn end(
        &mut self,
        index: usize,
        status: StepStatus,
        reason: Option<String>,
        waited_for: Option<String>,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) {
        let Some(outcome) = self.outcome.steps.get_mut(index) else {
            return;
        };
        outcome.status = status;
        outcome.reason.clone_from(&reason);
        outcome.waited_for = waited_for;
        if let Some(step) = self.plan.steps.get(index) {
            progress(Progress::StepEnded {
                step: step.id,
                status,
                reason,
            });
        }
    }

    /// Runs one step: the fresh read, then its calls in order.
    async fn run_step(
        &mut self,
        step: &Step,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> (StepStatus, Option<String>) {
        match fresh::check(self.context.cloud, self.plan, step.id).await {
            Fresh::Go => {}
            Fresh::Stale(why) => return (StepStatus::Failed, Some(why)),
            Fresh::Done(why) => return (StepStatus::Skipped, Some(why)),
        }
        for (sent, call) in step.calls.iter().enumerate() {
            if let Some(why) = self.context.interrupt.reason() {
                self.cut = true;
                return if sent == 0 {
                    (
                        StepStatus::NotRun,
                        Some(format!("not started: interrupted by {why}")),
                    )
                } else {
                    (
                        StepStatus::Interrupted,
                        Some(format!(
                            "interrupted by {why} after {sent} of its {} calls",
                            step.calls.len()
                        )),
                    )
                };
            }
            match self.call(step.id, call, progress).await {
                CallEnd::Ok => {}
                CallEnd::Failed(why) => return (StepStatus::Failed, Some(why)),
                CallEnd::Cut(why) => {
                    self.cut = true;
                    return (StepStatus::Interrupted, Some(why));
                }
                CallEnd::Unrecorded(why) => {
                    self.unrecorded = Some(why.clone());
                    return (StepStatus::Failed, Some(why));
                }
            }
        }
        (StepStatus::Done, None)
    }

    /// Makes one call, attempting it again after a transient failure; each
    /// attempt is announced by a `call-started` record, and the `call`
    /// record lists them all.
    async fn call(
        &mut self,
        step: StepId,
        call: &Call,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> CallEnd {
        let retry = self.context.retry;
        let mut attempts: Vec<Attempt> = Vec::new();
        let (result, cut) = loop {
            let attempt = attempts.len() as u32 + 1;
            let started = audit::now();
            if self.plan_written {
                let announced = self.auditor.write(
                    started.clone(),
                    Entry::CallStarted {
                        step: step.name().to_string(),
                        operation: call.operation.clone(),
                        parameters: call.parameters.clone(),
                        attempt,
                    },
                );
                if let Err(error) = announced {
                    return CallEnd::Unrecorded(error);
                }
            }
            let result = self.send(call, progress).await;
            if !self.plan_written {
                // The preserve step has just created the bundle (or failed
                // to: then it is created empty, to record the failure).
                if let Err(error) = self.write_plan() {
                    return CallEnd::Unrecorded(error);
                }
            }
            let failure = result.as_ref().err();
            attempts.push(Attempt {
                attempt,
                started,
                status: if failure.is_some() {
                    CallStatus::Failed
                } else {
                    CallStatus::Ok
                },
                request_id: match &result {
                    Ok(sent) => sent.request_id.clone(),
                    Err(error) => error.request_id.clone(),
                },
                error: failure.map(|e| e.message.clone()),
            });
            let again = failure.is_some_and(|e| e.transient)
                && call.is_mutating()
                && attempt < retry.attempts;
            let pause = retry.pause(attempt);
            progress(Progress::Call {
                step,
                operation: call.operation.clone(),
                status: attempts[attempts.len() - 1].status,
                detail: match &result {
                    Ok(sent) => sent
                        .request_id
                        .as_ref()
                        .map(|id| format!("request {id}"))
                        .unwrap_or_default(),
                    Err(error) if again => format!(
                        "{} (attempt {attempt} of {}; again in {} ms)",
                        error.message,
                        retry.attempts,
                        pause.as_millis()
                    ),
                    Err(error) => error.message.clone(),
                },
            });
            if !again {
                // A read-only sequence the interruption cut short.
                let cut = !call.is_mutating() && self.context.interrupt.reason().is_some();
                break (result, cut);
            }
            let interrupt = &self.context.interrupt;
            let interrupted = tokio::select! {
                () = tokio::time::sleep(pause) => false,
                () = interrupt.raised() => true,
            };
            if interrupted {
                break (result, true);
            }
        };
        let (status, request_id, error, output, parameters) = match &result {
            Ok(sent) => (
                CallStatus::Ok,
                sent.request_id.clone(),
                None,
                sent.output.clone(),
                sent.parameters.clone(),
            ),
            Err(e) => (
                CallStatus::Failed,
                e.request_id.clone(),
                Some(e.message.clone()),
                Value::Null,
                None,
            ),
        };
        let recorded = self.auditor.write(
            audit::now(),
            Entry::Call {
                step: step.name().to_string(),
                operation: call.operation.clone(),
                parameters: parameters.unwrap_or_else(|| call.parameters.clone()),
                prior: call.prior.clone(),
                request_id,
                status,
                error: error.clone(),
                output,
                attempts,
            },
        );
        let why = self.context.interrupt.reason().unwrap_or_default();
        match (recorded, error, cut) {
            (Err(unrecorded), _, _) => CallEnd::Unrecorded(unrecorded),
            (Ok(()), Some(error), true) => CallEnd::Cut(format!(
                "{}: {error}; not attempted again: interrupted by {why}",
                call.operation
            )),
            (Ok(()), None, true) => CallEnd::Cut(format!(
                "{} cut short: interrupted by {why}",
                call.operation
            )),
            (Ok(()), Some(error), false) => CallEnd::Failed(format!("{}: {error}", call.operation)),
            (Ok(()), None, false) => CallEnd::Ok,
        }
    }

    /// Sends one attempt: taskscope's own read-only sequences here, AWS
    /// calls through the single-attempt clients.
    async fn send(
        &self,
        call: &Call,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<Sent, CallError> {
        match call.operation.as_str() {
            "taskscope:collect" => preserve(call, self.context).await,
            "taskscope:follow" => self.follow(call, progress).await,
            _ => self.once.send(call).await,
        }
    }

    /// Follows a deployment, recording its service events; an interruption
    /// stops following (the deployment goes on).
    async fn follow(
        &self,
        call: &Call,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<Sent, CallError> {
        let mut unrecorded = None;
        let auditor = &self.auditor;
        let mut on_event = |at: String, message: String| {
            progress(Progress::ServiceEvent(message.clone()));
            let time = if parse_time_str(&at).is_some() {
                at.clone()
            } else {
                audit::now()
            };
            if let Err(error) = auditor.write(time, Entry::ServiceEvent { at, message }) {
                unrecorded.get_or_insert(error);
            }
        };
        let context = self.context;
        let followed = rollback::follow(context.cloud, call, context.poll_interval, &mut on_event);
        let settled = tokio::select! {
            settled = followed => settled.map_err(CallError::local)?,
            () = context.interrupt.raised() => {
                return Err(CallError::local(
                    "stopped following; the deployment goes on: see the service's events",
                ))
            }
        };
        if let Some(error) = unrecorded {
            return Err(CallError::local(error));
        }
        match settled {
            rollback::Settled::Steady => Ok(Sent {
                request_id: None,
                output: json!({"settled": "steady"}),
                parameters: None,
            }),
            rollback::Settled::Failed(reason) => {
                Err(CallError::local(format!("the deployment failed: {reason}")))
            }
        }
    }

    /// Reads the state after, sums up the outcome and writes the result.
    async fn finish(self) -> Outcome {
        let Runner {
            plan,
            context,
            auditor,
            mut outcome,
            plan_written,
            unrecorded,
            mut failures,
            cut,
            ..
        } = self;
        if let Some(error) = unrecorded {
            if !failures.iter().any(|f| f.contains(&error)) {
                failures.push(error);
            }
        }
        if cut {
            let why = context.interrupt.reason().unwrap_or_default();
            let not_started: Vec<&str> = outcome
                .steps
                .iter()
                .filter(|s| s.status == StepStatus::NotRun)
                .map(|s| s.step.as_str())
                .collect();
            let mut line = format!("interrupted by {why}");
            if let Some(step) = &outcome.in_flight {
                line.push_str(&format!(" while {step} ran"));
            }
            if !not_started.is_empty() {
                line.push_str(&format!("; not started: {}", not_started.join(", ")));
            }
            failures.insert(0, line);
            outcome.status = ResultStatus::Interrupted;
            outcome.interrupted_by = Some(why);
        } else {
            outcome.in_flight = None;
            if !failures.is_empty() {
                outcome.status = ResultStatus::Failed;
            }
        }
        if !failures.is_empty() {
            outcome.error = Some(failures.join("; "));
        }
        outcome.after = match plan.action {
            ActionKind::Isolate => isolate::state_after(context.cloud, plan).await,
            ActionKind::Rollback => rollback::state_after(context.cloud, plan).await,
            ActionKind::Undo => undo::state_after(context.cloud, plan).await,
        };
        if plan_written {
            let written = auditor.write(
                audit::now(),
                Entry::Result {
                    status: outcome.status,
                    steps: outcome.steps.clone(),
                    error: outcome.error.clone(),
                    interrupted_by: outcome.interrupted_by.clone(),
                    in_flight: outcome.in_flight.clone(),
                    after: outcome.after.clone(),
                },
            );
            if let Err(error) = written {
                if outcome.status == ResultStatus::Completed {
                    outcome.status = ResultStatus::Failed;
                }
                let previous = outcome.error.take();
                outcome.error = Some(previous.map_or(error.clone(), |p| format!("{p}; {error}")));
            }
        }
        outcome
    }
}
