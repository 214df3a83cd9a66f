//! Every real public sample in ../shared/fixtures is either imported, with its
//! record count checked against a count computed here independently of the
//! importers, or rejected with a message that says why (and where).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use taskscope::import::{import_bytes, FileStatus};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("shared fixtures are beside the project")
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Counts source records by top-level shape alone: array lengths of the
/// container each format documents, one for a single record, one per line
/// for JSON lines. Shares no code with the importers.
fn independent_count(text: &str) -> usize {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => count_value(&value),
        Err(_) => text.lines().filter(|l| !l.trim().is_empty()).count(),
    }
}

fn count_value(value: &Value) -> usize {
    if let Some(data) = value
        .get("data")
        .filter(|_| value.get("status_code").is_some())
    {
        return count_value(data);
    }
    if let Value::Array(items) = value {
        return items.iter().map(count_value).sum();
    }
    for container in [
        "Records", "Findings", "Events", "tasks", "services", "events",
    ] {
        if let Some(items) = value.get(container).and_then(Value::as_array) {
            return items.len();
        }
    }
    1
}

/// Files that must be rejected, with a fragment of the expected message.
fn expected_rejections() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("PROVENANCE.tsv", "not JSON"),
        ("README.md", "not JSON"),
        (
            "ecs/awscli_update_service_invalid_json.json.txt",
            "line 110, column 17",
        ),
        (
            "ecs/awsdocs_ecs_task_state_change_fargate_spot_termination.json.txt",
            "line 18, column 5",
        ),
        (
            "guardduty/awscli_securityhub_get_findings_asff.json",
            "ASFF",
        ),
        (
            "guardduty/awsdocs_guardduty_finding_in_securityhub_asff.json",
            "ASFF",
        ),
        ("vpcflow/awsdocs_flow-logs-records-examples.md", "not JSON"),
        (
            "vpcflow/awsdocs_flow_log_examples_v2_default.log",
            "VPC flow log records (space-separated text) are not supported",
        ),
    ])
}

#[test]
fn every_fixture_is_imported_with_the_right_count_or_rejected_clearly() {
    let root = fixtures();
    let mut files = Vec::new();
    all_files(&root, &mut files);
    assert!(
        files.len() > 100,
        "expected the whole shared fixture set, found {}",
        files.len()
    );
    let rejections = expected_rejections();
    let mut imported = 0;
    for path in &files {
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).unwrap();
        let result = import_bytes(&bytes, 0);
        let errors: Vec<String> = result.errors.iter().map(ToString::to_string).collect();
        if name.starts_with("scap/") {
            // Counted against sysdig in tests/scap.rs.
            assert_eq!(result.status(), FileStatus::Imported, "{name}: {errors:?}");
            assert!(result.formats.contains("scap"), "{name}");
        } else if let Some(fragment) = rejections.get(name.as_str()) {
            assert_eq!(
                result.status(),
                FileStatus::Rejected,
                "{name} must be rejected"
            );
            assert!(
                errors.iter().any(|e| e.contains(fragment)),
                "{name}: {errors:?} lacks {fragment:?}"
            );
        } else {
            assert_eq!(result.status(), FileStatus::Imported, "{name}: {errors:?}");
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(
                result.records,
                independent_count(&text),
                "{name}: record count"
            );
            imported += 1;
        }
    }
    assert_eq!(imported, 92);
}

/// PROVENANCE.tsv states the record count of each Invictus delivery file;
/// the fixtures README gives their total (2,318).
#[test]
fn invictus_record_counts_match_provenance() {
    let root = fixtures();
    let provenance = std::fs::read_to_string(root.join("PROVENANCE.tsv")).unwrap();
    let mut total = 0;
    let mut files = 0;
    for row in provenance
        .lines()
        .filter(|l| l.starts_with("cloudtrail/invictus_aws_dataset/"))
    {
        let columns: Vec<&str> = row.split('\t').collect();
        let stated: usize = columns[5]
            .split("; ")
            .find_map(|part| part.strip_suffix(" records"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no record count in {row}"));
        let bytes = std::fs::read(root.join(columns[0])).unwrap();
        let result = import_bytes(&bytes, 0);
        assert_eq!(result.records, stated, "{}", columns[0]);
        assert_eq!(result.events.len(), stated, "{}", columns[0]);
        total += stated;
        files += 1;
    }
    assert_eq!((files, total), (40, 2318));
}

#[test]
fn both_guardduty_casings_give_the_same_finding() {
    let root = fixtures();
    let cli = import_bytes(
        &std::fs::read(root.join("guardduty/awscli_get_findings_recon_iamuser.json")).unwrap(),
        0,
    );
    assert_eq!(cli.events.len(), 1);
    assert_eq!(cli.events[0].kind, "Recon:IAMUser/UserPermissions");
    let bare = import_bytes(
        &std::fs::read(root.join("guardduty/awssamples_automated_response_iam_event.json"))
            .unwrap(),
        0,
    );
    assert_eq!(
        bare.events[0].kind,
        "Recon:IAMUser/MaliciousIPCaller.Custom"
    );
    let envelope = import_bytes(
        &std::fs::read(root.join("guardduty/c7n_eventbridge_ec2_backdoor_dns.json")).unwrap(),
        0,
    );
    assert_eq!(envelope.events[0].kind, "Backdoor:EC2/C&CActivity.B!DNS");
    assert!(
        envelope.events[0].summary.starts_with("[sample]"),
        "{}",
        envelope.events[0].summary
    );
}

#[test]
fn ecs_fixtures_yield_task_facts() {
    let root = fixtures();
    let stopped = import_bytes(
        &std::fs::read(root.join("ecs/fivexl_ecs_task_state_change_stopped_exit2.json")).unwrap(),
        0,
    );
    let task = &stopped.tasks[0];
    assert_eq!(task.id, "a6eaf0150a4248daa1bcbd688121014e");
    assert_eq!(task.stop_code.as_deref(), Some("EssentialContainerExited"));
    assert!(task.ips.contains("10.0.199.187"));
    assert!(task.enis.contains("eni-0002af9b60bdcc961"));
    let exits: Vec<Option<i64>> = task.containers.iter().map(|c| c.exit_code).collect();
    assert!(exits.contains(&Some(2)));
    let c7n = import_bytes(
        &std::fs::read(root.join("ecs/c7n_describe_tasks_stopped_taskfailedtostart.json")).unwrap(),
        0,
    );
    assert_eq!(c7n.tasks[0].stop_code.as_deref(), Some("TaskFailedToStart"));
    assert!(
        c7n.tasks[0].stopped_at.is_some(),
        "c7n datetime objects parse"
    );
}
