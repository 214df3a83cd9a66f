//! Image collection where moto cannot go, replayed through the real SDK
//! clients in the services' wire format (synthetic bodies): Inspector
//! refusing the caller (AccessDenied on BatchGetAccountStatus and
//! ListFindings), which falls back to ECR's basic scan and makes the source
//! partial; Inspector reporting ECR scanning disabled, which falls back with
//! a note only; a throttled DescribeImages retried; and ECR managed signing
//! reporting no signature, which flags the task.

use aws_config::SdkConfig;
use aws_smithy_types::body::SdkBody;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use taskscope::bundle::growing::GrowingBundle;
use taskscope::bundle::manifest::{CollectRequest, CollectionState, SourceReport, SourceStatus};
use taskscope::bundle::Bundle;
use taskscope::collect::accounts::Reach;
use taskscope::collect::sink::BundleSink;
use taskscope::collect::{Collection, Scope};
use taskscope::model::{ImageFlag, Signature};

#[path = "aws/replay.rs"]
mod replay;

use replay::Replay;

const ACCOUNT: &str = "123456789012";
const TASK_ID: &str = "0123456789abcdef0123456789abcdef";
const DIGEST: &str = "sha256:9f447b1b473d359884f2b8541a1ad0b7d194ed59b79e8eee48047ec4830564fd";

/// How Inspector answers.
#[derive(Clone, Copy)]
enum Inspector {
    /// AccessDenied on every call.
    Denied,
    /// BatchGetAccountStatus says ECR scanning is disabled.
    Disabled,
}

#[derive(Default)]
struct Seen {
    calls: Mutex<BTreeMap<String, u64>>,
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

fn respond(status: u16, body: Value) -> http::Response<SdkBody> {
    replay::json_response(status, &body)
}

fn denied(action: &str) -> http::Response<SdkBody> {
    respond(
        403,
        json!({
            "__type": "AccessDeniedException",
            "message": format!("User: arn:aws:sts::{ACCOUNT}:assumed-role/responder/me is not authorized to perform: {action}")
        }),
    )
}

fn task() -> Value {
    json!({
        "taskArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/{TASK_ID}"),
        "clusterArn": format!("arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"),
        "lastStatus": "RUNNING",
        "launchType": "FARGATE",
        "createdAt": 1_795_227_000.0,
        "containers": [{
            "name": "app",
            "image": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/payments/api:v7"),
            "imageDigest": DIGEST,
            "lastStatus": "RUNNING"
        }]
    })
}

fn scan_findings() -> Value {
    json!({
        "registryId": ACCOUNT,
        "repositoryName": "payments/api",
        "imageId": {"imageDigest": DIGEST},
        "imageScanStatus": {"status": "COMPLETE"},
        "imageScanFindings": {
            "findings": [{
                "name": "CVE-2026-22190",
                "severity": "CRITICAL",
                "attributes": [
                    {"key": "package_name", "value": "curl"},
                    {"key": "package_version", "value": "8.0.1-1"}
                ]
            }],
            "findingSeverityCounts": {"CRITICAL": 1}
        }
    })
}

