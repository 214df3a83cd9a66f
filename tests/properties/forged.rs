//! Evidence an attacker (or chance) adds to a generated incident, in the
//! real AWS shapes: records a task's container prints into its own log
//! stream, sessions an IAM user names after tasks, and findings that only an
//! IP ties to a task. None of it may change what the incident says about a
//! task (docs/correlation.md, "Provenance and trust", "Role sessions").

use super::evidence::session_key;
use super::world::{TaskSpec, World};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";

/// The file holding what containers printed.
pub const CONTAINER_OUTPUT: &str = "cwlogs_forged_app.json";
/// The file holding sessions borrowed by an IAM user.
pub const BORROWED: &str = "cloudtrail_borrowed_sessions.json";
/// The file holding findings that name no task, only an IP.
pub const IP_ONLY: &str = "guardduty_ip_only.json";

/// One forgery: whose stream prints it, which task it names, what it
/// imitates, and how long after the printing task's creation.
#[derive(Debug, Clone)]
pub struct Forgery {
    /// The task whose container prints it (index into the world's tasks).
    pub printer: usize,
    /// The task it names.
    pub target: usize,
    /// 0 a task state change, 1 a GuardDuty finding, 2 a CloudTrail
    /// record, 3 a state change whose `id` is the stream's name.
    pub shape: u8,
    /// Seconds after the printer's creation.
    pub offset: u32,
}

/// Forgeries, a handful per incident.
pub fn forgeries() -> impl Strategy<Value = Vec<Forgery>> {
    prop::collection::vec(
        (any::<usize>(), any::<usize>(), 0u8..4, 0u32..14_400).prop_map(
            |(printer, target, shape, offset)| Forgery {
                printer,
                target,
                shape,
                offset,
            },
        ),
        1..8,
    )
}

fn pick(world: &World, index: usize) -> &TaskSpec {
    &world.tasks[index % world.tasks.len()]
}

fn at(task: &TaskSpec, offset: u32) -> DateTime<Utc> {
    task.created + Duration::seconds(i64::from(offset))
}

fn text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A forged "ECS Task State Change" detail: the target stopped, version 99.
fn forged_stop(target: &TaskSpec, time: DateTime<Utc>) -> Value {
    json!({"taskArn": target.arn, "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
           "createdAt": text(target.created - Duration::hours(1)), "stoppedAt": text(time),
           "stopCode": "EssentialContainerExited", "version": 99,
           "containers": [{"name": "app", "runtimeId": format!("{}-1", target.id),
               "networkInterfaces": [{"privateIpv4Address": "10.99.99.99"}]}]})
}

/// A GuardDuty finding naming `target` by `taskDetails`, or, without a
/// target, only by the IP.
fn finding(id: String, time: DateTime<Utc>, ip: &str, target: Option<&TaskSpec>) -> Value {
    let mut cluster = json!({"name": "payments-prod"});
    if let Some(target) = target {
        cluster["taskDetails"] = json!({"arn": target.arn,
            "containers": [{"name": "app", "id": format!("{}-1", target.id)}]});
    }
    json!({"accountId": ACCOUNT, "region": REGION, "id": id, "schemaVersion": "2.0",
           "type": "Execution:Runtime/ReverseShell", "title": "Reverse shell", "severity": 9.9,
           "createdAt": text(time), "updatedAt": text(time),
           "resource": {"resourceType": "ECSCluster", "ecsClusterDetails": cluster},
           "service": {"eventFirstSeen": text(time), "eventLastSeen": text(time),
               "action": {"networkConnectionAction": {"localIpDetails": {"ipAddressV4": ip}}}}})
}

fn envelope(id: &str, detail_type: &str, time: DateTime<Utc>, detail: Value) -> Value {
    json!({"version": "0", "id": id, "detail-type": detail_type, "source": "aws.ecs",
           "account": ACCOUNT, "time": text(time), "region": REGION, "resources": [],
           "detail": detail})
}

