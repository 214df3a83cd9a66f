//! The executor under stress: a call held open while taskscope is killed or
//! told to stop, a throttled call attempted again, a rollback whose service
//! changed since planning, a failed step that holds back only the step
//! that needs it, and Ctrl-C while a rollback's deployment is followed.
//!
//! The command-line tests run taskscope against moto with IAM pointed, by
//! AWS_ENDPOINT_URL_IAM (the SDK prefers a service's own endpoint variable
//! to AWS_ENDPOINT_URL), at a small listener in this file: it answers the
//! planning read ListRolePolicies in IAM's XML wire format and holds
//! PutRolePolicy open until the test lets it answer. The in-process tests
//! replay every response (tests/aws/replay.rs).

mod binary;
#[path = "aws/moto.rs"]
mod moto;
#[path = "aws/replay.rs"]
mod replay;

use aws_smithy_types::body::SdkBody;
use moto::Moto;
use replay::{json_response, Replay};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use taskscope::bundle::audit::{
    self, CallStatus, Entry, Record, ResultStatus, StepOutcome, StepStatus,
};
use taskscope::bundle::Bundle;
use taskscope::collect::aws::Connection;
use taskscope::respond::execute::Retry;
use taskscope::respond::plan::{plan_id, ActionKind, Call, Step, StepId, Target};
use taskscope::respond::{AwsResponder, Interrupt, Plan, Responder};

const EXIT_INTERRUPTED: i32 = 6;
const ACCOUNT: &str = "123456789012";
const WAIT: Duration = Duration::from_secs(60);

fn seed(moto: &Moto) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_respond.py");
    serde_json::from_slice(&moto.python(&[script.as_os_str()], &[])).expect("seed prints JSON")
}

/// A stand-in for IAM on loopback: ListRolePolicies answers that the role
/// has no inline policy; PutRolePolicy is reported on `held` and answered
/// only when `release` says so.
struct HeldIam {
    url: String,
    held: Receiver<String>,
    release: Sender<()>,
}

fn held_iam() -> HeldIam {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (held_sender, held) = mpsc::channel();
    let (release, release_receiver) = mpsc::channel::<()>();
    let release_receiver = Arc::new(Mutex::new(release_receiver));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let held_sender = held_sender.clone();
            let release_receiver = Arc::clone(&release_receiver);
            std::thread::spawn(move || serve(stream, &held_sender, &release_receiver));
        }
    });
    HeldIam { url, held, release }
}

