//! Rolling back a deployment in progress with StopServiceDeployment(ROLLBACK),
//! which moto 5.2.5 does not implement (nor ListServiceDeployments or
//! DescribeServiceRevisions): every response here is replayed through the
//! real SDK clients, in the services' wire format, with synthetic bodies
//! built from the API shapes in shared/docs/aws-facts.md.

#[path = "aws/replay.rs"]
mod replay;

use aws_config::SdkConfig;
use aws_smithy_types::body::SdkBody;
use replay::{json_response, Replay};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use taskscope::bundle::audit::{self, Entry, ResultStatus};
use taskscope::bundle::Bundle;
use taskscope::collect::aws::Connection;
use taskscope::respond::outcome::Progress;
use taskscope::respond::plan::StepId;
use taskscope::respond::request::ActionRequest;
use taskscope::respond::request::RollbackRequest;
use taskscope::respond::suspects::RollbackHistory;
use taskscope::respond::{AwsResponder, Interrupt, Responder};

const ACCOUNT: &str = "123456789012";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:ecs:us-east-1:{ACCOUNT}:{kind}/{name}")
}

fn definition(revision: u32, digest_char: char, environment: &[&str]) -> Value {
    json!({"taskDefinition": {
        "taskDefinitionArn": arn("task-definition", &format!("web:{revision}")),
        "family": "web",
        "revision": revision,
        "taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/web-task-role"),
        "containerDefinitions": [{
            "name": "app",
            "image": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web@sha256:{}", digest_char.to_string().repeat(64)),
            "environment": environment.iter().map(|n| json!({"name": n, "value": "x"})).collect::<Vec<_>>(),
        }],
    }})
}

/// The service: rolling out web:3 (until the rollback is asked for), then
/// steady on web:2, with the events ECS writes meanwhile.
fn service(rolled_back: bool) -> Value {
    let deployments = if rolled_back {
        json!([{"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": arn("task-definition", "web:2"),
                "rolloutState": "COMPLETED", "desiredCount": 2, "runningCount": 2}])
    } else {
        json!([
            {"id": "ecs-svc/3", "status": "PRIMARY", "taskDefinition": arn("task-definition", "web:3"),
             "rolloutState": "IN_PROGRESS", "desiredCount": 2, "runningCount": 1},
            {"id": "ecs-svc/2", "status": "ACTIVE", "taskDefinition": arn("task-definition", "web:2"),
             "rolloutState": "COMPLETED", "desiredCount": 2, "runningCount": 1}
        ])
    };
    let events = if rolled_back {
        json!([
            {"id": "e2", "createdAt": 1_790_000_060.0, "message": "(service web-svc) has reached a steady state."},
            {"id": "e1", "createdAt": 1_790_000_030.0, "message": "(service web-svc) rolling back deployment ecs-svc/3."}
        ])
    } else {
        json!([])
    };
    json!({"services": [{
        "serviceName": "web-svc",
        "serviceArn": arn("service", "prod/web-svc"),
        "status": "ACTIVE",
        "taskDefinition": arn("task-definition", if rolled_back { "web:2" } else { "web:3" }),
        "desiredCount": 2,
        "runningCount": if rolled_back { 2 } else { 1 },
        "deploymentController": {"type": "ECS"},
        "deployments": deployments,
        "events": events,
    }], "failures": []})
}

fn sts_identity() -> http::Response<SdkBody> {
    http::Response::builder()
        .status(200)
        .header("content-type", "text/xml")
        .body(SdkBody::from(format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/responder/me</Arn>\
             <UserId>AROAEXAMPLE:me</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        )))
        .unwrap()
}

