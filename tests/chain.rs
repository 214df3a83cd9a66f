//! Chained journals and the custody log, end to end: a note edited or
//! removed and an audit line reordered are caught and named by `verify`
//! even when the manifest is rewritten to match; handoffs chain and show in
//! `verify`; bundles written before the chain still read.

mod binary;

use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use taskscope::bundle::annotations::{
    append, Annotation, AnnotationAction, Annotations, Target, ANNOTATIONS_FILE,
};
use taskscope::bundle::audit::{self, Actor, Entry, Record, AUDIT_FILE};
use taskscope::bundle::build::import_to_bundle;
use taskscope::bundle::chain;
use taskscope::bundle::custody::CUSTODY_FILE;
use taskscope::bundle::journal_head::{self, HeadError};
use taskscope::bundle::manifest::MANIFEST_FILE;
use taskscope::bundle::write::sha256_hex;
use taskscope::bundle::Bundle;
use taskscope::demo;
use tempfile::TempDir;

/// `taskscope verify`'s exit status when the bundle fails.
const EXIT_VERIFY_FAILED: i32 = 4;

fn demo_bundle() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(demo::inputs(), &root).unwrap();
    (dir, root)
}

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .env("TASKSCOPE_AUTHOR", "alice@ir-laptop")
        .output()
        .expect("runs taskscope")
}

