//! `taskscope collect` end to end against moto, a real implementation of the
//! AWS APIs on loopback: ECS and CloudWatch Logs are served; GuardDuty
//! findings and CloudTrail LookupEvents are not (moto answers 404 and 500),
//! so those sources must come out partial or failed, with the reason, while
//! the others complete. The incident is seeded with boto3 (tests/aws/seed.py).

mod binary;
#[path = "aws/moto.rs"]
mod moto;

use moto::Moto;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const EXIT_PARTIAL: i32 = 3;

struct Seeded {
    tasks: Vec<String>,
    stopped: String,
    old_task: String,
}

fn seed(moto: &Moto, tasks: usize) -> Seeded {
    let seeded = moto.seed(tasks);
    let text = |key: &str| seeded[key].as_str().unwrap().to_string();
    Seeded {
        tasks: seeded["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect(),
        stopped: text("stopped"),
        old_task: text("old_task"),
    }
}

/// Arguments of a collection of the seeded cluster with its extra log groups.
fn collect_args(out: &Path) -> Vec<String> {
    ["collect"]
        .iter()
        .chain(moto::SEEDED_CLUSTER.iter())
        .chain(&[
            "--since",
            "2d",
            "--log-group",
            "/ecs/falco",
            "--archive-log-group",
            "/ecs/task-events",
            "--out",
        ])
        .map(|s| s.to_string())
        .chain([out.display().to_string()])
        .collect()
}

fn manifest(bundle: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap()
}

fn report<'a>(manifest: &'a Value, source: &str) -> &'a Value {
    manifest["collection"]["source_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == source)
        .unwrap_or_else(|| panic!("no report for {source}"))
}

/// `taskscope verify` passes on the bundle.
fn assert_verifies(bundle: &Path) {
    let verify = run(binary::command().arg("verify").arg(bundle));
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

fn run(command: &mut Command) -> Output {
    command.output().expect("taskscope runs")
}

#[test]
fn collect_serves_ecs_and_logs_and_marks_the_missing_apis_partial() {
    let moto = Moto::start();
    let seeded = seed(&moto, 3);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("incident");
    let output = run(moto.taskscope().args(collect_args(&bundle)));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_PARTIAL), "{stderr}");

    let manifest = manifest(&bundle);
    let collection = &manifest["collection"];
    assert_eq!(collection["method"], "collect");
    assert_eq!(collection["state"], "complete");
    // The preflight's GetCallerIdentity names moto's account.
    assert_eq!(collection["request"]["accounts"][0], "123456789012");
    assert_eq!(collection["partial"], true);
    assert_eq!(report(&manifest, "ecs")["status"], "complete", "{stderr}");
    assert_eq!(
        report(&manifest, "cloudwatch-logs")["status"],
        "complete",
        "{stderr}"
    );
    // moto has GuardDuty detectors but no findings API, and no LookupEvents.
    let guardduty = report(&manifest, "guardduty");
    assert_eq!(guardduty["status"], "partial", "{guardduty}");
    assert!(guardduty["errors"][0]
        .as_str()
        .unwrap()
        .starts_with("guardduty:ListFindings failed in us-east-1: HTTP 404"));
    let cloudtrail = report(&manifest, "cloudtrail");
    assert_eq!(cloudtrail["status"], "failed", "{cloudtrail}");
    assert!(cloudtrail["errors"][0]
        .as_str()
        .unwrap()
        .contains("cloudtrail:LookupEvents failed in us-east-1: HTTP 500"));
    // The summary on stderr says the same.
    assert!(stderr.contains("guardduty"), "{stderr}");
    assert!(stderr.contains("PARTIAL"), "{stderr}");

    // Batch calls, not per-record calls: three tasks, one DescribeTasks.
    let ecs_calls = &report(&manifest, "ecs")["calls"];
    assert_eq!(ecs_calls["DescribeTasks"], 1, "{ecs_calls}");
    assert_eq!(ecs_calls["DescribeTaskDefinition"], 1, "{ecs_calls}");
    let logs_calls = &report(&manifest, "cloudwatch-logs")["calls"];
    // One call for the tasks' streams, one per extra group.
    assert_eq!(logs_calls["FilterLogEvents"], 3, "{logs_calls}");
    // One lookup per task role session, one for ECS's own events.
    assert_eq!(report(&manifest, "cloudtrail")["calls"]["LookupEvents"], 4);

    // Only the read of the archive group is marked as EventBridge's
    // writing: its envelope describes a task whatever its stream is named.
    let archive_reads = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|input| input["origin"]["eventbridge_archive"] == true)
        .count();
    assert_eq!(archive_reads, 1, "{manifest}");

    // Every stored response is an input with its origin; nothing rejected.
    for input in manifest["inputs"].as_array().unwrap() {
        assert_ne!(input["status"], "rejected", "{input}");
        assert!(input["origin"]["operation"].is_string(), "{input}");
    }

    assert_verifies(&bundle);

    // The tasks: the three that ran, and the one only the archive remembers.
    let tasks = run(binary::command()
        .args(["tasks", "--format", "json"])
        .arg(&bundle));
    let tasks: Value = serde_json::from_slice(&tasks.stdout).unwrap();
    let ids: Vec<&str> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for arn in &seeded.tasks {
        let id = arn.rsplit('/').next().unwrap();
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(ids.contains(&seeded.old_task.as_str()), "{ids:?}");
    // The stop, as ECS describes it (moto gives no stoppedAt, so no stop event).
    let stopped = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| seeded.stopped.ends_with(t["id"].as_str().unwrap()))
        .unwrap();
    assert_eq!(
        stopped["stopped_reason"], "INC-42: reverse shell",
        "{stopped}"
    );
    assert_eq!(stopped["last_status"], "STOPPED", "{stopped}");

    // The stopped task's timeline: its container log and the Falco sidecar's alert.
    let timeline = run(binary::command()
        .args(["timeline", "--format", "json", "--task", &seeded.stopped])
        .arg(&bundle));
    let text = String::from_utf8_lossy(&timeline.stdout);
    assert!(timeline.status.success(), "{text}");
    assert!(text.contains("/dev/tcp/203.0.113.9/4444"), "{text}");
    assert!(text.contains("Reverse shell detected"), "{text}");
}

