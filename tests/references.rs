//! Records that name a task outside the usual fields, and times in the forms
//! that used to miss (issue 18, items 4 and 5), end to end through the real
//! binary: files are imported into a bundle, then read with `tasks` and
//! `timeline`. Every record is synthetic, built from the documented shapes:
//! CloudTrail record fields (CloudTrail User Guide, "CloudTrail record
//! contents"), the Session Manager target the AWS CLI builds for ECS
//! (`ecs:<cluster>_<task-id>_<runtime-id>`), ECS `TagResource` /
//! `UntagResource` request syntax, GuardDuty `EcsTaskDetails` as the AWS CLI
//! prints it, and Falco JSON alerts.

mod binary;

use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// The task every reference below names.
const TASK: &str = "5e7d3c1b9a2f4e6d8c0b1a2f3e4d5c6b";
/// The runtime ID of its container, in the Fargate form `<task-id>-<number>`.
const RUNTIME: &str = "5e7d3c1b9a2f4e6d8c0b1a2f3e4d5c6b-2531612879";
/// A task whose lifetime began within a second CloudTrail truncates.
const LATE_TASK: &str = "8a1f0e2d3c4b45a69788f9e0d1c2b3a4";
/// A task whose ARN is written with its ID in upper case.
const LOUD_TASK: &str = "9a8b7c6d5e4f40312a2b3c4d5e6f7081";

fn task_arn(id: &str) -> String {
    format!("arn:aws:ecs:us-east-1:111122223333:task/payments_prod/{id}")
}

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .output()
        .expect("runs taskscope")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Writes `files` into a folder, imports it, and returns the bundle and the
/// import's output.
fn import(files: &[(&str, String)]) -> (TempDir, PathBuf, Output) {
    let dir = TempDir::new().unwrap();
    let evidence = dir.path().join("evidence");
    fs::create_dir(&evidence).unwrap();
    for (name, text) in files {
        fs::write(evidence.join(name), text).unwrap();
    }
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        evidence.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    (dir, bundle, out)
}

fn json_of(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout(out)).unwrap()
}

/// The rows of one task's timeline, as JSON.
fn timeline(bundle: &Path, task: &str) -> Vec<Value> {
    let out = taskscope(&[
        "timeline",
        bundle.to_str().unwrap(),
        "--task",
        task,
        "--format",
        "json",
    ]);
    json_of(&out).as_array().unwrap().clone()
}

/// The timeline row of `kind`, which must be there once.
fn row<'a>(rows: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = rows.iter().filter(|r| r["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "{kind} on the timeline: {rows:#?}");
    found[0]
}

/// `describe-tasks` output for a running Fargate task.
fn describe_task(arn: &str, created: &str, ip: &str, runtime: &str) -> Value {
    json!({
        "taskArn": arn,
        "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/payments_prod",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "launchType": "FARGATE",
        "createdAt": created,
        "startedAt": created,
        "containers": [{
            "name": "app",
            "runtimeId": runtime,
            "lastStatus": "RUNNING",
            "networkInterfaces": [{"privateIpv4Address": ip}]
        }]
    })
}

fn describe_tasks(tasks: &[Value]) -> String {
    json!({"tasks": tasks, "failures": []}).to_string()
}

/// A CloudTrail record as a trail delivers it.
fn cloudtrail(
    time: &str,
    source: &str,
    name: &str,
    identity: Value,
    ip: &str,
    request: Value,
) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": request,
        "responseElements": null,
        "eventID": format!("{name}-{time}"),
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    })
}

fn iam_user(name: &str) -> Value {
    json!({
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEUSERID0001",
        "arn": format!("arn:aws:iam::111122223333:user/{name}"),
        "accountId": "111122223333",
        "userName": name
    })
}

fn delivery(records: &[Value]) -> String {
    json!({ "Records": records }).to_string()
}

/// The task the references name, running since 13:00 with [`RUNTIME`].
fn running_task() -> Value {
    describe_task(
        &task_arn(TASK),
        "2026-11-20T13:00:00.000Z",
        "10.0.2.15",
        RUNTIME,
    )
}

