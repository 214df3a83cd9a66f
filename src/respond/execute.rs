//! Running a confirmed plan: its selected steps in order, each call sent as
//! planned and written to the audit log as soon as it returns. The first
//! failure stops the plan; the result record then says which steps happened
//! and what AWS looks like now.

use super::cloud::{CallError, Cloud, Sent};
use super::plan::{ActionKind, Call, Plan, StepId};
use super::{isolate, rollback, undo};
use crate::bundle::audit::{
    self, Actor, CallStatus, Entry, Record, ResultStatus, StepOutcome, StepStatus,
};
use crate::bundle::growing::GrowingBundle;
use crate::bundle::manifest::{CollectRequest, CollectionState};
use crate::bundle::write::sha256_hex;
use crate::collect::aws::Connection;
use crate::collect::run::prepare_checked;
use crate::collect::Scope;
use crate::model::time::{format_time, parse_time_str};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the executor reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A step started.
    Step(StepId),
    /// A call returned.
    Call {
        /// Its step.
        step: StepId,
        /// `service:Operation`.
        operation: String,
        /// How it ended.
        status: CallStatus,
        /// The request ID, or why it failed.
        detail: String,
    },
    /// A service event seen while following a deployment.
    ServiceEvent(String),
}

/// How a plan ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Completed or failed.
    pub status: ResultStatus,
    /// Every step of the plan, in order.
    pub steps: Vec<StepOutcome>,
    /// Why it failed.
    pub error: Option<String>,
    /// The state read after the last call.
    pub after: Value,
    /// The bundle holding the audit record.
    pub bundle: PathBuf,
}

/// Everything the executor needs besides the plan.
pub struct Context<'a> {
    /// The clients.
    pub cloud: &'a Cloud,
    /// Credentials and endpoint, named in a preserved bundle's manifest.
    pub connection: &'a Connection,
    /// The configuration the clients were made from, with its account: the
    /// preserve step collects with it.
    pub config: &'a (aws_config::SdkConfig, String),
    /// The bundle that receives the audit record; created when missing.
    pub bundle: &'a Path,
    /// Who acts.
    pub actor: Actor,
    /// How the plan was confirmed.
    pub confirmed_by: String,
    /// How often a deployment is polled while following it.
    pub poll_interval: Duration,
}

/// Writes audit records for one plan.
struct Auditor<'a> {
    bundle: &'a Path,
    plan: &'a Plan,
    actor: &'a Actor,
}

impl Auditor<'_> {
    fn write(&self, time: String, entry: Entry) -> Result<(), String> {
        let target = self
            .plan
            .target
            .task_arn
            .clone()
            .or_else(|| self.plan.target.service.clone())
            .unwrap_or_default();
        let mut task_definitions = Vec::new();
        if self.plan.action == ActionKind::Rollback {
            for key in ["taskDefinition", "targetTaskDefinition"] {
                if let Some(arn) = self.plan.before[key].as_str() {
                    task_definitions.push(arn.to_string());
                }
            }
        }
        let record = Record {
            time,
            plan_id: self.plan.id.clone(),
            action: self.plan.action.name().to_string(),
            actor: self.actor.clone(),
            target,
            task_definitions,
            entry,
        };
        audit::append(self.bundle, &record).map_err(|e| {
            format!(
                "the audit log of {} could not be written ({e}); nothing further was done",
                self.bundle.display()
            )
        })
    }
}

/// Runs `plan` (already confirmed, and not refused). Never panics on AWS
/// errors: they end the plan with [`ResultStatus::Failed`].
pub async fn run(
    plan: &Plan,
    context: Context<'_>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Outcome {
    let confirmed_at = audit::now();
    let mut outcome = Outcome {
        status: ResultStatus::Completed,
        steps: plan
            .steps
            .iter()
            .map(|step| StepOutcome {
                step: step.id.name().to_string(),
                status: if step.will_run() {
                    StepStatus::NotRun
                } else {
                    StepStatus::Skipped
                },
            })
            .collect(),
        error: None,
        after: Value::Null,
        bundle: context.bundle.to_path_buf(),
    };
    let fail = |outcome: &mut Outcome, error: String| {
        outcome.status = ResultStatus::Failed;
        outcome.error = Some(error);
    };
    if let Some(refusal) = &plan.refused {
        fail(&mut outcome, format!("refused: {refusal}"));
        return outcome;
    }
    let auditor = Auditor {
        bundle: context.bundle,
        plan,
        actor: &context.actor,
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
    let mut plan_written = false;
    if !preserve_creates || context.bundle.exists() {
        if let Err(error) = ensure_bundle(&context, plan).and_then(|()| {
            auditor.write(
                confirmed_at.clone(),
                plan_entry(plan, &context.confirmed_by),
            )
        }) {
            fail(&mut outcome, error);
            return outcome;
        }
        plan_written = true;
    }
    'steps: for (index, step) in plan.steps.iter().enumerate() {
        if !step.will_run() {
            continue;
        }
        progress(Progress::Step(step.id));
        for call in &step.calls {
            let started = audit::now();
            let result = send(call, &context, &auditor, progress).await;
            if !plan_written {
                // The preserve step has just created the bundle (or failed
                // to: then it is created empty, to record the failure).
                let written = ensure_bundle(&context, plan).and_then(|()| {
                    auditor.write(
                        confirmed_at.clone(),
                        plan_entry(plan, &context.confirmed_by),
                    )
                });
                if let Err(error) = written {
                    fail(&mut outcome, error);
                    break 'steps;
                }
                plan_written = true;
            }
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
            progress(Progress::Call {
                step: step.id,
                operation: call.operation.clone(),
                status,
                detail: error
                    .clone()
                    .or_else(|| request_id.as_ref().map(|id| format!("request {id}")))
                    .unwrap_or_default(),
            });
            let recorded = auditor.write(
                started,
                Entry::Call {
                    step: step.id.name().to_string(),
                    operation: call.operation.clone(),
                    parameters: parameters.unwrap_or_else(|| call.parameters.clone()),
                    prior: call.prior.clone(),
                    request_id,
                    status,
                    error: error.clone(),
                    output,
                },
            );
            if let Some(error) = error {
                outcome.steps[index].status = StepStatus::Failed;
                fail(
                    &mut outcome,
                    format!(
                        "step {} failed at {}: {error}",
                        step.id.name(),
                        call.operation
                    ),
                );
                break 'steps;
            }
            if let Err(error) = recorded {
                outcome.steps[index].status = StepStatus::Failed;
                fail(&mut outcome, error);
                break 'steps;
            }
        }
        outcome.steps[index].status = StepStatus::Done;
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
                after: outcome.after.clone(),
            },
        );
        if let Err(error) = written {
            let previous = outcome.error.take();
            fail(
                &mut outcome,
                previous.map_or(error.clone(), |p| format!("{p}; {error}")),
            );
        }
    }
    outcome
}

