//! Annotations stored in a bundle: append-only, committed through the
//! manifest, recovered after a crash, refused when tampered, safe under
//! concurrent writers, and tied to events by anchors that survive re-imports.

mod binary;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use taskscope::bundle::annotations::{
    append, event_anchor, AnnotateError, Annotation, AnnotationAction, Annotations, Target,
    ANNOTATIONS_FILE,
};
use taskscope::bundle::build::{import_in_memory, import_to_bundle, read_inputs};
use taskscope::bundle::manifest::MANIFEST_FILE;
use taskscope::bundle::write::sha256_hex;
use taskscope::bundle::{verify::verify, Bundle};
use taskscope::demo;
use tempfile::TempDir;

fn demo_bundle() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(demo::inputs(), &root).unwrap();
    (dir, root)
}

fn note(target: Target, text: &str) -> Annotation {
    Annotation {
        time: taskscope::model::time::now(),
        author: "alice@ir-laptop".into(),
        target,
        action: AnnotationAction::Note { text: text.into() },
    }
}

fn task_target() -> Target {
    Target::Task {
        id: demo::COMPROMISED_TASK.into(),
    }
}

fn annotations_bytes(root: &Path) -> Vec<u8> {
    fs::read(root.join(ANNOTATIONS_FILE)).unwrap()
}

fn open(root: &Path) -> Bundle {
    Bundle::open(root).unwrap()
}

#[test]
fn an_appended_annotation_is_listed_in_the_manifest_and_verifies() {
    let (_dir, root) = demo_bundle();
    let before = open(&root).manifest;
    append(&root, &note(task_target(), "isolated at 14:31")).unwrap();
    let bundle = open(&root);
    assert!(verify(&bundle).is_empty(), "{:?}", verify(&bundle));
    let entry = bundle.manifest.artifact(ANNOTATIONS_FILE).unwrap();
    let bytes = annotations_bytes(&root);
    assert_eq!(entry.size, bytes.len() as u64);
    assert_eq!(entry.sha256, sha256_hex(&bytes));
    // Events refer to artifacts by index: the earlier entries keep theirs.
    assert_eq!(
        bundle.manifest.artifacts[..before.artifacts.len()],
        before.artifacts[..]
    );
    assert_eq!(bundle.manifest.created_at, before.created_at);
}

#[test]
fn a_second_append_leaves_the_first_line_byte_identical() {
    let (_dir, root) = demo_bundle();
    append(&root, &note(task_target(), "first")).unwrap();
    let first = annotations_bytes(&root);
    append(&root, &note(task_target(), "second")).unwrap();
    let both = annotations_bytes(&root);
    assert!(both.len() > first.len());
    assert_eq!(&both[..first.len()], &first[..]);
    assert_eq!(both.iter().filter(|&&b| b == b'\n').count(), 2);
    assert!(verify(&open(&root)).is_empty());
}

