//! Trust boundaries in correlation (issue 18, items 1 to 3 and the
//! stop/start overlap), end to end through the real binary: evidence built
//! from the documented record shapes (the ECS `Task`, EventBridge envelopes,
//! CloudTrail records, `filter-log-events` output, GuardDuty findings; see
//! ../shared/docs/aws-facts.md and ../shared/fixtures), imported with
//! `taskscope import`, read back with `tasks` and `timeline`. All data here
//! is synthetic.

mod binary;

use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const CLUSTER: &str = "payments-prod";
/// The task whose container prints forged records, or whose role is borrowed.
const TASK_A: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
/// An innocent task the forged records and borrowed names point at.
const TASK_B: &str = "8d2e6f1a0b9c47d3a5e2f8c1b6d4a790";
const DEFINITION: &str = "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout-api:41";

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .output()
        .expect("runs taskscope")
}

fn task_arn(id: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{id}")
}

/// An ECS `Task` as `describe-tasks` prints it.
fn task(id: &str, ip: &str, created: &str, stopped: Option<&str>) -> Value {
    let mut task = json!({
        "taskArn": task_arn(id),
        "clusterArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"),
        "taskDefinitionArn": DEFINITION,
        "group": "service:checkout-api",
        "launchType": "FARGATE",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "createdAt": created,
        "startedAt": created,
        "version": 3,
        "containers": [{
            "name": "app",
            "runtimeId": format!("{id}-1837765126"),
            "lastStatus": "RUNNING",
            "networkInterfaces": [{"attachmentId": "a", "privateIpv4Address": ip}]
        }],
        "attachments": [{"type": "ElasticNetworkInterface", "status": "ATTACHED", "details": [
            {"name": "networkInterfaceId", "value": format!("eni-{}", &id[..17])},
            {"name": "privateIPv4Address", "value": ip}
        ]}]
    });
    if let Some(stopped) = stopped {
        task["lastStatus"] = json!("STOPPED");
        task["desiredStatus"] = json!("STOPPED");
        task["stopCode"] = json!("ServiceSchedulerInitiated");
        task["stoppingAt"] = json!(stopped);
        task["stoppedAt"] = json!(stopped);
        task["version"] = json!(5);
    }
    task
}

/// `describe-task-definition` output for the definition every task runs.
fn task_definition() -> Value {
    json!({"taskDefinition": {
        "taskDefinitionArn": DEFINITION,
        "family": "checkout-api",
        "revision": 41,
        "taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/checkout-api-task"),
        "executionRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/checkout-api-execution"),
        "containerDefinitions": [{"name": "app", "image": "checkout-api:4.12.0"}],
        "status": "ACTIVE",
        "registeredAt": "2026-11-20T08:00:00Z"
    }, "tags": []})
}

/// An IAM user's identity in a CloudTrail record.
fn user(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLEUSER00001",
           "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"), "accountId": ACCOUNT,
           "accessKeyId": "AKIAEXAMPLEUSER00001", "userName": name})
}

/// An assumed-role identity signing with `access_key`.
fn session(role: &str, name: &str, access_key: &str) -> Value {
    json!({"type": "AssumedRole", "principalId": format!("AROAEXAMPLEROLE00001:{name}"),
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{name}"),
           "accountId": ACCOUNT, "accessKeyId": access_key,
           "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLE00001",
               "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"), "accountId": ACCOUNT, "userName": role}}})
}

/// One CloudTrail record.
fn call(id: &str, time: &str, source: &str, name: &str, identity: Value, ip: &str) -> Value {
    json!({"eventVersion": "1.10", "userIdentity": identity, "eventTime": time,
           "eventSource": source, "eventName": name, "awsRegion": REGION,
           "sourceIPAddress": ip, "userAgent": "aws-cli/2.27.41",
           "requestParameters": null, "responseElements": null,
           "eventID": id, "readOnly": true, "eventType": "AwsApiCall",
           "recipientAccountId": ACCOUNT})
}