#[test]
fn a_session_manager_target_reaches_the_task() {
    let start_session = cloudtrail(
        "2026-11-20T13:10:00Z",
        "ssm.amazonaws.com",
        "StartSession",
        iam_user("mallory"),
        "198.51.100.7",
        json!({
            "target": format!("ecs:payments_prod_{TASK}_{RUNTIME}"),
            "documentName": "AWS-StartPortForwardingSession",
            "parameters": {"portNumber": ["5432"], "localPortNumber": ["15432"]}
        }),
    );
    let (_dir, bundle, out) = import(&[
        ("tasks.json", describe_tasks(&[running_task()])),
        ("trail.json", delivery(&[start_session])),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = timeline(&bundle, TASK);
    let session = row(&rows, "StartSession");
    assert_eq!(session["link"], "task-id", "{session}");
    assert_eq!(session["weak"], false);
    let summary = session["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!("target=ecs:payments_prod_{TASK}_{RUNTIME}"))
            && summary.contains("document=AWS-StartPortForwardingSession"),
        "{summary}"
    );
}

#[test]
fn tags_set_and_removed_on_a_task_arn_reach_the_task() {
    let responder = iam_user("taskscope-responder");
    let tag = cloudtrail(
        "2026-11-20T13:20:00Z",
        "ecs.amazonaws.com",
        "TagResource",
        responder.clone(),
        "198.51.100.9",
        json!({
            "resourceArn": task_arn(TASK),
            "tags": [{"key": "taskscope:isolated", "value": "IR-2211"}]
        }),
    );
    let untag = cloudtrail(
        "2026-11-20T13:21:00Z",
        "ecs.amazonaws.com",
        "UntagResource",
        responder,
        "198.51.100.9",
        json!({"resourceArn": task_arn(TASK), "tagKeys": ["taskscope:isolated"]}),
    );
    // Tagging a cluster names no task.
    let tag_cluster = cloudtrail(
        "2026-11-20T13:22:00Z",
        "ecs.amazonaws.com",
        "TagResource",
        iam_user("ops"),
        "198.51.100.9",
        json!({
            "resourceArn": "arn:aws:ecs:us-east-1:111122223333:cluster/payments_prod",
            "tags": [{"key": "team", "value": "payments"}]
        }),
    );
    let (_dir, bundle, out) = import(&[
        ("tasks.json", describe_tasks(&[running_task()])),
        ("trail.json", delivery(&[tag, untag, tag_cluster])),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rows = timeline(&bundle, TASK);
    let tagged = row(&rows, "TagResource");
    assert_eq!(tagged["link"], "task-arn");
    assert!(tagged["summary"]
        .as_str()
        .unwrap()
        .contains("tags=taskscope:isolated=IR-2211"));
    let untagged = row(&rows, "UntagResource");
    assert_eq!(untagged["link"], "task-arn");
    assert!(untagged["summary"]
        .as_str()
        .unwrap()
        .contains("tagKeys=taskscope:isolated"));
    // The cluster's tag is in the bundle, on no task.
    let all = json_of(&taskscope(&[
        "timeline",
        bundle.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let cluster_tag = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "TagResource" && r["summary"].as_str().unwrap().contains("team="))
        .expect("the cluster's TagResource");
    assert_eq!(cluster_tag["links"], json!([]));
}

#[test]
fn a_session_target_with_an_upper_case_id_and_a_docker_runtime_id_still_links() {
    // The target writes the task ID in upper case, and the runtime ID is
    // the 64-hex Docker form of tasks on EC2.
    let docker_id = "4f1c0a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a";
    let running = describe_task(
        &task_arn(TASK),
        "2026-11-20T13:00:00.000Z",
        "10.0.2.15",
        docker_id,
    );
    let start_session = cloudtrail(
        "2026-11-20T13:10:00Z",
        "ssm.amazonaws.com",
        "StartSession",
        iam_user("mallory"),
        "198.51.100.7",
        json!({"target": format!("ecs:payments_prod_{}_{docker_id}", TASK.to_ascii_uppercase())}),
    );
    let (_dir, bundle, out) = import(&[
        ("tasks.json", describe_tasks(&[running])),
        ("trail.json", delivery(&[start_session])),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rows = timeline(&bundle, TASK);
    assert_eq!(row(&rows, "StartSession")["link"], "task-id");
}

#[test]
fn a_principal_id_only_identity_is_a_role_session() {
    let running = running_task();
    // As a bucket owner's trail records a call from another account's task.
    let cross_account = cloudtrail(
        "2026-11-20T13:30:00Z",
        "s3.amazonaws.com",
        "GetObject",
        json!({
            "type": "AWSAccount",
            "principalId": format!("AROAEXAMPLEROLEID0001:{TASK}"),
            "accountId": "444455556666"
        }),
        "203.0.113.40",
        json!({"bucketName": "payments-exports", "key": "2026/11/20/ledger.csv"}),
    );
    // A user's principal ID has no session, whatever follows it.
    let user = cloudtrail(
        "2026-11-20T13:31:00Z",
        "s3.amazonaws.com",
        "ListBuckets",
        json!({
            "type": "AWSAccount",
            "principalId": format!("AIDAEXAMPLEUSERID0001:{TASK}"),
            "accountId": "444455556666"
        }),
        "203.0.113.40",
        json!({}),
    );
    let (_dir, bundle, out) = import(&[
        ("tasks.json", describe_tasks(&[running])),
        ("trail.json", delivery(&[cross_account, user])),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rows = timeline(&bundle, TASK);
    assert_eq!(row(&rows, "GetObject")["link"], "role-session");
    assert!(rows.iter().all(|r| r["kind"] != "ListBuckets"), "{rows:#?}");
}

#[test]
fn guardduty_task_created_at_is_read_in_both_casings() {
    let cli_task = "0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5";
    let api_task = "1b2c3d4e5f6a47b8c9d0e1f2a3b4c5d6";
    // `aws guardduty get-findings` prints member names: `TaskCreatedAt`.
    let cli = json!({"Findings": [{
        "AccountId": "111122223333",
        "Arn": "arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f1",
        "CreatedAt": "2026-11-20T13:47:12.845Z",
        "Id": "f1",
        "Region": "us-east-1",
        "Resource": {
            "ResourceType": "ECSCluster",
            "EcsClusterDetails": {
                "Name": "payments_prod",
                "TaskDetails": {
                    "Arn": task_arn(cli_task),
                    "DefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout-api:41",
                    "TaskCreatedAt": "2026-11-20T13:01:31.204000+00:00",
                    "StartedAt": "2026-11-20T13:02:10.512000+00:00",
                    "Containers": [{"Name": "app", "Image": "checkout-api:41"}]
                }
            }
        },
        "SchemaVersion": "2.0",
        "Service": {"EventFirstSeen": "2026-11-20T13:47:12Z", "EventLastSeen": "2026-11-20T13:47:12Z"},
        "Severity": 8,
        "Title": "Reverse shell",
        "Type": "Execution:Runtime/ReverseShell",
        "UpdatedAt": "2026-11-20T13:47:12.845Z"
    }]});
    let api = json!({"findings": [{
        "accountId": "111122223333",
        "createdAt": "2026-11-20T13:48:00.000Z",
        "id": "f2",
        "region": "us-east-1",
        "resource": {
            "resourceType": "ECSCluster",
            "ecsClusterDetails": {
                "taskDetails": {
                    "arn": task_arn(api_task),
                    "taskCreatedAt": "2026-11-20T13:03:00.250Z"
                }
            }
        },
        "schemaVersion": "2.0",
        "service": {"eventFirstSeen": "2026-11-20T13:48:00Z"},
        "severity": 5,
        "title": "Crypto miner",
        "type": "Impact:Runtime/CryptoMinerExecuted",
        "updatedAt": "2026-11-20T13:48:00.000Z"
    }]});
    let (_dir, bundle, out) = import(&[
        ("findings_cli.json", cli.to_string()),
        ("findings_api.json", api.to_string()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tasks = json_of(&taskscope(&[
        "tasks",
        bundle.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let created = |id: &str| {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .map(|t| t["created_at"].clone())
    };
    assert_eq!(created(cli_task), Some(json!("2026-11-20T13:01:31.204Z")));
    assert_eq!(created(api_task), Some(json!("2026-11-20T13:03:00.250Z")));
}

#[test]
fn an_event_time_truncated_to_the_second_reaches_a_lifetime_begun_in_it() {
    let late = describe_task(
        &task_arn(LATE_TASK),
        "2026-11-20T13:40:05.250Z",
        "10.0.2.60",
        &format!("{LATE_TASK}-77"),
    );
    let unnamed = json!({"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/batch"});
    // CloudTrail stamps 13:40:05.700 as 13:40:05; 13:40:04 is before the task.
    let in_second = cloudtrail(
        "2026-11-20T13:40:05Z",
        "sts.amazonaws.com",
        "GetCallerIdentity",
        unnamed.clone(),
        "10.0.2.60",
        json!({}),
    );
    let before = cloudtrail(
        "2026-11-20T13:40:04Z",
        "s3.amazonaws.com",
        "ListBuckets",
        unnamed,
        "10.0.2.60",
        json!({}),
    );
    let (_dir, bundle, out) = import(&[
        ("tasks.json", describe_tasks(&[late])),
        ("trail.json", delivery(&[in_second, before])),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rows = timeline(&bundle, LATE_TASK);
    let call = row(&rows, "GetCallerIdentity");
    assert_eq!(call["link"], "ip-in-lifetime");
    assert_eq!(call["weak"], true);
    assert!(rows.iter().all(|r| r["kind"] != "ListBuckets"), "{rows:#?}");
}

#[test]
fn falco_epoch_nanoseconds_and_colonless_offsets_parse_and_a_bad_time_skips_one_alert() {
    let running = running_task();
    let alert = |rule: &str, time: Value| {
        json!({
            "hostname": "ip-10-0-2-15.ec2.internal",
            "output": format!("{rule} in container app"),
            "priority": "Warning",
            "rule": rule,
            "source": "syscall",
            "time": time,
            "output_fields": {"container.id": RUNTIME, "proc.name": "sh"}
        })
        .to_string()
    };
    let alerts = [
        alert(
            "Nanoseconds as a number",
            json!(1_795_180_000_123_456_789_u64),
        ),
        alert("Nanoseconds as a string", json!("1795180001123456789")),
        alert(
            "Colonless offset",
            json!("2026-11-20T15:06:42.123456789+0200"),
        ),
        alert("No time at all", json!("yesterday")),
    ]
    .join("\n");
    let (_dir, bundle, out) = import(&[
        ("tasks.json", describe_tasks(&[running])),
        ("falco.ndjson", alerts),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("PARTIAL") && stderr.contains("(falco, 3 records)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Falco alert at L4 has no valid time"),
        "{stderr}"
    );
    let rows = timeline(&bundle, TASK);
    let time = |kind: &str| row(&rows, kind)["time"].clone();
    assert_eq!(
        time("Nanoseconds as a number"),
        "2026-11-20T13:06:40.123456789Z"
    );
    assert_eq!(
        time("Nanoseconds as a string"),
        "2026-11-20T13:06:41.123456789Z"
    );
    assert_eq!(time("Colonless offset"), "2026-11-20T13:06:42.123456789Z");
    assert_eq!(row(&rows, "Colonless offset")["link"], "runtime-id");
}

#[test]
fn a_mixed_case_task_arn_prints_the_same_in_tasks_and_timeline() {
    let loud_arn = task_arn(&LOUD_TASK.to_ascii_uppercase());
    let quiet_arn = task_arn(LOUD_TASK);
    let running = describe_task(
        &loud_arn,
        "2026-11-20T13:00:00.000Z",
        "10.0.2.15",
        &format!("{LOUD_TASK}-1"),
    );
    let stop = cloudtrail(
        "2026-11-20T13:30:00Z",
        "ecs.amazonaws.com",
        "StopTask",
        iam_user("oncall"),
        "198.51.100.9",
        json!({"cluster": "payments_prod", "task": loud_arn}),
    );
    let (_dir, bundle, out) = import(&[
        ("tasks.json", describe_tasks(&[running])),
        ("trail.json", delivery(&[stop])),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let path = bundle.to_str().unwrap();

    let tasks = json_of(&taskscope(&["tasks", path, "--format", "json"]));
    assert_eq!(tasks[0]["arn"], quiet_arn.as_str(), "{tasks:#}");
    let rows = timeline(&bundle, LOUD_TASK);
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row["task"], quiet_arn.as_str(), "{row}");
    }

    // The tables show the task the same way: the ID in lower case.
    let tasks_table = stdout(&taskscope(&["tasks", path]));
    let timeline_table = stdout(&taskscope(&["timeline", path, "--task", LOUD_TASK]));
    assert!(tasks_table.contains(LOUD_TASK), "{tasks_table}");
    assert!(timeline_table.contains(LOUD_TASK), "{timeline_table}");
    for table in [&tasks_table, &timeline_table] {
        assert!(!table.contains(&LOUD_TASK.to_ascii_uppercase()), "{table}");
    }
}