/// Answers every request of a rollback plan and its execution; records
/// each StopServiceDeployment body.
fn replayed(stops: Arc<Mutex<Vec<Value>>>) -> SdkConfig {
    let rolled_back = Arc::new(AtomicBool::new(false));
    let client = Replay::only(move |request| {
        let operation = replay::operation(request);
        let body: Value = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        let ok = |value: Value| Some(json_response(200, &value));
        match operation.as_str() {
            "GetCallerIdentity" => Some(sts_identity()),
            "DescribeServices" => ok(service(rolled_back.load(Ordering::SeqCst))),
            "DescribeTaskDefinition" => match body["taskDefinition"].as_str() {
                Some(d) if d.ends_with("web:3") => ok(definition(3, 'c', &["STAGE", "DEBUG"])),
                _ => ok(definition(2, '2', &["STAGE"])),
            },
            "ListServiceDeployments" => match body["status"][0].as_str() {
                Some("IN_PROGRESS") => ok(json!({"serviceDeployments": [{
                    "serviceDeploymentArn": arn("service-deployment", "prod/web-svc/dep3"),
                    "status": "IN_PROGRESS",
                    "targetServiceRevisionArn": arn("service-revision", "prod/web-svc/3"),
                }]})),
                _ => ok(json!({"serviceDeployments": [{
                    "serviceDeploymentArn": arn("service-deployment", "prod/web-svc/dep2"),
                    "status": "SUCCESSFUL",
                    "finishedAt": 1_789_990_000.0,
                    "targetServiceRevisionArn": arn("service-revision", "prod/web-svc/2"),
                }]})),
            },
            "DescribeServiceRevisions" => ok(json!({"serviceRevisions": [{
                "serviceRevisionArn": arn("service-revision", "prod/web-svc/2"),
                "taskDefinition": arn("task-definition", "web:2"),
            }], "failures": []})),
            "ListTasks" => ok(json!({"taskArns": []})),
            "StopServiceDeployment" => {
                stops.lock().unwrap().push(body.clone());
                rolled_back.store(true, Ordering::SeqCst);
                ok(json!({"serviceDeploymentArn": body["serviceDeploymentArn"]}))
            }
            _ => None,
        }
    });
    replay::config(client, 1)
}

