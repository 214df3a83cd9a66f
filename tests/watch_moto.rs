//! `taskscope watch` end to end against moto (seeded with boto3 by
//! tests/aws/seed.py): rounds stored only when something changed, a task
//! stopped between two cron runs recorded with its reason, a damaged state
//! file costing a fresh start and nothing else, rolling bundles that each
//! verify, a clean finish on SIGTERM, a store refused to a second watcher,
//! and failed rounds that do not stop the watcher.

mod binary;
#[path = "aws/moto.rs"]
mod moto;

use moto::Moto;
use serde_json::Value;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const EXIT_FAILURE: i32 = 1;

/// moto moves a task one status on (RUNNING, DEACTIVATING, ... STOPPED)
/// each time it is described; real tasks change when something happens to
/// them. This keeps every task where it is until it is stopped.
const FREEZE_TASK_STATES: &str = r#"
import json, sys, urllib.request
body = {"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}}
request = urllib.request.Request(
    sys.argv[1] + "/moto-api/state-manager/set-transition",
    data=json.dumps(body).encode(),
    method="POST",
)
urllib.request.urlopen(request)
"#;

/// Stops the task `sys.argv[2]` with the reason `sys.argv[3]`.
const STOP_TASK: &str = r#"
import sys, boto3
ecs = boto3.client("ecs", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
ecs.stop_task(cluster="prod", task=sys.argv[2], reason=sys.argv[3])
"#;

fn start_moto() -> Moto {
    let moto = Moto::start();
    moto.python(&[OsStr::new("-c"), OsStr::new(FREEZE_TASK_STATES)], &[]);
    moto
}

/// Seeds the cluster `prod` with `tasks` tasks (the first one stopped);
/// returns their ARNs.
fn seed(moto: &Moto, tasks: usize) -> Vec<String> {
    moto.seed(tasks)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

fn watch_args(store: &Path, extra: &[&str]) -> Vec<String> {
    ["watch"]
        .iter()
        .chain(moto::SEEDED_CLUSTER.iter())
        .chain(&["--store"])
        .map(|s| s.to_string())
        .chain([store.display().to_string()])
        .chain(extra.iter().map(|s| s.to_string()))
        .collect()
}

fn taskscope(args: &[&OsStr]) -> Output {
    binary::command()
        .args(args)
        .output()
        .expect("taskscope runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The store's bundles, oldest first.
fn bundles(store: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(store)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("prod-"))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn manifest(bundle: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap()
}

/// Inputs of a bundle answering `operation`.
fn answers(manifest: &Value, operation: &str) -> usize {
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|input| input["origin"]["operation"] == operation)
        .count()
}

fn assert_verifies(bundle: &Path) {
    let verify = taskscope(&[OsStr::new("verify"), bundle.as_os_str()]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
}

/// Waits until `ready` holds, at most 60 s.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        assert!(Instant::now() < deadline, "{what}: not within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(child: &Child, name: &str) {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args([name, &pid]).status().unwrap();
    assert!(sent.success());
}

fn spawn_watch(moto: &Moto, store: &Path, extra: &[&str]) -> Child {
    moto.taskscope()
        .args(watch_args(store, extra))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn once_stores_a_round_only_when_a_task_is_new_or_changed() {
    let moto = start_moto();
    let tasks = seed(&moto, 3);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let once = || {
        let output = moto
            .taskscope()
            .args(watch_args(&store, &["--once"]))
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        (text(&output.stdout), text(&output.stderr))
    };

    let (first, _) = once();
    assert!(first.contains("3 tasks, 3 new, 0 changed"), "{first}");
    assert!(first.contains("its first snapshot"), "{first}");
    let [bundle] = bundles(&store).try_into().expect("one bundle");
    let stored_first = manifest(&bundle)["inputs"].as_array().unwrap().len();
    assert!(store.join("watch-state.json").is_file());

    moto.python(
        &[OsStr::new("-c"), OsStr::new(STOP_TASK)],
        &[&tasks[1], "INC-43: crypto miner"],
    );
    let (second, _) = once();
    assert!(second.contains("3 tasks, 0 new, 1 changed"), "{second}");
    assert_eq!(
        bundles(&store),
        std::slice::from_ref(&bundle),
        "the run carries on the bundle"
    );
    let after_change = manifest(&bundle);
    assert!(after_change["inputs"].as_array().unwrap().len() > stored_first);
    // Two rounds stored, the task definition described once.
    assert_eq!(answers(&after_change, "DescribeTasks"), 2);
    assert_eq!(answers(&after_change, "DescribeTaskDefinition"), 1);
    assert_eq!(after_change["collection"]["method"], "watch");
    assert_eq!(after_change["collection"]["state"], "collecting");

    let manifest_bytes = std::fs::read(bundle.join("manifest.json")).unwrap();
    let (third, _) = once();
    assert_eq!(third, "", "nothing changed, nothing stored");
    assert_eq!(
        std::fs::read(bundle.join("manifest.json")).unwrap(),
        manifest_bytes
    );

    let listed = taskscope(&[
        OsStr::new("tasks"),
        OsStr::new("--format"),
        OsStr::new("json"),
        bundle.as_os_str(),
    ]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let stopped = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| tasks[1].ends_with(t["id"].as_str().unwrap()))
        .expect("the stopped task is in the bundle");
    assert_eq!(stopped["stopped_reason"], "INC-43: crypto miner");
    assert_eq!(stopped["last_status"], "STOPPED");
    assert_verifies(&bundle);

    // A damaged state costs a fresh start: everything again, in a new bundle.
    std::fs::write(store.join("watch-state.json"), b"{\"format\":").unwrap();
    let (fourth, warnings) = once();
    assert!(warnings.contains("starting afresh"), "{warnings}");
    assert!(fourth.contains("3 tasks, 3 new"), "{fourth}");
    assert!(fourth.contains("its first snapshot"), "{fourth}");
    assert_eq!(bundles(&store).len(), 2);
}

#[test]
fn bundles_roll_over_and_a_signal_finishes_the_last_one() {
    let moto = start_moto();
    seed(&moto, 2);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let child = spawn_watch(&moto, &store, &["--interval", "1s", "--rotate", "2s"]);
    wait_for("two bundles with a round each", || {
        let with_rounds = bundles(&store)
            .iter()
            .filter(|b| b.join("manifest.json").is_file())
            .filter(|b| answers(&manifest(b), "DescribeTasks") > 0)
            .count();
        with_rounds >= 2
    });
    signal(&child, "-TERM");
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("finished"));

    let all = bundles(&store);
    assert!(all.len() >= 2, "{all:?}");
    for bundle in &all {
        let manifest = manifest(bundle);
        assert_eq!(manifest["collection"]["state"], "complete", "{bundle:?}");
        // Each bundle stands alone: its own snapshot and task definition.
        assert!(answers(&manifest, "DescribeTasks") >= 1, "{bundle:?}");
        assert_eq!(
            answers(&manifest, "DescribeTaskDefinition"),
            1,
            "{bundle:?}"
        );
        assert_verifies(bundle);
    }
    let state: Value =
        serde_json::from_slice(&std::fs::read(store.join("watch-state.json")).unwrap()).unwrap();
    assert!(state["bundle"].is_null(), "{state}");
}

#[test]
fn a_second_watcher_on_the_same_store_is_refused() {
    let moto = start_moto();
    seed(&moto, 1);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let first = spawn_watch(&moto, &store, &["--interval", "1s"]);
    wait_for("the first watcher's bundle", || !bundles(&store).is_empty());

    let second = moto
        .taskscope()
        .args(watch_args(&store, &["--once"]))
        .output()
        .unwrap();
    let stderr = text(&second.stderr);
    assert_eq!(second.status.code(), Some(EXIT_FAILURE), "{stderr}");
    assert!(stderr.contains("another taskscope watch"), "{stderr}");

    signal(&first, "-TERM");
    let output = first.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let [bundle] = bundles(&store).try_into().expect("one bundle");
    assert_verifies(&bundle);
}

#[test]
fn failed_rounds_are_reported_and_the_watcher_carries_on() {
    let moto = start_moto();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    // No cluster yet: every round fails until the seed creates it.
    let mut child = spawn_watch(&moto, &store, &["--interval", "1s"]);
    let stderr = Arc::new(Mutex::new(String::new()));
    let reader = {
        let stderr = Arc::clone(&stderr);
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                stderr.lock().unwrap().push_str(&(line + "\n"));
            }
        })
    };
    let failure = "ecs:ListTasks failed in us-east-1: ClusterNotFoundException";
    wait_for("two failed rounds", || {
        stderr.lock().unwrap().matches(failure).count() >= 2
    });
    assert!(child.try_wait().unwrap().is_none(), "the watcher gave up");
    seed(&moto, 1);
    wait_for("a bundle once the cluster exists", || {
        bundles(&store)
            .first()
            .is_some_and(|b| answers(&manifest(b), "DescribeTasks") > 0)
    });
    signal(&child, "-INT");
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{}", stderr.lock().unwrap());
}
