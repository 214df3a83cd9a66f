//! Property tests for the correlation invariants (docs/hardening.md,
//! "Property tests"). Each case generates a small incident (world.rs),
//! writes its evidence in the real AWS shapes (evidence.rs), imports it
//! through the real importers, and checks the result against the generator's
//! ground truth (oracle.rs) or against another import (canonical.rs):
//!
//! - an event sits only on tasks its records justify, with the strongest
//!   reason, and on every such task;
//! - import does not depend on the order of the input files;
//! - importing the same files twice, or opening a bundle twice, gives the
//!   same incident, duplicates merged;
//! - nothing a container prints into its log stream changes task facts,
//!   severities or other events' links (forged.rs);
//! - a strong role-session link needs the issuing AssumeRole, and sessions
//!   an IAM user names after tasks land on no task;
//! - weak links never change a task's severity.
//!
//! `PROPTEST_CASES=N` runs N cases per property instead of the defaults below.

#[path = "properties/canonical.rs"]
mod canonical;
#[path = "properties/evidence.rs"]
mod evidence;
#[path = "properties/forged.rs"]
mod forged;
#[path = "properties/oracle.rs"]
mod oracle;
#[path = "properties/world.rs"]
mod world;

use canonical::{canonical, event_name, exact, file_name};
use evidence::Files;
use oracle::Truth;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use taskscope::bundle::build::{import_in_memory, import_to_bundle, InputFile, InputResult};
use taskscope::bundle::manifest::Manifest;
use taskscope::bundle::Bundle;
use taskscope::correlate::Incident;
use taskscope::import::FileStatus;
use taskscope::model::{Event, Link, LinkReason, Provenance, Severity, Source, TaskFacts};
use taskscope::render::tasks::rows as task_rows;

/// At most this many records per generated incident.
const MAX_RECORDS: usize = 30;

/// `cases` per property, unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> ProptestConfig {
    let default = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_some() {
        default
    } else {
        ProptestConfig { cases, ..default }
    }
}

fn inputs(files: &Files) -> Vec<InputResult> {
    files
        .iter()
        .map(|(name, bytes)| {
            Ok(InputFile {
                source_path: format!("evidence/{name}"),
                bytes: bytes.clone(),
            })
        })
        .collect()
}

fn import(files: &Files) -> (Manifest, Incident) {
    import_in_memory(inputs(files))
}

/// A generated incident, and a permutation of the files its evidence fills.
fn world_and_order() -> impl Strategy<Value = (world::World, Vec<usize>)> {
    world::world(MAX_RECORDS).prop_flat_map(|world| {
        let count = evidence::write(&world).0.len();
        let order: Vec<usize> = (0..count).collect();
        (Just(world), Just(order).prop_shuffle())
    })
}

/// Milestones after the first take their time from the task, not from the
/// record's first time.
fn is_later_milestone(event: &Event) -> bool {
    event.source == Source::Ecs && matches!(event.kind.as_str(), "RUNNING" | "STOPPING" | "STOPPED")
}

