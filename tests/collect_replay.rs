//! GuardDuty findings and CloudTrail LookupEvents, which moto does not serve,
//! replayed through the real SDK clients: an HTTP client answers each request
//! with a response in the services' documented wire format (synthetic
//! bodies, built here from the API shapes in shared/docs/aws-facts.md). The
//! replays cover pagination, a throttling error and an AccessDenied, and the
//! tests count calls: batch APIs are used, never one call per record.

use aws_config::SdkConfig;
use aws_smithy_types::body::SdkBody;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use taskscope::bundle::growing::GrowingBundle;
use taskscope::bundle::manifest::{CollectRequest, CollectionState, SourceStatus};
use taskscope::bundle::Bundle;
use taskscope::collect::accounts::Reach;
use taskscope::collect::sink::BundleSink;
use taskscope::collect::{Collection, Scope};

#[path = "aws/replay.rs"]
mod replay;

use replay::Replay;

const ACCOUNT: &str = "123456789012";
const DETECTOR: &str = "12abc34d567e8fa901bc2d34e56789f0";
/// Findings the runtime query pages through: 50, then 10.
const RUNTIME_FINDINGS: usize = 60;

fn task_arn(n: usize) -> String {
    format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/{n:032x}")
}

/// A GuardDuty finding in the API's wire format (camelCase), about task `n % 3`.
fn finding(id: &str, n: usize) -> Value {
    json!({
        "accountId": ACCOUNT,
        "arn": format!("arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{DETECTOR}/finding/{id}"),
        "createdAt": "2026-11-20T14:05:00.000Z",
        "updatedAt": "2026-11-20T14:06:00.000Z",
        "id": id,
        "partition": "aws",
        "region": "us-east-1",
        "schemaVersion": "2.0",
        "severity": 8.0,
        "title": "Reverse shell in a Fargate task",
        "type": "Execution:Runtime/ReverseShell",
        "resource": {
            "resourceType": "ECSCluster",
            "ecsClusterDetails": {
                "arn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"),
                "name": "prod",
                "taskDetails": {
                    "arn": task_arn(n % 3),
                    "definitionArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:7"),
                    "launchType": "FARGATE",
                    "containers": [{"name": "app", "image": "web:1"}]
                }
            }
        },
        "service": {
            "serviceName": "guardduty",
            "detectorId": DETECTOR,
            "featureName": "RuntimeMonitoring",
            "eventFirstSeen": "2026-11-20T14:04:00.000Z",
            "eventLastSeen": "2026-11-20T14:04:30.000Z",
            "count": 1,
            "archived": false,
            "runtimeDetails": {"process": {"name": "sh", "executablePath": "/bin/sh"}}
        }
    })
}

/// A CloudTrail record as LookupEvents embeds it (a JSON string).
fn cloudtrail_event(task_id: &str, page: usize) -> Value {
    let record = json!({
        "eventVersion": "1.09",
        "eventTime": format!("2026-11-20T14:1{page}:00Z"),
        "eventSource": "secretsmanager.amazonaws.com",
        "eventName": "GetSecretValue",
        "awsRegion": "us-east-1",
        "eventID": format!("{task_id}-{page}"),
        "userIdentity": {
            "type": "AssumedRole",
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/web-task/{task_id}"),
            "principalId": format!("AROAEXAMPLE:{task_id}")
        },
        "userAgent": "aws-cli/2.15.0 kali"
    });
    json!({
        "EventId": format!("{task_id}-{page}"),
        "EventName": "GetSecretValue",
        "EventTime": 1_795_227_000 + page as i64 * 60,
        "EventSource": "secretsmanager.amazonaws.com",
        "Username": task_id,
        "CloudTrailEvent": record.to_string()
    })
}

fn respond(status: u16, body: Value) -> http::Response<SdkBody> {
    replay::json_response(status, &body)
}

