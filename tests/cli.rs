//! The headless commands end to end, through the real binary.

mod binary;

use flate2::{write::GzEncoder, Compression};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .output()
        .expect("runs taskscope")
}

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo/incident")
}

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(relative)
}

/// Imports the sample incident into a fresh bundle and returns (tempdir, bundle path).
fn sample_bundle() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        demo_dir().to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    // The demo folder holds a README.md that is not evidence: rejected, hence 3.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, bundle)
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn import_rejects_bad_files_keeps_the_rest_and_exits_3() {
    let dir = TempDir::new().unwrap();
    let bundle = dir.path().join("b");
    let out = taskscope(&[
        "import",
        fixture("ecs/awscli_update_service_invalid_json.json.txt")
            .to_str()
            .unwrap(),
        fixture("ecs/awscli_describe_tasks_fargate_two.json")
            .to_str()
            .unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("REJECTED")
            && stderr.contains("awscli_update_service_invalid_json.json.txt"),
        "{stderr}"
    );
    assert!(stderr.contains("line 110, column 17"), "{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["collection"]["files_rejected"], 1);
    assert_eq!(manifest["collection"]["partial"], true);
    assert_eq!(manifest["inputs"][0]["status"], "rejected");
    assert_eq!(manifest["inputs"][1]["status"], "imported");
    assert_eq!(manifest["inputs"][1]["records"], 2);
    // The rejected file is preserved too, byte for byte.
    let kept = fs::read(bundle.join(manifest["inputs"][0]["artifact"].as_str().unwrap())).unwrap();
    assert_eq!(
        kept,
        fs::read(fixture("ecs/awscli_update_service_invalid_json.json.txt")).unwrap()
    );
    let tasks = taskscope(&["tasks", bundle.to_str().unwrap(), "--format", "json"]);
    let tasks: serde_json::Value = serde_json::from_str(&stdout(&tasks)).unwrap();
    assert_eq!(tasks.as_array().unwrap().len(), 2);
}

#[test]
fn clean_import_exits_0_and_refuses_to_overwrite() {
    let dir = TempDir::new().unwrap();
    let bundle = dir.path().join("b");
    let falco = fixture("falco");
    let args = [
        "import",
        falco.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ];
    assert_eq!(taskscope(&args).status.code(), Some(0));
    let before = fs::read(bundle.join("manifest.json")).unwrap();
    let again = taskscope(&args);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(fs::read(bundle.join("manifest.json")).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no staging directory left behind");
}

#[test]
fn gzip_and_json_lines_import_like_plain_json() {
    let dir = TempDir::new().unwrap();
    let source = fs::read(fixture("cloudtrail/invictus_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_zs3JGxETHr59VpkX.json")).unwrap();
    let gz_path = dir.path().join("delivery.bin");
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(&source).unwrap();
    fs::write(&gz_path, encoder.finish().unwrap()).unwrap();
    let records: serde_json::Value = serde_json::from_slice(&source).unwrap();
    let lines: String = records["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{r}\n"))
        .collect();
    let lines_path = dir.path().join("records.txt");
    fs::write(&lines_path, lines).unwrap();

    let bundle = dir.path().join("b");
    let out = taskscope(&[
        "import",
        gz_path.to_str().unwrap(),
        lines_path.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"][0]["records"], 196);
    assert_eq!(manifest["inputs"][1]["records"], 196);
    // The gzip artifact is stored compressed, exactly as received.
    let stored =
        fs::read(bundle.join(manifest["inputs"][0]["artifact"].as_str().unwrap())).unwrap();
    assert_eq!(&stored[..2], &[0x1f, 0x8b]);
    // Same eventIDs in both files: one event each, two raw copies.
    let timeline = taskscope(&["timeline", bundle.to_str().unwrap(), "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&timeline)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 196);
    assert!(rows
        .iter()
        .all(|r| r["copies"].as_array().unwrap().len() == 1));
}

#[test]
fn timeline_json_has_the_documented_fields() {
    let (_dir, bundle) = sample_bundle();
    let out = taskscope(&[
        "timeline",
        bundle.to_str().unwrap(),
        "--task",
        "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() > 30);
    for row in rows {
        for field in [
            "time", "source", "kind", "severity", "summary", "task", "link", "artifact",
        ] {
            assert!(row.get(field).is_some(), "missing {field} in {row}");
        }
        assert!(row["time"].as_str().unwrap().ends_with('Z'));
        assert!(row["task"]
            .as_str()
            .unwrap()
            .ends_with("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"));
        let artifact = row["artifact"].as_str().unwrap();
        assert!(
            artifact.starts_with("raw/") && artifact.contains('#'),
            "{artifact}"
        );
    }
    let reverse_shell = rows
        .iter()
        .find(|r| r["kind"] == "Execution:Runtime/ReverseShell")
        .unwrap();
    assert_eq!(reverse_shell["severity"], "high");
    let summary = reverse_shell["summary"].as_str().unwrap();
    for fact in [
        "process bash",
        "/usr/bin/bash",
        "pid ",
        "sha256 ",
        "lineage ",
        "remote 203.0.113.66:4444",
    ] {
        assert!(
            summary.contains(fact),
            "runtime finding summary lacks {fact:?}: {summary}"
        );
    }
    assert_eq!(reverse_shell["link"], "task-arn");
    assert_eq!(reverse_shell["copies"].as_array().unwrap().len(), 1);
    // Old-format ARN lookups work too.
    let old = taskscope(&[
        "timeline",
        bundle.to_str().unwrap(),
        "--task",
        "arn:aws:ecs:us-east-1:111122223333:task/7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e",
    ]);
    assert_eq!(old.status.code(), Some(0));
    let missing = taskscope(&["timeline", bundle.to_str().unwrap(), "--task", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn table_output_never_prints_escape_sequences_raw() {
    let (_dir, bundle) = sample_bundle();
    for format in ["table", "csv", "md"] {
        let out = taskscope(&["timeline", bundle.to_str().unwrap(), "--format", format]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(
            !text.contains('\u{1b}'),
            "{format} output carries a raw ESC"
        );
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r'),
            "{format}"
        );
        assert!(
            text.contains("\\x1b[31mFAKE ALERT"),
            "{format}: the hostile log line is shown escaped"
        );
    }
    let json = stdout(&taskscope(&[
        "timeline",
        bundle.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert!(!json.contains('\u{1b}'), "JSON escapes control characters");
    assert!(json.contains("\\u001b]0;pwned"));
}

#[test]
fn tasks_lists_every_task_with_counts_and_severity() {
    let (_dir, bundle) = sample_bundle();
    let out = taskscope(&["tasks", bundle.to_str().unwrap(), "--format", "json"]);
    let tasks: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let t1 = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93")
        .unwrap();
    assert_eq!(t1["stop_code"], "UserInitiated");
    assert_eq!(t1["highest_finding_severity"], "critical");
    assert_eq!(t1["service"], "checkout-api");
    assert_eq!(t1["ips"][0], "10.0.12.47");
    assert!(t1["events"]["guardduty"].as_u64().unwrap() >= 3);
    let table = stdout(&taskscope(&["tasks", bundle.to_str().unwrap()]));
    assert!(table.starts_with("TASK"));
    assert_eq!(table.lines().count(), tasks.as_array().unwrap().len() + 1);
}

#[test]
fn tasks_table_stays_aligned_with_a_cjk_service_name() {
    let dir = TempDir::new().unwrap();
    let described = fs::read_to_string(demo_dir().join("ecs_describe_tasks.json")).unwrap();
    // Ten characters but sixteen terminal columns: wider than any other
    // service name on screen, narrower by characters.
    let wide = described.replacen("service:checkout-api", "service:決済サービス-api", 1);
    assert_ne!(wide, described);
    let input = dir.path().join("ecs_describe_tasks.json");
    fs::write(&input, wide).unwrap();
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        input.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = stdout(&taskscope(&["tasks", bundle.to_str().unwrap()]));
    assert!(table.contains("決済サービス-api"), "{table}");
    // The STATUS column, right after SERVICE, starts at one terminal column
    // on every row.
    let status_columns: Vec<usize> = table
        .lines()
        .map(|line| {
            let start = ["STATUS", "RUNNING", "STOPPED"]
                .iter()
                .filter_map(|status| line.find(&format!("  {status}")))
                .min()
                .unwrap_or_else(|| panic!("no status on {line:?}"));
            line[..start].width()
        })
        .collect();
    assert_eq!(status_columns.len(), 5, "{table}");
    assert!(
        status_columns.iter().all(|&c| c == status_columns[0]),
        "{status_columns:?}\n{table}"
    );
}

#[test]
fn athena_ddl_prints_the_projection_table_of_an_organization_trail() {
    let out = taskscope(&[
        "athena-ddl",
        "--bucket",
        "org-trail-logs",
        "--prefix",
        "central",
        "--org-id",
        "o-a1b2c3d4e5",
        "--table",
        "org_trail",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ddl = stdout(&out);
    assert!(ddl.contains("CREATE EXTERNAL TABLE org_trail ("), "{ddl}");
    assert!(
        ddl.contains("PARTITIONED BY (`account` STRING, `region` STRING, `timestamp` STRING)"),
        "{ddl}"
    );
    for property in [
        "'projection.enabled'='true'",
        "'projection.account.type'='injected'",
        "'projection.region.type'='injected'",
        "'projection.timestamp.type'='date'",
        "'projection.timestamp.format'='yyyy/MM/dd'",
        "'storage.location.template'='s3://org-trail-logs/central/AWSLogs/o-a1b2c3d4e5/\
         ${account}/CloudTrail/${region}/${timestamp}'",
    ] {
        assert!(ddl.contains(property), "{property} missing from\n{ddl}");
    }
    // An account trail: no organization ID in the keys.
    let account = stdout(&taskscope(&["athena-ddl", "--bucket", "my-trail"]));
    assert!(
        account.contains("LOCATION 's3://my-trail/AWSLogs/'"),
        "{account}"
    );
}

#[test]
fn athena_ddl_refuses_a_bad_bucket_name_in_one_line() {
    let out = taskscope(&["athena-ddl", "--bucket", "My_Bucket';--"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not an S3 bucket name"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let org = taskscope(&["athena-ddl", "--bucket", "ok-bucket", "--org-id", "o-12"]);
    assert_eq!(org.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&org.stderr).contains("not an organization ID"));
}

#[test]
fn demo_runs_with_no_aws_account() {
    let out = taskscope(&["demo"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("SYNTHETIC"));
    assert!(text.contains("Execution:Runtime/ReverseShell"));
    assert!(!text.contains('\u{1b}'));
}

mod verify {
    use super::*;

    fn first_artifact(bundle: &Path) -> PathBuf {
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
        bundle.join(manifest["artifacts"][0]["path"].as_str().unwrap())
    }

    #[test]
    fn intact_bundle_verifies() {
        let (_dir, bundle) = sample_bundle();
        let out = taskscope(&["verify", bundle.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(stdout(&out).starts_with("ok:"));
    }

    #[test]
    fn catches_a_flipped_byte() {
        let (_dir, bundle) = sample_bundle();
        let artifact = first_artifact(&bundle);
        let mut bytes = fs::read(&artifact).unwrap();
        bytes[10] ^= 0x01;
        fs::write(&artifact, bytes).unwrap();
        let out = taskscope(&["verify", bundle.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(4));
        assert!(
            stdout(&out).contains("altered: raw/0001-"),
            "{}",
            stdout(&out)
        );
    }

    #[test]
    fn catches_a_deleted_artifact() {
        let (_dir, bundle) = sample_bundle();
        fs::remove_file(first_artifact(&bundle)).unwrap();
        let out = taskscope(&["verify", bundle.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(4));
        assert!(
            stdout(&out).contains("missing: raw/0001-"),
            "{}",
            stdout(&out)
        );
    }

    #[test]
    fn catches_an_added_artifact() {
        let (_dir, bundle) = sample_bundle();
        fs::write(bundle.join("raw/extra.json"), b"{}").unwrap();
        let out = taskscope(&["verify", bundle.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(4));
        assert!(
            stdout(&out).contains("unexpected: raw/extra.json"),
            "{}",
            stdout(&out)
        );
    }

    #[test]
    #[cfg(unix)]
    fn catches_a_symlink_and_never_follows_it() {
        let (dir, bundle) = sample_bundle();
        let secret = dir.path().join("secret.txt");
        fs::write(&secret, b"outside").unwrap();
        let artifact = first_artifact(&bundle);
        fs::remove_file(&artifact).unwrap();
        std::os::unix::fs::symlink(&secret, &artifact).unwrap();
        let out = taskscope(&["verify", bundle.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(4));
        assert!(
            stdout(&out).contains("symlink: raw/0001-"),
            "{}",
            stdout(&out)
        );
    }
}

/// A bundle of four tasks: two whose IDs share the prefix `8d2e6f1`, one
/// with an old-format ARN, and one more.
fn bundle_with_similar_task_ids() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let evidence = dir.path().join("evidence");
    fs::create_dir_all(&evidence).unwrap();
    let arns = [
        "arn:aws:ecs:us-east-1:111122223333:task/prod/8d2e6f1a0b1c4d2e9f3a5b7c9d1e3f50",
        "arn:aws:ecs:us-east-1:111122223333:task/prod/8d2e6f1b0b1c4d2e9f3a5b7c9d1e3f51",
        "arn:aws:ecs:us-east-1:111122223333:task/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "arn:aws:ecs:us-east-1:111122223333:task/prod/c0ffee00112233445566778899aabbcc",
    ];
    let tasks: Vec<serde_json::Value> = arns
        .iter()
        .map(|arn| {
            serde_json::json!({
                "taskArn": arn,
                "lastStatus": "RUNNING",
                "createdAt": "2026-11-20T12:00:00Z",
                "containers": [{"name": "app"}]
            })
        })
        .collect();
    fs::write(
        evidence.join("describe-tasks.json"),
        serde_json::json!({"tasks": tasks, "failures": []}).to_string(),
    )
    .unwrap();
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        evidence.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, bundle)
}

/// The task IDs of `timeline --task REFERENCE --format json`, or its error.
fn timeline_tasks(bundle: &Path, reference: &str) -> Result<Vec<String>, String> {
    let out = taskscope(&[
        "timeline",
        bundle.to_str().unwrap(),
        "--task",
        reference,
        "--format",
        "json",
    ]);
    if out.status.code() != Some(0) {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let mut tasks: Vec<String> = rows
        .iter()
        .map(|row| row["task"].as_str().unwrap().to_string())
        .collect();
    tasks.dedup();
    Ok(tasks)
}

#[test]
fn task_references_take_ids_arns_and_unique_prefixes() {
    let (_dir, bundle) = bundle_with_similar_task_ids();
    let new = "arn:aws:ecs:us-east-1:111122223333:task/prod/c0ffee00112233445566778899aabbcc";
    let old = "arn:aws:ecs:us-east-1:111122223333:task/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
    for reference in [
        "c0ffee00112233445566778899aabbcc",
        "C0FFEE00",
        "c0ffee",
        new,
        "arn:aws:ecs:us-east-1:111122223333:task/c0ffee00112233445566778899aabbcc",
    ] {
        assert_eq!(
            timeline_tasks(&bundle, reference),
            Ok(vec![new.to_string()]),
            "{reference}"
        );
    }
    assert_eq!(timeline_tasks(&bundle, old), Ok(vec![old.to_string()]));
    assert_eq!(
        timeline_tasks(&bundle, "0a1b2c3d"),
        Ok(vec![old.to_string()])
    );
    assert_eq!(
        timeline_tasks(&bundle, "8d2e6f1b"),
        Ok(vec![
            "arn:aws:ecs:us-east-1:111122223333:task/prod/8d2e6f1b0b1c4d2e9f3a5b7c9d1e3f51"
                .to_string()
        ])
    );

    // An ambiguous prefix names its candidates.
    let ambiguous = timeline_tasks(&bundle, "8d2e6f").unwrap_err();
    assert!(ambiguous.contains("ambiguous"), "{ambiguous}");
    assert!(
        ambiguous.contains("8d2e6f1a0b1c4d2e9f3a5b7c9d1e3f50, 8d2e6f1b0b1c4d2e9f3a5b7c9d1e3f51"),
        "{ambiguous}"
    );
    // Five characters are too few, whatever they match.
    let short = timeline_tasks(&bundle, "c0ffe").unwrap_err();
    assert!(short.contains("at least 6 characters (5 given)"), "{short}");
    // A hostile reference is escaped in the error.
    let hostile = timeline_tasks(&bundle, "\u{1b}]0;pwned\u{7}abcdef").unwrap_err();
    assert!(!hostile.contains('\u{1b}'), "{hostile:?}");

    // export and annotate resolve references the same way.
    let export = taskscope(&[
        "export",
        bundle.to_str().unwrap(),
        "--task",
        "8d2e6f1a",
        "--format",
        "md",
    ]);
    assert_eq!(export.status.code(), Some(0));
    assert!(stdout(&export).contains("8d2e6f1a0b1c4d2e9f3a5b7c9d1e3f50"));
    let annotate = taskscope(&[
        "annotate",
        bundle.to_str().unwrap(),
        "--task",
        "0a1b2c",
        "--mark",
    ]);
    assert_eq!(
        annotate.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&annotate.stderr)
    );
    let refused = taskscope(&[
        "annotate",
        bundle.to_str().unwrap(),
        "--task",
        "8d2e6f",
        "--mark",
    ]);
    assert_eq!(refused.status.code(), Some(1));
}

/// A folder with one describe-tasks output and two files that hold no
/// evidence: an API listing and a describe-tasks answer with failures only.
fn evidence_with_empty_files() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let evidence = dir.path().join("evidence");
    fs::create_dir_all(&evidence).unwrap();
    fs::copy(
        fixture("ecs/awscli_describe_tasks_fargate_two.json"),
        evidence.join("describe.json"),
    )
    .unwrap();
    fs::write(
        evidence.join("list-tasks.json"),
        r#"{"taskArns": ["arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef"]}"#,
    )
    .unwrap();
    fs::write(
        evidence.join("expired.json"),
        r#"{"tasks": [], "failures": [{"arn": "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef", "reason": "MISSING"}]}"#,
    )
    .unwrap();
    (dir, evidence)
}

#[test]
fn import_without_a_terminal_prints_the_summary_and_counts_files_without_evidence() {
    let (dir, evidence) = evidence_with_empty_files();
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        evidence.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Files without evidence do not fail the import.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "bundle {}: 1 imported, 0 partial, 0 rejected",
                bundle.display()
            )
            .as_str(),
            "2 files held no evidence (stored in the bundle; recognized, but no records; \
             --verbose names them)",
        ],
        "{stderr}"
    );
    // The manifest still records every file, with its zero records.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["collection"]["files_imported"], 3);
}

#[test]
fn import_verbose_prints_a_line_per_file_and_names_the_files_without_evidence() {
    let (dir, evidence) = evidence_with_empty_files();
    fs::write(evidence.join("notes.txt"), "not evidence\n").unwrap();
    let bundle = dir.path().join("bundle");
    let out = taskscope(&[
        "import",
        evidence.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
        "--verbose",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // A file that is not evidence at all is still rejected.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let path = |name: &str| evidence.join(name).display().to_string();
    for line in [
        format!("imported  {} (ecs-tasks, 2 records)", path("describe.json")),
        format!(
            "empty     {} (ecs-tasks: no evidence)",
            path("expired.json")
        ),
        format!(
            "empty     {} (aws-listing: no evidence)",
            path("list-tasks.json")
        ),
        format!("REJECTED  {}", path("notes.txt")),
        format!(
            "bundle {}: 1 imported, 0 partial, 1 rejected",
            bundle.display()
        ),
        "2 files held no evidence (stored in the bundle; recognized, but no records)".into(),
        format!("  {} (ecs-tasks)", path("expired.json")),
        format!("  {} (aws-listing)", path("list-tasks.json")),
    ] {
        assert!(
            stderr.lines().any(|l| l == line),
            "no {line:?} in\n{stderr}"
        );
    }
}

#[test]
fn import_on_a_terminal_draws_a_progress_bar_then_the_summary() {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    use std::io::Read;
    let (dir, evidence) = evidence_with_empty_files();
    let bundle = dir.path().join("bundle");
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_taskscope"));
    command.env(binary::CACHE_DIR_VARIABLE, binary::cache_dir());
    command.args(["import", evidence.to_str().unwrap(), "--out"]);
    command.arg(&bundle);
    command.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let reading = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let _ = reader.read_to_end(&mut seen);
        seen
    });
    assert!(child.wait().unwrap().success());
    drop(pty.master);
    let seen = String::from_utf8_lossy(&reading.join().unwrap()).into_owned();
    assert!(seen.contains("importing"), "{seen:?}");
    assert!(seen.contains("/3 files"), "{seen:?}");
    assert!(
        seen.contains("1 imported, 0 partial, 0 rejected"),
        "{seen:?}"
    );
    assert!(!seen.contains("imported  "), "{seen:?}");
}

#[test]
fn import_of_a_missing_path_is_a_usage_error_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let bundle = dir.path().join("b");
    let missing = dir.path().join("nosuch");
    let out = taskscope(&[
        "import",
        missing.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nosuch: no such file or directory; nothing was written"),
        "{stderr}"
    );
    assert!(!bundle.exists(), "no bundle is created");
    // Retrying with the right path and the same --out works.
    let retry = taskscope(&[
        "import",
        fixture("ecs/awscli_describe_tasks_fargate_two.json")
            .to_str()
            .unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(
        retry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&retry.stderr)
    );
}

#[cfg(unix)]
#[test]
fn import_creates_no_bundle_when_no_input_can_be_read() {
    let dir = TempDir::new().unwrap();
    let evidence = dir.path().join("evidence");
    fs::create_dir(&evidence).unwrap();
    // A link inside a directory is listed but never read.
    std::os::unix::fs::symlink(
        fixture("ecs/awscli_describe_tasks_fargate_two.json"),
        evidence.join("tasks.json"),
    )
    .unwrap();
    let bundle = dir.path().join("b");
    let out = taskscope(&[
        "import",
        evidence.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no input could be read; nothing was written")
            && stderr.contains("symbolic link inside a directory"),
        "{stderr}"
    );
    assert!(!bundle.exists(), "no bundle is created");
}

mod messages {
    use super::*;

    fn stderr(out: &Output) -> String {
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    #[test]
    fn open_without_a_terminal_says_so() {
        let (_dir, bundle) = sample_bundle();
        // Output is captured: standard output is a pipe, not a terminal.
        let out = taskscope(&["open", bundle.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let text = stderr(&out);
        assert!(
            text.contains("open needs a terminal") && text.contains("taskscope tasks"),
            "{text}"
        );
        assert!(!text.contains("os error"), "{text}");
    }

    #[test]
    fn a_missing_bundle_prints_the_os_error_once() {
        let dir = TempDir::new().unwrap();
        let missing = dir.path().join("nosuch");
        let out = taskscope(&["tasks", missing.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let text = stderr(&out);
        assert_eq!(
            text.matches("No such file or directory").count(),
            1,
            "{text}"
        );
    }

    #[test]
    fn a_directory_of_evidence_gets_a_hint_to_import_it() {
        let evidence = demo_dir();
        let out = taskscope(&["timeline", evidence.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let text = stderr(&out);
        assert!(text.contains("is not a bundle"), "{text}");
        assert!(
            text.contains(&format!(
                "taskscope import {} --out BUNDLE",
                evidence.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn export_to_a_directory_does_not_suggest_force() {
        let (dir, bundle) = sample_bundle();
        for extra in [&[][..], &["--force"][..]] {
            let mut args = vec![
                "export",
                bundle.to_str().unwrap(),
                "--format",
                "csv",
                "--out",
                dir.path().to_str().unwrap(),
            ];
            args.extend_from_slice(extra);
            let out = taskscope(&args);
            assert_eq!(out.status.code(), Some(1));
            let text = stderr(&out);
            assert!(text.contains("is a directory"), "{text}");
            assert!(!text.contains("--force"), "{text}");
        }
    }

    fn open_with_config(config: &str) -> String {
        let (dir, bundle) = sample_bundle();
        let path = dir.path().join("config.toml");
        fs::write(&path, config).unwrap();
        let out = taskscope(&[
            "open",
            bundle.to_str().unwrap(),
            "--config",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        stderr(&out).replace(path.to_str().unwrap(), "CONFIG")
    }

    #[test]
    fn an_unknown_key_action_is_reported_with_line_and_column() {
        let text = open_with_config("author = \"me\"\n[keys]\nfly = [\"x\"]\n");
        assert!(
            text.contains("CONFIG:3:1: keys: unknown action \"fly\""),
            "{text}"
        );
    }

    #[test]
    fn ctrl_plus_q_is_suggested_as_ctrl_dash_q() {
        let text = open_with_config("[keys]\nquit = [\"ctrl+q\"]\n");
        assert!(text.contains("CONFIG:2:9: "), "{text}");
        assert!(text.contains("write \"ctrl-q\""), "{text}");
    }

    #[test]
    fn annotate_event_explains_the_milestone_suffix() {
        let help = taskscope(&["annotate", "--help"]);
        assert!(stdout(&help).contains("@MILESTONE"), "{}", stdout(&help));

        let (_dir, bundle) = sample_bundle();
        let export = taskscope(&["export", bundle.to_str().unwrap(), "--format", "json"]);
        let events: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
        let anchor = events
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|event| event["anchor"].as_str())
            .find(|anchor| anchor.ends_with("@RUNNING"))
            .expect("an ECS task milestone")
            .to_string();
        let bare = anchor.trim_end_matches("@RUNNING");
        let out = taskscope(&[
            "annotate",
            bundle.to_str().unwrap(),
            "--event",
            bare,
            "--mark",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let text = stderr(&out);
        assert!(
            text.contains("ECS task events need the @MILESTONE suffix") && text.contains(&anchor),
            "{text}"
        );
    }

    #[test]
    fn vpc_flow_logs_get_a_specific_hint() {
        let dir = TempDir::new().unwrap();
        let bundle = dir.path().join("b");
        let out = taskscope(&[
            "import",
            fixture("vpcflow/awsdocs_flow_log_examples_v2_default.log")
                .to_str()
                .unwrap(),
            "--out",
            bundle.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(3));
        let text = stderr(&out);
        assert!(
            text.contains("VPC flow log records (space-separated text) are not supported"),
            "{text}"
        );
        assert!(!text.contains("not JSON"), "{text}");
    }

    #[test]
    fn demo_refuses_an_unknown_task_or_theme_with_the_choices() {
        let dir = TempDir::new().unwrap();
        let out_dir = dir.path().join("sample");
        let task = taskscope(&[
            "demo",
            "--print",
            "--task",
            "nosuchtask",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(task.status.code(), Some(2));
        assert!(
            stderr(&task).contains("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"),
            "{}",
            stderr(&task)
        );
        assert!(!out_dir.exists(), "nothing is written");
        let theme = taskscope(&["demo", "--print", "--theme", "solarized"]);
        assert_eq!(theme.status.code(), Some(2));
        assert!(
            stderr(&theme).contains("dark, light, high-contrast, colorblind"),
            "{}",
            stderr(&theme)
        );
    }

    #[test]
    fn demo_print_shows_the_task_asked_for() {
        let sibling = "c41b7a9e2d5f4e80b3a6c9d1e7f20b58";
        let out = taskscope(&["demo", "--print", "--task", sibling]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("Timeline of task {sibling}")),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn tasks_and_timeline_warn_once_about_a_partial_bundle() {
    let (_dir, partial) = sample_bundle();
    for command in ["tasks", "timeline"] {
        let out = taskscope(&[command, partial.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr,
            "taskscope: warning: the bundle is partial: 0 input(s) only partly read and 1 rejected\n",
            "{command}"
        );
    }
    let dir = TempDir::new().unwrap();
    let clean = dir.path().join("clean");
    let import = taskscope(&[
        "import",
        fixture("ecs/awscli_describe_tasks_fargate_two.json")
            .to_str()
            .unwrap(),
        "--out",
        clean.to_str().unwrap(),
    ]);
    assert_eq!(import.status.code(), Some(0));
    for command in ["tasks", "timeline"] {
        let out = taskscope(&[command, clean.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stderr.is_empty(), "{command}");
    }
}

/// The CSV records of a command's stdout, header first.
fn csv_records(out: &Output) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.stdout.as_slice())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// RFC 3339 UTC with exactly three fractional digits: `2026-11-20T13:47:12.000Z`.
fn is_millisecond_utc(cell: &str) -> bool {
    let bytes = cell.as_bytes();
    cell.len() == 24 && bytes[10] == b'T' && bytes[19] == b'.' && cell.ends_with('Z')
}

#[test]
fn every_csv_has_snake_case_headers_millisecond_times_and_empty_unknowns() {
    let (_dir, bundle) = sample_bundle();
    let path = bundle.to_str().unwrap();
    let noted = taskscope(&[
        "annotate",
        path,
        "--task",
        "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93",
        "--note",
        "checked",
        "--author",
        "ana",
    ]);
    assert_eq!(noted.status.code(), Some(0));

    let tasks = csv_records(&taskscope(&["tasks", path, "--format", "csv"]));
    assert_eq!(
        tasks[0],
        [
            "task",
            "service",
            "status",
            "stop_code",
            "started",
            "stopped",
            "ips",
            "findings",
            "events",
            "stopped_reason"
        ]
    );
    let running = tasks
        .iter()
        .find(|row| row[2] == "RUNNING")
        .expect("a running task");
    assert_eq!(running[5], "", "unknown stop time is an empty cell");
    assert!(tasks.iter().flatten().all(|cell| cell != "-"));
    assert!(tasks[1..]
        .iter()
        .flat_map(|row| [&row[4], &row[5]])
        .all(|time| time.is_empty() || is_millisecond_utc(time)));

    let timeline = csv_records(&taskscope(&["timeline", path, "--format", "csv"]));
    assert_eq!(timeline[0][0], "time");
    let times: Vec<&str> = timeline[1..].iter().map(|row| row[0].as_str()).collect();
    assert!(
        times.iter().all(|time| is_millisecond_utc(time)),
        "{times:?}"
    );
    assert!(
        times.windows(2).all(|pair| pair[0] <= pair[1]),
        "text order is time order"
    );
    assert!(timeline.iter().flatten().all(|cell| cell != "-"));

    let notes = csv_records(&taskscope(&["notes", path, "--format", "csv"]));
    assert_eq!(
        notes[0],
        ["time", "author", "on", "target", "action", "text"]
    );
    assert!(is_millisecond_utc(&notes[1][0]), "{:?}", notes[1]);

    let export = csv_records(&taskscope(&["export", path, "--all", "--format", "csv"]));
    assert_eq!(export[0][..timeline[0].len()], timeline[0][..]);
    assert!(export[1..].iter().all(|row| is_millisecond_utc(&row[0])));

    let raw = taskscope(&["tasks", path, "--format", "csv"]).stdout;
    assert!(raw.starts_with(b"task,"), "UTF-8 without a byte-order mark");
}

#[test]
fn annotate_warns_when_the_note_is_attributed_to_unknown() {
    let (_dir, bundle) = sample_bundle();
    let annotate = |author: Option<&str>| {
        let mut command = binary::command();
        command
            .args([
                "annotate",
                bundle.to_str().unwrap(),
                "--task",
                "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93",
                "--note",
                "seen",
            ])
            .env_remove("USER")
            .env_remove("TASKSCOPE_AUTHOR");
        if let Some(author) = author {
            command.args(["--author", author]);
        }
        command.output().expect("runs taskscope")
    };
    let out = annotate(None);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("by unknown"), "{stderr}");
    assert!(
        stderr.contains(
            "taskscope: warning: attributed to `unknown`: $TASKSCOPE_AUTHOR and $USER are unset"
        ),
        "{stderr}"
    );
    let named = annotate(Some("ana"));
    assert!(!String::from_utf8_lossy(&named.stderr).contains("warning"));
}
