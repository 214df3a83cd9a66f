//! The derived index (`derived/index.bin`): a bundle opened from it shows
//! exactly what importing the raw evidence again shows, and an index that
//! is tampered with, truncated, stale or missing is not used: the bundle
//! opens from the raw evidence, and `verify` reports a tampered index.

use std::fs;
use std::path::Path;
use taskscope::bundle::annotations::{append, Annotation, AnnotationAction, Target};
use taskscope::bundle::build::{import_to_bundle, read_inputs, InputFile};
use taskscope::bundle::correlated::CORRELATED_PATH;
use taskscope::bundle::index::{Unusable, INDEX_PATH};
use taskscope::bundle::manifest::{Artifact, Input};
use taskscope::bundle::verify::{verify, Problem};
use taskscope::bundle::write::sha256_hex;
use taskscope::correlate::EventList;
use taskscope::demo;
use taskscope::generate::{generate_incident, GenOptions};
use taskscope::import::FileStatus;
use tempfile::TempDir;

mod derived_files;

use derived_files::{demo_bundle, open, replace_consistently, write_manifest};

fn replace_index_consistently(root: &Path, bytes: &[u8]) {
    replace_consistently(root, INDEX_PATH, bytes);
}

/// Opens the bundle both ways and checks the incidents are the same, and
/// that the index was (or was not) used.
fn assert_opens_like_raw(root: &Path, from_index: bool) -> Vec<String> {
    let bundle = open(root);
    let (raw, raw_problems) = bundle.incident_from_raw();
    let opened = bundle.open_incident();
    assert_eq!(opened.from_index, from_index, "{:?}", opened.problems);
    assert!(opened.incident == raw, "index and raw evidence disagree");
    assert!(!raw.events.is_empty());
    let mut expected = opened.problems.clone();
    expected.retain(|p| !p.starts_with(INDEX_PATH));
    assert_eq!(expected, raw_problems);
    opened.problems
}

#[test]
fn the_demo_bundle_opens_from_its_index_exactly_as_from_raw_evidence() {
    let (_dir, root) = demo_bundle();
    let bundle = open(&root);
    assert!(bundle.manifest.artifact(INDEX_PATH).is_some());
    let from_index = bundle.incident_from_index().expect("the index is valid");
    let (from_raw, problems) = bundle.incident_from_raw();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(from_index == from_raw, "index and raw evidence disagree");
    assert!(
        from_raw.events.iter().any(|e| e.raw.len() > 1),
        "duplicates merged"
    );
    assert!(verify(&bundle).is_empty(), "{:?}", verify(&bundle));
    assert!(assert_opens_like_raw(&root, true).is_empty());
}

#[test]
fn a_generated_bundle_opens_from_its_index_exactly_as_from_raw_evidence() {
    let dir = TempDir::new().unwrap();
    let input = dir.path().join("incident");
    let options = GenOptions {
        events: 3_000,
        tasks: None,
        seed: 7,
    };
    generate_incident(&options, &input).unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(read_inputs(&[input]), &root).unwrap();
    let bundle = open(&root);
    let from_index = bundle.incident_from_index().expect("the index is valid");
    let (from_raw, problems) = bundle.incident_from_raw();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(from_raw.events.len(), 3_000);
    assert!(from_index == from_raw, "index and raw evidence disagree");
}

#[test]
fn rejected_and_partial_inputs_are_indexed_as_opening_imports_them() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    let mut inputs: Vec<_> = demo::inputs().into_iter().collect();
    inputs.push(Ok(InputFile {
        source_path: "garbage.json".into(),
        bytes: b"{ not json".to_vec(),
    }));
    // From the hostile corpus: some records read, one without a valid time.
    let partial =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/out_of_range_times.json");
    inputs.push(Ok(InputFile {
        source_path: "out_of_range_times.json".into(),
        bytes: fs::read(partial).unwrap(),
    }));
    inputs.push(Err(("gone.json".into(), "No such file".into())));
    import_to_bundle(inputs, &root).unwrap();
    let statuses: Vec<FileStatus> = open(&root)
        .manifest
        .inputs
        .iter()
        .map(|i| i.status)
        .collect();
    assert!(statuses.contains(&FileStatus::Rejected));
    assert!(statuses.contains(&FileStatus::Partial));
    assert!(assert_opens_like_raw(&root, true).is_empty());
}

