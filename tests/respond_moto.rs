//! Response actions against moto, a real implementation of the AWS APIs on
//! loopback (ECS, EC2, ELBv2, IAM, STS), seeded by tests/aws/seed_respond.py.
//!
//! moto 5.2.5 has no UpdateTaskProtection: where a test's plan protects the
//! task, that one call is answered by a replayed response in the ECS wire
//! format (tests/aws/replay.rs), and the test says so; every other call
//! reaches moto. Requests are counted at the HTTP layer, below the SDK.

mod binary;
#[path = "aws/moto.rs"]
mod moto;
#[path = "aws/replay.rs"]
mod replay;
#[path = "aws/respond.rs"]
mod respond;

use aws_config::SdkConfig;
use moto::Moto;
use replay::{json_response, Replay};
use respond::{audit_records, moto_config, moto_responder, step};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};
use taskscope::bundle::audit::{self, Entry, ResultStatus, StepStatus};
use taskscope::bundle::Bundle;
use taskscope::model::Source;
use taskscope::respond::plan::StepId;
use taskscope::respond::request::ActionRequest;
use taskscope::respond::request::UndoRequest;
use taskscope::respond::request::{IsolateRequest, DEFAULT_RULE_QUOTA};
use taskscope::respond::{AwsResponder, Interrupt, Responder};

const EXIT_FAILED: i32 = 1;
const EXIT_REFUSED: i32 = 5;

/// Operations that change AWS state, by their wire names.
const MUTATING: [&str; 9] = [
    "UpdateTaskProtection",
    "DeregisterTargets",
    "CreateNetworkAclEntry",
    "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress",
    "UpdateService",
    "PutRolePolicy",
    "StopTask",
    "StopServiceDeployment",
];

fn seed(moto: &Moto) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_respond.py");
    serde_json::from_slice(&moto.python(&[script.as_os_str()], &[])).expect("seed prints JSON")
}

/// Every request seen (operation, body), in order.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A configuration for moto whose HTTP client counts every request, answers
/// UpdateTaskProtection and GetTaskProtection (which moto lacks) with
/// replayed responses that keep the task's protection between calls (the
/// task starts unprotected), and answers PutRolePolicy with AccessDenied
/// when `deny_role_policy`.
fn config(moto: &Moto, seen: Seen, deny_role_policy: bool) -> SdkConfig {
    let base = moto_config(moto);
    let fallback = taskscope::collect::aws::https_client();
    // The replayed protection: whether it is on, and until when (epoch s).
    let protection: Arc<Mutex<(bool, Option<f64>)>> = Arc::default();
    let client = Replay::before(fallback, move |request| {
        let operation = replay::operation(request);
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned();
        seen.lock().unwrap().push((operation.clone(), body.clone()));
        let sent: Value = serde_json::from_str(&body).unwrap_or_default();
        let tasks = sent["tasks"].as_array().cloned().unwrap_or_default();
        let protected = |(enabled, until): (bool, Option<f64>)| -> Vec<Value> {
            tasks
                .iter()
                .map(|arn| json!({"taskArn": arn, "protectionEnabled": enabled, "expirationDate": until}))
                .collect()
        };
        match operation.as_str() {
            // Replayed: moto 5.2.5 does not implement UpdateTaskProtection.
            "UpdateTaskProtection" => {
                let enabled = sent["protectionEnabled"].as_bool().unwrap_or(false);
                let now = taskscope::model::time::now().timestamp() as f64;
                let until = sent["expiresInMinutes"]
                    .as_f64()
                    .filter(|_| enabled)
                    .map(|minutes| now + minutes * 60.0);
                *protection.lock().unwrap() = (enabled, until);
                Some(json_response(200, &json!({"protectedTasks": protected((enabled, until)), "failures": []})))
            }
            // Replayed: nor GetTaskProtection.
            "GetTaskProtection" => {
                let state = *protection.lock().unwrap();
                Some(json_response(200, &json!({"protectedTasks": protected(state), "failures": []})))
            }
            "PutRolePolicy" if deny_role_policy => Some(
                http::Response::builder()
                    .status(403)
                    .header("content-type", "text/xml")
                    .body(aws_smithy_types::body::SdkBody::from(
                        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                         <Error><Type>Sender</Type><Code>AccessDenied</Code>\
                         <Message>User: arn:aws:iam::123456789012:user/responder is not authorized to perform: iam:PutRolePolicy on resource: role web-task-role</Message>\
                         </Error><RequestId>denied-request-1</RequestId></ErrorResponse>",
                    ))
                    .unwrap(),
            ),
            _ => None,
        }
    });
    base.into_builder().http_client(client).build()
}

fn responder(moto: &Moto, seen: Seen, deny_role_policy: bool) -> AwsResponder {
    moto_responder(moto, config(moto, seen, deny_role_policy))
}

fn isolate_request(seeded: &Value, preserve_out: &Path) -> ActionRequest {
    ActionRequest::Isolate(IsolateRequest {
        cluster: "prod".into(),
        task: seeded["task"].as_str().unwrap().into(),
        incident: Some("INC-42".into()),
        protect_minutes: 60,
        quarantine_group: None,
        nacl_rule_quota: DEFAULT_RULE_QUOTA,
        preserve_out: preserve_out.to_path_buf(),
        since: taskscope::model::time::now() - chrono::TimeDelta::hours(1),
        athena: None,
    })
}

