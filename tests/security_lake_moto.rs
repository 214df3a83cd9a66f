//! CloudTrail from Amazon Security Lake (`--security-lake`) against moto on
//! loopback: the lake's tables of the region are seeded in moto's Glue
//! catalog (tests/aws/seed_lake_glue.py), and each query execution takes
//! the next OCSF result queued through moto's
//! `/moto-api/static/athena/query-results`, with struct columns as JSON
//! text as `json_format(CAST(x AS JSON))` returns them. Everything is
//! synthetic.

#[path = "aws/athena.rs"]
mod athena;
mod binary;
#[path = "aws/moto.rs"]
mod moto;
#[path = "aws/respond.rs"]
mod respond;

use athena::{queue, result, sent_queries, ACCOUNT};
use moto::Moto;
use respond::moto_config;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use taskscope::bundle::Bundle;

const EXIT_USAGE: i32 = 2;
const MANAGEMENT: &str = "\"amazon_security_lake_glue_db_us_east_1\".\"amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0\"";
const S3_DATA: &str = "\"amazon_security_lake_glue_db_us_east_1\".\"amazon_security_lake_table_us_east_1_s3_data_2_0\"";

/// The columns of a result page, in an order unlike the SELECT list's.
const COLUMNS: [&str; 8] = [
    "src_endpoint",
    "actor",
    "api",
    "metadata",
    "cloud",
    "time_dt",
    "time",
    "class_uid",
];

/// Seeds the incident and the lake's `tables`; returns the task ARNs.
fn seed(moto: &Moto, tables: &str) -> Vec<String> {
    let tasks = moto.seed(3)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_lake_glue.py");
    moto.python(&[script.as_os_str()], &[tables]);
    tasks
}

/// One API Activity row (OCSF 1.1, as Security Lake maps a CloudTrail
/// record), `minutes_ago`, by `actor`.
fn api_activity(
    event_id: &str,
    service: &str,
    operation: &str,
    actor: Value,
    request: Value,
    response: Value,
    minutes_ago: i64,
) -> BTreeMap<&'static str, String> {
    let at = taskscope::model::time::now() - chrono::TimeDelta::minutes(minutes_ago);
    let api = json!({
        "operation": operation,
        "service": {"name": service},
        "request": {"uid": format!("req-{event_id}"), "data": request.to_string()},
        "response": {"data": if response.is_null() { Value::Null } else { response.to_string().into() }},
    });
    BTreeMap::from([
        ("class_uid", "6003".to_string()),
        ("time", at.timestamp_millis().to_string()),
        (
            "time_dt",
            at.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string(),
        ),
        (
            "metadata",
            json!({"uid": event_id, "version": "1.1.0", "product": {"name": "CloudTrail"}})
                .to_string(),
        ),
        ("api", api.to_string()),
        ("actor", actor.to_string()),
        (
            "cloud",
            json!({"region": "us-east-1", "account": {"uid": ACCOUNT}}).to_string(),
        ),
        ("src_endpoint", json!({"ip": "203.0.113.9"}).to_string()),
    ])
}

/// The task role's session `session` of `role`.
fn role_session(role: &str, session: &str) -> Value {
    json!({"user": {
        "type": "AssumedRole",
        "uid": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
        "uid_alt": format!("AROAEXAMPLEROLE:{session}"),
        "credential_uid": "ASIAEXAMPLEKEY",
        "account": {"uid": ACCOUNT}
    }})
}

/// An S3 GetObject (a data event) by `role`'s session `session`.
fn get_object(event_id: &str, role: &str, session: &str) -> BTreeMap<&'static str, String> {
    api_activity(
        event_id,
        "s3.amazonaws.com",
        "GetObject",
        role_session(role, session),
        json!({"bucketName": "customer-exports", "key": "2026/dump.csv"}),
        Value::Null,
        30,
    )
}

/// An ExecuteCommand into `task_arn` by an IAM user.
fn execute_command(event_id: &str, task_arn: &str) -> BTreeMap<&'static str, String> {
    api_activity(
        event_id,
        "ecs.amazonaws.com",
        "ExecuteCommand",
        json!({"user": {"type": "IAMUser", "uid": format!("arn:aws:iam::{ACCOUNT}:user/mallory"),
            "uid_alt": "AIDAEXAMPLEUSER", "account": {"uid": ACCOUNT}}}),
        json!({"cluster": "prod", "container": "app", "command": "/bin/sh", "interactive": true, "task": task_arn}),
        json!({"taskArn": task_arn, "containerName": "app"}),
        20,
    )
}

fn lake_result(records: &[BTreeMap<&str, String>]) -> Value {
    result(&COLUMNS, records)
}