#[test]
fn an_uncommitted_tail_from_a_crash_is_ignored_then_cut_off() {
    let (_dir, root) = demo_bundle();
    append(&root, &note(task_target(), "committed")).unwrap();
    let committed = annotations_bytes(&root);
    // A crash after appending but before the manifest was replaced leaves a
    // longer file, and perhaps the manifest's temporary file.
    let mut torn = committed.clone();
    torn.extend_from_slice(br#"{"time":"2026-11-20T14:40:00Z","author":"bob","tar"#);
    fs::write(root.join(ANNOTATIONS_FILE), &torn).unwrap();
    fs::write(root.join(".manifest.json.tmp-1-0-0"), b"{").unwrap();
    assert!(!verify(&open(&root)).is_empty());
    let loaded = Annotations::load(&open(&root)).unwrap();
    assert_eq!(loaded.all().len(), 1);
    assert!(loaded.problems().is_empty(), "{:?}", loaded.problems());

    append(&root, &note(task_target(), "after the crash")).unwrap();
    let now = annotations_bytes(&root);
    assert_eq!(&now[..committed.len()], &committed[..]);
    let text = String::from_utf8(now[committed.len()..].to_vec()).unwrap();
    assert!(
        text.contains("after the crash") && !text.contains("bob"),
        "{text}"
    );
    assert!(
        verify(&open(&root)).is_empty(),
        "{:?}",
        verify(&open(&root))
    );
}

#[test]
fn a_tampered_committed_line_is_refused_and_nothing_is_written() {
    let (_dir, root) = demo_bundle();
    append(&root, &note(task_target(), "stop the task at 14:31")).unwrap();
    let tampered = String::from_utf8(annotations_bytes(&root))
        .unwrap()
        .replace("14:31", "15:31");
    fs::write(root.join(ANNOTATIONS_FILE), &tampered).unwrap();
    let manifest_before = fs::read(root.join(MANIFEST_FILE)).unwrap();

    let error = append(&root, &note(task_target(), "more")).unwrap_err();
    assert!(matches!(error, AnnotateError::Mismatch(_)), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("annotations.jsonl does not match the manifest")
            && message.contains("run taskscope verify"),
        "{message}"
    );
    assert_eq!(annotations_bytes(&root), tampered.as_bytes());
    assert_eq!(fs::read(root.join(MANIFEST_FILE)).unwrap(), manifest_before);
    // Readers still get the lines, with the mismatch reported.
    let loaded = Annotations::load(&open(&root)).unwrap();
    assert_eq!(loaded.all().len(), 1);
    assert!(loaded.problems()[0].contains("does not match the manifest"));
}

#[test]
fn a_listed_but_missing_file_is_refused() {
    let (_dir, root) = demo_bundle();
    append(&root, &note(task_target(), "x")).unwrap();
    fs::remove_file(root.join(ANNOTATIONS_FILE)).unwrap();
    let error = append(&root, &note(task_target(), "y")).unwrap_err();
    assert!(matches!(error, AnnotateError::Mismatch(_)), "{error}");
    assert!(!root.join(ANNOTATIONS_FILE).exists());
}

#[test]
fn a_bundle_that_does_not_open_is_not_annotated() {
    let dir = TempDir::new().unwrap();
    let error = append(dir.path(), &note(task_target(), "x")).unwrap_err();
    assert!(matches!(error, AnnotateError::Open(_)), "{error}");
    assert!(!dir.path().join(ANNOTATIONS_FILE).exists());
}

#[test]
fn concurrent_appends_all_land_and_the_manifest_matches() {
    let (_dir, root) = demo_bundle();
    const WRITERS: usize = 6;
    const EACH: usize = 4;
    std::thread::scope(|scope| {
        for writer in 0..WRITERS {
            let root = &root;
            scope.spawn(move || {
                for n in 0..EACH {
                    append(
                        root,
                        &note(task_target(), &format!("writer {writer} note {n}")),
                    )
                    .unwrap();
                }
            });
        }
    });
    let bundle = open(&root);
    assert!(verify(&bundle).is_empty(), "{:?}", verify(&bundle));
    let loaded = Annotations::load(&bundle).unwrap();
    assert!(loaded.problems().is_empty(), "{:?}", loaded.problems());
    let texts: BTreeSet<String> = loaded
        .all()
        .iter()
        .map(|a| match &a.action {
            AnnotationAction::Note { text } => text.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(texts.len(), WRITERS * EACH);
    assert_eq!(loaded.all().len(), WRITERS * EACH);
}

#[test]
fn anchors_are_identical_each_time_the_bundle_is_opened_and_unique() {
    let (_dir, root) = demo_bundle();
    let anchors = || {
        let bundle = open(&root);
        let (incident, problems) = bundle.incident();
        assert!(problems.is_empty());
        incident
            .events
            .iter()
            .map(|e| event_anchor(e, &bundle.manifest))
            .collect::<Vec<_>>()
    };
    let first = anchors();
    assert_eq!(first, anchors());
    let distinct: BTreeSet<&String> = first.iter().collect();
    assert_eq!(
        distinct.len(),
        first.len(),
        "every event has its own anchor"
    );
    // The de-duplicated ReverseShell finding is anchored at its first copy.
    assert!(first.contains(&"raw/0006-guardduty_get_findings.json#/Findings/0".to_string()));
    assert!(first.contains(&"raw/0001-ecs_describe_tasks.json#/tasks/0@STOPPED".to_string()));
}

#[test]
fn anchors_are_unique_over_the_shared_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    let (manifest, incident) = import_in_memory(read_inputs(&[fixtures]));
    assert!(incident.events.len() > 100);
    let mut seen = BTreeSet::new();
    for event in &incident.events {
        let anchor = event_anchor(event, &manifest);
        assert!(seen.insert(anchor.clone()), "two events share {anchor}");
    }
}

#[test]
fn notes_marks_and_tags_survive_reopening() {
    let (_dir, root) = demo_bundle();
    let anchor = "raw/0006-guardduty_get_findings.json#/Findings/0".to_string();
    let event = Target::Event {
        anchor: anchor.clone(),
    };
    let written = note(event.clone(), "reverse shell to 203.0.113.66");
    append(&root, &written).unwrap();
    for action in [
        AnnotationAction::Mark,
        AnnotationAction::Tag { tag: "c2".into() },
    ] {
        append(
            &root,
            &Annotation {
                action,
                ..note(event.clone(), "unused")
            },
        )
        .unwrap();
    }
    let loaded = Annotations::load(&open(&root)).unwrap();
    let notes = loaded.notes(&event);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].author, "alice@ir-laptop");
    assert_eq!(notes[0].time, written.time);
    assert_eq!(notes[0].action, written.action);
    assert!(loaded.is_marked(&anchor));
    assert_eq!(loaded.tags(&anchor), ["c2"]);
    assert_eq!(
        loaded.marked_anchors().collect::<Vec<_>>(),
        [anchor.as_str()]
    );
}

