//! A scripted responder for the console's action tests, and synthetic plans
//! and outcomes for it to return. It records every request and every plan it
//! is asked to apply; `apply` writes the plan's audit records into the
//! bundle as the real responder does, reports the scripted progress, then
//! can wait for the test (to draw the progress screen mid-way) before
//! returning the scripted outcome.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use taskscope::bundle::audit::{
    self, Actor, CallStatus, Entry, Record, ResultStatus, StepOutcome, StepStatus,
};
use taskscope::respond::outcome::{Outcome, Progress};
use taskscope::respond::plan::{ActionKind, Call, DiffLine, Step, StepId, Target};
use taskscope::respond::request::ActionRequest;
use taskscope::respond::{Interrupt, Plan, Responder};
use taskscope::tui::app::App;
use taskscope::tui::popups::Popup;
use taskscope::tui::respond::flow::Stage;
use taskscope::tui::respond::ActionAccess;

/// The demo's compromised task, as the synthetic isolation plan names it.
pub const TASK_ARN: &str =
    "arn:aws:ecs:us-east-1:111122223333:task/payments-prod/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";

/// The bundle path the scripted outcomes name (fixed, for snapshots).
pub const OUTCOME_BUNDLE: &str = "/cases/inc-2211";

/// A plan the test applied, as the responder received it.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The plan, with the steps as selected on screen.
    pub plan: Plan,
    /// The bundle for the audit record.
    pub bundle: PathBuf,
    /// How it was confirmed.
    pub confirmed_by: String,
}

/// Everything the responder was asked.
#[derive(Debug, Default)]
pub struct Calls {
    /// Responders made (connections to "AWS").
    pub connects: usize,
    /// Requests planned.
    pub planned: Vec<ActionRequest>,
    /// Plans applied.
    pub applied: Vec<Applied>,
    /// `apply` has reported its progress and waits for the gate.
    pub holding: bool,
    /// Why the plan was asked to stop, as `apply` saw it when released.
    pub interrupted_by: Option<String>,
}

/// What the responder answers.
pub struct Script {
    /// The plan, or the planning error.
    pub plan: Result<Plan, String>,
    /// Progress reported by `apply`, in order.
    pub progress: Vec<Progress>,
    /// The outcome `apply` returns.
    pub outcome: Outcome,
}

struct Shared {
    script: Script,
    calls: Mutex<Calls>,
    gate: Mutex<Option<Receiver<()>>>,
}

struct Scripted(Arc<Shared>);

impl Responder for Scripted {
    fn plan(&mut self, request: &ActionRequest) -> anyhow::Result<Plan> {
        self.0.calls.lock().unwrap().planned.push(request.clone());
        self.0.script.plan.clone().map_err(anyhow::Error::msg)
    }