fn operations(seen: &Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|(op, _)| op.clone())
        .collect()
}

/// AWS state the tests check, read with boto3.
fn aws_state(moto: &Moto, seeded: &Value) -> Value {
    let code = r#"
import boto3, json, sys
url, task, group, tg, ip = sys.argv[1:6]
s = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
ecs, ec2, elbv2, iam = (boto3.client(n, **s) for n in ("ecs", "ec2", "elbv2", "iam"))
t = ecs.describe_tasks(cluster="prod", tasks=[task])["tasks"][0]
acl = ec2.describe_network_acls()["NetworkAcls"]
print(json.dumps({
    "lastStatus": t["lastStatus"],
    "stoppedReason": t.get("stoppedReason"),
    "denies": sorted([e["RuleNumber"], e["Egress"]] for a in acl for e in a["Entries"]
                     if e.get("CidrBlock") == ip + "/32" and e["RuleAction"] == "deny"),
    "groupRules": len(ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]),
    "targets": [d["Target"]["Id"] for d in elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]],
    "rolePolicies": iam.list_role_policies(RoleName="web-task-role")["PolicyNames"],
    "webService": ecs.describe_services(cluster="prod", services=["web-svc"])["services"][0]["taskDefinition"],
    "apiService": ecs.describe_services(cluster="prod", services=["api-svc"])["services"][0]["taskDefinition"],
}))
"#;
    let text = |key: &str| seeded[key].as_str().unwrap().to_string();
    let out = moto.python(
        &["-c".as_ref(), code.as_ref()],
        &[
            &text("task"),
            &text("group"),
            &text("target_group"),
            &text("ip"),
        ],
    );
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn isolate_a_running_service_task_end_to_end() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("inc-42");
    let seen = Seen::default();
    let mut responder = responder(&moto, seen.clone(), false);
    let plan = responder.plan(&isolate_request(&seeded, &bundle)).unwrap();

    // What the plan found: a service task, its target group, the ACL of
    // the VPC's other subnets, and its task role. Its security group is
    // used by its interface alone, but the service's configuration names it
    // (every replacement task gets it), so the group is not the task's own.
    let task_id = seeded["task"].as_str().unwrap().rsplit('/').next().unwrap();
    assert_eq!(
        plan.confirm_with,
        task_id[..8],
        "confirmed by the short task ID"
    );
    for id in [
        StepId::Preserve,
        StepId::Protect,
        StepId::Detach,
        StepId::ContainNacl,
        StepId::Revoke,
        StepId::Stop,
    ] {
        assert!(
            step(&plan, id).will_run(),
            "{id:?} is planned: {:#?}",
            step(&plan, id)
        );
    }
    let group = step(&plan, StepId::ContainGroup);
    assert!(group.unavailable.is_some(), "not offered: {group:?}");
    let named_by_service = format!(
        "{} is in service web-svc's network configuration",
        seeded["group"].as_str().unwrap()
    );
    assert!(
        plan.warnings.iter().any(|w| w.contains(&named_by_service)),
        "{:?}",
        plan.warnings
    );
    assert!(step(&plan, StepId::Quarantine).unavailable.is_some());
    let nacl_calls = &step(&plan, StepId::ContainNacl).calls;
    assert_eq!(nacl_calls.len(), 2, "inbound and outbound");
    assert_eq!(
        nacl_calls[0].parameters["RuleNumber"], 1,
        "before the default allow (100)"
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("every task and service using web-task-role")),
        "{:?}",
        plan.warnings
    );
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    assert!(
        outcome
            .steps
            .iter()
            .filter(|s| s.step != "quarantine" && s.step != "contain-group")
            .all(|s| s.status == StepStatus::Done),
        "{:?}",
        outcome.steps
    );

    let state = aws_state(&moto, &seeded);
    assert_eq!(state["lastStatus"], "STOPPED", "{state}");
    assert!(
        state["stoppedReason"].as_str().unwrap().contains("INC-42"),
        "{state}"
    );
    assert_eq!(state["denies"], json!([[1, false], [1, true]]), "{state}");
    assert_eq!(
        state["groupRules"], 2,
        "the service's group keeps its ingress and egress rules: {state}"
    );
    assert_eq!(state["targets"], json!([]), "{state}");
    assert_eq!(
        state["rolePolicies"],
        json!(["taskscope-revoke-sessions-INC-42"]),
        "{state}"
    );
    let seen_now = seen.lock().unwrap().clone();
    let protected: Vec<&(String, String)> = seen_now
        .iter()
        .filter(|(op, _)| op == "UpdateTaskProtection")
        .collect();
    assert_eq!(protected.len(), 1, "one replayed UpdateTaskProtection");
    assert!(
        protected[0].1.contains("\"expiresInMinutes\":60"),
        "{}",
        protected[0].1
    );

    // The bundle holds the preserved evidence and the audit log, and the
    // actions are on the task's timeline.
    let records = audit_records(&bundle);
    assert!(matches!(records[0].entry, Entry::Plan { .. }));
    let calls: Vec<(String, String)> = records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Call {
                step, operation, ..
            } => Some((step.clone(), operation.clone())),
            _ => None,
        })
        .collect();
    let names: Vec<&str> = calls.iter().map(|(_, op)| op.as_str()).collect();
    assert_eq!(
        names,
        [
            "taskscope:collect",
            "ecs:UpdateTaskProtection",
            "elasticloadbalancing:DeregisterTargets",
            "ec2:CreateNetworkAclEntry",
            "ec2:CreateNetworkAclEntry",
            "iam:PutRolePolicy",
            "ecs:StopTask",
        ]
    );
    match &records.last().unwrap().entry {
        Entry::Result { status, after, .. } => {
            assert_eq!(*status, ResultStatus::Completed);
            assert_eq!(after["lastStatus"], "STOPPED", "{after}");
        }
        other => panic!("the last record is the result, not {other:?}"),
    }
    let opened = Bundle::open(&bundle).unwrap();
    let (incident, _) = opened.incident();
    let task = incident
        .find_task(seeded["task"].as_str().unwrap())
        .expect("the preserved task");
    let actions = incident.timelines[task]
        .iter()
        .filter(|&&e| incident.events[e].source == Source::Response)
        .count();
    assert_eq!(
        actions,
        records.len(),
        "every audit record is on the task's timeline"
    );

    // Re-running is safe: everything is done already, except revoke, which
    // replaces its policy to move the cutoff forward.
    let again = responder
        .plan(&isolate_request(&seeded, &dir.path().join("again")))
        .unwrap();
    let running: Vec<StepId> = again
        .steps
        .iter()
        .filter(|s| s.will_run() && s.calls.iter().any(|c| c.is_mutating()))
        .map(|s| s.id)
        .collect();
    assert_eq!(running, [StepId::Revoke], "{:#?}", again.steps);
}