fn plan_entry(plan: &Plan, confirmed_by: &str) -> Entry {
    Entry::Plan {
        plan: serde_json::to_value(plan).unwrap_or_default(),
        confirmed_by: confirmed_by.to_string(),
    }
}

/// Creates the audit bundle, empty and sealed, when it does not exist.
fn ensure_bundle(context: &Context<'_>, plan: &Plan) -> Result<(), String> {
    if context.bundle.exists() {
        return Ok(());
    }
    let now = audit::now();
    let request = CollectRequest {
        profile: context.connection.profile.clone(),
        accounts: vec![plan.target.account.clone()],
        regions: vec![plan.target.region.clone()],
        cluster: Some(plan.target.cluster.clone()),
        service: plan.target.service.clone(),
        task: plan.target.task_arn.clone(),
        from: now.clone(),
        to: now,
        endpoint_url: context.connection.endpoint_url.clone(),
    };
    GrowingBundle::create_for(context.bundle, "respond", request)
        .and_then(|bundle| bundle.finish(CollectionState::Complete))
        .map(|_| ())
        .map_err(|e| {
            format!(
                "{}: cannot create the bundle: {e}",
                context.bundle.display()
            )
        })
}

async fn send(
    call: &Call,
    context: &Context<'_>,
    auditor: &Auditor<'_>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Sent, CallError> {
    match call.operation.as_str() {
        "taskscope:collect" => preserve(call, context).await,
        "taskscope:follow" => {
            let mut unrecorded = None;
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
            let settled =
                rollback::follow(context.cloud, call, context.poll_interval, &mut on_event)
                    .await
                    .map_err(CallError::local)?;
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
        _ => context.cloud.send(call).await,
    }
}

/// Collects the task's evidence into a new bundle and seals it.
async fn preserve(call: &Call, context: &Context<'_>) -> Result<Sent, CallError> {
    let p = &call.parameters;
    let (Some(out), Some(task)) = (p["out"].as_str(), p["task"].as_str()) else {
        return Err(CallError::local("the plan's preserve step lacks its task"));
    };
    let now = chrono::Utc::now();
    let since = p["since"]
        .as_str()
        .and_then(parse_time_str)
        .unwrap_or(now - chrono::TimeDelta::hours(24));
    let scope = Scope {
        cluster: p["cluster"].as_str().map(str::to_string),
        service: None,
        task: Some(task.to_string()),
        from: since,
        to: now,
        log_groups: Vec::new(),
        archive_log_group: None,
    };
    let out = PathBuf::from(out);
    let checked = vec![context.config.clone()];
    let prepared = prepare_checked(context.connection, checked, scope, &out, |_| {})
        .map_err(|e| CallError::local(format!("preserve: {e}")))?;
    let (manifest, _) = prepared
        .run(std::future::pending(), || {})
        .await
        .map_err(|e| CallError::local(format!("preserve: {e}")))?;
    let manifest_bytes = std::fs::read(out.join(crate::bundle::manifest::MANIFEST_FILE))
        .map_err(|e| CallError::local(format!("preserve: cannot read the manifest: {e}")))?;
    let incomplete: Vec<String> = manifest
        .collection
        .source_reports
        .iter()
        .filter(|r| r.status != crate::bundle::manifest::SourceStatus::Complete)
        .map(|r| format!("{} {}", r.source, r.region))
        .collect();
    Ok(Sent {
        request_id: None,
        output: json!({
            "bundle": out.display().to_string(),
            "sealedManifestSha256": sha256_hex(&manifest_bytes),
            "artifacts": manifest.artifacts.len(),
            "sealedAt": format_time(&chrono::Utc::now()),
            "partialSources": incomplete,
        }),
        parameters: None,
    })
}