/// An `AssumeRole` record issuing `issued` for `role` with `session_name`.
fn assume_role(
    id: &str,
    time: &str,
    identity: Value,
    role: &str,
    session_name: &str,
    issued: &str,
) -> Value {
    let mut record = call(
        id,
        time,
        "sts.amazonaws.com",
        "AssumeRole",
        identity,
        "198.51.100.23",
    );
    record["requestParameters"] = json!({
        "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
        "roleSessionName": session_name, "durationSeconds": 3600});
    record["responseElements"] = json!({
        "credentials": {"accessKeyId": issued, "sessionToken": "IQoJEXAMPLE",
                        "expiration": "Nov 20, 2026, 7:01:50 PM"},
        "assumedRoleUser": {"assumedRoleId": format!("AROAEXAMPLEROLE00001:{session_name}"),
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session_name}")}});
    record
}

/// The AssumeRole ECS makes for a task's task role.
fn ecs_assume_role(id: &str, time: &str, task: &str, issued: &str) -> Value {
    let mut record = assume_role(
        id,
        time,
        json!({"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"}),
        "checkout-api-task",
        task,
        issued,
    );
    record["sourceIPAddress"] = json!("ecs-tasks.amazonaws.com");
    record
}

/// A GuardDuty finding, camelCase (API and EventBridge `detail`).
fn finding(id: &str, time: &str, severity: f64, ip: &str, task: Option<&str>) -> Value {
    let mut resource = json!({"resourceType": "ECSCluster", "ecsClusterDetails": {
        "name": CLUSTER, "arn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}")}});
    if let Some(task) = task {
        resource["ecsClusterDetails"]["taskDetails"] = json!({
            "arn": task_arn(task), "definitionArn": DEFINITION, "version": "3",
            "containers": [{"name": "app", "id": format!("{task}-1837765126")}]});
    }
    json!({"accountId": ACCOUNT, "region": REGION, "id": id, "schemaVersion": "2.0",
           "type": "Execution:Runtime/ReverseShell", "title": "Reverse shell", "severity": severity,
           "createdAt": time, "updatedAt": time, "resource": resource,
           "service": {"serviceName": "guardduty", "featureName": "RuntimeMonitoring",
               "eventFirstSeen": time, "eventLastSeen": time,
               "action": {"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {
                   "connectionDirection": "OUTBOUND",
                   "localIpDetails": {"ipAddressV4": ip},
                   "remoteIpDetails": {"ipAddressV4": "203.0.113.66"}}}}})
}

/// An EventBridge envelope around `detail`.
fn envelope(id: &str, detail_type: &str, source: &str, time: &str, detail: Value) -> Value {
    json!({"version": "0", "id": id, "detail-type": detail_type, "source": source,
           "account": ACCOUNT, "time": time, "region": REGION, "resources": [], "detail": detail})
}

/// `filter-log-events` output: `(stream, epoch millis, message)` per event.
fn log_events(events: &[(&str, i64, String)]) -> Value {
    let events: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(n, (stream, millis, message))| {
            json!({"logStreamName": stream, "timestamp": millis, "message": message,
                   "ingestionTime": millis + 300, "eventId": format!("{:056}", n + 1)})
        })
        .collect();
    json!({"events": events, "searchedLogStreams": []})
}

/// Epoch milliseconds of `2026-11-20T<clock>Z`.
fn millis(clock: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!("2026-11-20T{clock}Z"))
        .expect("valid time")
        .timestamp_millis()
}