#[test]
fn a_malformed_committed_line_is_reported_by_number_and_the_rest_kept() {
    let (_dir, root) = demo_bundle();
    append(&root, &note(task_target(), "good one")).unwrap();
    append(&root, &note(task_target(), "will break")).unwrap();
    append(&root, &note(task_target(), "good two")).unwrap();
    // Rewrite line 2 and record the result as committed, as a buggy or
    // hostile writer could.
    let text = String::from_utf8(annotations_bytes(&root)).unwrap();
    let broken: Vec<&str> = text
        .lines()
        .enumerate()
        .map(|(i, line)| if i == 1 { "{\"time\": 12" } else { line })
        .collect();
    let content = format!("{}\n", broken.join("\n"));
    fs::write(root.join(ANNOTATIONS_FILE), &content).unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(root.join(MANIFEST_FILE)).unwrap()).unwrap();
    for artifact in manifest["artifacts"].as_array_mut().unwrap() {
        if artifact["path"] == ANNOTATIONS_FILE {
            artifact["size"] = content.len().into();
            artifact["sha256"] = sha256_hex(content.as_bytes()).into();
        }
    }
    fs::write(
        root.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();

    let loaded = Annotations::load(&open(&root)).unwrap();
    assert_eq!(loaded.all().len(), 2);
    assert_eq!(loaded.problems().len(), 1);
    assert!(
        loaded.problems()[0].starts_with("annotations.jsonl line 2:"),
        "{:?}",
        loaded.problems()
    );
}

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .env("TASKSCOPE_AUTHOR", "carol (IR)")
        .output()
        .expect("runs taskscope")
}

#[test]
fn the_cli_annotates_lists_and_rejects_unknown_targets() {
    let (_dir, root) = demo_bundle();
    let bundle = root.to_str().unwrap();
    let arn =
        "arn:aws:ecs:us-east-1:111122223333:task/payments-prod/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
    let out = taskscope(&[
        "annotate",
        bundle,
        "--task",
        arn,
        "--note",
        "<b>contain</b>",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let event = "raw/0001-ecs_describe_tasks.json#/tasks/0@STOPPED";
    let out = taskscope(&["annotate", bundle, "--event", event, "--tag", "containment"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for bad in [
        vec!["annotate", bundle, "--task", "0123", "--mark"],
        vec![
            "annotate",
            bundle,
            "--event",
            "raw/0001-ecs_describe_tasks.json#/tasks/0",
            "--mark",
        ],
        vec!["annotate", bundle, "--task", arn, "--tag", "two words"],
    ] {
        let out = taskscope(&bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("taskscope: error:"));
    }
    let out = taskscope(&["annotate", bundle, "--task", arn]);
    assert_eq!(out.status.code(), Some(2), "an action is required");

    let json = taskscope(&["notes", bundle, "--format", "json"]);
    let listed: Vec<Annotation> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].author, "carol (IR)");
    assert_eq!(listed[0].target, task_target());
    assert_eq!(
        listed[1].action,
        AnnotationAction::Tag {
            tag: "containment".into()
        }
    );
    let md = String::from_utf8(taskscope(&["notes", bundle, "--format", "md"]).stdout).unwrap();
    assert!(
        md.contains("&lt;b>contain&lt;/b>") && !md.contains("<b>"),
        "{md}"
    );
    let verified = taskscope(&["verify", bundle]);
    assert_eq!(verified.status.code(), Some(0));
}
