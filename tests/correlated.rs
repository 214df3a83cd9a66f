//! The correlated index (`derived/correlated.bin`): what it answers equals
//! what importing the raw evidence again and correlating it gives, for the
//! demo, a generated incident and the hostile corpus; a damaged, truncated
//! or stale one is not used, and the commands answer from the evidence
//! with the same output.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use taskscope::bundle::build::{import_to_bundle, read_inputs};
use taskscope::bundle::correlated::{Unusable, CORRELATED_PATH};
use taskscope::bundle::verify::{verify, Problem};
use taskscope::generate::{generate_incident, GenOptions};
use tempfile::TempDir;

mod derived_files;

use derived_files::{demo_bundle, open, replace_consistently, write_manifest};

/// Every answer the correlated index gives equals the raw evidence's,
/// correlated again: tasks, summaries, timelines and every event.
fn assert_answers_like_raw(root: &Path) -> usize {
    let bundle = open(root);
    let index = bundle.correlated().expect("the correlated index is valid");
    let (raw, _) = bundle.incident_from_raw();
    assert_eq!(index.tasks(), raw.tasks.as_slice());
    for task in 0..raw.tasks.len() {
        assert_eq!(index.summaries()[task], raw.summary(task), "task {task}");
        assert_eq!(index.timeline(task).unwrap(), raw.timelines[task]);
    }
    assert_eq!(index.len().unwrap(), raw.events.len());
    for (number, event) in raw.events.iter().enumerate() {
        assert_eq!(&index.event(number).unwrap(), event, "event {number}");
    }
    let mut in_order = Vec::new();
    index.each_event(|event| in_order.push(event)).unwrap();
    assert!(in_order == raw.events, "read in order, the events differ");
    raw.events.len()
}

fn taskscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taskscope"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `tasks` and the first task's `timeline` as JSON, and what they warned.
fn answers(root: &Path) -> (String, String, String) {
    let root = root.to_str().unwrap();
    let tasks = taskscope(&["tasks", root, "--format", "json"]);
    assert!(tasks.status.success(), "{tasks:?}");
    let first: serde_json::Value = serde_json::from_slice(&tasks.stdout).unwrap();
    let id = first[0]["id"].as_str().unwrap().to_string();
    let timeline = taskscope(&["timeline", root, "--task", &id, "--format", "json"]);
    assert!(timeline.status.success(), "{timeline:?}");
    let warned = String::from_utf8_lossy(&tasks.stderr).to_string()
        + &String::from_utf8_lossy(&timeline.stderr);
    (
        String::from_utf8(tasks.stdout).unwrap(),
        String::from_utf8(timeline.stdout).unwrap(),
        warned,
    )
}

#[test]
fn the_demo_answers_from_its_correlated_index_as_from_raw_evidence() {
    let (_dir, root) = demo_bundle();
    assert!(assert_answers_like_raw(&root) > 0);
    assert!(verify(&open(&root)).is_empty());
}

#[test]
fn a_generated_incident_answers_from_its_correlated_index_as_from_raw_evidence() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("incident");
    let options = GenOptions {
        events: 3_000,
        tasks: None,
        seed: 11,
    };
    generate_incident(&options, &input).unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(read_inputs(&[input]), &root).unwrap();
    assert_eq!(assert_answers_like_raw(&root), 3_000);
}

#[test]
fn the_hostile_corpus_answers_from_its_correlated_index_as_from_raw_evidence() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(read_inputs(&[corpus]), &root).unwrap();
    assert!(assert_answers_like_raw(&root) > 0);
}

#[test]
fn the_commands_print_the_same_with_and_without_the_correlated_index() {
    let (_dir, root) = demo_bundle();
    let (tasks, timeline, warned) = answers(&root);
    assert!(warned.is_empty(), "{warned}");
    let mut manifest = open(&root).manifest;
    manifest.artifacts.retain(|a| a.path != CORRELATED_PATH);
    write_manifest(&root, &manifest);
    assert_eq!(open(&root).correlated().err(), Some(Unusable::Missing));
    let (again_tasks, again_timeline, again_warned) = answers(&root);
    assert!(again_warned.is_empty(), "a missing index says nothing");
    assert_eq!(tasks, again_tasks);
    assert_eq!(timeline, again_timeline);
}

#[test]
fn a_flipped_record_byte_is_caught_when_read_and_the_answer_comes_from_the_evidence() {
    let (_dir, root) = demo_bundle();
    let (tasks, timeline, _) = answers(&root);
    let mut bytes = fs::read(root.join(CORRELATED_PATH)).unwrap();
    // The records sit in the middle of the file, between the small parts
    // before them and the offsets and hashes after them.
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    replace_consistently(&root, CORRELATED_PATH, &bytes);
    let bundle = open(&root);
    let index = bundle
        .correlated()
        .expect("the footer and small parts are intact");
    let damaged = (0..index.len().unwrap())
        .filter_map(|number| index.event(number).err())
        .collect::<Vec<_>>();
    assert!(
        matches!(&damaged[..], [Unusable::Damaged(reason), ..] if reason.contains("hash")),
        "{damaged:?}"
    );
    // The whole timeline reads every event, so the command falls back.
    let root_text = root.to_str().unwrap();
    let all = taskscope(&["timeline", root_text, "--format", "json"]);
    assert!(all.status.success());
    let warned = String::from_utf8_lossy(&all.stderr);
    assert!(
        warned.contains(CORRELATED_PATH) && warned.contains("answering from the evidence"),
        "{warned}"
    );
    let (again_tasks, again_timeline, _) = answers(&root);
    assert_eq!(tasks, again_tasks);
    assert_eq!(timeline, again_timeline);
}

#[test]
fn a_truncated_or_altered_correlated_index_is_refused_and_verify_reports_it() {
    let (_dir, root) = demo_bundle();
    let bytes = fs::read(root.join(CORRELATED_PATH)).unwrap();
    for cut in [
        0,
        7,
        8,
        64,
        bytes.len() / 2,
        bytes.len() - 17,
        bytes.len() - 1,
    ] {
        replace_consistently(&root, CORRELATED_PATH, &bytes[..cut]);
        assert!(
            matches!(open(&root).correlated(), Err(Unusable::Damaged(_))),
            "cut at {cut}"
        );
    }
    // A flipped bit in a small part is caught on open.
    replace_consistently(&root, CORRELATED_PATH, &bytes);
    let mut flipped = bytes.clone();
    flipped[9] ^= 0x04;
    fs::write(root.join(CORRELATED_PATH), &flipped).unwrap();
    let bundle = open(&root);
    assert!(matches!(bundle.correlated(), Err(Unusable::Damaged(_))));
    let reported = verify(&bundle);
    assert!(
        matches!(&reported[..], [Problem::Altered { path, .. }] if path == CORRELATED_PATH),
        "{reported:?}"
    );
}

#[test]
fn changed_inputs_or_a_recorded_action_make_it_outdated() {
    let (_dir, root) = demo_bundle();
    let mut manifest = open(&root).manifest;
    manifest.inputs.pop();
    write_manifest(&root, &manifest);
    assert!(matches!(
        open(&root).correlated(),
        Err(Unusable::Outdated(_))
    ));

    let (_dir, root) = demo_bundle();
    let mut manifest = open(&root).manifest;
    let mut audit = manifest.artifacts[0].clone();
    audit.path = "audit.jsonl".into();
    manifest.artifacts.push(audit);
    write_manifest(&root, &manifest);
    assert!(matches!(
        open(&root).correlated(),
        Err(Unusable::Outdated(_))
    ));
}
