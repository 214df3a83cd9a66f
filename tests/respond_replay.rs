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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use taskscope::bundle::audit::{self, Entry, ResultStatus};
use taskscope::bundle::Bundle;
use taskscope::collect::aws::Connection;
use taskscope::respond::execute::Progress;
use taskscope::respond::plan::StepId;
use taskscope::respond::rollback::RollbackRequest;
use taskscope::respond::{ActionRequest, AwsResponder, Interrupt, Responder};

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