#[test]
fn a_dry_run_makes_no_mutating_call() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let seen = Seen::default();
    let mut responder = responder(&moto, seen.clone(), false);
    let plan = responder
        .plan(&isolate_request(&seeded, &dir.path().join("b")))
        .unwrap();
    assert!(plan.mutating_calls() >= 6, "the plan would change things");
    let seen = operations(&seen);
    assert!(seen.len() >= 8, "planning reads AWS: {seen:?}");
    let mutating: Vec<&String> = seen
        .iter()
        .filter(|op| MUTATING.contains(&op.as_str()))
        .collect();
    assert!(mutating.is_empty(), "planning sent {mutating:?}");

    // The command line's --dry-run prints that plan as JSON, needs neither
    // --allow-actions nor --bundle, and changes nothing.
    let before = aws_state(&moto, &seeded);
    let output = moto
        .taskscope()
        .args([
            "isolate",
            "--region",
            "us-east-1",
            "--cluster",
            "prod",
            "--dry-run",
            "--athena-table",
            "security.cloudtrail",
            "--task",
        ])
        .arg(seeded["task"].as_str().unwrap())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).expect("the plan as JSON");
    assert_eq!(printed["action"], "isolate");
    assert_eq!(printed["steps"].as_array().unwrap().len(), 8);
    // The preserve step will read CloudTrail through the Athena table.
    let preserve = &printed["steps"][0]["calls"][0]["parameters"];
    assert_eq!(
        preserve["athena"],
        json!({"table": "security.cloudtrail", "workgroup": "primary",
               "output": null, "catalog": "AwsDataCatalog"}),
        "{preserve}"
    );
    assert_eq!(aws_state(&moto, &seeded), before, "nothing changed");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no bundle written"
    );
}

#[test]
fn access_denied_midway_fails_its_step_and_the_independent_stop_still_runs() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("audit-only");
    let mut responder = responder(&moto, Seen::default(), true);
    let mut plan = responder.plan(&isolate_request(&seeded, &bundle)).unwrap();
    plan.select_only(&[
        StepId::Detach,
        StepId::ContainNacl,
        StepId::Revoke,
        StepId::Stop,
    ])
    .unwrap();
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});

    assert_eq!(outcome.status, ResultStatus::Failed);
    let error = outcome.error.clone().unwrap();
    assert!(
        error.starts_with("step revoke failed: iam:PutRolePolicy: "),
        "the result names the failed step: {error}"
    );
    assert!(
        error.contains("missing permission iam:PutRolePolicy"),
        "{error}"
    );
    let status = |name: &str| {
        outcome
            .steps
            .iter()
            .find(|s| s.step == name)
            .unwrap()
            .status
    };
    assert_eq!(status("detach"), StepStatus::Done);
    assert_eq!(status("contain-nacl"), StepStatus::Done);
    assert_eq!(status("revoke"), StepStatus::Failed);
    // Stop needs nothing: the failed revoke does not hold it back.
    assert_eq!(status("stop"), StepStatus::Done);
    assert_eq!(status("preserve"), StepStatus::Skipped);

    // AWS is as the result says: contained and stopped, sessions not revoked.
    let state = aws_state(&moto, &seeded);
    assert_eq!(state["lastStatus"], "STOPPED", "{state}");
    assert_eq!(state["denies"], json!([[1, false], [1, true]]), "{state}");
    assert_eq!(state["rolePolicies"], json!([]), "{state}");

    let records = audit_records(&bundle);
    let failed = records
        .iter()
        .find_map(|r| match &r.entry {
            Entry::Call {
                operation,
                status: audit::CallStatus::Failed,
                error,
                request_id,
                ..
            } => Some((operation.clone(), error.clone(), request_id.clone())),
            _ => None,
        })
        .expect("the failed call is recorded");
    assert_eq!(failed.0, "iam:PutRolePolicy");
    assert!(failed.1.unwrap().contains("docs/iam.md"));
    match &records.last().unwrap().entry {
        Entry::Result {
            status,
            after,
            steps,
            error,
            ..
        } => {
            assert_eq!(*status, ResultStatus::Failed);
            assert_eq!(after["lastStatus"], "STOPPED");
            assert_eq!(steps.len(), plan.steps.len());
            let revoke = steps.iter().find(|s| s.step == "revoke").unwrap();
            assert_eq!(revoke.status, StepStatus::Failed);
            assert!(revoke.reason.as_deref().unwrap().contains("AccessDenied"));
            assert!(error.as_deref().unwrap().starts_with("step revoke failed"));
        }
        other => panic!("the last record is the result, not {other:?}"),
    }
}

