//! One rule for a task's severity: on a generated incident, `taskscope
//! tasks`, the console's task list and the Markdown report give every task
//! the same severity, the highest among its strongly linked findings
//! (GuardDuty findings and Falco alerts), and no other event counts.

mod binary;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use taskscope::bundle::annotations::Annotations;
use taskscope::bundle::Bundle;
use taskscope::export::report::report_markdown;
use taskscope::generate::{generate_incident, GenOptions};
use taskscope::tui::data::Data;
use tempfile::TempDir;

/// A task whose only finding is a critical Falco alert.
const FALCO_TASK: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
/// A task whose most severe event is a CloudTrail `ExecuteCommand` call
/// (medium), which is not a finding.
const QUIET_TASK: &str = "0f9e8d7c6b5a49382716a5b4c3d2e1f0";

fn arn(id: &str) -> String {
    format!("arn:aws:ecs:us-east-1:111122223333:task/shop-prod/{id}")
}

/// Two more tasks beside the generated ones, described by ECS, with the
/// evidence that used to make the three views disagree.
fn write_extra_evidence(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let described: Vec<Value> = [FALCO_TASK, QUIET_TASK]
        .iter()
        .map(|id| {
            json!({
                "taskArn": arn(id),
                "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/shop-prod",
                "group": "service:checkout-api",
                "launchType": "FARGATE",
                "lastStatus": "RUNNING",
                "createdAt": "2026-06-21T00:10:00Z",
                "startedAt": "2026-06-21T00:10:30Z",
                "containers": [{"name": "app", "runtimeId": format!("{id}-2000000001")}]
            })
        })
        .collect();
    fs::write(
        dir.join("describe-tasks.json"),
        json!({"tasks": described, "failures": []}).to_string(),
    )
    .unwrap();
    let alert = json!({
        "time": "2026-06-21T01:00:00Z",
        "priority": "Critical",
        "rule": "Drop and execute new binary in container",
        "output": "Critical binary dropped and run",
        "output_fields": {"container.id": format!("{FALCO_TASK}-2000000001"), "proc.name": "kworkerd"}
    });
    fs::write(dir.join("falco.ndjson"), format!("{alert}\n")).unwrap();
    let records: Vec<Value> = [FALCO_TASK, QUIET_TASK]
        .iter()
        .enumerate()
        .map(|(n, id)| {
            json!({
                "eventVersion": "1.10",
                "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLEUSER",
                                 "arn": "arn:aws:iam::111122223333:user/ops",
                                 "accountId": "111122223333", "userName": "ops"},
                "eventTime": "2026-06-21T01:05:00Z",
                "eventSource": "ecs.amazonaws.com",
                "eventName": "ExecuteCommand",
                "awsRegion": "us-east-1",
                "sourceIPAddress": "198.51.100.7",
                "requestParameters": {"cluster": "shop-prod", "task": arn(id),
                                      "container": "app", "interactive": true, "command": "/bin/sh"},
                "responseElements": null,
                "eventID": format!("00000000-0000-4000-8000-00000000000{n}"),
                "eventType": "AwsApiCall",
                "recipientAccountId": "111122223333"
            })
        })
        .collect();
    fs::write(
        dir.join("cloudtrail.json"),
        json!({ "Records": records }).to_string(),
    )
    .unwrap();
}

fn imported_bundle() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let evidence = dir.path().join("evidence");
    let options = GenOptions {
        events: 2_000,
        tasks: Some(6),
        seed: 14,
    };
    generate_incident(&options, &evidence.join("generated")).unwrap();
    write_extra_evidence(&evidence.join("extra"));
    let root = dir.path().join("bundle");
    let out = binary::command()
        .args(["import", evidence.to_str().unwrap(), "--out"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, root)
}

/// Task ID → severity as `taskscope tasks --format json` prints it.
fn cli_severities(root: &Path) -> BTreeMap<String, String> {
    let out = binary::command()
        .args(["tasks", root.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    rows.iter()
        .map(|row| {
            let severity = row["highest_finding_severity"].as_str().unwrap_or("none");
            (
                row["id"].as_str().unwrap().to_string(),
                severity.to_string(),
            )
        })
        .collect()
}

/// The severity in a report's summary line.
fn report_severity(report: &str) -> String {
    let (_, rest) = report
        .split_once("Highest finding severity: **")
        .expect("summary names the severity");
    rest.split("**").next().unwrap().to_string()
}

#[test]
fn tasks_the_console_and_the_report_agree_on_every_tasks_severity() {
    let (_dir, root) = imported_bundle();
    let cli = cli_severities(&root);
    let bundle = Bundle::open(&root).unwrap();
    let annotations = Annotations::load(&bundle).unwrap();
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    let reports: Vec<String> = (0..incident.tasks.len())
        .map(|task| report_severity(&report_markdown(&bundle, &incident, &annotations, task)))
        .collect();
    let data = Data::new(bundle, incident, Vec::new());
    assert_eq!(cli.len(), data.incident.tasks.len());
    assert!(cli.len() > 2, "the generated tasks are there too");

    let mut seen = BTreeMap::new();
    for (task, facts) in data.incident.tasks.iter().enumerate() {
        let console = data.stats[task]
            .summary
            .severity
            .map_or("none", |s| s.name());
        assert_eq!(
            cli[&facts.id], console,
            "tasks vs console, task {}",
            facts.id
        );
        assert_eq!(
            reports[task], console,
            "report vs console, task {}",
            facts.id
        );
        *seen.entry(console).or_insert(0) += 1;
    }
    assert_eq!(cli[FALCO_TASK], "critical", "a Falco alert is a finding");
    assert_eq!(
        cli[QUIET_TASK], "none",
        "a medium ExecuteCommand call is not a finding"
    );
    assert!(
        seen.len() > 2,
        "the generated incident has several severities: {seen:?}"
    );
}