    fn apply(
        &mut self,
        plan: &Plan,
        bundle: &Path,
        confirmed_by: &str,
        interrupt: &Interrupt,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Outcome {
        self.0.calls.lock().unwrap().applied.push(Applied {
            plan: plan.clone(),
            bundle: bundle.to_path_buf(),
            confirmed_by: confirmed_by.to_string(),
        });
        let outcome = &self.0.script.outcome;
        let entries = [
            Entry::Plan {
                plan: serde_json::to_value(plan).unwrap(),
                confirmed_by: confirmed_by.to_string(),
            },
            Entry::Result {
                status: outcome.status,
                steps: outcome.steps.clone(),
                error: outcome.error.clone(),
                interrupted_by: outcome.interrupted_by.clone(),
                in_flight: outcome.in_flight.clone(),
                after: outcome.after.clone(),
            },
        ];
        for entry in entries {
            let record = Record {
                time: "2026-11-20T15:00:00Z".into(),
                plan_id: plan.id.clone(),
                action: plan.action.name().into(),
                actor: Actor {
                    caller: "arn:aws:sts::111122223333:assumed-role/ir/tester".into(),
                    user: "tester".into(),
                },
                target: plan
                    .target
                    .task_arn
                    .clone()
                    .or(plan.target.service.clone())
                    .unwrap_or_default(),
                task_definitions: Vec::new(),
                entry,
            };
            audit::append(bundle, &record).unwrap();
        }
        for line in &self.0.script.progress {
            progress(line.clone());
        }
        let gate = self.0.gate.lock().unwrap().take();
        if let Some(gate) = gate {
            self.0.calls.lock().unwrap().holding = true;
            let _ = gate.recv();
        }
        self.0.calls.lock().unwrap().interrupted_by = interrupt.reason();
        self.0.script.outcome.clone()
    }
}

/// The responder's side of a test: what it was asked, and its gate.
pub struct Fake {
    shared: Arc<Shared>,
    gate: Option<Sender<()>>,
}

impl Fake {
    /// A responder answering with `script`; with `hold`, `apply` waits after
    /// its progress until [`Fake::release`].
    pub fn new(script: Script, hold: bool) -> Fake {
        let (sender, receiver) = mpsc::channel();
        let shared = Arc::new(Shared {
            script,
            calls: Mutex::new(Calls::default()),
            gate: Mutex::new(hold.then_some(receiver)),
        });
        Fake {
            shared,
            gate: hold.then_some(sender),
        }
    }

    /// Access for the console: each connection is a responder of this script.
    pub fn access(&self) -> ActionAccess {
        let shared = Arc::clone(&self.shared);
        ActionAccess::new(move || {
            shared.calls.lock().unwrap().connects += 1;
            Ok(Box::new(Scripted(Arc::clone(&shared))) as Box<dyn Responder>)
        })
    }

    /// What the responder was asked so far.
    pub fn calls(&self) -> std::sync::MutexGuard<'_, Calls> {
        self.shared.calls.lock().unwrap()
    }

    /// Lets a held `apply` return its outcome.
    pub fn release(&mut self) {
        if let Some(gate) = self.gate.take() {
            let _ = gate.send(());
        }
    }
}

/// The stage of the action popup on screen, if any.
pub fn stage(app: &App) -> Option<&Stage> {
    match &app.popup {
        Some(Popup::Action(flow)) => Some(&flow.stage),
        _ => None,
    }
}