#[test]
fn a_deployment_in_progress_is_stopped_with_rollback_and_followed() {
    let stops = Arc::new(Mutex::new(Vec::new()));
    let connection = Connection::default();
    let mut responder =
        AwsResponder::from_config(replayed(stops.clone()), &connection, "tester".into()).unwrap();
    responder.poll_interval = Duration::from_millis(10);
    let request = ActionRequest::Rollback(RollbackRequest {
        cluster: "prod".into(),
        service: "web-svc".into(),
        to: None,
        allow_same_digest: false,
        follow_timeout: Duration::from_secs(5),
        history: RollbackHistory::default(),
    });
    let plan = responder.plan(&request).unwrap();
    assert_eq!(plan.refused, None, "web:2 pins another digest");
    assert_eq!(plan.confirm_with, "web-svc");
    let rollback = plan
        .steps
        .iter()
        .find(|s| s.id == StepId::Rollback)
        .unwrap();
    assert_eq!(rollback.calls[0].operation, "ecs:StopServiceDeployment");
    assert_eq!(
        plan.before["targetTaskDefinition"],
        arn("task-definition", "web:2")
    );
    let changed: Vec<String> = plan
        .diff
        .iter()
        .filter(|line| line.changed())
        .map(|line| line.field.clone())
        .collect();
    assert_eq!(changed, ["revision", "app image", "app environment"]);

    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("rollback");
    let mut events = Vec::new();
    let outcome = responder.apply(
        &plan,
        &bundle,
        "typed web-svc",
        &Interrupt::new(),
        &mut |progress| events.push(progress),
    );
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    assert!(
        events.contains(&Progress::ServiceEvent(
            "(service web-svc) has reached a steady state.".into()
        )),
        "progress streams the service events: {events:?}"
    );
    assert_eq!(
        *stops.lock().unwrap(),
        [
            json!({"serviceDeploymentArn": arn("service-deployment", "prod/web-svc/dep3"), "stopType": "ROLLBACK"})
        ]
    );
    assert_eq!(
        outcome.after["taskDefinition"],
        arn("task-definition", "web:2")
    );

    let opened = Bundle::open(&bundle).unwrap();
    let (records, problems) = audit::load(&opened);
    assert!(problems.is_empty(), "{problems:?}");
    let messages: Vec<&str> = records
        .iter()
        .filter_map(|(_, r)| match &r.entry {
            Entry::ServiceEvent { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        messages,
        [
            "(service web-svc) rolling back deployment ecs-svc/3.",
            "(service web-svc) has reached a steady state."
        ],
        "service events, oldest first"
    );
    match &records[0].1.entry {
        Entry::Plan { confirmed_by, .. } => assert_eq!(confirmed_by, "typed web-svc"),
        other => panic!("the plan comes first, not {other:?}"),
    }
}

/// An ECS the rollback re-run tests replay, changed by the test between
/// runs: a `web-svc` service of family `web`, whose images go by tag.
#[derive(Default)]
struct World {
    /// DescribeServices answers (the service object), in order; the last
    /// one repeats.
    services: VecDeque<Value>,
    /// The answers DescribeServices gives after an UpdateService.
    after_update: Vec<Value>,
    /// The service UpdateService returns.
    updated: Value,
    /// The deployment in progress ListServiceDeployments names.
    in_progress: Option<String>,
    /// Successful deployments (briefs).
    successful: Vec<Value>,
    /// Service revisions.
    revisions: Vec<Value>,
    /// The service's running tasks.
    tasks: Vec<Value>,
    /// Every mutating call, with its body.
    calls: Vec<(String, Value)>,
}

fn web(revision: u32) -> String {
    arn("task-definition", &format!("web:{revision}"))
}

fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

/// The service on `task_definition`, with `deployments` (id, status,
/// revision, rollout state) and ECS's circuit breaker rollback or not.
fn web_service(revision: u32, deployments: &[(&str, &str, u32, &str)], breaker: bool) -> Value {
    let steady = deployments.len() == 1 && deployments[0].3 == "COMPLETED";
    json!({
        "serviceName": "web-svc",
        "serviceArn": arn("service", "prod/web-svc"),
        "status": "ACTIVE",
        "taskDefinition": web(revision),
        "desiredCount": 2,
        "runningCount": if steady { 2 } else { 1 },
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": breaker, "rollback": breaker},
            "maximumPercent": 200, "minimumHealthyPercent": 100
        },
        "deployments": deployments.iter().map(|(id, status, revision, rollout)| json!({
            "id": id, "status": status, "taskDefinition": web(*revision),
            "rolloutState": rollout, "desiredCount": 2, "runningCount": 1
        })).collect::<Vec<_>>(),
        "events": [],
    })
}

/// A successful deployment of `revision`, finished at `finished`, and its
/// service revision, which ran `ran`.
fn deployed(world: &mut World, name: &str, revision: u32, ran: char, finished: f64) {
    let revision_arn = arn("service-revision", &format!("prod/web-svc/{name}"));
    world.successful.push(json!({
        "serviceDeploymentArn": arn("service-deployment", &format!("prod/web-svc/{name}")),
        "status": "SUCCESSFUL",
        "finishedAt": finished,
        "targetServiceRevisionArn": revision_arn,
    }));
    world.revisions.push(json!({
        "serviceRevisionArn": revision_arn,
        "taskDefinition": web(revision),
        "containerImages": [{"containerName": "app",
            "image": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:tag{revision}"),
            "imageDigest": digest(ran)}],
    }));
}

fn tagged_definition(revision: u32) -> Value {
    json!({"taskDefinition": {
        "taskDefinitionArn": web(revision),
        "family": "web",
        "revision": revision,
        "containerDefinitions": [{
            "name": "app",
            "image": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:tag{revision}"),
        }],
    }})
}

/// Answers from `world`; records mutating calls there.
fn replay_world(world: Arc<Mutex<World>>) -> SdkConfig {
    let client = Replay::only(move |request| {
        let operation = replay::operation(request);
        let body: Value = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        let ok = |value: Value| Some(json_response(200, &value));
        let mut world = world.lock().unwrap();
        match operation.as_str() {
            "GetCallerIdentity" => Some(sts_identity()),
            "DescribeServices" => {
                let service = if world.services.len() > 1 {
                    world.services.pop_front()
                } else {
                    world.services.front().cloned()
                };
                ok(json!({"services": [service], "failures": []}))
            }
            "DescribeTaskDefinition" => {
                let reference = body["taskDefinition"].as_str().unwrap_or_default();
                let revision = reference.rsplit(':').next().unwrap_or_default();
                ok(tagged_definition(revision.parse().unwrap_or(0)))
            }
            "ListServiceDeployments" => match body["status"][0].as_str() {
                Some("IN_PROGRESS") => ok(
                    json!({"serviceDeployments": world.in_progress.iter().map(|arn| json!({
                    "serviceDeploymentArn": arn, "status": "IN_PROGRESS"
                })).collect::<Vec<_>>()}),
                ),
                _ => ok(json!({"serviceDeployments": world.successful})),
            },
            "DescribeServiceRevisions" => {
                let asked = &body["serviceRevisionArns"];
                let found: Vec<&Value> = world
                    .revisions
                    .iter()
                    .filter(|r| {
                        asked
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|a| *a == r["serviceRevisionArn"])
                    })
                    .collect();
                ok(json!({"serviceRevisions": found, "failures": []}))
            }
            "ListTasks" => match body["desiredStatus"].as_str() {
                Some("RUNNING") => ok(
                    json!({"taskArns": world.tasks.iter().map(|t| t["taskArn"].clone()).collect::<Vec<_>>()}),
                ),
                _ => ok(json!({"taskArns": []})),
            },
            "DescribeTasks" => ok(json!({"tasks": world.tasks, "failures": []})),
            "UpdateService" | "StopServiceDeployment" => {
                world.calls.push((operation.clone(), body.clone()));
                world.services = world.after_update.iter().cloned().collect();
                if operation == "UpdateService" {
                    ok(json!({"service": world.updated}))
                } else {
                    ok(json!({"serviceDeploymentArn": body["serviceDeploymentArn"]}))
                }
            }
            _ => None,
        }
    });
    replay::config(client, 1)
}