#[test]
fn a_task_stopped_after_planning_fails_the_network_steps_and_stop_says_so() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("stale");
    let seen = Seen::default();
    let mut responder = responder(&moto, seen.clone(), false);
    let mut plan = responder.plan(&isolate_request(&seeded, &bundle)).unwrap();
    let again = responder.plan(&isolate_request(&seeded, &bundle)).unwrap();
    assert_ne!(plan.id, again.id, "two plans of one moment differ");
    let mut wanted = vec![StepId::Detach, StepId::Revoke, StepId::Stop];
    if step(&plan, StepId::ContainNacl).will_run() {
        wanted.push(StepId::ContainNacl);
    }
    plan.select_only(&wanted).unwrap();

    // While the plan waits for its confirmation, the task stops.
    let code = "import boto3, sys\n\
        ecs = boto3.client('ecs', endpoint_url=sys.argv[1], region_name='us-east-1', \
        aws_access_key_id='testing', aws_secret_access_key='testing')\n\
        ecs.stop_task(cluster='prod', task=sys.argv[2], reason='Essential container exited')";
    moto.python(
        &["-c".as_ref(), code.as_ref()],
        &[seeded["task"].as_str().unwrap()],
    );
    seen.lock().unwrap().clear();
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});

    assert_eq!(outcome.status, ResultStatus::Failed);
    let of = |name: &str| outcome.steps.iter().find(|s| s.step == name).unwrap();
    let detach = of("detach");
    assert_eq!(detach.status, StepStatus::Failed);
    assert!(
        detach
            .reason
            .as_deref()
            .unwrap()
            .contains("the task stopped since planning (Essential container exited)"),
        "{detach:?}"
    );
    if wanted.contains(&StepId::ContainNacl) {
        assert_eq!(of("contain-nacl").status, StepStatus::Failed);
    }
    let stop = of("stop");
    assert_eq!(stop.status, StepStatus::Skipped, "{stop:?}");
    assert!(
        stop.reason
            .as_deref()
            .unwrap()
            .contains("the task had stopped already"),
        "{stop:?}"
    );
    assert_eq!(
        of("revoke").status,
        StepStatus::Done,
        "sessions still revoked"
    );
    let sent: Vec<String> = operations(&seen)
        .into_iter()
        .filter(|op| MUTATING.contains(&op.as_str()))
        .collect();
    assert_eq!(sent, ["PutRolePolicy"], "only the revoke was sent");
    let error = outcome.error.unwrap();
    assert!(
        error.contains("step detach failed: the task stopped"),
        "{error}"
    );
}

fn taskscope(moto: &Moto, args: &[&str]) -> Output {
    moto.taskscope().args(args).output().unwrap()
}

#[test]
fn rollback_returns_the_service_to_the_previous_revision_and_audits_it() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("rollback");
    let bundle_arg = bundle.to_str().unwrap();
    let output = taskscope(
        &moto,
        &[
            "rollback",
            "--region",
            "us-east-1",
            "--cluster",
            "prod",
            "--service",
            "web-svc",
            "--allow-actions",
            "--yes",
            "--bundle",
            bundle_arg,
            "--poll-seconds",
            "1",
            "--follow-timeout",
            "30s",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The plan showed the comparison and why the history was not used.
    assert!(stderr.contains("app image:"), "{stderr}");
    assert!(
        stderr.contains("app environment: DEBUG, STAGE -> STAGE"),
        "{stderr}"
    );
    assert!(stderr.contains("previous ACTIVE revision"), "{stderr}");

    let state = aws_state(&moto, &seeded);
    assert_eq!(state["webService"], seeded["web1"], "{state}");
    let records = audit_records(&bundle);
    let operations: Vec<&str> = records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Call {
                operation,
                status: audit::CallStatus::Ok,
                ..
            } => Some(operation.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(operations, ["ecs:UpdateService", "taskscope:follow"]);
    assert!(records[0]
        .task_definitions
        .contains(&seeded["web2"].as_str().unwrap().to_string()));
    assert!(matches!(
        records.last().unwrap().entry,
        Entry::Result {
            status: ResultStatus::Completed,
            ..
        }
    ));

    // Again: the service already runs web:1, and web:1 has no earlier revision.
    let again = taskscope(
        &moto,
        &[
            "rollback",
            "--region",
            "us-east-1",
            "--cluster",
            "prod",
            "--service",
            "web-svc",
            "--to",
            "1",
            "--allow-actions",
            "--yes",
            "--bundle",
            bundle_arg,
        ],
    );
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already runs web:1"));
    assert_eq!(
        audit_records(&bundle).len(),
        records.len(),
        "nothing to do, nothing recorded"
    );
}

#[test]
fn a_rollback_to_the_same_digest_is_refused() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("refused");
    let output = taskscope(
        &moto,
        &[
            "rollback",
            "--region",
            "us-east-1",
            "--cluster",
            "prod",
            "--service",
            "api-svc",
            "--allow-actions",
            "--yes",
            "--bundle",
            bundle.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_REFUSED), "{stderr}");
    assert!(stderr.contains("REFUSED"), "{stderr}");
    assert!(
        stderr.contains(&format!("sha256:{}", "b".repeat(64))),
        "{stderr}"
    );
    assert_eq!(aws_state(&moto, &seeded)["apiService"], seeded["api2"]);
    assert!(!bundle.exists(), "a refused plan writes nothing");
}

#[test]
fn actions_are_off_unless_allowed() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let before = aws_state(&moto, &seeded);
    let task = seeded["task"].as_str().unwrap();
    let bundle = dir.path().join("b");
    let isolate = |extra: &[&str]| {
        let mut args = vec![
            "isolate",
            "--region",
            "us-east-1",
            "--cluster",
            "prod",
            "--task",
            task,
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--bundle", bundle.to_str().unwrap()]);
        taskscope(&moto, &args)
    };
    let output = isolate(&["--yes"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_REFUSED), "{stderr}");
    assert!(stderr.contains("read-only"), "{stderr}");

    // Allowed, but not confirmed (no --yes, no terminal): nothing happens.
    let output = isolate(&["--allow-actions", "--steps", "stop"]);
    assert_eq!(output.status.code(), Some(EXIT_REFUSED));
    assert_eq!(aws_state(&moto, &seeded), before);
    assert!(!bundle.exists());

    // A step the command cannot make fails the command before any call.
    let output = isolate(&["--allow-actions", "--steps", "reboot"]);
    assert_eq!(output.status.code(), Some(EXIT_FAILED));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown step \"reboot\""));
}