/// What the replaying client saw.
#[derive(Default)]
struct Seen {
    /// Requests by operation.
    calls: Mutex<BTreeMap<String, u64>>,
    /// Whether the attack-sequence query has been throttled once already.
    throttled: AtomicBool,
}

impl Seen {
    fn count(&self, operation: &str) {
        *self
            .calls
            .lock()
            .unwrap()
            .entry(operation.into())
            .or_default() += 1;
    }
}

/// Answers ECS, GuardDuty and CloudTrail requests. `cloudtrail_denied`
/// makes every LookupEvents an AccessDenied.
fn replay(seen: Arc<Seen>, cloudtrail_denied: bool) -> SdkConfig {
    let answer = move |request: &http::Request<SdkBody>| -> http::Response<SdkBody> {
        let target = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body: Value = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        let path = request.uri().path().to_string();
        if let Some(operation) = target.strip_prefix("AmazonEC2ContainerServiceV20141113.") {
            seen.count(operation);
            return respond(
                200,
                match operation {
                    "ListServices" => json!({"serviceArns": []}),
                    "ListTasks" => json!({"taskArns": []}),
                    _ => json!({}),
                },
            );
        }
        if target.ends_with(".LookupEvents") {
            seen.count("LookupEvents");
            if cloudtrail_denied {
                return respond(
                    400,
                    json!({
                        "__type": "AccessDeniedException",
                        "message": "User: arn:aws:sts::123456789012:assumed-role/responder/me is not authorized to perform: cloudtrail:LookupEvents"
                    }),
                );
            }
            let user = body["LookupAttributes"][0]["AttributeValue"]
                .as_str()
                .unwrap_or("");
            return match body["NextToken"].as_str() {
                None => respond(
                    200,
                    json!({"Events": [cloudtrail_event(user, 1)], "NextToken": "page-2"}),
                ),
                Some(_) => respond(200, json!({"Events": [cloudtrail_event(user, 2)]})),
            };
        }
        match path.as_str() {
            "/detector" => {
                seen.count("ListDetectors");
                respond(200, json!({"detectorIds": [DETECTOR]}))
            }
            p if p.ends_with("/findings/get") => {
                seen.count("GetFindings");
                let ids = body["findingIds"].as_array().cloned().unwrap_or_default();
                assert!(ids.len() <= 50, "GetFindings takes at most 50 IDs");
                let findings: Vec<Value> = ids
                    .iter()
                    .filter_map(|id| id.as_str())
                    .map(|id| finding(id, id.trim_start_matches("f").parse().unwrap_or(0)))
                    .collect();
                respond(200, json!({"findings": findings}))
            }
            p if p.ends_with("/findings") => {
                seen.count("ListFindings");
                let criteria = body["findingCriteria"]["criterion"].to_string();
                if criteria.contains("AttackSequence") {
                    if !seen.throttled.swap(true, Ordering::SeqCst) {
                        return respond(
                            429,
                            json!({
                                "__type": "TooManyRequestsException",
                                "message": "Rate exceeded"
                            }),
                        );
                    }
                    return respond(200, json!({"findingIds": []}));
                }
                let ids: Vec<String> = (0..RUNTIME_FINDINGS).map(|n| format!("f{n}")).collect();
                match body["nextToken"].as_str() {
                    None => respond(200, json!({"findingIds": ids[..50], "nextToken": "more"})),
                    Some(_) => respond(200, json!({"findingIds": ids[50..]})),
                }
            }
            other => panic!("unexpected request {other} {target}"),
        }
    };
    let client = Replay::only(move |request| Some(answer(request)));
    replay::config(client, 3)
}

fn scope() -> Scope {
    Scope {
        cluster: Some("prod".into()),
        service: None,
        task: None,
        from: "2026-11-20T00:00:00Z".parse().unwrap(),
        to: "2026-11-21T00:00:00Z".parse().unwrap(),
        log_groups: Vec::new(),
        archive_log_group: None,
        athena: None,
    }
}

