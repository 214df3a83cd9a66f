//! MITRE ATT&CK on events, end to end over the sample incident and a
//! synthetic Falco alert: the console's `tactic:` and `technique:` filter,
//! the exports, and a bundle opened from its index showing what a fresh
//! import shows.

// The file uses part of the shared helpers.
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use support::{console, wait_for_filter};
use taskscope::bundle::annotations::Annotations;
use taskscope::bundle::build::{import_to_bundle, InputFile};
use taskscope::bundle::Bundle;
use taskscope::correlate::EventList;
use taskscope::demo;
use taskscope::export::{export, timesketch::timesketch_jsonl, ExportFormat};
use taskscope::model::{Event, Tactic};
use tempfile::TempDir;

/// A synthetic Falco alert from the compromised task's app container
/// (runtime ID from the demo's cast), whose tags name Exfiltration and
/// T1041, and carry a hostile label meant to break a terminal or a sheet.
const EXFILTRATION_ALERT: &str = concat!(
    r#"{"output":"curl posting /etc/passwd to 203.0.113.66","priority":"Critical","#,
    r#""rule":"Exfiltration over HTTP (synthetic)","time":"2026-11-20T14:05:00Z","#,
    r#""tags":["container","network","mitre_exfiltration","T1041","#,
    r#""mitre_\u001b]0;pwned\u0007"],"#,
    r#""output_fields":{"container.id":"3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93-1837765126"}}"#,
    "\n"
);

fn bundle() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    let mut inputs = demo::inputs();
    inputs.push(Ok(InputFile {
        source_path: "synthetic/falco_exfiltration.ndjson".into(),
        bytes: EXFILTRATION_ALERT.as_bytes().to_vec(),
    }));
    import_to_bundle(inputs, &root).unwrap();
    (dir, root)
}

fn has(event: &Event, tactic: Tactic) -> bool {
    event.attack.tactics.contains(&tactic)
}

/// The events the filter keeps on the all-events timeline.
fn filtered(root: &Path, query: &str) -> Vec<Event> {
    let mut app = console(root);
    app.show_timeline(None);
    app.apply_filter(query.into());
    wait_for_filter(&mut app);
    let data = app.data.clone().unwrap();
    (0..app.timeline.list.len())
        .map(|row| data.incident.events[app.timeline.list.item(row).unwrap() as usize].clone())
        .collect()
}

#[test]
fn the_console_filters_by_tactic_and_technique() {
    let (_dir, root) = bundle();
    let (incident, _) = Bundle::open(&root).unwrap().incident();
    for (query, tactic) in [
        ("tactic:exfiltration", Tactic::Exfiltration),
        ("tactic:impact", Tactic::Impact),
        ("tactic:credential-access", Tactic::CredentialAccess),
    ] {
        let expected: Vec<&Event> = incident.events.iter().filter(|e| has(e, tactic)).collect();
        assert!(!expected.is_empty(), "the sample names {tactic}");
        let shown = filtered(&root, query);
        assert_eq!(shown.len(), expected.len(), "{query}");
        assert!(shown.iter().all(|e| has(e, tactic)), "{query}");
    }
    // The synthetic alert, the demo's attack sequence and its miner finding.
    assert!(filtered(&root, "tactic:exfiltration")[0]
        .kind
        .starts_with("Exfiltration over HTTP"));
    let technique = filtered(&root, "technique:T1041");
    assert_eq!(technique.len(), 1);
    assert_eq!(technique[0].attack.techniques[0].id(), "T1041");
    // A hostile label never becomes a tactic the filter matches.
    assert!(filtered(&root, "tactic:mitre").is_empty());
}

#[test]
fn exports_carry_tactics_and_techniques_and_escape_labels() {
    let (_dir, root) = bundle();
    let bundle = Bundle::open(&root).unwrap();
    let (incident, _) = bundle.incident();
    let annotations = Annotations::load(&bundle).unwrap();

    let sketch = timesketch_jsonl(&bundle, &incident, &annotations, None);
    let lines: Vec<serde_json::Value> = sketch
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let alert = lines
        .iter()
        .find(|l| l["kind"] == "Exfiltration over HTTP (synthetic)")
        .expect("the alert is exported");
    assert_eq!(
        alert["tag"],
        serde_json::json!(["attack.exfiltration", "attack.t1041"])
    );
    let sequence = lines
        .iter()
        .find(|l| l["kind"] == "AttackSequence:ECS/CompromisedCluster")
        .expect("the attack sequence is exported");
    assert_eq!(
        sequence["tag"],
        serde_json::json!(["attack.execution", "attack.impact"])
    );

    let csv = export(&bundle, &incident, &annotations, None, ExportFormat::Csv).unwrap();
    assert!(!csv.contains('\u{1b}'));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let attack = header
        .iter()
        .position(|h| h == "attack")
        .expect("an attack column");
    let kind = header.iter().position(|h| h == "kind").unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| r[kind].starts_with("Exfiltration over HTTP"))
        .unwrap();
    assert_eq!(
        &row[attack],
        "Exfiltration (TA0010) · T1041 · mitre_\\x1b]0;pwned\\x07"
    );

    let json = export(&bundle, &incident, &annotations, None, ExportFormat::Json).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let row = rows
        .iter()
        .find(|r| r["kind"] == "Exfiltration over HTTP (synthetic)")
        .unwrap();
    assert_eq!(row["tactics"], serde_json::json!(["exfiltration"]));
    assert_eq!(row["techniques"], serde_json::json!(["T1041"]));

    let task = incident.find_task(demo::COMPROMISED_TASK).unwrap();
    let report = export(
        &bundle,
        &incident,
        &annotations,
        Some(task),
        ExportFormat::Md,
    )
    .unwrap();
    assert!(report.contains("| ATT&CK |"), "a findings column");
    assert!(report.contains("| Exfiltration (TA0010) · T1041 · mitre_"));
    assert!(!report.contains('\u{1b}'));
}

#[test]
fn a_bundle_opened_from_its_index_shows_the_same_attack_as_a_fresh_import() {
    let (_dir, root) = bundle();
    let bundle = Bundle::open(&root).unwrap();
    let from_index = bundle.incident_from_index().expect("the index is valid");
    let (from_raw, _) = bundle.incident_from_raw();
    let attacks = |events: &EventList| -> Vec<String> {
        events.iter().map(|e| e.attack.describe()).collect()
    };
    assert_eq!(attacks(&from_index.events), attacks(&from_raw.events));
    assert!(from_index
        .events
        .iter()
        .any(|e| !e.attack.labels.is_empty()));
    assert!(from_index
        .events
        .iter()
        .any(|e| !e.attack.techniques.is_empty()));
}