/// Answers the requests of one connection, in order.
fn serve(stream: TcpStream, held: &Sender<String>, release: &Mutex<Receiver<()>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        let action = body
            .split('&')
            .find_map(|pair| pair.strip_prefix("Action="))
            .unwrap_or("")
            .to_string();
        let (status, xml) = match action.as_str() {
            "ListRolePolicies" => (
                200,
                "<ListRolePoliciesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                 <ListRolePoliciesResult><PolicyNames/><IsTruncated>false</IsTruncated>\
                 </ListRolePoliciesResult><ResponseMetadata><RequestId>list-1</RequestId>\
                 </ResponseMetadata></ListRolePoliciesResponse>"
                    .to_string(),
            ),
            "PutRolePolicy" => {
                let _ = held.send(body.clone());
                // Answered once released; never when the test ends first.
                if release.lock().unwrap().recv().is_err() {
                    return;
                }
                (
                    200,
                    "<PutRolePolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                     <ResponseMetadata><RequestId>held-put-1</RequestId></ResponseMetadata>\
                     </PutRolePolicyResponse>"
                        .to_string(),
                )
            }
            other => (
                400,
                format!(
                    "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                     <Error><Type>Sender</Type><Code>InvalidAction</Code>\
                     <Message>this test listener does not answer {other}</Message></Error>\
                     <RequestId>unknown-1</RequestId></ErrorResponse>"
                ),
            ),
        };
        // The SDK takes the request ID from this header, as AWS sends it.
        let request_id = xml
            .split("<RequestId>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_default();
        let response = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: text/xml\r\nx-amzn-requestid: {request_id}\r\n\
             content-length: {}\r\n\r\n{xml}",
            if status == 200 { "OK" } else { "Bad Request" },
            xml.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// `taskscope isolate` of the seeded task, with IAM at `iam`.
fn isolate(moto: &Moto, iam: &HeldIam, task: &str, bundle: &Path, extra: &[&str]) -> Child {
    moto.taskscope()
        .env("AWS_ENDPOINT_URL_IAM", &iam.url)
        .args(["isolate", "--region", "us-east-1", "--cluster", "prod"])
        .args(["--task", task, "--incident", "INC-9", "--bundle"])
        .arg(bundle)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("taskscope starts")
}

/// The audit records of `bundle`.
fn records(bundle: &Path) -> Vec<Record> {
    let opened = Bundle::open(bundle).expect("the bundle opens");
    let (records, problems) = audit::load(&opened);
    assert!(problems.is_empty(), "{problems:?}");
    records.into_iter().map(|(_, record)| record).collect()
}

/// The warnings of a dry run's plan on the same target and bundle.
/// The steps of the result the last of `records` is, after checking that
/// `signal` interrupted it while the step `running` ran.
fn interrupted_steps(records: &[Record], signal: &str, running: &str) -> Vec<StepOutcome> {
    match &records.last().expect("the log has records").entry {
        Entry::Result {
            status,
            steps,
            interrupted_by,
            in_flight,
            ..
        } => {
            assert_eq!(*status, ResultStatus::Interrupted);
            assert_eq!(interrupted_by.as_deref(), Some(signal));
            assert_eq!(in_flight.as_deref(), Some(running));
            steps.clone()
        }
        other => panic!("the last record is the result, not {other:?}"),
    }
}

fn replanned_warnings(moto: &Moto, iam: &HeldIam, task: &str, bundle: &Path) -> Vec<String> {
    let output = isolate(moto, iam, task, bundle, &["--dry-run"])
        .wait_with_output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: Value = serde_json::from_slice(&output.stdout).expect("the plan as JSON");
    plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// The task's status in moto.
fn task_status(moto: &Moto, task: &str) -> String {
    let code = "import boto3, sys\n\
        ecs = boto3.client('ecs', endpoint_url=sys.argv[1], region_name='us-east-1', \
        aws_access_key_id='testing', aws_secret_access_key='testing')\n\
        print(ecs.describe_tasks(cluster='prod', tasks=[sys.argv[2]])['tasks'][0]['lastStatus'])";
    let out = moto.python(&["-c".as_ref(), code.as_ref()], &[task]);
    String::from_utf8(out).unwrap().trim().to_string()
}

#[test]
fn a_kill_between_sending_and_recording_leaves_the_started_record() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let task = seeded["task"].as_str().unwrap();
    let iam = held_iam();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("killed");
    let mut child = isolate(
        &moto,
        &iam,
        task,
        &bundle,
        &["--steps", "revoke,stop", "--allow-actions", "--yes"],
    );
    let sent = iam.held.recv_timeout(WAIT).expect("PutRolePolicy is sent");
    assert!(sent.contains("taskscope-revoke-sessions-INC-9"), "{sent}");
    child.kill().unwrap(); // SIGKILL, while AWS (the listener) holds the call.
    child.wait().unwrap();

    let records = records(&bundle);
    let entries: Vec<&Entry> = records.iter().map(|r| &r.entry).collect();
    assert!(matches!(entries[0], Entry::Plan { .. }), "{entries:?}");
    match entries.last().unwrap() {
        Entry::CallStarted {
            step,
            operation,
            attempt,
            parameters,
        } => {
            assert_eq!(
                (step.as_str(), operation.as_str()),
                ("revoke", "iam:PutRolePolicy")
            );
            assert_eq!(*attempt, 1);
            assert_eq!(parameters["PolicyName"], "taskscope-revoke-sessions-INC-9");
        }
        other => panic!("the last record is the started call, not {other:?}"),
    }
    assert!(
        !entries
            .iter()
            .any(|e| matches!(e, Entry::Call { .. } | Entry::Result { .. })),
        "{entries:?}"
    );
    assert_eq!(task_status(&moto, task), "RUNNING", "stop was never sent");

    // Planning again on that bundle names the unfinished run.
    let warnings = replanned_warnings(&moto, &iam, task, &bundle);
    let warning = warnings
        .iter()
        .find(|w| w.contains("the last run on this target"))
        .unwrap_or_else(|| panic!("{warnings:?}"));
    assert!(warning.contains(&records[0].plan_id), "{warning}");
    assert!(warning.contains("ended without a result"), "{warning}");
    assert!(warning.contains("steps finished: none"), "{warning}");
    assert!(
        warning.contains("iam:PutRolePolicy (step revoke, attempt 1) was sent at"),
        "{warning}"
    );
}

#[test]
fn sigterm_mid_plan_finishes_the_call_in_flight_and_records_the_interruption() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let task = seeded["task"].as_str().unwrap();
    let iam = held_iam();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("interrupted");
    let mut child = isolate(
        &moto,
        &iam,
        task,
        &bundle,
        &["--steps", "revoke,stop", "--allow-actions", "--yes"],
    );
    iam.held.recv_timeout(WAIT).expect("PutRolePolicy is sent");
    let stderr = child.stderr.take().unwrap();
    let (lines_sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_sender.send(line);
        }
    });
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut shown = Vec::new();
    while !shown
        .iter()
        .any(|l: &String| l.contains("SIGTERM: finishing the call in flight"))
    {
        shown.push(lines.recv_timeout(WAIT).expect("taskscope says it stops"));
    }
    // Only now does AWS answer the call in flight.
    iam.release.send(()).unwrap();
    let status = child.wait().unwrap();
    shown.extend(lines.iter());
    assert_eq!(status.code(), Some(EXIT_INTERRUPTED), "{shown:#?}");
    assert!(
        shown.iter().any(|l| l == "result: INTERRUPTED"),
        "{shown:#?}"
    );

    let records = records(&bundle);
    let call = records
        .iter()
        .find_map(|r| match &r.entry {
            Entry::Call {
                operation,
                status,
                request_id,
                attempts,
                ..
            } => Some((
                operation.clone(),
                *status,
                request_id.clone(),
                attempts.len(),
            )),
            _ => None,
        })
        .expect("the call in flight is recorded");
    assert_eq!(
        call,
        (
            "iam:PutRolePolicy".to_string(),
            CallStatus::Ok,
            Some("held-put-1".to_string()),
            1
        )
    );
    let steps = interrupted_steps(&records, "SIGTERM", "revoke");
    let of = |name: &str| steps.iter().find(|s| s.step == name).unwrap();
    assert_eq!(of("revoke").status, StepStatus::Done);
    assert_eq!(of("stop").status, StepStatus::NotRun);
    assert_eq!(
        of("stop").reason.as_deref(),
        Some("not started: interrupted by SIGTERM")
    );
    assert_eq!(task_status(&moto, task), "RUNNING", "stop was not started");

    let warnings = replanned_warnings(&moto, &iam, task, &bundle);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("was interrupted by SIGTERM")
                && w.contains("steps finished: revoke")
                && !w.contains("never recorded")),
        "{warnings:?}"
    );
}