/// The compromised service: steady on web:3, whose tasks run digest `c`;
/// before it, web:2 (digest `2`) completed.
fn compromised(breaker: bool) -> World {
    let mut world = World {
        services: [web_service(
            3,
            &[("ecs-svc/3", "PRIMARY", 3, "COMPLETED")],
            breaker,
        )]
        .into(),
        ..World::default()
    };
    deployed(&mut world, "dep2", 2, '2', 1_789_000_000.0);
    deployed(&mut world, "dep3", 3, 'c', 1_789_500_000.0);
    world.tasks = vec![json!({
        "taskArn": arn("task", "prod/t3"),
        "taskDefinitionArn": web(3),
        "containers": [{"name": "app", "imageDigest": digest('c')}],
    })];
    // UpdateService lists the deployment it started second, after the one
    // it replaces.
    world.updated = web_service(
        2,
        &[
            ("ecs-svc/3", "ACTIVE", 3, "COMPLETED"),
            ("ecs-svc/rb", "PRIMARY", 2, "IN_PROGRESS"),
        ],
        breaker,
    );
    world
}

fn responder(world: &Arc<Mutex<World>>) -> AwsResponder {
    let mut responder = AwsResponder::from_config(
        replay_world(world.clone()),
        &Connection::default(),
        "tester".into(),
    )
    .unwrap();
    responder.poll_interval = Duration::from_millis(5);
    responder
}

fn rollback_of_web(history: RollbackHistory, to: Option<&str>) -> ActionRequest {
    ActionRequest::Rollback(RollbackRequest {
        cluster: "prod".into(),
        service: "web-svc".into(),
        to: to.map(str::to_string),
        allow_same_digest: false,
        follow_timeout: Duration::from_secs(5),
        history,
    })
}

/// Every call the plan's selected steps would make, as `operation body`.
fn planned_calls(plan: &taskscope::respond::Plan) -> Vec<String> {
    plan.steps
        .iter()
        .filter(|s| s.will_run())
        .flat_map(|s| &s.calls)
        .map(|c| format!("{} {}", c.operation, c.parameters))
        .collect()
}

