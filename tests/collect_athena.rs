//! CloudTrail through Athena (`--athena-table`) against moto on loopback.
//! moto runs no SQL: each query execution takes the next result queued
//! through `POST /moto-api/static/athena/query-results` (seeded over plain
//! HTTP), with struct columns as Athena returns them (JSON text, field
//! names lowercased) and the header row a SELECT's first page carries.
//! Where moto cannot fail a query, a real-format FAILED GetQueryExecution
//! answer is replayed through the SDK (tests/aws/replay.rs).

#[path = "aws/athena.rs"]
mod athena;
mod binary;
#[path = "aws/moto.rs"]
mod moto;
#[path = "aws/replay.rs"]
mod replay;
#[path = "aws/respond.rs"]
mod respond;

use athena::{executions, post, queue, sent_queries, time_ago, ACCOUNT};
use aws_config::SdkConfig;
use moto::Moto;
use replay::{json_response, Replay};
use respond::moto_config;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use taskscope::bundle::growing::GrowingBundle;
use taskscope::bundle::manifest::{CollectRequest, CollectionState, SourceReport, SourceStatus};
use taskscope::bundle::Bundle;
use taskscope::collect::accounts::{Reach, Target};
use taskscope::collect::athena::ddl::TrailTable;
use taskscope::collect::sink::BundleSink;
use taskscope::collect::{Collection, Scope};
use taskscope::import::athena::columns::COLUMNS;
use taskscope::trail_tables::{AthenaSource, TableName, TrailTables};

/// A member account collected with the caller's (moto answers it as the caller).
const MEMBER: &str = "210987654321";
const EXIT_PARTIAL: i32 = 3;

fn source(workgroup: &str) -> AthenaSource {
    table_source(workgroup, "security.cloudtrail")
}

fn table_source(workgroup: &str, table: &str) -> AthenaSource {
    AthenaSource {
        tables: TrailTables::Named(TableName::parse(table).unwrap()),
        workgroup: workgroup.into(),
        output: Some("s3://athena-results/taskscope/".into()),
        catalog: "AwsDataCatalog".into(),
    }
}

fn scope(athena: AthenaSource) -> Scope {
    let now = taskscope::model::time::now();
    Scope {
        cluster: Some("prod".into()),
        service: None,
        task: None,
        from: now - chrono::TimeDelta::days(2),
        to: now + chrono::TimeDelta::hours(1),
        log_groups: Vec::new(),
        archive_log_group: None,
        athena: Some(athena),
    }
}

/// The task ARNs the seed created.
fn seeded_tasks(moto: &Moto) -> Vec<String> {
    moto.seed(3)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

/// One queued result of the CloudTrail table: its columns reversed from
/// the SELECT list, so that only reading by name finds them.
fn result(records: &[BTreeMap<&str, String>]) -> Value {
    let order: Vec<&str> = COLUMNS.iter().rev().map(|c| c.name).collect();
    athena::result(&order, records)
}

/// Creates `trails.org_trail` in moto's Glue catalog with the properties
/// `taskscope athena-ddl` writes (injected `account` and `region`).
fn seed_org_trail_table(moto: &Moto) {
    let trail = TrailTable::new("org-trail-logs", None, Some("o-a1b2c3d4e5"), None).unwrap();
    let properties: serde_json::Map<String, Value> = trail
        .properties()
        .into_iter()
        .map(|(key, value)| (key, value.into()))
        .collect();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_glue.py");
    moto.python(
        &[script.as_os_str()],
        &[&Value::Object(properties).to_string()],
    );
}

/// The columns every record shares.
fn base(
    event_id: &str,
    name: &str,
    event_source: &str,
    minutes_ago: i64,
) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("eventversion", "1.09".to_string()),
        ("eventtime", time_ago(minutes_ago)),
        ("eventsource", event_source.to_string()),
        ("eventname", name.to_string()),
        ("awsregion", "us-east-1".to_string()),
        ("sourceipaddress", "203.0.113.9".to_string()),
        ("useragent", "aws-cli/2.15".to_string()),
        ("requestid", format!("req-{event_id}")),
        ("eventid", event_id.to_string()),
        ("eventtype", "AwsApiCall".to_string()),
        ("recipientaccountid", ACCOUNT.to_string()),
        ("eventcategory", "Management".to_string()),
        (
            "tlsdetails",
            r#"{"tlsversion":"TLSv1.3","ciphersuite":"TLS_AES_128_GCM_SHA256","clientprovidedhostheader":"example.amazonaws.com"}"#.to_string(),
        ),
    ])
}