const TASK: &str = "arn:aws:ecs:us-east-1:123456789012:task/prod/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";

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

/// A plan made by hand: `steps` on the task [`TASK`], or on service `web`.
fn plan(action: ActionKind, steps: Vec<Step>, before: Value) -> Plan {
    let now = taskscope::model::time::now();
    Plan {
        action,
        id: plan_id(action, "test", &now),
        created: now.to_rfc3339(),
        target: Target {
            region: "us-east-1".into(),
            account: ACCOUNT.into(),
            cluster: "prod".into(),
            task_arn: (action == ActionKind::Isolate).then(|| TASK.to_string()),
            service: (action == ActionKind::Rollback).then(|| "web".to_string()),
            caller: format!("arn:aws:sts::{ACCOUNT}:assumed-role/ir/tester"),
        },
        confirm_with: "test".into(),
        steps,
        warnings: Vec::new(),
        refused: None,
        diff: Vec::new(),
        before,
    }
}

/// A responder whose every request `answer` answers, with the SDK allowed
/// three attempts of its own: the executor must still make one at a time.
fn responder(
    answer: impl Fn(&str, &Value) -> Option<http::Response<SdkBody>> + Send + Sync + 'static,
) -> AwsResponder {
    let client = Replay::only(move |request| {
        let operation = replay::operation(request);
        if operation == "GetCallerIdentity" {
            return Some(sts_identity());
        }
        let body = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        answer(&operation, &body)
    });
    let mut responder = AwsResponder::from_config(
        replay::config(client, 3),
        &Connection::default(),
        "tester".into(),
    )
    .unwrap();
    responder.retry = Retry {
        attempts: 3,
        first_pause: Duration::from_millis(10),
    };
    responder.poll_interval = Duration::from_millis(10);
    responder
}

