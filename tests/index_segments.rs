//! Index segments (`derived/segments/`): a growing bundle lists one per
//! commit, opens from them without parsing a response again, and shows
//! exactly what importing the raw evidence again shows; a damaged segment
//! is reported and only its artifacts are parsed again; a complete
//! collection merges them into the derived and correlated indexes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use taskscope::bundle::correlated::CORRELATED_PATH;
use taskscope::bundle::growing::{GrowingBundle, Response};
use taskscope::bundle::index::segment::{is_segment, SEGMENTS_DIR};
use taskscope::bundle::index::INDEX_PATH;
use taskscope::bundle::manifest::{CollectRequest, CollectionState, Origin};
use taskscope::bundle::opening::Coverage;
use taskscope::bundle::verify::{verify, Problem};
use taskscope::bundle::Bundle;
use taskscope::demo;
use taskscope::import::FileStatus;
use tempfile::TempDir;

fn open(root: &Path) -> Bundle {
    Bundle::open(root).unwrap()
}

fn origin(operation: &str) -> Origin {
    Origin {
        service: "ECS".into(),
        operation: operation.into(),
        account: "123456789012".into(),
        region: "us-east-1".into(),
        request_id: None,
        received_at: "2026-11-23T10:00:00Z".into(),
        eventbridge_archive: false,
    }
}

/// A bundle still collecting, with each sample incident file stored as one
/// response (one commit each), and a response that cannot be read.
fn growing() -> (TempDir, PathBuf, GrowingBundle) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    let mut bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
    for (number, input) in demo::inputs().into_iter().enumerate() {
        let input = input.unwrap();
        bundle
            .store(Response {
                origin: origin(&format!("Sample{number}")),
                body: &input.bytes,
            })
            .unwrap();
        if number == 2 {
            bundle
                .store(Response {
                    origin: origin("Garbage"),
                    body: b"{ not json",
                })
                .unwrap();
        }
    }
    (dir, root, bundle)
}

/// The segments the manifest lists.
fn segments(bundle: &Bundle) -> Vec<String> {
    let listed = bundle.manifest.artifacts.iter().map(|a| a.path.clone());
    listed.filter(|path| is_segment(path)).collect()
}

/// How many inputs opening imports.
fn imported_inputs(bundle: &Bundle) -> usize {
    let inputs = bundle.manifest.inputs.iter();
    inputs
        .filter(|input| input.status != FileStatus::Rejected)
        .count()
}

/// Opens the bundle and checks the incident equals the raw evidence's,
/// imported again: events, tasks and timelines. Returns the problems
/// opening reported and where the artifacts were read from.
fn open_like_raw(root: &Path) -> (Vec<String>, Coverage) {
    let bundle = open(root);
    let (opened, coverage) = bundle.open_incident_with_coverage();
    let (raw, _) = bundle.incident_from_raw();
    assert!(!raw.events.is_empty() && !raw.tasks.is_empty());
    assert!(!raw.images.is_empty(), "image facts are read too");
    assert_eq!(opened.incident.tasks, raw.tasks);
    assert_eq!(opened.incident.timelines, raw.timelines);
    assert!(opened.incident.events == raw.events, "the events differ");
    assert!(opened.incident == raw, "segments and raw evidence disagree");
    (opened.problems, coverage)
}

fn taskscope_verify(root: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taskscope"))
        .args(["verify", root.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_growing_bundle_lists_a_segment_per_commit_and_opens_from_them_alone() {
    let (_dir, root, _collecting) = growing();
    let bundle = open(&root);
    let listed = segments(&bundle);
    let imported = imported_inputs(&bundle);
    assert!(imported > 5 && imported < bundle.manifest.inputs.len());
    assert_eq!(listed.len(), imported, "one per response opening imports");
    assert_eq!(listed[0], format!("{SEGMENTS_DIR}/000001.bin"));
    assert!(
        !listed.contains(&format!("{SEGMENTS_DIR}/000004.bin")),
        "the rejected response has none: {listed:?}"
    );
    assert!(verify(&bundle).is_empty(), "{:?}", verify(&bundle));

    let (problems, coverage) = open_like_raw(&root);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        coverage,
        Coverage {
            from_index: 0,
            from_segments: imported,
            from_raw: 0,
        }
    );
    assert!(bundle.open_incident().from_index);
}

#[test]
fn a_damaged_segment_is_reported_and_only_its_artifact_is_parsed_again() {
    let (_dir, root, _collecting) = growing();
    let bundle = open(&root);
    let damaged = segments(&bundle)[1].clone();
    let path = root.join(&damaged);
    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    fs::write(&path, &bytes).unwrap();

    let (problems, coverage) = open_like_raw(&root);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&damaged) && problems[0].contains("sha256"),
        "{problems:?}"
    );
    assert_eq!(coverage.from_raw, 1);
    assert_eq!(coverage.from_segments, imported_inputs(&bundle) - 1);
    assert!(!bundle.open_incident().from_index);
}