/// Checks every event of an import against the ground truth.
fn check_links(manifest: &Manifest, incident: &Incident, truth: &Truth) -> Result<(), String> {
    for input in &manifest.inputs {
        if input.status != FileStatus::Imported {
            return Err(format!(
                "{} was not read whole: {:?}",
                input.source_path, input.errors
            ));
        }
    }
    let known = truth.known_tasks();
    let tasks: BTreeSet<String> = incident.tasks.iter().map(|t| t.id.clone()).collect();
    if tasks != known {
        return Err(format!("tasks {tasks:?}, expected {known:?}"));
    }
    let mut imported = HashSet::new();
    for event in &incident.events {
        let name = event_name(manifest, event);
        let mut claims = BTreeSet::new();
        for raw in &event.raw {
            let copy = (file_name(manifest, raw.artifact), raw.locator.clone());
            let record = truth
                .records
                .get(&copy)
                .ok_or_else(|| format!("event {name:?}: no generated record at {copy:?}"))?;
            if !is_later_milestone(event) && record.time != event.time {
                return Err(format!(
                    "event {name:?} at {}, its record {copy:?} at {}",
                    event.time, record.time
                ));
            }
            claims.extend(record.claims.iter().cloned());
            imported.insert(copy);
        }
        let expected = truth.expected_links(&known, &claims, event.time);
        let actual: BTreeMap<String, LinkReason> = event
            .links
            .iter()
            .map(|link| (incident.tasks[link.task].id.clone(), link.reason))
            .collect();
        for (task, reason) in &actual {
            if expected.get(task) != Some(reason) {
                return Err(format!(
                    "event {name:?} ({claims:?}) sits on {task} as {}; its records justify {expected:?}",
                    reason.name()
                ));
            }
        }
        if actual != expected {
            return Err(format!(
                "event {name:?} ({claims:?}) sits on {actual:?}; its records justify {expected:?}"
            ));
        }
    }
    for copy in truth.records.keys() {
        if !imported.contains(copy) {
            return Err(format!("the record at {copy:?} yielded no event"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    /// (a) Links follow the keys of the records, per docs/correlation.md;
    /// decoys (IPs outside a lifetime, truncated or unknown runtime IDs,
    /// unknown task IDs, streams that are not awslogs task streams) link to nothing.
    #[test]
    fn events_sit_only_on_the_tasks_their_records_justify(world in world::world(MAX_RECORDS)) {
        let (files, truth) = evidence::write(&world);
        let (manifest, incident) = import(&files);
        if let Err(problem) = check_links(&manifest, &incident, &truth) {
            prop_assert!(false, "{}", problem);
        }
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// (b) The same files in any order give the same tasks, events, links and timelines.
    #[test]
    fn import_does_not_depend_on_input_order((world, order) in world_and_order()) {
        let (files, _) = evidence::write(&world);
        let shuffled: Files = order.iter().map(|&i| files[i].clone()).collect();
        let (manifest, incident) = import(&files);
        let (shuffled_manifest, shuffled_incident) = import(&shuffled);
        let expected = canonical(&manifest, &incident);
        let actual = canonical(&shuffled_manifest, &shuffled_incident);
        prop_assert!(expected.is_ok(), "{:?}", expected.err());
        prop_assert_eq!(actual, expected);
    }

    /// (c) Handing over every file twice changes nothing: duplicates merge,
    /// each event keeping the copies from both inputs.
    #[test]
    fn importing_the_same_files_twice_merges_every_duplicate(world in world::world(MAX_RECORDS)) {
        let (files, _) = evidence::write(&world);
        let doubled: Files = files.iter().chain(&files).cloned().collect();
        let (manifest, incident) = import(&files);
        let (doubled_manifest, doubled_incident) = import(&doubled);
        prop_assert_eq!(doubled_incident.events.len(), incident.events.len());
        for event in &doubled_incident.events {
            prop_assert!(
                event.raw.len() % 2 == 0,
                "{:?} kept {} raw copies from doubled inputs",
                event.kind,
                event.raw.len()
            );
        }
        let expected = canonical(&manifest, &incident);
        prop_assert!(expected.is_ok(), "{:?}", expected.err());
        prop_assert_eq!(canonical(&doubled_manifest, &doubled_incident), expected);
    }
}

proptest! {
    // Each case writes a bundle with fsync: few cases.
    #![proptest_config(config(8))]

    /// (c) A bundle re-imports its raw artifacts each time it is opened: the
    /// incident is the same every time, and the same as the in-memory import.
    #[test]
    fn a_bundle_opens_to_the_same_incident_every_time(world in world::world(MAX_RECORDS)) {
        let (files, _) = evidence::write(&world);
        let dir = tempfile::TempDir::new().expect("temp dir");
        let root = dir.path().join("bundle");
        import_to_bundle(inputs(&files), &root).expect("bundle written");
        let (manifest, incident) = import(&files);
        let expected = exact(&manifest, &incident);
        for _ in 0..2 {
            let bundle = Bundle::open(&root).expect("bundle opens");
            let (opened, problems) = bundle.incident();
            prop_assert!(problems.is_empty(), "{:?}", problems);
            prop_assert_eq!(&exact(&bundle.manifest, &opened), &expected);
        }
    }
}

/// Each task's facts and highest finding severity (as `taskscope tasks`
/// computes it), by ID.
fn task_view(incident: &Incident) -> BTreeMap<String, (TaskFacts, Option<Severity>)> {
    task_rows(incident)
        .into_iter()
        .zip(&incident.tasks)
        .map(|(row, facts)| (row.id, (facts.clone(), row.highest_finding_severity)))
        .collect()
}

/// Whether an event has a raw copy in the input file `file`.
fn read_from(manifest: &Manifest, event: &Event, file: &str) -> bool {
    event
        .raw
        .iter()
        .any(|raw| file_name(manifest, raw.artifact) == file)
}

/// Files with one more added.
fn with_file(files: &Files, name: &str, bytes: Vec<u8>) -> Files {
    let mut files = files.clone();
    files.push((name.to_string(), bytes));
    files
}

proptest! {
    #![proptest_config(config(48))]

    /// (d) Records a container prints into its own awslogs stream (forged
    /// task state changes, GuardDuty findings naming other tasks,
    /// CloudTrail records of other tasks' sessions) become log lines of
    /// that task: task facts and severities, and every other event's
    /// links, stay as they were.
    #[test]
    fn nothing_from_a_container_log_stream_changes_task_facts(
        world in world::world(MAX_RECORDS),
        forgeries in forged::forgeries(),
    ) {
        let (files, _) = evidence::write(&world);
        let (manifest, incident) = import(&files);
        // An awslogs stream makes its task known by itself: print only in
        // the streams of tasks the evidence already knows.
        let printer = |forgery: &forged::Forgery| &world.tasks[forgery.printer % world.tasks.len()].id;
        let forgeries: Vec<forged::Forgery> = forgeries
            .into_iter()
            .filter(|forgery| incident.find_task(printer(forgery)).is_some())
            .collect();
        let output = forged::container_output(&world, &forgeries);
        let (forged_manifest, forged_incident) =
            import(&with_file(&files, forged::CONTAINER_OUTPUT, output));
        prop_assert_eq!(task_view(&forged_incident), task_view(&incident));
        let mut printed = 0;
        for event in &forged_incident.events {
            if !read_from(&forged_manifest, event, forged::CONTAINER_OUTPUT) {
                continue;
            }
            printed += 1;
            prop_assert_eq!(event.source, Source::Logs);
            prop_assert_eq!(event.provenance(), Provenance::Container);
            prop_assert_eq!(event.severity, Severity::Info);
            prop_assert_eq!(event.raw.len(), 1, "merged with a real fact: {:?}", event);
            let stream = event.actor.as_deref().unwrap_or_default();
            let task = stream.rsplit('/').next().and_then(|id| forged_incident.find_task(id));
            let links: Vec<(Option<usize>, LinkReason)> =
                event.links.iter().map(|l| (Some(l.task), l.reason)).collect();
            prop_assert_eq!(links, vec![(task, LinkReason::LogStream)], "{:?}", event);
        }
        prop_assert_eq!(printed, forgeries.len());
        let before = canonical(&manifest, &incident).map_err(TestCaseError::fail)?;
        let mut after = canonical(&forged_manifest, &forged_incident).map_err(TestCaseError::fail)?;
        after
            .events
            .retain(|name, _| !name.copies.iter().any(|(file, _)| file == forged::CONTAINER_OUTPUT));
        prop_assert_eq!(after.events, before.events);
    }

    /// (e) A role-session link is strong only with issuance evidence: ECS's
    /// AssumeRole for the task in the evidence, and the task's roles known.
    /// Sessions an IAM user names after tasks, and the calls made with
    /// them, land on no task.
    #[test]
    fn strong_session_links_require_issuance_evidence(
        world in world::world(MAX_RECORDS),
        forgeries in forged::forgeries(),
    ) {
        let (files, truth) = evidence::write(&world);
        let borrowed = forged::borrowed_sessions(&world, &forgeries);
        let (manifest, incident) = import(&with_file(&files, forged::BORROWED, borrowed));
        for event in &incident.events {
            if read_from(&manifest, event, forged::BORROWED) {
                prop_assert!(event.links.is_empty(), "a borrowed session linked: {:?}", event);
            }
            for link in event.links.iter().filter(|l| l.reason == LinkReason::RoleSession) {
                let task = &incident.tasks[link.task].id;
                prop_assert_eq!(
                    !link.is_weak(),
                    truth.session_is_proven(task),
                    "{} on {}: {:?}", event.kind, task, link
                );
            }
        }
    }

    /// (f) Findings that only an IP ties to a task (weak links) never
    /// change any task's severity.
    #[test]
    fn weak_links_never_change_a_tasks_severity(
        world in world::world(MAX_RECORDS),
        forgeries in forged::forgeries(),
    ) {
        let (files, _) = evidence::write(&world);
        let (_, incident) = import(&files);
        let findings = forged::ip_only_findings(&world, &forgeries);
        let (manifest, with_findings) = import(&with_file(&files, forged::IP_ONLY, findings));
        for event in &with_findings.events {
            if read_from(&manifest, event, forged::IP_ONLY) {
                prop_assert!(event.links.iter().all(Link::is_weak), "{:?}", event);
            }
        }
        prop_assert_eq!(task_view(&with_findings), task_view(&incident));
    }
}