#[test]
fn a_throttled_call_is_attempted_again_and_each_attempt_is_recorded() {
    let stops = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&stops);
    let mut responder = responder(move |operation, _| match operation {
        "DescribeTasks" => Some(json_response(
            200,
            &json!({"tasks": [{"taskArn": TASK, "lastStatus": "RUNNING", "desiredStatus": "RUNNING"}], "failures": []}),
        )),
        "StopTask" if counted.fetch_add(1, Ordering::SeqCst) == 0 => Some(json_response(
            400,
            &json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        )),
        "StopTask" => Some(json_response(
            200,
            &json!({"task": {"taskArn": TASK, "lastStatus": "RUNNING", "desiredStatus": "STOPPED"}}),
        )),
        _ => None,
    });
    let stop = Step::new(
        StepId::Stop,
        "stop the task",
        vec![Call::new(
            "ecs:StopTask",
            json!({"cluster": "prod", "task": TASK, "reason": "test"}),
        )],
    );
    let plan = plan(ActionKind::Isolate, vec![stop], json!({"taskArn": TASK}));
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("throttled");
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    assert_eq!(
        stops.load(Ordering::SeqCst),
        2,
        "one throttled, one accepted"
    );

    let records = records(&bundle);
    let started: Vec<u32> = records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::CallStarted { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(started, [1, 2], "each attempt announced before it was sent");
    let attempts = records
        .iter()
        .find_map(|r| match &r.entry {
            Entry::Call {
                status, attempts, ..
            } => Some((*status, attempts.clone())),
            _ => None,
        })
        .expect("the call is recorded");
    assert_eq!(attempts.0, CallStatus::Ok);
    let shown: Vec<(u32, CallStatus)> = attempts.1.iter().map(|a| (a.attempt, a.status)).collect();
    assert_eq!(shown, [(1, CallStatus::Failed), (2, CallStatus::Ok)]);
    let throttled = attempts.1[0].error.as_deref().unwrap();
    assert!(throttled.contains("ThrottlingException"), "{throttled}");
}

/// A rollback plan from `web:3` to `web:2`, followed.
fn rollback_plan() -> Plan {
    let definition =
        |revision: u32| format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:{revision}");
    let rollback = Step::new(
        StepId::Rollback,
        "update the service",
        vec![Call::new(
            "ecs:UpdateService",
            json!({"cluster": "prod", "service": "web", "taskDefinition": definition(2)}),
        )],
    );
    let follow = Step::new(
        StepId::Follow,
        "follow",
        vec![Call::new(
            "taskscope:follow",
            json!({"cluster": "prod", "service": "web", "taskDefinition": definition(2), "timeoutSeconds": 5}),
        )],
    );
    plan(
        ActionKind::Rollback,
        vec![rollback, follow],
        json!({"taskDefinition": definition(3), "targetTaskDefinition": definition(2)}),
    )
}

/// The service `web`, on `revision`.
fn web_on(revision: u32) -> http::Response<SdkBody> {
    json_response(
        200,
        &json!({"services": [{
            "serviceName": "web",
            "taskDefinition": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:{revision}"),
            "deployments": [],
            "events": [],
        }], "failures": []}),
    )
}

#[test]
fn a_failed_rollback_holds_back_the_follow_that_needs_it() {
    let mut responder = responder(|operation, _| match operation {
        "DescribeServices" => Some(web_on(3)),
        "UpdateService" => Some(json_response(
            400,
            &json!({"__type": "AccessDeniedException", "message": "not authorized to perform ecs:UpdateService"}),
        )),
        _ => None,
    });
    let plan = rollback_plan();
    let dir = tempfile::tempdir().unwrap();
    let outcome = responder.apply(
        &plan,
        &dir.path().join("b"),
        "--yes",
        &Interrupt::new(),
        &mut |_| {},
    );
    assert_eq!(outcome.status, ResultStatus::Failed);
    assert_eq!(outcome.steps[0].status, StepStatus::Failed);
    assert_eq!(outcome.steps[1].status, StepStatus::NotRun);
    assert_eq!(outcome.steps[1].waited_for.as_deref(), Some("rollback"));
    assert_eq!(
        outcome.steps[1].reason.as_deref(),
        Some("it needs rollback, which failed")
    );
    let error = outcome.error.unwrap();
    assert!(
        error.starts_with("step rollback failed: ecs:UpdateService: "),
        "{error}"
    );
}