fn verify(root: &Path) -> (Option<i32>, String) {
    let out = taskscope(&["verify", root.to_str().unwrap()]);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn note(text: &str) -> Annotation {
    Annotation {
        time: taskscope::model::time::now(),
        author: "alice@ir-laptop".into(),
        target: Target::Task {
            id: demo::COMPROMISED_TASK.into(),
        },
        action: AnnotationAction::Note { text: text.into() },
    }
}

fn audit_record(entry: Entry) -> Record {
    Record {
        time: audit::now(),
        plan_id: "isolate-3f9c2d7e-20261120T142938.417Z-5c0e1a".into(),
        action: "isolate".into(),
        actor: Actor {
            caller: "arn:aws:sts::111122223333:assumed-role/ir/alice".into(),
            user: "alice@ir-laptop".into(),
        },
        target: "arn:aws:ecs:us-east-1:111122223333:task/prod/3f9c2d7e".into(),
        task_definitions: Vec::new(),
        entry,
    }
}

fn service_event(message: &str) -> Entry {
    Entry::ServiceEvent {
        at: audit::now(),
        message: message.into(),
    }
}

fn lines(root: &Path, file: &str) -> Vec<String> {
    fs::read_to_string(root.join(file))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Writes `lines` as the journal `file` and rewrites its manifest entry to
/// match, as someone covering their tracks would.
fn forge(root: &Path, file: &str, lines: &[String]) {
    let bytes: Vec<u8> = lines
        .iter()
        .flat_map(|line| format!("{line}\n").into_bytes())
        .collect();
    fs::write(root.join(file), &bytes).unwrap();
    let path = root.join(MANIFEST_FILE);
    let mut manifest: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let artifacts = manifest["artifacts"].as_array_mut().unwrap();
    let entry = json!({"path": file, "sha256": sha256_hex(&bytes), "size": bytes.len()});
    match artifacts.iter_mut().find(|a| a["path"] == file) {
        Some(existing) => *existing = entry,
        None => artifacts.push(entry),
    }
    fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

fn three_notes() -> (TempDir, PathBuf) {
    let (dir, root) = demo_bundle();
    for text in [
        "isolated at 14:31",
        "attacker IP 203.0.113.7",
        "handed to legal",
    ] {
        append(&root, &note(text)).unwrap();
    }
    (dir, root)
}

#[test]
fn appended_lines_link_to_the_line_before_them() {
    let (_dir, root) = three_notes();
    let written = lines(&root, ANNOTATIONS_FILE);
    let bundle = Bundle::open(&root).unwrap();
    let prev = |line: &str| serde_json::from_str::<Value>(line).unwrap()["prev"].clone();
    assert_eq!(
        prev(&written[0]),
        chain::genesis(&bundle.manifest, ANNOTATIONS_FILE)
    );
    assert_eq!(prev(&written[2]), sha256_hex(written[1].as_bytes()));
    let head = journal_head::head(&bundle, ANNOTATIONS_FILE).unwrap();
    assert_eq!((head.lines, head.unchained), (3, 0));
    assert_eq!(head.hash, sha256_hex(written[2].as_bytes()));
    assert_eq!(Annotations::load(&bundle).unwrap().all().len(), 3);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("journals: 3 annotation(s) and 0 action(s), chain intact"),
        "{text}"
    );
}

#[test]
fn an_edited_note_is_caught_and_named_though_the_manifest_matches() {
    let (_dir, root) = three_notes();
    let mut written = lines(&root, ANNOTATIONS_FILE);
    written[1] = written[1].replace("203.0.113.7", "198.51.100.9");
    forge(&root, ANNOTATIONS_FILE, &written);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{text}");
    assert!(
        text.contains(
            "chain broken: annotations.jsonl line 3: it does not follow line 2: \
             line 2 was edited, or a line after it removed"
        ),
        "{text}"
    );
    assert!(
        !text.contains("altered"),
        "the manifest was rewritten: {text}"
    );
    let bundle = Bundle::open(&root).unwrap();
    match journal_head::head(&bundle, ANNOTATIONS_FILE) {
        Err(HeadError::Broken { at, .. }) => assert_eq!(at.line, 3),
        other => panic!("a broken chain has no head: {other:?}"),
    }
}

#[test]
fn a_removed_note_is_caught_and_named() {
    let (_dir, root) = three_notes();
    let mut written = lines(&root, ANNOTATIONS_FILE);
    written.remove(1);
    forge(&root, ANNOTATIONS_FILE, &written);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{text}");
    assert!(
        text.contains("chain broken: annotations.jsonl line 2: it does not follow line 1"),
        "{text}"
    );
    written.remove(0);
    forge(&root, ANNOTATIONS_FILE, &written);
    let (_, text) = verify(&root);
    assert!(
        text.contains("annotations.jsonl line 1: it does not start the chain"),
        "{text}"
    );
}

#[test]
fn a_reordered_audit_line_is_caught_and_named() {
    let (_dir, root) = demo_bundle();
    for message in [
        "deployment started",
        "task draining",
        "deployment completed",
    ] {
        audit::append(&root, &audit_record(service_event(message))).unwrap();
    }
    let (code, text) = verify(&root);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("and 1 action(s), chain intact"), "{text}");
    let mut written = lines(&root, AUDIT_FILE);
    written.swap(1, 2);
    forge(&root, AUDIT_FILE, &written);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{text}");
    assert!(
        text.contains(
            "chain broken: audit.jsonl line 2: it follows line 3, which comes after it: \
             lines were reordered"
        ),
        "{text}"
    );
    // The records still read: the chain is checked by verify, not by readers.
    assert_eq!(audit::load(&Bundle::open(&root).unwrap()).0.len(), 3);
}

#[test]
fn handoffs_chain_and_show_in_verify() {
    let (_dir, root) = demo_bundle();
    let bundle = root.to_str().unwrap();
    let out = taskscope(&[
        "handoff",
        bundle,
        "--to",
        "bob@legal",
        "--note",
        "for review",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("alice@ir-laptop -> bob@legal (custody record 1, chain head "),
        "{said}"
    );
    let out = taskscope(&["handoff", bundle, "--to", "carol\u{1b}[2J"]);
    assert!(!out.status.success(), "a control character is refused");
    let out = taskscope(&["handoff", bundle, "--to", "carol@court"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let written = lines(&root, CUSTODY_FILE);
    assert_eq!(written.len(), 2);
    let second: Value = serde_json::from_str(&written[1]).unwrap();
    assert_eq!(second["prev"], sha256_hex(written[0].as_bytes()));
    assert_eq!(second["from"], "alice@ir-laptop");
    assert_eq!(second["to"], "carol@court");
    let (code, text) = verify(&root);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("custody: 2 handoff(s), chain intact"),
        "{text}"
    );
    assert!(
        text.contains("alice@ir-laptop -> bob@legal (on ") && text.contains("): for review"),
        "{text}"
    );

    let mut forged = written.clone();
    forged[0] = forged[0].replace("bob@legal", "mallory");
    forge(&root, CUSTODY_FILE, &forged);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{text}");
    assert!(
        text.contains("chain broken: custody.jsonl line 2"),
        "{text}"
    );
}

#[test]
fn an_unchained_old_bundle_reads_and_then_chains() {
    let (_dir, root) = demo_bundle();
    // As taskscope wrote annotations before the chain: no `prev`.
    let old: Vec<String> = ["first look", "second look"]
        .iter()
        .map(|text| taskscope::render::json_line(&note(text)).unwrap())
        .collect();
    forge(&root, ANNOTATIONS_FILE, &old);
    let bundle = Bundle::open(&root).unwrap();
    assert_eq!(Annotations::load(&bundle).unwrap().all().len(), 2);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("journals: 2 annotation(s) and 0 action(s), unchained"),
        "{text}"
    );

    append(&root, &note("after the upgrade")).unwrap();
    let (code, text) = verify(&root);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("3 annotation(s) and 0 action(s), chain intact after 2 unchained line(s)"),
        "{text}"
    );
    // The head covers the old lines too.
    let before = journal_head::head(&Bundle::open(&root).unwrap(), ANNOTATIONS_FILE).unwrap();
    let mut edited = lines(&root, ANNOTATIONS_FILE);
    edited[0] = edited[0].replace("first look", "no look");
    forge(&root, ANNOTATIONS_FILE, &edited);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{text}");
    assert!(text.contains("annotations.jsonl line 3"), "{text}");
    assert_eq!(before.lines, 3);
}

#[test]
fn a_hostile_journal_is_a_named_break_not_a_crash() {
    let (_dir, root) = three_notes();
    let mut written = lines(&root, ANNOTATIONS_FILE);
    written.push("{\"prev\": [\"\u{1b}]0;owned\u{7}\"], ".repeat(50) + "\u{202e}");
    written.push(String::new());
    forge(&root, ANNOTATIONS_FILE, &written);
    let (code, text) = verify(&root);
    assert_eq!(code, Some(EXIT_VERIFY_FAILED), "{text}");
    assert!(
        text.contains("annotations.jsonl line 4: not a JSON object with a `prev` string"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
}