/// Writes the files (name, JSON) and imports them into a bundle.
fn import(dir: &Path, files: &[(&str, Value)]) -> PathBuf {
    let mut paths = Vec::new();
    for (name, value) in files {
        let path = dir.join(name);
        fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        paths.push(path.to_str().unwrap().to_string());
    }
    let bundle = dir.join("bundle");
    let mut args = vec!["import"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["--out", bundle.to_str().unwrap()]);
    let out = taskscope(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bundle
}

fn json_of(args: &[&str]) -> Value {
    let out = taskscope(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn tasks(bundle: &Path) -> Vec<Value> {
    let rows = json_of(&["tasks", bundle.to_str().unwrap(), "--format", "json"]);
    rows.as_array().expect("an array").clone()
}

fn task_row(rows: &[Value], id: &str) -> Value {
    rows.iter()
        .find(|row| row["id"] == id)
        .unwrap_or_else(|| panic!("no task {id} in {rows:#?}"))
        .clone()
}

fn timeline(bundle: &Path, task: Option<&str>) -> Vec<Value> {
    let mut args = vec!["timeline", bundle.to_str().unwrap(), "--format", "json"];
    if let Some(task) = task {
        args.extend(["--task", task]);
    }
    json_of(&args).as_array().expect("an array").clone()
}

fn row_of<'r>(rows: &'r [Value], kind: &str) -> Option<&'r Value> {
    rows.iter().find(|row| row["kind"] == kind)
}

#[test]
fn a_container_cannot_forge_aws_records_by_printing_them() {
    let dir = TempDir::new().unwrap();
    let stream = format!("ecs/app/{TASK_A}");
    let mut forged_stop = task(TASK_A, "10.0.2.50", "2026-11-20T10:00:00Z", None);
    forged_stop["lastStatus"] = json!("STOPPED");
    forged_stop["stoppedAt"] = json!("2026-11-20T10:05:00Z");
    forged_stop["stopCode"] = json!("EssentialContainerExited");
    forged_stop["version"] = json!(99);
    let forged_stop = envelope(
        "6f1c9a60-0f6e-4a5c-9a8e-1b2c3d4e5f60",
        "ECS Task State Change",
        "aws.ecs",
        "2026-11-20T10:05:00Z",
        forged_stop,
    );
    let forged_finding = envelope(
        "7a2d0b71-1a7f-4b6d-8b9f-2c3d4e5f6a71",
        "GuardDuty Finding",
        "aws.guardduty",
        "2026-11-20T10:06:00Z",
        finding(
            "forgedfinding0000000000000000001",
            "2026-11-20T10:06:00Z",
            9.9,
            "10.0.2.51",
            Some(TASK_B),
        ),
    );
    let app_logs = log_events(&[
        (&stream, millis("10:05:00"), forged_stop.to_string()),
        (&stream, millis("10:06:00"), forged_finding.to_string()),
    ]);
    let described = json!({"tasks": [
        task(TASK_A, "10.0.2.50", "2026-11-20T10:00:00Z", None),
        task(TASK_B, "10.0.2.51", "2026-11-20T09:00:00Z", None),
    ], "failures": []});
    let later_call = json!({"Records": [call(
        "0b8e6c2a-5d7f-4e1a-9c3b-000000000001", "2026-11-20T10:30:00Z",
        "s3.amazonaws.com", "ListBuckets", user("legacy-reporting"), "10.0.2.50")]});
    // The container's output comes first, so on import order alone it would
    // be the main copy of the task's milestones.
    let bundle = import(
        dir.path(),
        &[
            ("a_app_logs.json", app_logs),
            ("b_describe_tasks.json", described),
            ("c_cloudtrail.json", later_call),
        ],
    );

    let rows = tasks(&bundle);
    let a = task_row(&rows, TASK_A);
    assert_eq!(a["last_status"], "RUNNING", "{a:#}");
    assert_eq!(a["stopped_at"], Value::Null, "{a:#}");
    let b = task_row(&rows, TASK_B);
    assert_eq!(b["highest_finding_severity"], Value::Null, "{b:#}");
    assert_eq!(b["events"]["guardduty"], 0, "{b:#}");

    let on_a = timeline(&bundle, Some(TASK_A));
    let call = row_of(&on_a, "ListBuckets").expect("the 10:30 call stays on the task");
    assert_eq!(call["link"], "ip-in-lifetime");
    for milestone in ["PROVISIONING", "RUNNING"] {
        let row = row_of(&on_a, milestone).expect("milestone");
        assert!(
            row["artifact"]
                .as_str()
                .unwrap()
                .contains("b_describe_tasks.json"),
            "{row:#}"
        );
        assert_eq!(row["copies"], json!([]), "{row:#}");
        assert_eq!(row["provenance"], "aws");
    }
    assert!(row_of(&on_a, "STOPPED").is_none(), "{on_a:#?}");
    let forged: Vec<&Value> = on_a.iter().filter(|r| r["source"] == "logs").collect();
    assert_eq!(forged.len(), 2, "{on_a:#?}");
    for row in forged {
        assert_eq!(row["provenance"], "container");
        assert_eq!(row["link"], "log-stream");
        assert_eq!(row["severity"], "info");
        assert!(
            row["summary"]
                .as_str()
                .unwrap()
                .starts_with("[looks like an AWS event ("),
            "{row:#}"
        );
        assert_eq!(row["links"].as_array().unwrap().len(), 1, "{row:#}");
    }
    assert!(timeline(&bundle, Some(TASK_B))
        .iter()
        .all(|row| row["source"] != "logs"));
}

#[test]
fn sessions_follow_the_credentials_not_the_session_name() {
    let dir = TempDir::new().unwrap();
    let task_key = "ASIAEXAMPLETASKA0001";
    let borrowed_key = "ASIAEXAMPLEALICE0001";
    let chained_key = "ASIAEXAMPLECHAIN0001";
    let unproven_key = "ASIAEXAMPLEUNSEEN001";
    let records = json!({"Records": [
        ecs_assume_role("0b8e6c2a-5d7f-4e1a-9c3b-000000000010", "2026-11-20T10:00:30Z", TASK_A, task_key),
        // An IAM user borrows the innocent task's ID as session name.
        assume_role("0b8e6c2a-5d7f-4e1a-9c3b-000000000011", "2026-11-20T10:10:00Z",
                    user("alice"), "checkout-api-task", TASK_B, borrowed_key),
        call("0b8e6c2a-5d7f-4e1a-9c3b-000000000012", "2026-11-20T10:11:00Z", "s3.amazonaws.com",
             "GetObject", session("checkout-api-task", TASK_B, borrowed_key), "198.51.100.23"),
        // The task's session chains into another role under another name.
        assume_role("0b8e6c2a-5d7f-4e1a-9c3b-000000000013", "2026-11-20T10:20:00Z",
                    session("checkout-api-task", TASK_A, task_key), "data-admin", "pwn", chained_key),
        call("0b8e6c2a-5d7f-4e1a-9c3b-000000000014", "2026-11-20T10:21:00Z", "s3.amazonaws.com",
             "DeleteBucket", session("data-admin", "pwn", chained_key), "203.0.113.66"),
        // A session named after the task whose issuing record is not in the bundle.
        call("0b8e6c2a-5d7f-4e1a-9c3b-000000000015", "2026-11-20T10:22:00Z", "sts.amazonaws.com",
             "GetCallerIdentity", session("checkout-api-task", TASK_A, unproven_key), "203.0.113.66"),
    ]});
    let described = json!({"tasks": [
        task(TASK_A, "10.0.2.50", "2026-11-20T10:00:00Z", None),
        task(TASK_B, "10.0.2.51", "2026-11-20T09:00:00Z", None),
    ], "failures": []});
    let bundle = import(
        dir.path(),
        &[
            ("cloudtrail.json", records),
            ("describe_tasks.json", described),
            ("task_definition.json", task_definition()),
        ],
    );

    let everything = timeline(&bundle, None);
    let by_id = |id: &str| {
        everything
            .iter()
            .find(|row| row["artifact"].as_str().unwrap().ends_with(id))
            .unwrap_or_else(|| panic!("no row for {id}"))
            .clone()
    };
    let link_set = |row: &Value| -> Vec<(String, String, Value)> {
        row["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let task = l["task"].as_str().unwrap();
                let id = task.rsplit('/').next().unwrap().to_string();
                (
                    id,
                    l["reason"].as_str().unwrap().to_string(),
                    l["doubt"].clone(),
                )
            })
            .collect()
    };
    let strong_session =
        |task: &str| vec![(task.to_string(), "role-session".to_string(), Value::Null)];

    assert_eq!(link_set(&by_id("/Records/0")), strong_session(TASK_A));
    assert_eq!(
        link_set(&by_id("/Records/1")),
        vec![],
        "the user's AssumeRole"
    );
    assert_eq!(
        link_set(&by_id("/Records/2")),
        vec![],
        "calls with the user's session"
    );
    assert_eq!(
        link_set(&by_id("/Records/3")),
        strong_session(TASK_A),
        "the chaining call"
    );
    assert_eq!(
        link_set(&by_id("/Records/4")),
        strong_session(TASK_A),
        "the chained DeleteBucket"
    );
    assert_eq!(
        link_set(&by_id("/Records/5")),
        vec![(
            TASK_A.to_string(),
            "role-session".to_string(),
            json!("no-issuing-record")
        )]
    );
    assert!(timeline(&bundle, Some(TASK_B))
        .iter()
        .all(|row| row["source"] != "cloudtrail"));
}