/// Runs boto3 code against moto; the code finds the URL in `sys.argv[1]`
/// and a client maker `c(name)`.
fn boto3(moto: &Moto, code: &str, args: &[&str]) -> Vec<u8> {
    let code = format!(
        "import boto3, json, sys\n\
         c = lambda n: boto3.client(n, endpoint_url=sys.argv[1], region_name='us-east-1', \
         aws_access_key_id='testing', aws_secret_access_key='testing')\n{code}"
    );
    moto.python(&["-c".as_ref(), code.as_ref()], args)
}

/// The `call` records of `operation`: (parameters, prior).
fn recorded(records: &[audit::Record], operation: &str) -> Vec<(Value, Value)> {
    records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Call {
                operation: op,
                parameters,
                prior,
                ..
            } if op == operation => Some((parameters.clone(), prior.clone())),
            _ => None,
        })
        .collect()
}

/// The `aws:TokenIssueTime` cutoff of a deny policy document.
fn cutoff(document: &str) -> chrono::DateTime<chrono::Utc> {
    let parsed: Value = serde_json::from_str(document).expect("a JSON policy");
    let text = parsed["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
        .as_str()
        .expect("a cutoff");
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("an RFC 3339 cutoff")
        .with_timezone(&chrono::Utc)
}

#[test]
fn a_missing_task_role_makes_only_revoke_unavailable() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    // The task definition names a role IAM no longer has.
    boto3(&moto, "c('iam').delete_role(RoleName='web-task-role')", &[]);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("no-role");
    let mut responder = responder(&moto, Seen::default(), false);
    let mut plan = responder
        .plan(&isolate_request(&seeded, &bundle))
        .expect("a plan, even without the role");
    let revoke = step(&plan, StepId::Revoke);
    assert!(
        revoke
            .unavailable
            .as_deref()
            .is_some_and(|why| why.contains("role web-task-role no longer exists")),
        "{revoke:?}"
    );
    for id in [
        StepId::Protect,
        StepId::Detach,
        StepId::ContainNacl,
        StepId::Stop,
    ] {
        assert!(step(&plan, id).will_run(), "{:#?}", step(&plan, id));
    }
    plan.select_only(&[
        StepId::Protect,
        StepId::Detach,
        StepId::ContainNacl,
        StepId::Stop,
    ])
    .unwrap();
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    let state = aws_state_without_role(&moto, &seeded);
    assert_eq!(state["lastStatus"], "STOPPED", "{state}");
    assert_eq!(state["targets"], json!([]), "{state}");
    assert_eq!(state["denies"], json!([[1, false], [1, true]]), "{state}");
}