/// Takes in the worker's reports until `done` holds (at most 10 s).
pub fn wait_until(app: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        app.poll_actions();
        if done(app) {
            return;
        }
        assert!(Instant::now() < deadline, "never {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits for the plan screen.
pub fn wait_for_plan(app: &mut App) {
    wait_until(app, "showed the plan", |app| {
        matches!(stage(app), Some(Stage::Plan(_)))
    });
}

/// Waits for the result screen.
pub fn wait_for_result(app: &mut App) {
    wait_until(app, "showed the result", |app| {
        matches!(stage(app), Some(Stage::Finished { .. }))
    });
}

fn target(task: bool) -> Target {
    Target {
        region: "us-east-1".into(),
        account: "111122223333".into(),
        caller: "arn:aws:sts::111122223333:assumed-role/ir/tester".into(),
        cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/payments-prod".into(),
        task_arn: task.then(|| TASK_ARN.to_string()),
        service: Some("checkout-api".into()),
    }
}

/// An isolation of the demo's compromised task: most steps selected, one
/// unavailable, one offered unselected, with blast radius and a warning.
pub fn isolate_plan() -> Plan {
    let cluster = "payments-prod";
    let task = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
    Plan {
        action: ActionKind::Isolate,
        id: "isolate-3f9c2d7e-20261120T150000Z".into(),
        created: "2026-11-20T15:00:00Z".into(),
        target: target(true),
        confirm_with: "3f9c2d7e".into(),
        steps: vec![
            Step::new(
                StepId::Preserve,
                "collect the task's evidence into a sealed bundle",
                vec![Call::new(
                    "taskscope:collect",
                    json!({"cluster": cluster, "task": task, "out": "/cases/inc-2211.preserve-3f9c2d7e-20261120T150000Z", "since": "2026-11-20T12:01:31Z"}),
                )],
            )
            .with_blast_radius("none: read calls only"),
            Step::new(
                StepId::Protect,
                "protect the task from scale-in for 120 minutes",
                vec![Call::new(
                    "ecs:UpdateTaskProtection",
                    json!({"cluster": cluster, "tasks": [task], "protectionEnabled": true, "expiresInMinutes": 120}),
                )],
            )
            .with_blast_radius("this task, and the service's deployments"),
            Step::unavailable(
                StepId::Detach,
                "deregister the task's IP from its target groups",
                "no target group holds 10.0.1.23",
            ),
            Step::new(
                StepId::ContainNacl,
                "deny 10.0.1.23 in the subnet's network ACL",
                vec![
                    Call::new(
                        "ec2:CreateNetworkAclEntry",
                        json!({"NetworkAclId": "acl-0a1b2c3d", "RuleNumber": 2, "Egress": false, "RuleAction": "deny", "CidrBlock": "10.0.1.23/32", "Protocol": "-1"}),
                    ),
                    Call::new(
                        "ec2:CreateNetworkAclEntry",
                        json!({"NetworkAclId": "acl-0a1b2c3d", "RuleNumber": 2, "Egress": true, "RuleAction": "deny", "CidrBlock": "10.0.1.23/32", "Protocol": "-1"}),
                    ),
                ],
            )
            .with_blast_radius("the subnet's ACL; the entries match only 10.0.1.23"),
            Step::new(
                StepId::ContainGroup,
                "revoke every rule of sg-0c0ffee (used by this task alone)",
                vec![Call::new(
                    "ec2:RevokeSecurityGroupIngress",
                    json!({"GroupId": "sg-0c0ffee", "SecurityGroupRuleIds": ["sgr-01"]}),
                )],
            )
            .deselected(),
            Step::new(
                StepId::Revoke,
                "deny the task role's sessions issued before 15:00:00Z",
                vec![Call::new(
                    "iam:PutRolePolicy",
                    json!({"RoleName": "checkout-task-role", "PolicyName": "taskscope-revoke-sessions-3f9c2d7e"}),
                )],
            )
            .with_blast_radius("every task using checkout-task-role"),
            Step::new(
                StepId::Stop,
                "stop the task",
                vec![Call::new(
                    "ecs:StopTask",
                    json!({"cluster": cluster, "task": task, "reason": "taskscope isolate (no incident ID) by tester"}),
                )],
            ),
        ],
        warnings: vec![
            "revoke: every task and service using checkout-task-role loses the credentials it holds"
                .into(),
        ],
        refused: None,
        diff: Vec::new(),
        before: json!({"lastStatus": "RUNNING"}),
    }
}

/// A rollback of checkout-api to revision 40, with the comparison.
pub fn rollback_plan() -> Plan {
    let definition = "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout-api";
    Plan {
        action: ActionKind::Rollback,
        id: "rollback-checkout-api-20261120T150000Z".into(),
        created: "2026-11-20T15:00:00Z".into(),
        target: target(false),
        confirm_with: "checkout-api".into(),
        steps: vec![
            Step::new(
                StepId::Rollback,
                "update the service to checkout-api:40",
                vec![Call::new(
                    "ecs:UpdateService",
                    json!({"cluster": "payments-prod", "service": "checkout-api", "taskDefinition": format!("{definition}:40")}),
                )],
            )
            .with_blast_radius("every task of checkout-api is replaced"),
            Step::new(
                StepId::Follow,
                "follow the deployment for up to 10 minutes",
                vec![Call::new(
                    "taskscope:follow",
                    json!({"cluster": "payments-prod", "service": "checkout-api", "timeoutSeconds": 600}),
                )],
            ),
        ],
        warnings: Vec::new(),
        refused: None,
        diff: vec![
            DiffLine {
                field: "app image".into(),
                current: "checkout@sha256:9f2c41d0".into(),
                target: "checkout@sha256:1a7be3c5".into(),
            },
            DiffLine {
                field: "task role".into(),
                current: "checkout-task-role".into(),
                target: "checkout-task-role".into(),
            },
            DiffLine {
                field: "app command".into(),
                current: "[\"/bin/sh\",\"-c\",\"curl x | sh\"]".into(),
                target: "[\"node\",\"server.js\"]".into(),
            },
        ],
        before: json!({"taskDefinition": format!("{definition}:41")}),
    }
}

/// The rollback refused: its target runs the digest under suspicion.
pub fn refused_rollback_plan() -> Plan {
    let mut plan = rollback_plan();
    plan.diff[0].target = plan.diff[0].current.clone();
    plan.refused = Some(
        "checkout-api:40 runs app image sha256:9f2c41d0, the digest of the tasks under suspicion"
            .into(),
    );
    plan
}

/// Progress of the isolation: preserve and protect done, contain-nacl
/// running with one call back.
pub fn isolate_progress_midway() -> Vec<Progress> {
    let call = |step, operation: &str, detail: &str| Progress::Call {
        step,
        operation: operation.into(),
        status: CallStatus::Ok,
        detail: detail.into(),
    };
    let done = |step| Progress::StepEnded {
        step,
        status: StepStatus::Done,
        reason: None,
    };
    vec![
        Progress::Step(StepId::Preserve),
        call(
            StepId::Preserve,
            "taskscope:collect",
            "bundle /cases/inc-2211.preserve-3f9c2d7e-20261120T150000Z",
        ),
        done(StepId::Preserve),
        Progress::Step(StepId::Protect),
        call(
            StepId::Protect,
            "ecs:UpdateTaskProtection",
            "request 6f1d2a4c-0000-4000-8000-000000000001",
        ),
        done(StepId::Protect),
        Progress::Step(StepId::ContainNacl),
        call(
            StepId::ContainNacl,
            "ec2:CreateNetworkAclEntry",
            "request 6f1d2a4c-0000-4000-8000-000000000002",
        ),
    ]
}

/// The outcome of an isolation: completed, or failed at `revoke`.
pub fn isolate_outcome(status: ResultStatus) -> Outcome {
    let step = StepOutcome::new;
    let failed = status == ResultStatus::Failed;
    // A failed revoke does not hold back stop: it needs nothing.
    let revoke = if failed {
        StepOutcome {
            reason: Some(
                "iam:PutRolePolicy: AccessDenied: not authorized to perform iam:PutRolePolicy"
                    .into(),
            ),
            ..step("revoke", StepStatus::Failed)
        }
    } else {
        step("revoke", StepStatus::Done)
    };
    Outcome {
        status,
        steps: vec![
            step("preserve", StepStatus::Done),
            step("protect", StepStatus::Done),
            step("detach", StepStatus::Skipped),
            step("contain-nacl", StepStatus::Done),
            step("contain-group", StepStatus::Skipped),
            revoke,
            step("stop", StepStatus::Done),
        ],
        error: failed.then(|| {
            "step revoke failed: iam:PutRolePolicy: AccessDenied: not authorized to perform iam:PutRolePolicy".into()
        }),
        interrupted_by: None,
        in_flight: None,
        after: json!({"lastStatus": "STOPPED", "stoppedReason": "taskscope isolate (no incident ID) by tester"}),
        bundle: PathBuf::from(OUTCOME_BUNDLE),
    }
}

/// A script answering with `plan`, the isolation's progress and `outcome`.
pub fn script(plan: Plan, outcome: Outcome) -> Script {
    Script {
        plan: Ok(plan),
        progress: isolate_progress_midway(),
        outcome,
    }
}
