//! The correlated index (`derived/correlated.bin`): what it answers equals
//! what importing the raw evidence again and correlating it gives, for the
//! demo, a generated incident and the hostile corpus; a damaged, truncated
//! or stale one is not used but rebuilt from the raw evidence into the
//! cache (never into the bundle), and the commands answer the same.

mod binary;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use taskscope::bundle::build::{import_to_bundle, read_inputs};
use taskscope::bundle::correlated::cache::{entry_dir, open_cached, CACHED_FILE};
use taskscope::bundle::correlated::incident::incident;
use taskscope::bundle::correlated::rebuild::rebuild;
use taskscope::bundle::correlated::{CorrelatedIndex, Unusable, CORRELATED_PATH};
use taskscope::bundle::verify::{verify, Problem};
use taskscope::bundle::Bundle;
use taskscope::correlate::EventList;
use taskscope::generate::{generate_incident, GenOptions};
use taskscope::model::LinkReason;
use tempfile::TempDir;

mod derived_files;

use derived_files::{demo_bundle, open, replace_consistently, write_manifest};

/// What a rebuild says.
const REBUILT: &str = "rebuilt from the raw evidence into";

/// Every answer the bundle's correlated index gives equals the raw
/// evidence's, correlated again.
fn assert_answers_like_raw(root: &Path) -> usize {
    let bundle = open(root);
    let index = bundle.correlated().expect("the correlated index is valid");
    let events = assert_like_raw(&index, &bundle);
    // The incident the console reads in place equals the one correlated.
    let (raw, _) = bundle.incident_from_raw();
    let (stored, _) = incident(&bundle, index).unwrap();
    assert!(matches!(stored.events, EventList::Stored(_)));
    for task in 0..raw.tasks.len() {
        assert_eq!(stored.summary(task), raw.summary(task), "task {task}");
    }
    assert!(stored == raw, "the incident read in place differs");
    events
}

/// Every answer `index` gives equals the raw evidence of `bundle`,
/// correlated again: tasks, summaries, timelines and every event.
fn assert_like_raw(index: &CorrelatedIndex, bundle: &Bundle) -> usize {
    let (raw, _) = bundle.incident_from_raw();
    assert_eq!(index.tasks(), raw.tasks.as_slice());
    for task in 0..raw.tasks.len() {
        assert_eq!(index.summaries()[task], raw.summary(task), "task {task}");
        assert_eq!(index.timeline(task).unwrap(), raw.timelines[task]);
    }
    assert_eq!(index.len(), raw.events.len());
    for (number, event) in raw.events.iter().enumerate() {
        assert_eq!(&index.event(number).unwrap(), event, "event {number}");
    }
    let mut in_order = Vec::new();
    index.each_event(|event| in_order.push(event)).unwrap();
    assert!(
        EventList::from(in_order) == raw.events,
        "read in order, the events differ"
    );
    for (number, event) in raw.events.iter().enumerate() {
        assert_eq!(index.time(number).unwrap(), event.time, "time {number}");
        assert_eq!(
            index.source(number).unwrap(),
            event.source,
            "source {number}"
        );
    }
    assert_eq!(index.findings().unwrap(), raw.events.findings().unwrap());
    raw.events.len()
}

/// Runs taskscope with its cache at `cache`.
fn taskscope(cache: &Path, args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .env(binary::CACHE_DIR_VARIABLE, cache)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `tasks` and the first task's `timeline` as JSON, and what they warned,
/// with the cache at `cache`.
fn answers(root: &Path, cache: &Path) -> (String, String, String) {
    let root = root.to_str().unwrap();
    let tasks = taskscope(cache, &["tasks", root, "--format", "json"]);
    assert!(tasks.status.success(), "{tasks:?}");
    let first: serde_json::Value = serde_json::from_slice(&tasks.stdout).unwrap();
    let id = first[0]["id"].as_str().unwrap().to_string();
    let timeline = taskscope(
        cache,
        &["timeline", root, "--task", &id, "--format", "json"],
    );
    assert!(timeline.status.success(), "{timeline:?}");
    let warned = String::from_utf8_lossy(&tasks.stderr).to_string()
        + &String::from_utf8_lossy(&timeline.stderr);
    (
        String::from_utf8(tasks.stdout).unwrap(),
        String::from_utf8(timeline.stdout).unwrap(),
        warned,
    )
}

/// Every file under `root` and its bytes.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    found
}