/// An S3 GetObject (a data event) by the role session `session` of `role`.
fn get_object(event_id: &str, role: &str, session: &str) -> BTreeMap<&'static str, String> {
    let mut record = base(event_id, "GetObject", "s3.amazonaws.com", 30);
    record.insert(
        "useridentity",
        format!(
            r#"{{"type":"AssumedRole","principalid":"AROAEXAMPLEROLE:{session}","arn":"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}","accountid":"{ACCOUNT}","invokedby":null,"accesskeyid":"ASIAEXAMPLEKEY","username":null,"onbehalfof":null,"sessioncontext":{{"attributes":{{"mfaauthenticated":"false","creationdate":"{}"}},"sessionissuer":{{"type":"Role","principalid":"AROAEXAMPLEROLE","arn":"arn:aws:iam::{ACCOUNT}:role/{role}","accountid":"{ACCOUNT}","username":"{role}"}},"ec2roledelivery":null,"webidfederationdata":null}}}}"#,
            time_ago(60)
        ),
    );
    record.insert("requestparameters", r#"{"bucketName":"customer-exports","Host":"customer-exports.s3.amazonaws.com","key":"2026/dump.csv"}"#.into());
    record.insert("readonly", "true".into());
    record.insert(
        "resources",
        format!(r#"[{{"arn":"arn:aws:s3:::customer-exports/2026/dump.csv","accountid":null,"type":"AWS::S3::Object"}},{{"arn":"arn:aws:s3:::customer-exports","accountid":"{ACCOUNT}","type":"AWS::S3::Bucket"}}]"#),
    );
    record.insert("eventcategory", "Data".into());
    record
}

/// An ExecuteCommand into `task_arn` by an IAM user.
fn execute_command(event_id: &str, task_arn: &str) -> BTreeMap<&'static str, String> {
    let mut record = base(event_id, "ExecuteCommand", "ecs.amazonaws.com", 20);
    record.insert(
        "useridentity",
        format!(r#"{{"type":"IAMUser","principalid":"AIDAEXAMPLEUSER","arn":"arn:aws:iam::{ACCOUNT}:user/mallory","accountid":"{ACCOUNT}","accesskeyid":"AKIAEXAMPLEKEY","username":"mallory"}}"#),
    );
    record.insert(
        "requestparameters",
        format!(r#"{{"cluster":"prod","container":"app","command":"/bin/sh","interactive":true,"task":"{task_arn}"}}"#),
    );
    record.insert(
        "responseelements",
        format!(r#"{{"clusterArn":"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod","containerName":"app","interactive":true,"taskArn":"{task_arn}"}}"#),
    );
    record.insert("readonly", "false".into());
    record
}

/// Runs a collection into a bundle under `dir`; `stop` ends it early when
/// it resolves first (the queries still running are then stopped).
fn collect(
    config: SdkConfig,
    scope: Scope,
    dir: &Path,
    stop: Option<StopWhen>,
) -> (PathBuf, Vec<SourceReport>) {
    let reach = Reach::own(vec![(config, ACCOUNT.to_string())]);
    collect_reach(&reach, scope, dir, stop)
}

/// When a test stops its collection, as Ctrl-C would.
enum StopWhen {
    /// As soon as Athena has been sent a query: a condition, not a delay,
    /// so that a slow machine cannot stop the collection too early.
    AQueryStarted(aws_sdk_athena::Client),
}

/// [`collect`] over the accounts and regions of `reach`.
fn collect_reach(
    reach: &Reach,
    scope: Scope,
    dir: &Path,
    stop: Option<StopWhen>,
) -> (PathBuf, Vec<SourceReport>) {
    let root = dir.join("bundle");
    let bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
    let sink = Arc::new(BundleSink::new(bundle, |_| {}));
    let collection = Collection::new(scope, reach, sink.clone());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let state = runtime.block_on(async {
        let stop = async {
            match stop {
                Some(StopWhen::AQueryStarted(athena)) => loop {
                    let listed = athena.list_query_executions().send().await;
                    if listed.is_ok_and(|l| !l.query_execution_ids().is_empty()) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                },
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = collection.run(|| {}) => CollectionState::Complete,
            () = stop => {
                collection.stop_remote_work().await;
                CollectionState::Interrupted
            }
        }
    });
    let reports = collection.reports();
    sink.finish(reports.clone(), state).unwrap();
    (root, reports)
}

fn report<'a>(reports: &'a [SourceReport], source: &str) -> &'a SourceReport {
    reports.iter().find(|r| r.source == source).unwrap()
}

#[test]
fn a_data_event_and_an_execute_command_land_once_each_on_the_tasks_timeline() {
    let moto = Moto::start();
    let tasks = seeded_tasks(&moto);
    seed_org_trail_table(&moto);
    let task_arn = &tasks[1];
    let task_id = task_arn.rsplit('/').next().unwrap();
    let data_event = get_object("athena-get-object", "web-task-role", task_id);
    // The session query finds the task's GetObject and, as a broad match
    // would, an unrelated principal's; the ECS query finds the
    // ExecuteCommand and the same GetObject again.
    queue(
        &moto,
        vec![
            result(&[
                data_event.clone(),
                get_object("athena-unrelated", "billing", "someone-else"),
            ]),
            result(&[
                execute_command("athena-execute-command", task_arn),
                data_event,
            ]),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let scope = scope(table_source("primary", "trails.org_trail"));
    let (root, reports) = collect(moto_config(&moto), scope.clone(), dir.path(), None);

    let cloudtrail = report(&reports, "cloudtrail");
    assert_eq!(cloudtrail.status, SourceStatus::Complete, "{cloudtrail:?}");
    // The table's layout, read from Glue, prunes every query: its days, and
    // the injected region and account, the caller's own included.
    let sent = sent_queries(&moto_config(&moto));
    assert_eq!(sent.len(), 2, "{sent:?}");
    let predicate = format!(
        "WHERE (\"timestamp\" BETWEEN '{}' AND '{}' AND \"region\" IN ('us-east-1') \
         AND \"account\" IN ('{ACCOUNT}')) AND eventtime",
        scope.from.format("%Y/%m/%d"),
        scope.to.format("%Y/%m/%d")
    );
    for query in &sent {
        assert!(query.contains(&predicate), "{query}");
    }
    // Three tasks, one service, one task definition: two queries in all.
    assert_eq!(cloudtrail.calls["StartQueryExecution"], 2, "{cloudtrail:?}");
    assert_eq!(cloudtrail.calls["GetQueryResults"], 2, "{cloudtrail:?}");
    assert!(!cloudtrail.calls.contains_key("LookupEvents"));
    assert!(
        cloudtrail.notes[0].starts_with(
            "athena: 2 queries, 4 rows, 0 B scanned (0 bytes), estimated cost $0.000100"
        ),
        "{cloudtrail:?}"
    );

    let bundle = Bundle::open(&root).unwrap();
    assert!(taskscope::bundle::verify::verify(&bundle).is_empty());
    let pages: Vec<_> = bundle
        .manifest
        .inputs
        .iter()
        .filter(|i| {
            i.origin
                .as_ref()
                .is_some_and(|o| o.operation == "GetQueryResults")
        })
        .collect();
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p.records == 2), "{pages:?}");
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    let task = incident.find_task(task_id).expect("the task");
    let events: Vec<_> = incident.timelines[task]
        .iter()
        .map(|&e| &incident.events[e])
        .collect();
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("GetObject"), 1, "{events:#?}");
    assert_eq!(count("ExecuteCommand"), 1, "{events:#?}");
    assert!(
        events
            .iter()
            .all(|e| e.fact_id.as_deref() != Some("cloudtrail:athena-unrelated")),
        "{events:#?}"
    );
}

#[test]
fn a_workgroup_athena_refuses_fails_the_source_clearly_and_the_bundle_verifies() {
    let moto = Moto::start();
    moto.seed(2);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("incident");
    let output = moto
        .taskscope()
        .arg("collect")
        .args(moto::SEEDED_CLUSTER)
        .args(["--since", "2d", "--athena-table", "security.cloudtrail"])
        .args(["--athena-workgroup", "no-such-workgroup", "--out"])
        .arg(&bundle)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(EXIT_PARTIAL), "{stderr}{stdout}");
    let expected = "AwsDataCatalog.security.cloudtrail: athena:StartQueryExecution failed in \
                    us-east-1: InvalidRequestException: WorkGroup does not exist";
    assert!(
        stdout.contains(expected) || stderr.contains(expected),
        "{stdout}{stderr}"
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["collection"]["partial"], true);
    let cloudtrail = manifest["collection"]["source_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "cloudtrail")
        .unwrap();
    assert_eq!(cloudtrail["status"], "failed", "{cloudtrail}");
    assert_eq!(cloudtrail["errors"][0], expected, "{cloudtrail}");
    // ECS carried on.
    let ecs = manifest["collection"]["source_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "ecs")
        .unwrap();
    assert_eq!(ecs["status"], "complete", "{ecs}");
    let verify = binary::command()
        .arg("verify")
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn a_failed_query_names_the_table_the_query_and_athenas_reason() {
    let moto = Moto::start();
    seeded_tasks(&moto);
    let reason =
        "TABLE_NOT_FOUND: line 1:1185: Table 'awsdatacatalog.security.cloudtrail' does not exist";
    let fallback = taskscope::collect::aws::https_client();
    let client = Replay::before(fallback, move |request| {
        if replay::operation(request) != "GetQueryExecution" {
            return None;
        }
        let body: Value =
            serde_json::from_slice(request.body().bytes().unwrap_or_default()).ok()?;
        let id = body["QueryExecutionId"].as_str()?.to_string();
        Some(json_response(
            200,
            &json!({"QueryExecution": {
                "QueryExecutionId": id,
                "Query": "SELECT ...",
                "StatementType": "DML",
                "WorkGroup": "primary",
                "Status": {
                    "State": "FAILED",
                    "StateChangeReason": reason,
                    "SubmissionDateTime": 1.7952663E9,
                    "CompletionDateTime": 1.7952663E9,
                    "AthenaError": {"ErrorCategory": 2, "ErrorType": 1006, "Retryable": false, "ErrorMessage": reason}
                },
                "Statistics": {"DataScannedInBytes": 0, "EngineExecutionTimeInMillis": 120}
            }}),
        ))
    });
    let config = moto_config(&moto)
        .into_builder()
        .http_client(client)
        .build();
    let dir = tempfile::tempdir().unwrap();
    let (root, reports) = collect(config, scope(source("primary")), dir.path(), None);

    let cloudtrail = report(&reports, "cloudtrail");
    assert_ne!(cloudtrail.status, SourceStatus::Complete, "{cloudtrail:?}");
    let error = &cloudtrail.errors[0];
    assert!(error.starts_with("athena query "), "{error}");
    assert!(
        error.ends_with(&format!(
            " on AwsDataCatalog.security.cloudtrail (role sessions 1/1) FAILED: {reason}"
        )),
        "{error}"
    );
    assert_eq!(
        cloudtrail.errors[1],
        "1 more Athena queries were not run after that failure"
    );
    assert_eq!(cloudtrail.calls["StartQueryExecution"], 1, "{cloudtrail:?}");
    assert_eq!(report(&reports, "ecs").status, SourceStatus::Complete);
    let bundle = Bundle::open(&root).unwrap();
    assert!(bundle.manifest.collection.partial);
    assert!(taskscope::bundle::verify::verify(&bundle).is_empty());
}

#[test]
fn stopping_a_collection_stops_its_running_queries() {
    let moto = Moto::start();
    seeded_tasks(&moto);
    // Queries stay QUEUED: moto advances them only after this many polls.
    post(
        &moto,
        "/moto-api/state-manager/set-transition",
        &json!({"model_name": "athena::execution", "transition": {"progression": "manual", "times": 100000}}),
    );
    let config = moto_config(&moto);
    let dir = tempfile::tempdir().unwrap();
    let (_, reports) = collect(
        config.clone(),
        scope(source("primary")),
        dir.path(),
        Some(StopWhen::AQueryStarted(aws_sdk_athena::Client::new(
            &config,
        ))),
    );
    let cloudtrail = report(&reports, "cloudtrail");
    assert_eq!(cloudtrail.calls["StartQueryExecution"], 1, "{cloudtrail:?}");
    assert!(
        cloudtrail
            .notes
            .iter()
            .any(|n| n.ends_with("stopped (StopQueryExecution) when the collection stopped")),
        "{cloudtrail:?}"
    );
    let states: Vec<Option<String>> = executions(&config)
        .iter()
        .map(|e| {
            let state = e.status().and_then(|s| s.state());
            state.map(|s| s.as_str().to_string())
        })
        .collect();
    assert_eq!(states, [Some("CANCELLED".to_string())]);
}

#[test]
fn two_accounts_are_queried_once_from_the_callers_account_with_both_in_the_predicate() {
    let moto = Moto::start();
    let tasks = seeded_tasks(&moto);
    seed_org_trail_table(&moto);
    let task_id = tasks[0].rsplit('/').next().unwrap();
    let session = get_object("athena-org-get-object", "web-task-role", task_id);
    queue(&moto, vec![result(&[session]), result(&[])]);
    let reach = Reach {
        caller: ACCOUNT.into(),
        targets: [ACCOUNT, MEMBER]
            .into_iter()
            .map(|account| Target {
                account: account.into(),
                config: moto_config(&moto),
            })
            .collect(),
        unreachable: Vec::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let scope = scope(table_source("primary", "trails.org_trail"));
    let (root, reports) = collect_reach(&reach, scope, dir.path(), None);

    let trails: Vec<&SourceReport> = reports
        .iter()
        .filter(|r| r.source == "cloudtrail")
        .collect();
    assert_eq!(trails.len(), 2, "{trails:?}");
    let caller = trails.iter().find(|r| r.account == ACCOUNT).unwrap();
    let member = trails.iter().find(|r| r.account == MEMBER).unwrap();
    assert_eq!(caller.status, SourceStatus::Complete, "{caller:?}");
    // One session query and one ECS query for both accounts, not two each.
    assert_eq!(caller.calls["StartQueryExecution"], 2, "{caller:?}");
    assert!(
        !member.calls.contains_key("StartQueryExecution"),
        "{member:?}"
    );
    assert_eq!(member.status, SourceStatus::Complete, "{member:?}");
    assert_eq!(
        member.notes,
        [format!(
            "athena: queried from the caller's account {ACCOUNT} with the other accounts of this region"
        )]
    );
    let sent = sent_queries(&moto_config(&moto));
    assert_eq!(sent.len(), 2, "{sent:?}");
    for query in &sent {
        assert!(
            query.contains(&format!(
                "AND \"region\" IN ('us-east-1') AND \"account\" IN ('{ACCOUNT}', '{MEMBER}'))"
            )),
            "{query}"
        );
    }
    let bundle = Bundle::open(&root).unwrap();
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    let task = incident.find_task(task_id).expect("the task");
    assert!(
        incident.timelines[task]
            .iter()
            .any(|&e| incident.events[e].fact_id.as_deref()
                == Some("cloudtrail:athena-org-get-object")),
        "the session's call lands on the task's timeline"
    );
}