#[test]
fn evidence_gone_is_reported_not_hidden_by_its_segment() {
    let (_dir, root, _collecting) = growing();
    let bundle = open(&root);
    let gone = bundle.manifest.inputs[0].artifact.clone();
    fs::remove_file(root.join(&gone)).unwrap();
    let (opened, coverage) = bundle.open_incident_with_coverage();
    let (_, raw_problems) = bundle.incident_from_raw();
    assert!(
        opened.problems[0].starts_with(&format!("{SEGMENTS_DIR}/000001.bin")),
        "{:?}",
        opened.problems
    );
    assert_eq!(opened.problems[1..], raw_problems[..]);
    assert!(raw_problems[0].starts_with(&gone), "{raw_problems:?}");
    assert_eq!(coverage.from_segments, imported_inputs(&bundle) - 1);
    assert_eq!(coverage.from_raw, 0, "the one not covered cannot be read");
}

#[test]
fn a_complete_collection_merges_its_segments_into_the_indexes() {
    let (_dir, root, collecting) = growing();
    let imported = imported_inputs(&open(&root));
    let manifest = collecting.finish(CollectionState::Complete).unwrap();
    assert!(manifest.artifact(INDEX_PATH).is_some());
    assert!(manifest.artifact(CORRELATED_PATH).is_some());
    assert!(manifest.artifacts.iter().all(|a| !is_segment(&a.path)));
    assert!(!root.join(SEGMENTS_DIR).exists());
    let verified = taskscope_verify(&root);
    assert!(verified.status.success(), "{verified:?}");

    let (problems, coverage) = open_like_raw(&root);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        coverage,
        Coverage {
            from_index: imported,
            from_segments: 0,
            from_raw: 0,
        }
    );
    let bundle = open(&root);
    let correlated = bundle.correlated().expect("the correlated index is valid");
    let (raw, _) = bundle.incident_from_raw();
    assert_eq!(correlated.tasks(), raw.tasks.as_slice());
    assert_eq!(correlated.len(), raw.events.len());
}

#[test]
fn an_interrupted_collection_keeps_its_segments() {
    let (_dir, root, collecting) = growing();
    let manifest = collecting.finish(CollectionState::Interrupted).unwrap();
    assert!(manifest.artifact(INDEX_PATH).is_none());
    let bundle = open(&root);
    assert_eq!(segments(&bundle).len(), imported_inputs(&bundle));
    assert!(verify(&bundle).is_empty(), "{:?}", verify(&bundle));
    let (problems, coverage) = open_like_raw(&root);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(coverage.from_raw, 0);
}

#[test]
fn a_resumed_collection_numbers_its_segments_on() {
    let (_dir, root, collecting) = growing();
    drop(collecting); // as a watcher run with --once leaves it
    let before = segments(&open(&root)).len();
    let mut resumed = GrowingBundle::resume(&root).unwrap();
    let number = resumed.responses() + 1;
    let tasks = demo::inputs().into_iter().next().unwrap().unwrap();
    resumed
        .store(Response {
            origin: origin("Again"),
            body: &tasks.bytes,
        })
        .unwrap();
    let listed = segments(&open(&root));
    assert_eq!(listed.len(), before + 1);
    assert_eq!(
        listed.last().unwrap(),
        &format!("{SEGMENTS_DIR}/{number:06}.bin")
    );
    let (problems, coverage) = open_like_raw(&root);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(coverage.from_raw, 0);
}

#[test]
fn unlisted_segments_are_reported_without_failing_verify() {
    let (_dir, root, collecting) = growing();
    // Written by a commit that never happened.
    let stray = format!("{SEGMENTS_DIR}/000099.bin");
    fs::write(root.join(&stray), b"TSINDEX\n").unwrap();
    let reported = verify(&open(&root));
    assert!(
        matches!(&reported[..], [Problem::Uncommitted(path)] if *path == stray),
        "{reported:?}"
    );
    assert!(!reported[0].is_failure());

    fs::remove_file(root.join(&stray)).unwrap();
    collecting.finish(CollectionState::Complete).unwrap();
    assert!(verify(&open(&root)).is_empty());
    // As a merge that stopped before removing its segments leaves one.
    fs::create_dir(root.join(SEGMENTS_DIR)).unwrap();
    fs::write(root.join(&stray), b"TSINDEX\n").unwrap();
    let reported = verify(&open(&root));
    assert!(
        matches!(&reported[..], [Problem::MergedSegment(path)] if *path == stray),
        "{reported:?}"
    );
    assert!(!reported[0].is_failure());
}