#[test]
fn a_rollback_whose_service_changed_since_planning_sends_nothing() {
    let updates = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&updates);
    let mut responder = responder(move |operation, _| match operation {
        // Someone deployed web:4 after the plan was made from web:3.
        "DescribeServices" => Some(web_on(4)),
        "UpdateService" => {
            counted.fetch_add(1, Ordering::SeqCst);
            None
        }
        _ => None,
    });
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b");
    let outcome = responder.apply(
        &rollback_plan(),
        &bundle,
        "--yes",
        &Interrupt::new(),
        &mut |_| {},
    );
    assert_eq!(
        updates.load(Ordering::SeqCst),
        0,
        "UpdateService was not sent"
    );
    assert_eq!(outcome.status, ResultStatus::Failed);
    let reason = outcome.steps[0].reason.clone().unwrap();
    assert!(
        reason.contains("the service's task definition changed since planning"),
        "{reason}"
    );
    assert!(reason.contains("web:4"), "{reason}");
    assert_eq!(outcome.steps[1].waited_for.as_deref(), Some("rollback"));
    assert!(
        !records(&bundle)
            .iter()
            .any(|r| matches!(r.entry, Entry::CallStarted { .. } | Entry::Call { .. })),
        "no call was started"
    );
}

/// The service `web` halfway from `web:3` to `web:2`: the new deployment
/// primary and still rolling out.
fn web_rolling_to_2() -> http::Response<SdkBody> {
    let definition =
        |revision: u32| format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:{revision}");
    json_response(
        200,
        &json!({"services": [{
            "serviceName": "web",
            "taskDefinition": definition(2),
            "desiredCount": 2,
            "runningCount": 1,
            "deployments": [
                {"id": "ecs-svc/2", "status": "PRIMARY", "taskDefinition": definition(2), "rolloutState": "IN_PROGRESS"},
                {"id": "ecs-svc/1", "status": "ACTIVE", "taskDefinition": definition(3), "rolloutState": "COMPLETED"},
            ],
            "events": [],
        }], "failures": []}),
    )
}

#[test]
fn ctrl_c_while_following_a_rollback_records_the_interruption_and_the_next_plan_says_so() {
    let interrupt = Interrupt::new();
    let raised = interrupt.clone();
    let updated = Arc::new(AtomicUsize::new(0));
    let polls = Arc::new(AtomicUsize::new(0));
    let (seen_update, seen_polls) = (Arc::clone(&updated), Arc::clone(&polls));
    let mut responder = responder(move |operation, _| match operation {
        "DescribeServices" if seen_update.load(Ordering::SeqCst) == 0 => Some(web_on(3)),
        "DescribeServices" => {
            // Ctrl-C while the deployment rolls, a few polls in.
            if seen_polls.fetch_add(1, Ordering::SeqCst) == 2 {
                raised.raise("SIGINT");
            }
            Some(web_rolling_to_2())
        }
        "UpdateService" => {
            seen_update.fetch_add(1, Ordering::SeqCst);
            Some(json_response(
                200,
                &json!({"service": {"serviceName": "web", "taskDefinition": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:2")}}),
            ))
        }
        _ => None,
    });
    let plan = rollback_plan();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b");
    let outcome = responder.apply(&plan, &bundle, "--yes", &interrupt, &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Interrupted,
        "{:?}",
        outcome.error
    );
    assert_eq!(updated.load(Ordering::SeqCst), 1);

    let records = records(&bundle);
    let steps = interrupted_steps(&records, "SIGINT", "follow");
    assert_eq!(steps[0].status, StepStatus::Done);
    assert_eq!(steps[1].status, StepStatus::Interrupted, "{steps:?}");
    let warning = taskscope::respond::unfinished::warning(&bundle, &plan)
        .expect("the next plan names the interrupted run");
    assert!(warning.contains("was interrupted by SIGINT"), "{warning}");
    assert!(warning.contains("steps finished: rollback"), "{warning}");
}