#[test]
fn a_tampered_index_is_not_used_and_verify_reports_it() {
    let (_dir, root) = demo_bundle();
    let path = root.join(INDEX_PATH);
    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    fs::write(&path, &bytes).unwrap();

    let bundle = open(&root);
    assert!(matches!(
        bundle.incident_from_index(),
        Err(Unusable::Damaged(_))
    ));
    let problems = assert_opens_like_raw(&root, false);
    assert!(
        problems[0].starts_with(INDEX_PATH) && problems[0].contains("sha256"),
        "{problems:?}"
    );
    let reported = verify(&bundle);
    assert!(
        matches!(&reported[..], [Problem::Altered { path, .. }] if path == INDEX_PATH),
        "{reported:?}"
    );
}

#[test]
fn a_truncated_index_is_not_used_even_when_the_manifest_agrees() {
    let (_dir, root) = demo_bundle();
    let bytes = fs::read(root.join(INDEX_PATH)).unwrap();
    // Every cut is refused without a panic, whether the manifest agrees or not.
    for cut in [
        0,
        5,
        8,
        12,
        bytes.len() / 3,
        bytes.len() - 33,
        bytes.len() - 1,
    ] {
        fs::write(root.join(INDEX_PATH), &bytes[..cut]).unwrap();
        assert!(matches!(
            open(&root).incident_from_index(),
            Err(Unusable::Damaged(_))
        ));
        replace_index_consistently(&root, &bytes[..cut]);
        assert!(
            matches!(open(&root).incident_from_index(), Err(Unusable::Damaged(_))),
            "cut at {cut}"
        );
    }
    replace_index_consistently(&root, &bytes[..bytes.len() / 2]);
    assert!(verify(&open(&root)).is_empty());
    assert_opens_like_raw(&root, false);
}

#[test]
fn an_index_of_another_version_is_outdated_and_not_used() {
    let (_dir, root) = demo_bundle();
    let mut bytes = fs::read(root.join(INDEX_PATH)).unwrap();
    bytes[8] = bytes[8].wrapping_add(1); // the layout version, after the magic
    replace_index_consistently(&root, &bytes);
    assert!(matches!(
        open(&root).incident_from_index(),
        Err(Unusable::Outdated(_))
    ));
    // Expected after an upgrade: nothing to report, the raw path is used.
    assert!(assert_opens_like_raw(&root, false).is_empty());
}