/// Runs a collection over the replay into a bundle; returns the bundle dir.
fn collect(
    config: SdkConfig,
    dir: &std::path::Path,
) -> (
    std::path::PathBuf,
    Vec<taskscope::bundle::manifest::SourceReport>,
) {
    let root = dir.join("bundle");
    let bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
    let sink = Arc::new(BundleSink::new(bundle, |_| {}));
    let reach = Reach::own(vec![(config, ACCOUNT.to_string())]);
    let collection = Collection::new(scope(), &reach, sink.clone());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(collection.run(|| {}));
    let reports = collection.reports();
    sink.finish(reports.clone(), CollectionState::Complete)
        .unwrap();
    (root, reports)
}

#[test]
fn findings_page_and_batch_and_lookups_follow_the_tasks_they_name() {
    let seen = Arc::new(Seen::default());
    let dir = tempfile::tempdir().unwrap();
    let (root, reports) = collect(replay(seen.clone(), false), dir.path());
    let calls = seen.calls.lock().unwrap().clone();

    // Two pages of runtime findings, one throttled-then-empty sequence query.
    assert_eq!(calls["ListFindings"], 2 + 2, "{calls:?}");
    // 60 findings in batches of 50: two GetFindings, not sixty.
    assert_eq!(calls["GetFindings"], 2, "{calls:?}");
    // The findings name three tasks: two pages each, plus ECS's own events.
    assert_eq!(calls["LookupEvents"], 3 * 2 + 2, "{calls:?}");

    let guardduty = reports.iter().find(|r| r.source == "guardduty").unwrap();
    assert_eq!(guardduty.status, SourceStatus::Complete, "{guardduty:?}");
    // The recorder counts operations, the replay counts attempts: the
    // throttled request was retried inside one ListFindings call.
    assert_eq!(guardduty.calls["ListFindings"], 3);
    let cloudtrail = reports.iter().find(|r| r.source == "cloudtrail").unwrap();
    assert_eq!(cloudtrail.status, SourceStatus::Complete, "{cloudtrail:?}");

    // What was stored correlates: each task has its findings and its role's calls.
    let bundle = Bundle::open(&root).unwrap();
    assert!(taskscope::bundle::verify::verify(&bundle).is_empty());
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    for n in 0..3 {
        let id = format!("{n:032x}");
        let task = incident
            .find_task(&id)
            .unwrap_or_else(|| panic!("task {id}"));
        let kinds: Vec<&str> = incident.timelines[task]
            .iter()
            .map(|&e| incident.events[e].kind.as_str())
            .collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == "Execution:Runtime/ReverseShell")
                .count(),
            20,
            "{kinds:?}"
        );
        assert!(kinds.contains(&"GetSecretValue"), "{kinds:?}");
    }
}

#[test]
fn access_denied_names_the_action_and_leaves_the_other_sources_complete() {
    let seen = Arc::new(Seen::default());
    let dir = tempfile::tempdir().unwrap();
    let (root, reports) = collect(replay(seen, true), dir.path());
    let cloudtrail = reports.iter().find(|r| r.source == "cloudtrail").unwrap();
    assert_eq!(cloudtrail.status, SourceStatus::Failed, "{cloudtrail:?}");
    assert!(
        cloudtrail.errors[0].starts_with("missing permission cloudtrail:LookupEvents in us-east-1"),
        "{:?}",
        cloudtrail.errors
    );
    assert!(cloudtrail.errors[0].contains("docs/iam.md"));
    let guardduty = reports.iter().find(|r| r.source == "guardduty").unwrap();
    assert_eq!(guardduty.status, SourceStatus::Complete);
    let manifest = Bundle::open(&root).unwrap().manifest;
    assert!(manifest.collection.partial);
    let stored = &manifest.collection.source_reports;
    assert!(stored
        .iter()
        .any(|r| r.source == "cloudtrail" && r.status == SourceStatus::Failed));
}