#[test]
fn ip_links_stop_where_the_ip_changed_hands_and_never_beside_a_named_task() {
    let dir = TempDir::new().unwrap();
    let ip = "10.0.2.60";
    // Seen once, running, its stop unknown; hours later a new task gets its IP.
    let old = TASK_A;
    let new = TASK_B;
    let described = json!({"tasks": [task(old, ip, "2026-11-20T08:00:00Z", None)], "failures": []});
    let described_later =
        json!({"tasks": [task(new, ip, "2026-11-20T12:00:00Z", None)], "failures": []});
    let calls = json!({"Records": [
        call("0b8e6c2a-5d7f-4e1a-9c3b-000000000020", "2026-11-20T09:00:00Z", "s3.amazonaws.com",
             "ListBuckets", user("legacy-reporting"), ip),
        call("0b8e6c2a-5d7f-4e1a-9c3b-000000000021", "2026-11-20T12:30:00Z", "s3.amazonaws.com",
             "GetObject", user("legacy-reporting"), ip),
    ]});
    let findings = json!({"findings": [
        // Names the new task; its local IP was the old task's too.
        finding("named0000000000000000000000000001", "2026-11-20T12:40:00Z", 8.0, ip, Some(new)),
        // Names no task: only the IP ties it to the old task, weakly.
        finding("ipponly00000000000000000000000001", "2026-11-20T09:30:00Z", 8.0, ip, None),
    ]});
    let bundle = import(
        dir.path(),
        &[
            ("describe_tasks_0800.json", described),
            ("describe_tasks_1200.json", described_later),
            ("cloudtrail.json", calls),
            ("guardduty.json", findings),
        ],
    );

    let on_old = timeline(&bundle, Some(old));
    let kinds: Vec<&str> = on_old
        .iter()
        .filter(|r| r["source"] != "ecs")
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["ListBuckets", "Execution:Runtime/ReverseShell"],
        "{on_old:#?}"
    );
    let weak_finding = row_of(&on_old, "Execution:Runtime/ReverseShell").unwrap();
    assert_eq!(weak_finding["link"], "ip-in-lifetime");
    assert_eq!(weak_finding["weak"], true);

    let on_new = timeline(&bundle, Some(new));
    let named = row_of(&on_new, "Execution:Runtime/ReverseShell").unwrap();
    assert_eq!(named["link"], "task-arn");
    assert_eq!(named["links"].as_array().unwrap().len(), 1, "{named:#}");
    assert_eq!(
        row_of(&on_new, "GetObject").unwrap()["link"],
        "ip-in-lifetime"
    );

    let rows = tasks(&bundle);
    assert_eq!(
        task_row(&rows, old)["highest_finding_severity"],
        Value::Null,
        "a weak link never raises a task's severity"
    );
    assert_eq!(task_row(&rows, new)["highest_finding_severity"], "high");
}