#[test]
fn a_bundle_that_grew_after_indexing_opens_from_raw_evidence() {
    let (_dir, root) = demo_bundle();
    let mut manifest = open(&root).manifest;
    let before = open(&root).incident_from_raw().0.events.len();
    // What a later `collect` would do: add a raw artifact and its input.
    let bytes = br#"{"output":"late alert","priority":"Critical","rule":"Terminal shell in container","time":"2026-11-20T14:40:00Z","output_fields":{"container.id":"3f9c2d7e5b1a"}}"#;
    let path = "raw/0099-falco_late.json";
    fs::write(root.join(path), bytes).unwrap();
    manifest.artifacts.push(Artifact {
        path: path.into(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
    });
    manifest.inputs.push(Input {
        source_path: "falco_late.json".into(),
        artifact: path.into(),
        status: FileStatus::Imported,
        formats: vec!["falco".into()],
        records: 1,
        errors: Vec::new(),
        origin: None,
    });
    write_manifest(&root, &manifest);

    assert!(matches!(
        open(&root).incident_from_index(),
        Err(Unusable::Outdated(_))
    ));
    assert!(verify(&open(&root)).is_empty());
    assert!(assert_opens_like_raw(&root, false).is_empty());
    assert_eq!(open(&root).incident().0.events.len(), before + 1);
}

#[test]
fn a_raw_artifact_changed_with_its_manifest_entry_makes_the_index_stale() {
    let (_dir, root) = demo_bundle();
    let input = open(&root)
        .manifest
        .inputs
        .iter()
        .find(|i| i.artifact.contains("falco"))
        .unwrap()
        .artifact
        .clone();
    let mut bytes = fs::read(root.join(&input)).unwrap();
    bytes.extend_from_slice(b"\n");
    replace_consistently(&root, &input, &bytes);
    assert!(matches!(
        open(&root).incident_from_index(),
        Err(Unusable::Outdated(_))
    ));
}

#[test]
fn a_missing_raw_artifact_is_reported_as_before_rather_than_hidden_by_the_index() {
    let (_dir, root) = demo_bundle();
    let artifact = open(&root).manifest.inputs[0].artifact.clone();
    fs::remove_file(root.join(&artifact)).unwrap();
    let problems = assert_opens_like_raw(&root, false);
    assert!(
        problems.iter().any(|p| p.starts_with(&artifact)),
        "{problems:?}"
    );
}

#[test]
fn a_bundle_without_an_index_opens_from_raw_evidence_silently() {
    let (_dir, root) = demo_bundle();
    // As a bundle written before either derived file existed.
    let mut manifest = open(&root).manifest;
    manifest
        .artifacts
        .retain(|a| a.path != INDEX_PATH && a.path != CORRELATED_PATH);
    write_manifest(&root, &manifest);
    fs::remove_dir_all(root.join("derived")).unwrap();
    assert_eq!(open(&root).incident_from_index(), Err(Unusable::Missing));
    assert!(assert_opens_like_raw(&root, false).is_empty());
    assert!(verify(&open(&root)).is_empty());
}

#[test]
fn annotations_do_not_make_the_index_stale() {
    let (_dir, root) = demo_bundle();
    let note = Annotation {
        time: taskscope::model::time::now(),
        author: "alice@ir-laptop".into(),
        target: Target::Task {
            id: demo::COMPROMISED_TASK.into(),
        },
        action: AnnotationAction::Note {
            text: "isolated".into(),
        },
    };
    append(&root, &note).unwrap();
    assert!(assert_opens_like_raw(&root, true).is_empty());
    assert!(verify(&open(&root)).is_empty());
}

#[test]
fn the_console_loads_from_the_index_and_reports_a_damaged_one() {
    let (_dir, root) = demo_bundle();
    let loaded = taskscope::tui::load(&root).unwrap();
    assert!(loaded.timings.from_index);
    assert!(
        loaded.data.problems.is_empty(),
        "{:?}",
        loaded.data.problems
    );
    let raw = taskscope::tui::load_with(&root, false).unwrap();
    assert!(!raw.timings.from_index);
    assert!(raw.data.incident == loaded.data.incident);
    assert_eq!(raw.data.event_text(), loaded.data.event_text());

    assert!(matches!(loaded.data.incident.events, EventList::Stored(_)));

    // The correlated index damaged: one is rebuilt into the cache, and the
    // events are still read in place. Only this test of the file damages a
    // correlated index, so only it reaches the cache.
    let cache = TempDir::new().unwrap();
    std::env::set_var("TASKSCOPE_CACHE_DIR", cache.path());
    flip_last_byte(&root.join(CORRELATED_PATH));
    let rebuilt = taskscope::tui::load(&root).unwrap();
    assert!(matches!(rebuilt.data.incident.events, EventList::Stored(_)));
    assert!(rebuilt.data.incident == loaded.data.incident);
    let notice = &rebuilt.data.problems[0];
    assert!(
        notice.starts_with(CORRELATED_PATH) && notice.contains("rebuilt from the raw evidence"),
        "{notice}"
    );

    // No cache to write: the derived index answers, in memory.
    let not_a_directory = cache.path().join("file");
    fs::write(&not_a_directory, "").unwrap();
    std::env::set_var("TASKSCOPE_CACHE_DIR", &not_a_directory);
    let from_sections = taskscope::tui::load(&root).unwrap();
    assert!(from_sections.timings.from_index);
    assert!(matches!(
        from_sections.data.incident.events,
        EventList::Owned(_)
    ));
    assert!(from_sections.data.incident == loaded.data.incident);
    assert!(
        from_sections.data.problems[0].starts_with(CORRELATED_PATH),
        "{:?}",
        from_sections.data.problems
    );

    // Both indexes damaged: the raw evidence answers.
    flip_last_byte(&root.join(INDEX_PATH));
    let fallback = taskscope::tui::load(&root).unwrap();
    assert!(!fallback.timings.from_index);
    assert!(fallback.data.incident == loaded.data.incident);
    assert!(
        fallback
            .data
            .problems
            .iter()
            .any(|problem| problem.starts_with(INDEX_PATH)),
        "{:?}",
        fallback.data.problems
    );
}

fn flip_last_byte(path: &Path) {
    let mut bytes = fs::read(path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(path, &bytes).unwrap();
}