/// `taskscope collect --security-lake` into a bundle in `dir`, which must
/// run `queries` queries and complete its CloudTrail source; the bundle's
/// path and the source's report.
fn collect_lake(moto: &Moto, dir: &Path, queries: u64) -> (PathBuf, Value) {
    let bundle = dir.join("incident");
    let output = moto
        .taskscope()
        .arg("collect")
        .args(moto::SEEDED_CLUSTER)
        .args(["--since", "2d", "--security-lake"])
        .args(["--athena-output", "s3://athena-results/taskscope/", "--out"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(
        bundle.join("manifest.json").exists(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let cloudtrail = manifest["collection"]["source_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "cloudtrail")
        .unwrap()
        .clone();
    assert_eq!(cloudtrail["status"], "complete", "{cloudtrail}");
    assert_eq!(
        cloudtrail["calls"]["StartQueryExecution"], queries,
        "{cloudtrail}"
    );
    (bundle, cloudtrail)
}

/// The kinds of the events on the timeline of the task `task_id`, and
/// their fact IDs.
fn timeline(bundle: &Path, task_id: &str) -> Vec<(String, Option<String>)> {
    let bundle = Bundle::open(bundle).unwrap();
    assert!(taskscope::bundle::verify::verify(&bundle).is_empty());
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    let task = incident.find_task(task_id).expect("the task");
    incident.timelines[task]
        .iter()
        .map(|&e| {
            let event = &incident.events[e];
            (event.kind.clone(), event.fact_id.clone())
        })
        .collect()
}

/// The partition predicate every query must carry: the window's days,
/// the region and the caller's account.
fn lake_predicate() -> String {
    let now = taskscope::model::time::now();
    format!(
        "WHERE (\"eventday\" BETWEEN '{}' AND '{}' AND \"region\" IN ('us-east-1') \
         AND \"accountid\" IN ('{ACCOUNT}')) AND time_dt >= TIMESTAMP '",
        (now - chrono::TimeDelta::days(2)).format("%Y%m%d"),
        now.format("%Y%m%d")
    )
}

#[test]
fn the_lakes_management_table_is_queried_and_the_tasks_calls_land_once() {
    let moto = Moto::start();
    let tasks = seed(&moto, "cloud_trail_mgmt");
    let task_arn = &tasks[1];
    let task_id = task_arn.rsplit('/').next().unwrap();
    let data_event = get_object("lake-get-object", "web-task-role", task_id);
    // The session query finds the task's GetObject and an unrelated
    // principal's; the ECS query the ExecuteCommand and the GetObject again.
    queue(
        &moto,
        vec![
            lake_result(&[
                data_event.clone(),
                get_object("lake-unrelated", "billing", "someone-else"),
            ]),
            lake_result(&[
                execute_command("lake-execute-command", task_arn),
                data_event,
            ]),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let (bundle, cloudtrail) = collect_lake(&moto, dir.path(), 2);
    assert!(
        cloudtrail["calls"].get("LookupEvents").is_none(),
        "{cloudtrail}"
    );
    let notes: Vec<&str> = cloudtrail["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with(
            "athena: Security Lake's S3 data events table \
             AwsDataCatalog.amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_us_east_1_s3_data_2_0 \
             is not queried: glue:GetTable failed in us-east-1: EntityNotFoundException"
        )),
        "{notes:?}"
    );

    let sent = sent_queries(&moto_config(&moto));
    assert_eq!(sent.len(), 2, "{sent:?}");
    let predicate = lake_predicate();
    for query in &sent {
        assert!(
            query.contains(&format!(" FROM {MANAGEMENT} {predicate}")),
            "{query}"
        );
        assert!(
            query.starts_with(
                "SELECT class_uid, time, time_dt, json_format(CAST(metadata AS JSON)) AS metadata, "
            ),
            "struct columns as the catalog types them: {query}"
        );
    }
    let session = sent
        .iter()
        .find(|q| q.contains("actor.user.uid_alt"))
        .unwrap();
    let ids: Vec<String> = tasks
        .iter()
        .map(|t| format!("'{}'", t.rsplit('/').next().unwrap()))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert!(
        session.contains(&format!(
            "element_at(split(actor.user.uid, '/'), -1) IN ({})",
            sorted.join(", ")
        )),
        "{session}"
    );
    let ecs = sent
        .iter()
        .find(|q| q.contains("api.service.name"))
        .unwrap();
    assert!(
        ecs.contains(&format!("strpos(api.request.data, '{task_id}') > 0")),
        "{ecs}"
    );

    let events = timeline(&bundle, task_id);
    let count = |kind: &str| events.iter().filter(|(k, _)| k == kind).count();
    assert_eq!(count("GetObject"), 1, "{events:?}");
    assert_eq!(count("ExecuteCommand"), 1, "{events:?}");
    assert!(
        events.contains(&(
            "GetObject".into(),
            Some("cloudtrail:lake-get-object".into())
        )),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .all(|(_, id)| id.as_deref() != Some("cloudtrail:lake-unrelated")),
        "{events:?}"
    );
}

#[test]
fn the_s3_data_events_table_is_queried_when_the_catalog_has_it() {
    let moto = Moto::start();
    let tasks = seed(&moto, "cloud_trail_mgmt,s3_data");
    let task_id = tasks[0].rsplit('/').next().unwrap();
    queue(
        &moto,
        vec![
            lake_result(&[]),
            lake_result(&[]),
            lake_result(&[get_object("lake-data-event", "web-task-role", task_id)]),
            lake_result(&[]),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let (bundle, _) = collect_lake(&moto, dir.path(), 4);
    let sent = sent_queries(&moto_config(&moto));
    let predicate = lake_predicate();
    for table in [MANAGEMENT, S3_DATA] {
        let from: Vec<&String> = sent
            .iter()
            .filter(|q| q.contains(&format!(" FROM {table} {predicate}")))
            .collect();
        assert_eq!(from.len(), 2, "{table}: {sent:?}");
    }
    let events = timeline(&bundle, task_id);
    let calls: Vec<&(String, Option<String>)> = events
        .iter()
        .filter(|(kind, _)| kind == "GetObject")
        .collect();
    assert_eq!(
        calls,
        [&(
            "GetObject".to_string(),
            Some("cloudtrail:lake-data-event".to_string())
        )]
    );
}

#[test]
fn security_lake_with_a_table_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary::command()
        .args(["collect", "--region", "us-east-1", "--security-lake"])
        .args(["--athena-table", "security.cloudtrail", "--out"])
        .arg(dir.path().join("incident"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(EXIT_USAGE));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("'--security-lake' cannot be used with '--athena-table <DB.TABLE>'"),
        "{stderr}"
    );
    assert!(!dir.path().join("incident").exists());
}