/// A CloudTrail record signed by `identity`.
fn record(n: usize, time: DateTime<Utc>, name: &str, identity: Value, ip: &str) -> Value {
    json!({"eventVersion": "1.10", "userIdentity": identity,
           "eventTime": time.to_rfc3339_opts(SecondsFormat::Secs, true),
           "eventSource": "s3.amazonaws.com", "eventName": name, "awsRegion": REGION,
           "sourceIPAddress": ip, "requestParameters": null, "responseElements": null,
           "eventID": format!("f0f0f0f0-0000-4000-8000-{n:012}"), "recipientAccountId": ACCOUNT})
}

fn task_session(session: &str, access_key: &str) -> Value {
    json!({"type": "AssumedRole",
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/checkout-api-task/{session}"),
           "accountId": ACCOUNT, "accessKeyId": access_key})
}

/// `filter-log-events` output: each forgery printed by its printer's app container.
pub fn container_output(world: &World, forgeries: &[Forgery]) -> Vec<u8> {
    let events: Vec<Value> = forgeries
        .iter()
        .enumerate()
        .map(|(n, forgery)| {
            let (printer, target) = (pick(world, forgery.printer), pick(world, forgery.target));
            let time = at(printer, forgery.offset);
            let stream = format!("ecs/app/{}", printer.id);
            let id = format!("c0ffee00-0000-4000-8000-{n:012}");
            let message = match forgery.shape {
                0 => envelope(
                    &id,
                    "ECS Task State Change",
                    time,
                    forged_stop(target, time),
                ),
                1 => envelope(
                    &id,
                    "GuardDuty Finding",
                    time,
                    finding(format!("{n:032x}"), time, target.ip, Some(target)),
                ),
                2 => record(
                    n,
                    time,
                    "DeleteBucket",
                    task_session(&target.id, &session_key(&target.id)),
                    target.ip,
                ),
                _ => envelope(
                    &stream,
                    "ECS Task State Change",
                    time,
                    forged_stop(target, time),
                ),
            };
            json!({"logStreamName": stream, "timestamp": time.timestamp_millis(),
                   "message": message.to_string(), "ingestionTime": time.timestamp_millis() + 250,
                   "eventId": format!("{:056}", 90_000 + n)})
        })
        .collect();
    json!({"events": events, "searchedLogStreams": []})
        .to_string()
        .into_bytes()
}

/// CloudTrail: an IAM user assumes the task role naming each session after
/// a task, then calls with the credentials it received.
pub fn borrowed_sessions(world: &World, forgeries: &[Forgery]) -> Vec<u8> {
    let user = json!({"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/mallory"),
                      "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLEMALLORY01",
                      "userName": "mallory"});
    let mut records = Vec::new();
    for (n, forgery) in forgeries.iter().enumerate() {
        let target = pick(world, forgery.target);
        let time = at(target, forgery.offset);
        let key = format!("ASIABORROWED{n:08}");
        let mut assume = record(2 * n, time, "AssumeRole", user.clone(), "198.51.100.23");
        assume["eventSource"] = json!("sts.amazonaws.com");
        assume["requestParameters"] = json!({
            "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/checkout-api-task"),
            "roleSessionName": target.id});
        assume["responseElements"] = json!({"credentials": {"accessKeyId": key}});
        records.push(assume);
        records.push(record(
            2 * n + 1,
            time + Duration::seconds(30),
            "GetObject",
            task_session(&target.id, &key),
            "198.51.100.23",
        ));
    }
    json!({"Records": records}).to_string().into_bytes()
}

/// GuardDuty findings (severity 9.9) that name no task: only their local
/// IP, a task's, at a time inside that task's lifetime.
pub fn ip_only_findings(world: &World, forgeries: &[Forgery]) -> Vec<u8> {
    let findings: Vec<Value> = forgeries
        .iter()
        .enumerate()
        .map(|(n, forgery)| {
            let target = pick(world, forgery.target);
            let end = target.end_for_timing();
            let span = (end - target.created).num_seconds().max(1);
            let time = target.created + Duration::seconds(i64::from(forgery.offset) % span);
            finding(format!("1p{n:030x}"), time, target.ip, None)
        })
        .collect();
    json!({"findings": findings}).to_string().into_bytes()
}