#[test]
fn a_call_in_a_stop_start_overlap_is_marked_ambiguous_naming_both_tasks() {
    let dir = TempDir::new().unwrap();
    let ip = "10.0.2.70";
    let described = json!({"tasks": [
        task(TASK_A, ip, "2026-11-20T09:00:00Z", Some("2026-11-20T10:00:30Z")),
        task(TASK_B, ip, "2026-11-20T10:00:00Z", None),
    ], "failures": []});
    let calls = json!({"Records": [
        call("0b8e6c2a-5d7f-4e1a-9c3b-000000000030", "2026-11-20T10:00:10Z", "s3.amazonaws.com",
             "ListBuckets", user("legacy-reporting"), ip),
        call("0b8e6c2a-5d7f-4e1a-9c3b-000000000031", "2026-11-20T10:10:00Z", "s3.amazonaws.com",
             "GetObject", user("legacy-reporting"), ip),
    ]});
    let bundle = import(
        dir.path(),
        &[
            ("describe_tasks.json", described),
            ("cloudtrail.json", calls),
        ],
    );
    let everything = timeline(&bundle, None);
    let during = row_of(&everything, "ListBuckets").unwrap();
    let links = during["links"].as_array().unwrap();
    assert_eq!(links.len(), 2, "{during:#}");
    for link in links {
        let other = if link["task"].as_str().unwrap().ends_with(TASK_A) {
            TASK_B
        } else {
            TASK_A
        };
        assert_eq!(link["weak"], true);
        assert_eq!(link["ambiguous_with"], json!([task_arn(other)]), "{link:#}");
    }
    let after = row_of(&everything, "GetObject").unwrap();
    assert_eq!(after["links"].as_array().unwrap().len(), 1);
    assert_eq!(after["ambiguous_with"], json!([]));

    let table = taskscope(&["timeline", bundle.to_str().unwrap(), "--task", TASK_B]);
    let text = String::from_utf8(table.stdout).unwrap();
    let line = text.lines().find(|l| l.contains("ListBuckets")).unwrap();
    assert!(line.contains("ip-in-lifetime??"), "{line}");
}