/// Where the bundle at `root`'s rebuilt index sits in the cache at `cache`.
fn cached_file(cache: &Path, root: &Path) -> PathBuf {
    entry_dir(cache, &open(root).manifest).join(CACHED_FILE)
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
    let (dir, root) = demo_bundle();
    let cache = dir.path().join("cache");
    let (tasks, timeline, warned) = answers(&root, &cache);
    assert!(warned.is_empty(), "{warned}");
    assert!(!cache.exists(), "nothing is rebuilt for a valid index");
    let mut manifest = open(&root).manifest;
    manifest.artifacts.retain(|a| a.path != CORRELATED_PATH);
    write_manifest(&root, &manifest);
    assert_eq!(open(&root).correlated().err(), Some(Unusable::Missing));
    let (again_tasks, again_timeline, again_warned) = answers(&root, &cache);
    assert!(
        again_warned.contains("derived/correlated.bin is not in the manifest; rebuilt")
            && !again_warned.contains("verify"),
        "{again_warned}"
    );
    assert_eq!(tasks, again_tasks);
    assert_eq!(timeline, again_timeline);
}

#[test]
fn a_flipped_record_byte_is_caught_when_read_and_the_index_rebuilt() {
    let (dir, root) = demo_bundle();
    let cache = dir.path().join("cache");
    let (tasks, timeline, _) = answers(&root, &cache);
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
    let damaged = (0..index.len())
        .filter_map(|number| index.event(number).err())
        .collect::<Vec<_>>();
    assert!(
        matches!(&damaged[..], [Unusable::Damaged(reason), ..] if reason.contains("hash")),
        "{damaged:?}"
    );
    // The whole timeline reads every event: the damage is found while
    // reading, and the index rebuilt from the evidence answers.
    let root_text = root.to_str().unwrap();
    let all = taskscope(&cache, &["timeline", root_text, "--format", "json"]);
    assert!(all.status.success());
    let warned = String::from_utf8_lossy(&all.stderr);
    assert!(
        warned.contains("found damaged while read") && warned.contains(REBUILT),
        "{warned}"
    );
    assert!(cached_file(&cache, &root).is_file());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(rows.len(), bundle.incident_from_raw().0.events.len());
    // Next time the copy rebuilt then answers, without another rebuild.
    let again = taskscope(&cache, &["timeline", root_text, "--format", "json"]);
    let warned = String::from_utf8_lossy(&again.stderr);
    assert!(
        warned.contains("answering from its copy rebuilt earlier") && !warned.contains(REBUILT),
        "{warned}"
    );
    assert_eq!(again.stdout, all.stdout);
    let (again_tasks, again_timeline, _) = answers(&root, &cache);
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

#[test]
fn a_truncated_or_bit_flipped_correlated_index_is_rebuilt_into_the_cache_and_reused() {
    let (dir, root) = demo_bundle();
    let cache = dir.path().join("cache");
    let expected = answers(&root, &dir.path().join("unused"));
    let bytes = fs::read(root.join(CORRELATED_PATH)).unwrap();
    let mut flipped = bytes.clone();
    flipped[9] ^= 0x04;
    for (damage, damaged) in [
        ("truncated", &bytes[..bytes.len() / 2]),
        ("flipped", &flipped),
    ] {
        let cache = cache.join(damage);
        fs::write(root.join(CORRELATED_PATH), damaged).unwrap();
        let before = files(&root);
        let (tasks, timeline, warned) = answers(&root, &cache);
        assert!(
            warned.contains("derived/correlated.bin cannot be used")
                && warned.contains(REBUILT)
                && warned.contains("run taskscope verify"),
            "{damage}: {warned}"
        );
        assert_eq!((&tasks, &timeline), (&expected.0, &expected.1), "{damage}");
        assert!(before == files(&root), "{damage}: the bundle was written");
        // The rebuilt index answers as the raw evidence does.
        let bundle = open(&root);
        let dir = entry_dir(&cache, &bundle.manifest);
        let cached = dir.join(CACHED_FILE);
        let inode = fs::metadata(&cached).unwrap().ino();
        assert!(
            assert_like_raw(
                &open_cached(&dir, &root, &bundle.manifest).unwrap(),
                &bundle
            ) > 0
        );
        // Next time it is reused, not rebuilt; the damage is still told.
        let (tasks, timeline, warned) = answers(&root, &cache);
        assert!(
            !warned.contains(REBUILT) && warned.contains("answering from its copy rebuilt earlier"),
            "{damage}: {warned}"
        );
        assert_eq!((&tasks, &timeline), (&expected.0, &expected.1), "{damage}");
        assert_eq!(fs::metadata(&cached).unwrap().ino(), inode, "{damage}");
        // verify still checks the bundle's own file, not the cache.
        let reported = verify(&bundle);
        assert!(
            matches!(&reported[..], [Problem::Altered { path, .. }] if path == CORRELATED_PATH),
            "{damage}: {reported:?}"
        );
    }
}

#[test]
fn a_tampered_cached_index_is_detected_and_rebuilt() {
    let (dir, root) = demo_bundle();
    let cache = dir.path().join("cache");
    let mut manifest = open(&root).manifest;
    manifest.artifacts.retain(|a| a.path != CORRELATED_PATH);
    write_manifest(&root, &manifest);
    let expected = answers(&root, &cache);
    let cached = cached_file(&cache, &root);
    let bytes = fs::read(&cached).unwrap();
    let mut flipped = bytes.clone();
    flipped[9] ^= 0x04;
    for tampered in [&bytes[..bytes.len() - 1], &flipped] {
        fs::write(&cached, tampered).unwrap();
        let (tasks, timeline, warned) = answers(&root, &cache);
        assert!(
            warned.contains("the index rebuilt earlier into") && warned.contains(REBUILT),
            "{warned}"
        );
        assert_eq!((tasks, timeline), (expected.0.clone(), expected.1.clone()));
        assert_eq!(fs::read(&cached).unwrap(), bytes, "rebuilt alike");
    }
    // A flipped record byte is found when the records are read: the copy
    // is rebuilt then, and the whole timeline is the raw evidence's.
    let root_text = root.to_str().unwrap();
    let whole = taskscope(&cache, &["timeline", root_text, "--format", "json"]);
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x01;
    fs::write(&cached, &flipped).unwrap();
    let again = taskscope(&cache, &["timeline", root_text, "--format", "json"]);
    let warned = String::from_utf8_lossy(&again.stderr);
    assert!(
        warned.contains("found damaged while read") && warned.contains(REBUILT),
        "{warned}"
    );
    assert_eq!(again.stdout, whole.stdout);
    assert_eq!(fs::read(&cached).unwrap(), bytes, "rebuilt alike");
}

#[test]
fn an_unwritable_cache_answers_from_the_evidence_with_a_notice() {
    let (dir, root) = demo_bundle();
    let expected = answers(&root, &dir.path().join("unused"));
    let mut manifest = open(&root).manifest;
    manifest.artifacts.retain(|a| a.path != CORRELATED_PATH);
    write_manifest(&root, &manifest);
    // A cache under a regular file cannot be created, whoever runs the test.
    let blocker = dir.path().join("not-a-directory");
    fs::write(&blocker, b"").unwrap();
    let (tasks, timeline, warned) = answers(&root, &blocker.join("cache"));
    assert!(
        warned.contains("cannot rebuild it into")
            && warned.contains("answering from the evidence, correlated in memory"),
        "{warned}"
    );
    assert_eq!((tasks, timeline), (expected.0, expected.1));
}

#[test]
fn a_bundle_of_format_version_2_without_a_correlated_index_opens_and_gets_one() {
    let (dir, root) = demo_bundle();
    let cache = dir.path().join("cache");
    let expected = answers(&root, &dir.path().join("unused"));
    let mut manifest = open(&root).manifest;
    assert_eq!(manifest.format_version, 3);
    manifest.format_version = 2;
    manifest.artifacts.retain(|a| a.path != CORRELATED_PATH);
    write_manifest(&root, &manifest);
    fs::remove_file(root.join(CORRELATED_PATH)).unwrap();
    assert!(verify(&open(&root)).is_empty());
    let before = files(&root);
    let (tasks, timeline, warned) = answers(&root, &cache);
    assert!(warned.contains(REBUILT), "{warned}");
    assert_eq!((&tasks, &timeline), (&expected.0, &expected.1));
    assert!(cached_file(&cache, &root).is_file());
    assert!(before == files(&root), "the bundle was written");
    // Reused silently: a missing index is expected of an old bundle.
    let (tasks, timeline, warned) = answers(&root, &cache);
    assert!(warned.is_empty(), "{warned}");
    assert_eq!((tasks, timeline), (expected.0, expected.1));
}

#[test]
fn a_rebuild_refuses_raw_evidence_that_does_not_match_the_manifest() {
    let (dir, root) = demo_bundle();
    let bundle = open(&root);
    let raw = &bundle.manifest.artifacts[0];
    let mut bytes = fs::read(root.join(&raw.path)).unwrap();
    bytes[0] ^= 0x20;
    fs::write(root.join(&raw.path), &bytes).unwrap();
    let cache = dir.path().join("cache");
    let refused = rebuild(&bundle, &cache).unwrap_err().to_string();
    assert!(
        refused.contains(&raw.path) && refused.contains("sha256"),
        "{refused}"
    );
    assert_eq!(
        fs::read_dir(&cache).unwrap().count(),
        0,
        "nothing is left in the cache"
    );
}

/// A CloudTrail file of `records`.
fn trail(records: &[serde_json::Value]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "Records": records })).unwrap()
}