/// The first run: UpdateService from web:3 to web:2, not followed, its
/// record in `bundle`.
fn first_rollback(world: &Arc<Mutex<World>>, bundle: &std::path::Path) {
    let mut responder = responder(world);
    let mut plan = responder
        .plan(&rollback_of_web(RollbackHistory::default(), None))
        .unwrap();
    assert_eq!(plan.refused, None, "{plan:?}");
    assert_eq!(plan.before["targetTaskDefinition"], web(2));
    plan.select_only(&[StepId::Rollback]).unwrap();
    let outcome = responder.apply(&plan, bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
}

#[test]
fn update_service_records_the_primary_deployment_it_started() {
    let world = Arc::new(Mutex::new(compromised(false)));
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b");
    first_rollback(&world, &bundle);
    let (records, _) = audit::load(&Bundle::open(&bundle).unwrap());
    let output = records
        .iter()
        .find_map(|(_, r)| match &r.entry {
            Entry::Call {
                operation,
                output,
                prior,
                ..
            } if operation == "ecs:UpdateService" => Some((output.clone(), prior.clone())),
            _ => None,
        })
        .expect("the UpdateService call is recorded");
    assert_eq!(
        output.0["deployment"], "ecs-svc/rb",
        "the PRIMARY one, listed second"
    );
    assert_eq!(
        output.1,
        json!({"taskDefinition": web(3), "desiredCount": 2})
    );
}

#[test]
fn a_rerun_mid_rollout_never_stops_taskscope_s_own_rollback() {
    let world = Arc::new(Mutex::new(compromised(false)));
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b");
    {
        // After the UpdateService: rolling out web:2, web:3 still ACTIVE.
        let mut w = world.lock().unwrap();
        w.after_update = vec![web_service(
            2,
            &[
                ("ecs-svc/rb", "PRIMARY", 2, "IN_PROGRESS"),
                ("ecs-svc/3", "ACTIVE", 3, "COMPLETED"),
            ],
            false,
        )];
        w.in_progress = Some(arn("service-deployment", "prod/web-svc/rb"));
    }
    first_rollback(&world, &bundle);

    let history = RollbackHistory::at(&bundle).unwrap();
    assert_eq!(history.earlier.len(), 1);
    let mut responder = responder(&world);
    let plan = responder.plan(&rollback_of_web(history, None)).unwrap();
    let calls = planned_calls(&plan);
    assert!(
        calls
            .iter()
            .all(|c| !c.starts_with("ecs:StopServiceDeployment")
                && !c.starts_with("ecs:UpdateService")),
        "{calls:?}"
    );
    assert_eq!(plan.before["targetTaskDefinition"], web(2));
    assert_eq!(plan.mutating_calls(), 0);
    let rollback = plan
        .steps
        .iter()
        .find(|s| s.id == StepId::Rollback)
        .unwrap();
    let why = rollback.unavailable.as_deref().unwrap_or_default();
    assert!(why.contains("already rolling out web:2"), "{why}");
    assert!(why.contains("the target of rollback-web-svc-"), "{why}");
    let follow = plan.steps.iter().find(|s| s.id == StepId::Follow).unwrap();
    assert!(
        follow.will_run(),
        "the rollout in progress is still followed"
    );
    assert_eq!(plan.refused, None);
    assert!(
        plan.before["suspectRevisions"]
            .as_array()
            .unwrap()
            .contains(&json!(web(3))),
        "{}",
        plan.before
    );
    assert_eq!(
        world.lock().unwrap().calls.len(),
        1,
        "only the first run's UpdateService"
    );
}

#[test]
fn a_rerun_after_completion_never_returns_to_the_compromised_revision() {
    let world = Arc::new(Mutex::new(compromised(false)));
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b");
    {
        let mut w = world.lock().unwrap();
        w.after_update = vec![web_service(
            2,
            &[("ecs-svc/rb", "PRIMARY", 2, "COMPLETED")],
            false,
        )];
    }
    first_rollback(&world, &bundle);
    {
        // The rollback completed: it is the newest successful deployment,
        // and "the last completed one before the current" is web:3.
        let mut w = world.lock().unwrap();
        deployed(&mut w, "rb", 2, '2', 1_789_900_000.0);
        w.tasks.clear();
    }
    let history = RollbackHistory::at(&bundle).unwrap();
    let mut responder = responder(&world);
    let plan = responder
        .plan(&rollback_of_web(history.clone(), None))
        .unwrap();
    assert_eq!(plan.before["targetTaskDefinition"], web(2), "{plan:?}");
    assert_eq!(plan.mutating_calls(), 0, "{:?}", planned_calls(&plan));
    let rollback = plan
        .steps
        .iter()
        .find(|s| s.id == StepId::Rollback)
        .unwrap();
    assert!(
        rollback
            .unavailable
            .as_deref()
            .unwrap_or_default()
            .contains("already runs web:2"),
        "{rollback:?}"
    );
    assert_eq!(
        plan.before["suspectDigests"],
        json!([digest('c')]),
        "from the first run's record"
    );

    // Asked for by name, the compromised revision is refused outright,
    // even with --allow-same-digest.
    let ActionRequest::Rollback(mut request) = rollback_of_web(history, Some("3")) else {
        unreachable!()
    };
    request.allow_same_digest = true;
    let plan = responder.plan(&ActionRequest::Rollback(request)).unwrap();
    let refusal = plan.refused.unwrap_or_default();
    assert!(refusal.contains("web:3 is a suspect revision"), "{refusal}");
}

#[test]
fn ecs_rolling_back_to_the_bad_revision_fails_the_follow_step() {
    let mut compromised = compromised(true);
    // The rollout to web:2 fails; ECS's circuit breaker returns the
    // service to web:3, the last completed deployment.
    compromised.after_update = vec![
        web_service(
            2,
            &[
                ("ecs-svc/rb", "PRIMARY", 2, "IN_PROGRESS"),
                ("ecs-svc/3", "ACTIVE", 3, "COMPLETED"),
            ],
            true,
        ),
        web_service(
            3,
            &[
                ("ecs-svc/3b", "PRIMARY", 3, "IN_PROGRESS"),
                ("ecs-svc/rb", "ACTIVE", 2, "FAILED"),
            ],
            true,
        ),
        web_service(3, &[("ecs-svc/3b", "PRIMARY", 3, "COMPLETED")], true),
    ];
    let world = Arc::new(Mutex::new(compromised));
    let mut responder = responder(&world);
    let plan = responder
        .plan(&rollback_of_web(RollbackHistory::default(), None))
        .unwrap();
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("circuit breaker") && w.contains("web:3")),
        "{:?}",
        plan.warnings
    );
    let dir = tempfile::tempdir().unwrap();
    let outcome = responder.apply(
        &plan,
        &dir.path().join("b"),
        "--yes",
        &Interrupt::new(),
        &mut |_| {},
    );
    assert_eq!(outcome.status, ResultStatus::Failed);
    let error = outcome.error.unwrap_or_default();
    assert!(error.contains("step follow failed"), "{error}");
    assert!(
        error.contains("runs web:3, a revision under suspicion"),
        "{error}"
    );
    assert!(!error.contains("steady"), "{error}");
}

#[test]
fn a_target_that_ran_the_suspect_digest_under_another_tag_is_refused() {
    let mut world = compromised(false);
    // web:2's tag pointed at the compromised image when it last deployed.
    world.revisions[0]["containerImages"][0]["imageDigest"] = json!(digest('c'));
    let world = Arc::new(Mutex::new(world));
    let mut responder = responder(&world);
    let plan = responder
        .plan(&rollback_of_web(RollbackHistory::default(), None))
        .unwrap();
    let refusal = plan.refused.clone().unwrap_or_default();
    assert!(
        refusal.contains(&format!("{} ran {}", web(2), digest('c'))),
        "{refusal}"
    );

    // With a clean web:1 in the history, the target skips web:2.
    deployed(&mut world.lock().unwrap(), "dep1", 1, '1', 1_788_000_000.0);
    let plan = responder
        .plan(&rollback_of_web(RollbackHistory::default(), None))
        .unwrap();
    assert_eq!(plan.refused, None);
    assert_eq!(plan.before["targetTaskDefinition"], web(1));
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains(&web(2)) && w.contains("passed over")),
        "{:?}",
        plan.warnings
    );
}