/// [`aws_state`]'s task, ACL and target group parts, for a test that
/// deleted the task role.
fn aws_state_without_role(moto: &Moto, seeded: &Value) -> Value {
    let code = r#"
url, task, tg, ip = sys.argv[1:5]
t = c("ecs").describe_tasks(cluster="prod", tasks=[task])["tasks"][0]
acl = c("ec2").describe_network_acls()["NetworkAcls"]
print(json.dumps({
    "lastStatus": t["lastStatus"],
    "denies": sorted([e["RuleNumber"], e["Egress"]] for a in acl for e in a["Entries"]
                     if e.get("CidrBlock") == ip + "/32" and e["RuleAction"] == "deny"),
    "targets": [d["Target"]["Id"] for d in c("elbv2").describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]],
}))
"#;
    let text = |key: &str| seeded[key].as_str().unwrap().to_string();
    let out = boto3(
        moto,
        code,
        &[&text("task"), &text("target_group"), &text("ip")],
    );
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn a_revoke_run_again_moves_the_cutoff_to_its_apply_time() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("revoke");
    let mut responder = responder(&moto, Seen::default(), false);
    let revoke_only = |responder: &mut AwsResponder| {
        let mut plan = responder.plan(&isolate_request(&seeded, &bundle)).unwrap();
        plan.select_only(&[StepId::Revoke]).unwrap();
        plan
    };

    let first = revoke_only(&mut responder);
    let planned = first.steps.iter().find(|s| s.id == StepId::Revoke).unwrap();
    assert!(
        planned.calls[0].parameters["PolicyDocument"]
            .as_str()
            .unwrap()
            .contains("<apply time>"),
        "the plan leaves the cutoff to the time of sending: {planned:?}"
    );
    assert!(planned.calls[0].prior.is_null(), "no policy before");
    // A plan confirmed a while after it was made: the cutoff is when it runs.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let applied_from = taskscope::model::time::now();
    let outcome = responder.apply(&first, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    let puts = recorded(&audit_records(&bundle), "iam:PutRolePolicy");
    let first_document = puts[0].0["PolicyDocument"].as_str().unwrap().to_string();
    let first_cutoff = cutoff(&first_document);
    assert!(
        first_cutoff >= applied_from - chrono::TimeDelta::seconds(1)
            && first_cutoff > chrono::DateTime::parse_from_rfc3339(&first.created).unwrap(),
        "the cutoff {first_cutoff} is the apply time (from {applied_from}), not the planning time {}",
        first.created
    );

    // Again: the policy exists, and the new plan replaces it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = revoke_only(&mut responder);
    let replacing = second
        .steps
        .iter()
        .find(|s| s.id == StepId::Revoke)
        .unwrap();
    assert!(replacing.will_run(), "{replacing:?}");
    assert!(replacing.title.contains("replace"), "{}", replacing.title);
    assert!(
        replacing
            .title
            .contains(&first_cutoff.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        "the plan names the cutoff it moves: {}",
        replacing.title
    );
    let outcome = responder.apply(&second, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    let puts = recorded(&audit_records(&bundle), "iam:PutRolePolicy");
    assert_eq!(puts.len(), 2);
    let second_cutoff = cutoff(puts[1].0["PolicyDocument"].as_str().unwrap());
    assert!(
        second_cutoff > first_cutoff,
        "{second_cutoff} after {first_cutoff}"
    );
    let prior: Value =
        serde_json::from_str(puts[1].1["PolicyDocument"].as_str().expect("the prior")).unwrap();
    assert_eq!(
        prior,
        serde_json::from_str::<Value>(&first_document).unwrap(),
        "prior holds the replaced document"
    );
    let now_in_iam = boto3(
        &moto,
        "print(json.dumps(c('iam').get_role_policy(RoleName='web-task-role', \
         PolicyName='taskscope-revoke-sessions-INC-42')['PolicyDocument']))",
        &[],
    );
    let now_in_iam: Value = serde_json::from_slice(&now_in_iam).unwrap();
    assert_eq!(cutoff(&now_in_iam.to_string()), second_cutoff);
}

/// The rules of a security group in the format of a revoke's `prior`.
fn group_prior(moto: &Moto, group: &str, egress: bool) -> Value {
    let code = r#"
group, egress = sys.argv[2], sys.argv[3] == "true"
rules = c("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
keys = ["SecurityGroupRuleId", "IpProtocol", "FromPort", "ToPort", "CidrIpv4", "CidrIpv6", "PrefixListId", "Description"]
print(json.dumps({"GroupId": group, "Rules": [
    dict({k: r[k] for k in keys if k in r}, **({"ReferencedGroupId": r["ReferencedGroupInfo"]["GroupId"]} if "ReferencedGroupInfo" in r else {}))
    for r in rules if r["IsEgress"] == egress]}))
"#;
    let out = boto3(moto, code, &[group, if egress { "true" } else { "false" }]);
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn undo_reverses_an_isolation_and_a_second_undo_changes_nothing() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("inc-42");
    let bundle_arg = bundle.to_str().unwrap();
    let seen = Seen::default();
    let mut responder = responder(&moto, seen.clone(), false);
    let before = aws_state(&moto, &seeded);
    let group = seeded["group"].as_str().unwrap();
    let rules_before = (
        group_prior(&moto, group, false),
        group_prior(&moto, group, true),
    );

    // The service names another group for its next tasks, so the task's
    // own group is its alone and contain-group is offered.
    let next_group = service_uses_a_new_group(&moto, group, seeded["subnet"].as_str().unwrap());

    // Contain the task without stopping it, the security group and the
    // quarantine included: their calls record the state they change.
    let mut request = isolate_request(&seeded, &bundle);
    if let ActionRequest::Isolate(isolate) = &mut request {
        isolate.quarantine_group = seeded["quarantine"].as_str().map(str::to_string);
    }
    let mut plan = responder.plan(&request).unwrap();
    plan.select_only(&[
        StepId::Preserve,
        StepId::Protect,
        StepId::Detach,
        StepId::ContainNacl,
        StepId::ContainGroup,
        StepId::Quarantine,
        StepId::Revoke,
    ])
    .unwrap();
    assert!(
        step(&plan, StepId::ContainGroup).will_run(),
        "{:?}",
        step(&plan, StepId::ContainGroup)
    );
    let protect = step(&plan, StepId::Protect);
    assert_eq!(
        protect.calls[0].prior,
        json!({"protectionEnabled": false, "expirationDate": null}),
        "the protection before, read with GetTaskProtection (replayed)"
    );
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    let contained = aws_state(&moto, &seeded);
    assert_eq!(contained["targets"], json!([]), "{contained}");
    assert_eq!(contained["groupRules"], 0, "{contained}");
    assert_eq!(service_groups(&moto), json!([seeded["quarantine"]]));
    let isolated_records = audit_records(&bundle).len();

    // Undo from the command line. The binary cannot replay what moto
    // lacks, so GetTaskProtection fails there and only protect stays.
    let output = taskscope(
        &moto,
        &[
            "undo",
            bundle_arg,
            "--region",
            "us-east-1",
            "--yes",
            "--allow-actions",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("undo plan undo-"), "{stderr}");
    assert!(stderr.contains("ecs:GetTaskProtection"), "{stderr}");
    let undone = aws_state(&moto, &seeded);
    assert_eq!(
        undone["denies"],
        json!([]),
        "the deny entries are gone: {undone}"
    );
    assert_eq!(
        undone["targets"], before["targets"],
        "registered again: {undone}"
    );
    assert_eq!(
        undone["rolePolicies"],
        json!([]),
        "the policy is deleted: {undone}"
    );
    assert_eq!(undone["groupRules"], before["groupRules"], "{undone}");
    assert_eq!(undone["lastStatus"], "RUNNING", "{undone}");
    assert_eq!(
        service_groups(&moto),
        json!([next_group]),
        "the service's groups are back"
    );
    let rules_after = (
        group_prior(&moto, group, false),
        group_prior(&moto, group, true),
    );
    let without_ids = |prior: &Value| -> Vec<Value> {
        let mut rules: Vec<Value> = prior["Rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("SecurityGroupRuleId");
                r
            })
            .collect();
        rules.sort_by_key(|r| r.to_string());
        rules
    };
    assert_eq!(without_ids(&rules_after.0), without_ids(&rules_before.0));
    assert_eq!(without_ids(&rules_after.1), without_ids(&rules_before.1));

    // The undo's records are in the same bundle, newest call reversed
    // first, and on the task's timeline.
    let records = audit_records(&bundle);
    let undo_records: Vec<&audit::Record> = records.iter().filter(|r| r.action == "undo").collect();
    assert!(matches!(undo_records[0].entry, Entry::Plan { .. }));
    let reversed: Vec<&str> = undo_records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Call {
                operation,
                status: audit::CallStatus::Ok,
                ..
            } => Some(operation.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        reversed,
        [
            "iam:DeleteRolePolicy",
            "ecs:UpdateService",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:DeleteNetworkAclEntry",
            "ec2:DeleteNetworkAclEntry",
            "elasticloadbalancing:RegisterTargets",
        ]
    );
    assert!(matches!(
        undo_records.last().unwrap().entry,
        Entry::Result {
            status: ResultStatus::Completed,
            ..
        }
    ));
    assert!(undo_records.iter().all(|r| r.target == seeded["task"]));
    let opened = Bundle::open(&bundle).unwrap();
    let (incident, _) = opened.incident();
    let task = incident
        .find_task(seeded["task"].as_str().unwrap())
        .unwrap();
    let on_timeline = incident.timelines[task]
        .iter()
        .filter(|&&e| incident.events[e].source == Source::Response)
        .filter(|&&e| {
            incident.events[e].kind.starts_with("undo")
                || incident.events[e].summary.starts_with("undo")
        })
        .count();
    assert_eq!(
        on_timeline,
        undo_records.len(),
        "the undo is on the task's timeline"
    );

    // The protection, through the responder whose GetTaskProtection is
    // replayed: it was off before, so undo turns it off.
    let undo = ActionRequest::Undo(UndoRequest {
        bundle: bundle.clone(),
        action: None,
    });
    let plan = responder.plan(&undo).unwrap();
    assert_eq!(plan.before["undoes"], json!(first_plan_id(&records)));
    let running: Vec<&taskscope::respond::plan::Step> =
        plan.steps.iter().filter(|s| s.will_run()).collect();
    assert_eq!(running.len(), 1, "{:#?}", plan.steps);
    assert_eq!(running[0].id, StepId::Protect);
    assert_eq!(
        running[0].calls[0].parameters["protectionEnabled"],
        json!(false)
    );
    assert!(
        plan.steps
            .iter()
            .filter(|s| s.id == StepId::ContainNacl)
            .all(|s| s
                .unavailable
                .as_deref()
                .is_some_and(|why| why.starts_with("nothing to do"))),
        "{:#?}",
        plan.steps
    );
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    let turned_off = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(op, body)| {
            op == "UpdateTaskProtection" && body.contains("\"protectionEnabled\":false")
        })
        .count();
    assert_eq!(turned_off, 1);

    // A second undo finds everything as it was: no mutating call.
    let again = responder.plan(&undo).unwrap();
    assert_eq!(again.mutating_calls(), 0, "{:#?}", again.steps);
    let recorded_before = audit_records(&bundle).len();
    let sent_before = operations(&seen).len();
    let output = taskscope(
        &moto,
        &[
            "undo",
            bundle_arg,
            "--region",
            "us-east-1",
            "--yes",
            "--allow-actions",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("nothing to do"), "{stderr}");
    assert_eq!(
        audit_records(&bundle).len(),
        recorded_before,
        "nothing recorded"
    );
    assert_eq!(operations(&seen).len(), sent_before);
    assert!(isolated_records < recorded_before);
}

/// The security groups of web-svc's network configuration.
fn service_groups(moto: &Moto) -> Value {
    let code = "s = c('ecs').describe_services(cluster='prod', services=['web-svc'])['services'][0]\n\
                print(json.dumps(s['networkConfiguration']['awsvpcConfiguration']['securityGroups']))";
    serde_json::from_slice(&boto3(moto, code, &[])).unwrap()
}

/// Creates a security group in `group`'s VPC and makes web-svc's network
/// configuration name it instead; returns its ID.
fn service_uses_a_new_group(moto: &Moto, group: &str, subnet: &str) -> String {
    let code = r#"
group, subnet = sys.argv[2], sys.argv[3]
ec2 = c("ec2")
vpc = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["VpcId"]
new = ec2.create_security_group(GroupName="web-next", Description="web's next tasks", VpcId=vpc)["GroupId"]
c("ecs").update_service(cluster="prod", service="web-svc", networkConfiguration={"awsvpcConfiguration": {
    "subnets": [subnet], "securityGroups": [new], "assignPublicIp": "DISABLED"}})
print(json.dumps(new))
"#;
    serde_json::from_slice(&boto3(moto, code, &[group, subnet])).unwrap()
}

/// The ID of the first plan in the audit log.
fn first_plan_id(records: &[audit::Record]) -> String {
    records[0].plan_id.clone()
}

#[test]
fn the_plan_names_who_acts_and_warns_when_keys_override_the_profile() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let caller = boto3(&moto, "print(c('sts').get_caller_identity()['Arn'])", &[]);
    let caller = String::from_utf8(caller).unwrap().trim().to_string();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[actions]\nallow_profiles = [\"ir\"]\n").unwrap();
    let aws_config = dir.path().join("aws-config");
    std::fs::write(&aws_config, "[profile ir]\nregion = us-east-1\n").unwrap();
    let task = seeded["task"].as_str().unwrap();
    // moto.taskscope() sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
    let isolate = |extra: &[&str]| {
        moto.taskscope()
            .env("AWS_CONFIG_FILE", &aws_config)
            .args(["isolate", "--profile", "ir", "--region", "us-east-1"])
            .args(["--cluster", "prod", "--task", task, "--steps", "stop"])
            .arg("--config")
            .arg(&config)
            .args(extra)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };

    let output = isolate(&["--dry-run"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["target"]["caller"], json!(caller));
    let warnings = printed["warnings"].to_string();
    assert!(
        warnings.contains("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY")
            && warnings.contains("profile \\\"ir\\\""),
        "{warnings}"
    );

    // Listed profile, but the keys in the environment are what would act:
    // refused, and the refusal says why.
    let output = isolate(&["--yes", "--bundle", "b"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_REFUSED), "{stderr}");
    assert!(stderr.contains("environment credentials"), "{stderr}");
    assert!(!dir.path().join("b").exists());

    // The text plan names the caller.
    let output = isolate(&["--allow-actions", "--bundle", "b"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(EXIT_REFUSED),
        "not confirmed: {stderr}"
    );
    assert!(
        stderr.contains(&format!("  as       {caller}\n")),
        "{stderr}"
    );
}

#[test]
fn undo_lists_a_call_sent_without_a_recorded_result_as_uncertain() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("killed");
    let mut responder = responder(&moto, Seen::default(), false);
    let mut plan = responder.plan(&isolate_request(&seeded, &bundle)).unwrap();
    plan.select_only(&[StepId::Detach]).unwrap();
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );

    // As a run killed between sending a call and recording its result
    // leaves it, followed by a record this version does not know.
    let record = |extra: Value| {
        let mut line = json!({"time": "2026-11-20T14:30:00Z", "plan_id": plan.id,
            "action": "isolate", "actor": {"caller": "c", "user": "u"}, "target": seeded["task"]});
        line.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        format!("{line}\n")
    };
    for line in [
        record(json!({"record": "call-started", "step": "contain-nacl",
            "operation": "ec2:CreateNetworkAclEntry",
            "parameters": {"NetworkAclId": "acl-1", "RuleNumber": 7, "Egress": false}})),
        record(json!({"record": "a-record-from-the-future", "anything": [1, 2]})),
    ] {
        taskscope::bundle::journal::append_line(&bundle, audit::AUDIT_FILE, &line).unwrap();
    }

    let undo = ActionRequest::Undo(UndoRequest {
        bundle: bundle.clone(),
        action: Some(plan.id.clone()),
    });
    let undo = responder.plan(&undo).unwrap();
    let uncertain = &undo.steps[0];
    assert_eq!(
        uncertain.id,
        StepId::ContainNacl,
        "newest first: {:#?}",
        undo.steps
    );
    assert!(
        uncertain
            .title
            .starts_with("uncertain: ec2:CreateNetworkAclEntry"),
        "{}",
        uncertain.title
    );
    let why = uncertain.unavailable.as_deref().unwrap();
    assert!(why.contains("never recorded"), "{why}");
    assert!(
        why.contains("ec2:DescribeNetworkAcls") && why.contains("ec2:DeleteNetworkAclEntry"),
        "{why}"
    );
    let register = &undo.steps[1];
    assert_eq!(register.id, StepId::Detach);
    assert!(
        register.will_run(),
        "the rest is still planned: {register:?}"
    );
    assert_eq!(undo.mutating_calls(), 1);
}
