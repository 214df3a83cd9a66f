//! `taskscope gen`: a generated incident imports completely, with the event
//! counts per source the generator printed, every task discovered, and the
//! same bytes for the same seed.

mod binary;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use taskscope::bundle::Bundle;
use taskscope::generate::GENERATED_SOURCES;
use taskscope::model::Source;
use tempfile::TempDir;

const EVENTS: u64 = 10_000;

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .output()
        .expect("runs taskscope")
}

/// Runs `taskscope gen` and returns its printed summary.
fn generate(out: &Path, seed: &str) -> String {
    let result = taskscope(&[
        "gen",
        "--events",
        &EVENTS.to_string(),
        "--out",
        out.to_str().unwrap(),
        "--seed",
        seed,
    ]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    String::from_utf8(result.stdout).unwrap()
}

/// The summary's rows: name → (files, events, bytes).
fn summary_rows(summary: &str) -> BTreeMap<String, (u64, u64, u64)> {
    summary
        .lines()
        .skip(2)
        .map(|line| {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let number = |i: usize| cells[i].parse::<u64>().expect("a count");
            (cells[0].to_string(), (number(1), number(2), number(3)))
        })
        .collect()
}

/// Every file under `root`, relative path → bytes.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                found.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    found
}

#[test]
fn a_generated_incident_imports_completely_with_the_printed_counts() {
    let dir = TempDir::new().unwrap();
    let evidence = dir.path().join("evidence");
    let summary = generate(&evidence, "42");
    let rows = summary_rows(&summary);
    let written = files(&evidence);

    // The summary adds up and matches the disk.
    let (files_total, events_total, bytes_total) = rows["total"];
    assert_eq!(events_total, EVENTS);
    assert_eq!(files_total, written.len() as u64);
    assert_eq!(
        bytes_total,
        written.values().map(|b| b.len() as u64).sum::<u64>()
    );
    assert_eq!(rows["cloudtrail"].1, EVENTS * 9 / 10);
    for source in GENERATED_SOURCES {
        let (files, events, _) = rows[source.name()];
        assert!(files >= 1 && events >= 1, "{source}: {summary}");
    }
    let gzip = written
        .iter()
        .filter(|(path, bytes)| {
            path.to_string_lossy().ends_with(".json.gz") && bytes.starts_with(&[0x1f, 0x8b])
        })
        .count() as u64;
    assert_eq!(gzip, rows["cloudtrail"].0);

    // Every file imports, with nothing rejected or partial.
    let bundle_path = dir.path().join("bundle");
    let imported = taskscope(&[
        "import",
        evidence.to_str().unwrap(),
        "--out",
        bundle_path.to_str().unwrap(),
        "--verbose",
    ]);
    let stderr = String::from_utf8_lossy(&imported.stderr);
    assert_eq!(imported.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("imported "))
            .count() as u64,
        files_total,
        "{stderr}"
    );
    let bundle = Bundle::open(&bundle_path).unwrap();
    assert_eq!(
        bundle.manifest.collection.files_imported as u64,
        files_total
    );
    assert!(bundle
        .manifest
        .inputs
        .iter()
        .all(|input| input.errors.is_empty()));

    // The events per source are those printed: each record is one event.
    let (incident, problems) = bundle.incident();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(incident.events.len() as u64, EVENTS);
    for source in GENERATED_SOURCES {
        let count = incident
            .events
            .iter()
            .filter(|e| e.source == source)
            .count() as u64;
        assert_eq!(count, rows[source.name()].1, "{source}");
    }

    // Every task is discovered, and the sources tie back to the tasks.
    let tasks: u64 = summary
        .split(" about ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the task count is printed");
    assert_eq!(incident.tasks.len() as u64, tasks);
    assert!(incident
        .timelines
        .iter()
        .all(|timeline| !timeline.is_empty()));
    for source in GENERATED_SOURCES {
        let linked = incident
            .events
            .iter()
            .filter(|e| e.source == source && !e.links.is_empty())
            .count();
        assert!(linked > 0, "no {source} event is linked to a task");
    }
    let with_findings = incident
        .timelines
        .iter()
        .filter(|timeline| {
            timeline
                .iter()
                .any(|&e| incident.events[e].source == Source::Guardduty)
        })
        .count();
    assert!((1..=5).contains(&with_findings), "{with_findings}");
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let dir = TempDir::new().unwrap();
    let (first, second, other) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    let summary = generate(&first, "7");
    assert_eq!(
        generate(&second, "7").replace("/b\n", "/a\n"),
        summary,
        "same summary"
    );
    assert_eq!(files(&first), files(&second));
    generate(&other, "8");
    assert_ne!(files(&first), files(&other), "another seed, other data");
}

#[test]
fn gen_refuses_a_directory_that_holds_files() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let result = taskscope(&[
        "gen",
        "--events",
        "1000",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("not empty"));
    assert_eq!(files(dir.path()).len(), 1);
}