#[test]
fn an_interrupted_collection_leaves_a_bundle_that_verifies() {
    let moto = Moto::start();
    // Enough tasks that CloudTrail's two lookups a second keep it busy for seconds.
    seed(&moto, 12);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("incident");
    let child = moto
        .taskscope()
        .args(collect_args(&bundle))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until ECS's responses are in, then Ctrl-C.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "no response stored within 60 s");
        if let Ok(text) = std::fs::read(bundle.join("manifest.json")) {
            let manifest: Value = serde_json::from_slice(&text).unwrap();
            let ecs_done = manifest["collection"]["source_reports"]
                .as_array()
                .is_some_and(|r| {
                    r.iter()
                        .any(|r| r["source"] == "ecs" && r["status"] == "complete")
                });
            if ecs_done {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_PARTIAL), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");

    let manifest = manifest(&bundle);
    assert_eq!(manifest["collection"]["state"], "interrupted");
    assert_eq!(manifest["collection"]["partial"], true);
    let cloudtrail = report(&manifest, "cloudtrail");
    assert_eq!(cloudtrail["status"], "partial", "{cloudtrail}");
    let calls = cloudtrail["calls"]["LookupEvents"].as_u64().unwrap_or(0);
    assert!(
        calls < 13,
        "CloudTrail was not interrupted: {calls} lookups"
    );
    assert_verifies(&bundle);
}

#[test]
fn an_unknown_region_fails_in_one_line_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("incident");
    let output = run(binary::command()
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "collect",
            "--region",
            "xx-nowhere-1",
            "--cluster",
            "prod",
            "--out",
        ])
        .arg(&bundle));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(
            "taskscope: error: sts:GetCallerIdentity: cannot reach the AWS endpoint for region xx-nowhere-1 (is the region name right?"
        ),
        "{stderr}"
    );
    assert!(
        !bundle.exists(),
        "nothing is written before the preflight passes"
    );
}

#[test]
fn a_sidecar_that_describe_tasks_leaves_out_is_read_from_the_task_definition() {
    let moto = Moto::start();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_sidecar.py");
    let seeded: Value = serde_json::from_slice(&moto.python(&[script.as_os_str()], &[])).unwrap();
    let task = seeded["task"].as_str().unwrap();
    // The situation under test: the task's description lists the app
    // container only, not the sidecar (moto lists a task's first container).
    assert_eq!(seeded["listed"], serde_json::json!(["app"]), "{seeded}");

    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("incident");
    // No --log-group: only the streams derived for the task are read.
    let output = run(moto
        .taskscope()
        .args([
            "collect",
            "--region",
            "us-east-1",
            "--cluster",
            "edge",
            "--since",
            "2d",
            "--out",
        ])
        .arg(&bundle));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_PARTIAL), "{stderr}");
    let manifest = manifest(&bundle);
    assert_eq!(
        report(&manifest, "cloudwatch-logs")["status"],
        "complete",
        "{stderr}"
    );

    let timeline = run(binary::command()
        .args(["timeline", "--format", "json", "--task", task])
        .arg(&bundle));
    assert!(timeline.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&timeline.stdout).unwrap();
    let logged: Vec<&str> = rows
        .iter()
        .filter(|row| row["source"] == "logs")
        .map(|row| row["summary"].as_str().unwrap())
        .collect();
    assert!(
        logged.iter().any(|line| line.contains("GET /cart 200")),
        "{logged:?}"
    );
    assert!(
        logged
            .iter()
            .any(|line| line.contains("output to 198.51.100.23:24224 refused")),
        "the sidecar's line is missing: {logged:?}"
    );
}

#[test]
fn a_collection_with_seal_key_is_sealed_when_it_ends() {
    let moto = Moto::start();
    seed(&moto, 1);
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("seal_key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .expect("runs ssh-keygen");
    assert!(made.success());
    let bundle = dir.path().join("incident");
    let output = run(moto
        .taskscope()
        .args(collect_args(&bundle))
        .arg("--seal-key")
        .arg(&key)
        .env("TASKSCOPE_AUTHOR", "alice@ir.example"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(EXIT_PARTIAL), "{stderr}");
    assert!(stderr.contains("sealed "), "{stderr}");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = dir.path().join("allowed_signers");
    std::fs::write(&allowed, format!("alice@ir.example {public}")).unwrap();
    let verify = run(binary::command()
        .arg("verify")
        .arg(&bundle)
        .arg("--allowed-signers")
        .arg(&allowed));
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{stdout}");
    assert!(
        stdout.contains("seal: sealed by alice@ir.example"),
        "{stdout}"
    );
}