#[test]
fn copies_of_a_fact_in_two_files_correlate_as_one_event_whichever_comes_first() {
    let task = "0badc0de0badc0de0badc0de0badc0de";
    let arn = format!("arn:aws:ecs:us-east-1:111122223333:task/hostile/{task}");
    let tasks = serde_json::json!({"tasks": [{
        "taskArn": arn,
        "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/hostile",
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/app:7",
        "lastStatus": "RUNNING", "launchType": "FARGATE",
        "createdAt": "2026-11-20T13:00:00Z", "startedAt": "2026-11-20T13:00:00Z",
        "containers": [{"name": "app"}]
    }], "failures": []});
    let definition = serde_json::json!({"taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/app:7",
        "family": "app", "revision": 7,
        "taskRoleArn": "arn:aws:iam::111122223333:role/app-task",
        "containerDefinitions": [{"name": "app", "image": "app:1"}]
    }});
    // ECS's AssumeRole for the task, delivered twice: one copy without the
    // credentials it issued (what sessions need), the other with them.
    let assume_role = |credentials: bool| {
        let mut record = serde_json::json!({
            "eventVersion": "1.10",
            "userIdentity": {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"},
            "eventTime": "2026-11-20T13:00:30Z", "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole", "awsRegion": "us-east-1",
            "sourceIPAddress": "ecs-tasks.amazonaws.com",
            "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/app-task",
                                  "roleSessionName": task},
            "responseElements": null,
            "eventID": "c0c0c0c0-0000-4000-8000-000000000001",
            "recipientAccountId": "111122223333"
        });
        if credentials {
            record["responseElements"] = serde_json::json!({
                "credentials": {"accessKeyId": "ASIACOPIED000000001", "sessionToken": "x",
                                "expiration": "Nov 20, 2026, 9:00:00 PM"},
                "assumedRoleUser": {"arn": format!(
                    "arn:aws:sts::111122223333:assumed-role/app-task/{task}")}
            });
        }
        record
    };
    // A call signed with the issued key, and named by no other key.
    let signed = serde_json::json!({
        "eventVersion": "1.10",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROACOPIED:someone",
                         "arn": "arn:aws:sts::111122223333:assumed-role/app-task/someone",
                         "accountId": "111122223333", "accessKeyId": "ASIACOPIED000000001"},
        "eventTime": "2026-11-20T13:11:00Z", "eventSource": "secretsmanager.amazonaws.com",
        "eventName": "GetSecretValue", "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.9.9", "requestParameters": null, "responseElements": null,
        "eventID": "c0c0c0c0-0000-4000-8000-000000000002",
        "recipientAccountId": "111122223333"
    });
    for credentials_first in [false, true] {
        let dir = TempDir::new().unwrap();
        let input = dir.path().join("in");
        fs::create_dir(&input).unwrap();
        let describe = format!("{tasks}\n{definition}\n");
        fs::write(input.join("1-ecs.jsonl"), describe).unwrap();
        let first = trail(&[assume_role(credentials_first)]);
        fs::write(input.join("2-trail.json"), first).unwrap();
        let second = trail(&[assume_role(!credentials_first), signed.clone()]);
        fs::write(input.join("3-trail.json"), second).unwrap();
        let root = dir.path().join("bundle");
        import_to_bundle(read_inputs(&[input]), &root).unwrap();
        assert_answers_like_raw(&root);
        let bundle = open(&root);
        let (raw, _) = bundle.incident_from_raw();
        let merged: Vec<_> = raw
            .events
            .iter()
            .filter(|e| e.kind.contains("AssumeRole"))
            .collect();
        assert_eq!(merged.len(), 1, "one event for both copies");
        assert_eq!(merged[0].raw.len(), 2);
        // Only the key one copy issued ties the call to the task: its
        // session name is no task's.
        let call = raw
            .events
            .iter()
            .find(|e| e.kind.contains("GetSecretValue"))
            .unwrap();
        assert!(
            matches!(&call.links[..], [link] if link.reason == LinkReason::RoleSession),
            "{:?}",
            call.links
        );
        // Rebuilt from the raw evidence (gathered from the decoded index
        // rather than from the import), the index is the same, byte for byte.
        let cache = dir.path().join("cache");
        rebuild(&bundle, &cache).unwrap();
        assert_eq!(
            fs::read(cache.join(CACHED_FILE)).unwrap(),
            fs::read(root.join(CORRELATED_PATH)).unwrap(),
            "credentials first: {credentials_first}"
        );
    }
}