fn replay(seen: Arc<Seen>, inspector: Inspector) -> SdkConfig {
    let answer = move |request: &http::Request<SdkBody>| -> http::Response<SdkBody> {
        let operation = replay::operation(request);
        let path = request.uri().path().to_string();
        let target = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.to_str().ok())
            .unwrap_or("")
            .to_string();
        if target.starts_with("AmazonEC2ContainerServiceV20141113.") {
            seen.count(&operation);
            return respond(
                200,
                match operation.as_str() {
                    "ListServices" => json!({"serviceArns": []}),
                    "ListTasks" => {
                        json!({"taskArns": [format!("arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/{TASK_ID}")]})
                    }
                    "DescribeTasks" => json!({"tasks": [task()], "failures": []}),
                    _ => json!({}),
                },
            );
        }
        if target.starts_with("AmazonEC2ContainerRegistry_V20150921.") {
            seen.count(&operation);
            let body: Value = request
                .body()
                .bytes()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(Value::Null);
            return match operation.as_str() {
                "DescribeImages" if body["imageIds"][0]["imageTag"].is_string() => respond(
                    400,
                    json!({"__type": "ImageNotFoundException", "message": "The image does not exist"}),
                ),
                "DescribeImages" => {
                    if !seen.throttled.swap(true, Ordering::SeqCst) {
                        return respond(
                            400,
                            json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
                        );
                    }
                    respond(
                        200,
                        json!({"imageDetails": [{
                            "registryId": ACCOUNT,
                            "repositoryName": "payments/api",
                            "imageDigest": DIGEST,
                            "imageTags": ["v7"],
                            "imagePushedAt": 1_795_220_000.0,
                            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"
                        }]}),
                    )
                }
                "DescribeImageScanFindings" => respond(200, scan_findings()),
                "DescribeImageSigningStatus" => respond(
                    200,
                    json!({
                        "registryId": ACCOUNT,
                        "repositoryName": "payments/api",
                        "imageId": {"imageDigest": DIGEST},
                        "signingStatuses": []
                    }),
                ),
                other => panic!("unexpected ECR call {other}"),
            };
        }
        if target.ends_with(".LookupEvents") {
            seen.count("LookupEvents");
            return respond(200, json!({"Events": []}));
        }
        if target.starts_with("Logs_20140328.") {
            seen.count(&operation);
            return respond(200, json!({"events": []}));
        }
        match path.as_str() {
            "/detector" => respond(200, json!({"detectorIds": []})),
            "/status/batch/get" => {
                seen.count("BatchGetAccountStatus");
                match inspector {
                    Inspector::Denied => denied("inspector2:BatchGetAccountStatus"),
                    Inspector::Disabled => respond(
                        200,
                        json!({
                            "accounts": [{
                                "accountId": ACCOUNT,
                                "state": {"status": "DISABLED"},
                                "resourceState": {
                                    "ec2": {"status": "DISABLED"},
                                    "ecr": {"status": "DISABLED"},
                                    "lambda": {"status": "DISABLED"}
                                }
                            }],
                            "failedAccounts": []
                        }),
                    ),
                }
            }
            "/findings/list" => {
                seen.count("ListFindings");
                denied("inspector2:ListFindings")
            }
            other => panic!("unexpected request {other} {target}"),
        }
    };
    replay::config(Replay::only(move |request| Some(answer(request))), 3)
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

fn collect(config: SdkConfig, dir: &std::path::Path) -> (std::path::PathBuf, SourceReport) {
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
    let images = reports
        .into_iter()
        .find(|r| r.source == "images")
        .expect("an images report");
    (root, images)
}

#[test]
fn inspector_denied_falls_back_to_the_basic_scan_and_marks_the_source_partial() {
    let seen = Arc::new(Seen::default());
    let dir = tempfile::tempdir().unwrap();
    let (root, report) = collect(replay(seen.clone(), Inspector::Denied), dir.path());
    assert_eq!(report.status, SourceStatus::Partial, "{report:?}");
    assert!(
        report.errors[0].starts_with("missing permission inspector2:ListFindings in us-east-1"),
        "{:?}",
        report.errors
    );
    assert!(report.errors[0].contains("ECR basic scan findings are collected instead"));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("inspector2:BatchGetAccountStatus")),
        "{:?}",
        report.notes
    );
    let calls = seen.calls.lock().unwrap().clone();
    assert_eq!(calls["DescribeImageScanFindings"], 1, "{calls:?}");
    // The throttled DescribeImages was retried within one call.
    assert_eq!(report.calls["DescribeImages"], 2, "{:?}", report.calls);
    assert_eq!(calls["DescribeImages"], 3, "{calls:?}");

    let bundle = Bundle::open(&root).unwrap();
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    let facts = incident.images.get(DIGEST).expect("the image's facts");
    assert_eq!(facts.tags.iter().collect::<Vec<_>>(), ["v7"]);
    assert!(facts.inspector.is_none());
    assert_eq!(facts.basic_scan.as_ref().map(|f| f.len()), Some(1));
    // ECR managed signing reports none and no cosign tag exists.
    assert!(matches!(facts.signature(), Signature::NoneFound(_)));
    // A critical finding from the basic scan says nothing of exploits: only
    // the missing signature flags the image.
    assert_eq!(facts.flags(), vec![ImageFlag::NoSignatureFound]);
}

#[test]
fn inspector_disabled_is_a_note_and_the_basic_scan_completes_the_source() {
    let seen = Arc::new(Seen::default());
    let dir = tempfile::tempdir().unwrap();
    let (root, report) = collect(replay(seen.clone(), Inspector::Disabled), dir.path());
    assert_eq!(report.status, SourceStatus::Complete, "{report:?}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("does not scan ECR in 123456789012 us-east-1 (status: disabled)")),
        "{:?}",
        report.notes
    );
    let calls = seen.calls.lock().unwrap().clone();
    assert_eq!(calls.get("ListFindings"), None, "{calls:?}");
    let manifest = Bundle::open(&root).unwrap().manifest;
    // Every stored response is recognized, the account status included.
    assert_eq!(
        manifest.collection.files_partial, 0,
        "{:?}",
        manifest.inputs
    );
    assert_eq!(
        manifest.collection.files_rejected, 0,
        "{:?}",
        manifest.inputs
    );
}
