//! Crash consistency (docs/hardening.md, "Crash consistency"): the real
//! binary is SIGKILLed at random points, drawn from a seed, while it imports
//! evidence or annotates a bundle. After every kill:
//!
//! - import: the target bundle does not exist, or it verifies; a staging
//!   directory left behind is refused as an incomplete bundle, never opened
//!   as one; a bundle beside it is untouched;
//! - annotate: the bundle still opens and verifies, or `verify` reports only
//!   the uncommitted tail docs/bundle-format.md describes; committed
//!   annotations are intact, and the next annotate recovers.
//!
//! - seal: the bundle keeps its previous seal or has the complete new one,
//!   and `verify` accepts it against the allowed signers; files a killed
//!   seal left are reported, never a failure;
//!
//! - collect (against moto on loopback): the bundle does not exist yet, or
//!   it opens and `verify` finds every committed artifact intact, at most
//!   reporting responses written after the last commit as uncommitted; a
//!   bundle beside it is untouched.
//!
//! `TASKSCOPE_CRASH_SEED=N` replays or varies the kill points (the seed in
//! use is printed).

mod binary;
#[path = "aws/moto.rs"]
mod moto;

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use taskscope::bundle::annotations::{Annotations, ANNOTATIONS_FILE};
use taskscope::bundle::build::import_to_bundle;
use taskscope::bundle::manifest::MANIFEST_FILE;
use taskscope::bundle::verify::verify;
use taskscope::bundle::{Bundle, OpenError};
use taskscope::{demo, generate};
use tempfile::TempDir;

/// Kills per command.
const TRIALS: u64 = 50;
/// Every this-many trials one is left to finish, so complete runs are checked too.
const UNKILLED_EVERY: u64 = 10;
/// Kill points are drawn up to this multiple of a full run's duration.
const KILL_WINDOW: f64 = 1.1;
/// The seed used unless `TASKSCOPE_CRASH_SEED` is set.
const DEFAULT_SEED: u64 = 0x2026_1120_c4a5;

/// A small deterministic generator (SplitMix64), so kill points replay.
struct Rng(u64);

impl Rng {
    fn from_env(salt: u64) -> Rng {
        let seed = std::env::var("TASKSCOPE_CRASH_SEED")
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(DEFAULT_SEED);
        println!("crash seed {seed} (set TASKSCOPE_CRASH_SEED to change it)");
        Rng(seed ^ salt)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A kill point for trial `trial`: none for every tenth, else uniform in
    /// [0, `KILL_WINDOW` × `full_run`).
    fn kill_point(&mut self, trial: u64, full_run: Duration) -> Option<Duration> {
        let fraction = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (trial % UNKILLED_EVERY != UNKILLED_EVERY - 1)
            .then(|| full_run.mul_f64(fraction * KILL_WINDOW))
    }
}

fn taskscope() -> Command {
    let mut command = binary::command();
    command.env("TASKSCOPE_AUTHOR", "crash-test");
    command
}

fn output(command: &mut Command) -> Output {
    command.output().expect("runs taskscope")
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// SIGKILLed.
    Killed,
    /// Exited by itself with this code.
    Exited(Option<i32>),
}

/// Runs `command`, SIGKILLing it after `kill_after` if it is still running.
fn run_killing(command: &mut Command, kill_after: Option<Duration>) -> Ended {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts taskscope");
    if let Some(delay) = kill_after {
        std::thread::sleep(delay);
        // Child::kill sends SIGKILL; a process that just exited is only reaped.
        let _ = child.kill();
    }
    let status = child.wait().expect("waits for taskscope");
    match status.signal() {
        Some(9) => Ended::Killed,
        _ => Ended::Exited(status.code()),
    }
}

/// Runs `command` to the end and returns how long it took.
fn timed_run(command: &mut Command) -> Duration {
    let start = Instant::now();
    let out = output(command);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

/// `taskscope verify` output: (exit code, stdout lines, stderr).
fn verify_cli(root: &Path) -> (Option<i32>, Vec<String>, String) {
    let out = output(taskscope().arg("verify").arg(root));
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    (
        out.status.code(),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes enough generated CloudTrail delivery files that an import runs for
/// a noticeable time in a debug build, storing and fsyncing file after file.
fn write_generated_inputs(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for (name, bytes) in generate::cloudtrail_delivery_files(8_000, 200, 40) {
        fs::write(dir.join(name), bytes).unwrap();
    }
}

/// What one killed import left.
#[derive(Debug, PartialEq, Eq)]
enum ImportLeft {
    /// No bundle and no staging directory.
    Nothing,
    /// A staging directory, refused as incomplete.
    Staging(PathBuf),
    /// The bundle, which verifies.
    Bundle,
}

/// Checks what the import into `dir/name` left, per the module's rules.
fn import_left(dir: &Path, name: &str) -> Result<ImportLeft, String> {
    let staging_prefix = format!(".{name}.partial-");
    let mut staging = Vec::new();
    let mut bundle = false;
    for entry in fs::read_dir(dir).unwrap() {
        let entry_name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if entry_name == name {
            bundle = true;
        } else if entry_name.starts_with(&staging_prefix) {
            staging.push(dir.join(entry_name));
        } else if entry_name.contains(name) {
            return Err(format!("unexpected entry {entry_name}"));
        }
    }
    if bundle {
        if !staging.is_empty() {
            return Err(format!("both the bundle and {staging:?}"));
        }
        let (code, lines, stderr) = verify_cli(&dir.join(name));
        return match code {
            Some(0) => Ok(ImportLeft::Bundle),
            _ => Err(format!("the bundle does not verify: {lines:?} {stderr}")),
        };
    }
    let Some(partial) = staging.pop() else {
        return Ok(ImportLeft::Nothing);
    };
    if !staging.is_empty() {
        return Err(format!("several staging directories: {staging:?}"));
    }
    match Bundle::open(&partial) {
        Err(OpenError::Incomplete { .. }) => {}
        other => {
            return Err(format!(
                "{} opened as {:?}",
                partial.display(),
                other.map(|b| b.manifest.artifacts.len())
            ))
        }
    }
    let (code, lines, stderr) = verify_cli(&partial);
    if code != Some(1) || !stderr.contains("incomplete bundle") || !lines.is_empty() {
        return Err(format!(
            "verify on a staging directory: exit {code:?}, {lines:?}, {stderr}"
        ));
    }
    Ok(ImportLeft::Staging(partial))
}

#[test]
fn import_killed_at_random_points_leaves_no_bundle_or_a_complete_one() {
    let dir = TempDir::new().unwrap();
    let inputs = dir.path().join("inputs");
    write_generated_inputs(&inputs);
    let trials = dir.path().join("trials");
    fs::create_dir(&trials).unwrap();
    // A bundle already there, beside every import: it must never change.
    let existing = trials.join("existing");
    let import_to = |target: &Path| {
        let mut command = taskscope();
        command.arg("import").arg(&inputs).arg("--out").arg(target);
        command
    };
    // The first run reads cold files: time a second one too and keep the faster.
    let full_run = timed_run(&mut import_to(&existing))
        .min(timed_run(&mut import_to(&dir.path().join("warm"))));
    let existing_manifest = fs::read(existing.join(MANIFEST_FILE)).unwrap();

    let mut rng = Rng::from_env(1);
    let mut left = Vec::new();
    for trial in 0..TRIALS {
        let name = format!("case-{trial}");
        let kill_after = rng.kill_point(trial, full_run);
        let ended = run_killing(&mut import_to(&trials.join(&name)), kill_after);
        let state = import_left(&trials, &name).unwrap_or_else(|problem| {
            panic!("trial {trial} ({kill_after:?}, {ended:?}): {problem}")
        });
        if ended != Ended::Killed {
            assert_eq!(ended, Ended::Exited(Some(0)), "trial {trial}");
            assert_eq!(state, ImportLeft::Bundle, "trial {trial} finished");
        }
        assert!(verify(&Bundle::open(&existing).unwrap()).is_empty());
        assert_eq!(
            fs::read(existing.join(MANIFEST_FILE)).unwrap(),
            existing_manifest
        );
        left.push((trial, state));
    }
    let interrupted: Vec<&PathBuf> = left
        .iter()
        .filter_map(|(_, state)| match state {
            ImportLeft::Staging(path) => Some(path),
            _ => None,
        })
        .collect();
    let complete = left
        .iter()
        .filter(|(_, s)| *s == ImportLeft::Bundle)
        .count();
    println!(
        "import: full run {full_run:?}; {} trials left nothing, {} a staging directory, {complete} a bundle",
        left.len() - interrupted.len() - complete,
        interrupted.len()
    );
    assert!(
        !interrupted.is_empty(),
        "no kill landed while the bundle was being written"
    );
    assert!(complete >= (TRIALS / UNKILLED_EVERY) as usize);

    // A leftover staging directory does not stand in the way of importing again.
    let (trial, _) = left
        .iter()
        .find(|(_, state)| matches!(state, ImportLeft::Staging(_)))
        .expect("an interrupted trial");
    let target = trials.join(format!("case-{trial}"));
    timed_run(&mut import_to(&target));
    assert_eq!(verify_cli(&target).0, Some(0));
}

#[test]
fn collect_killed_at_random_points_leaves_a_bundle_that_verifies() {
    let moto = moto::Moto::start();
    moto.seed(4);
    let dir = TempDir::new().unwrap();
    let collect_to = |target: &Path| {
        let mut command = moto.taskscope();
        command
            .arg("collect")
            .args(moto::SEEDED_CLUSTER)
            .args(["--since", "2d"])
            .args(["--log-group", "/ecs/falco", "--out"])
            .arg(target);
        command
    };
    let existing = dir.path().join("existing");
    let full_run = {
        let start = Instant::now();
        let out = output(&mut collect_to(&existing));
        // Partial (3): moto has no GuardDuty findings API nor LookupEvents.
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        start.elapsed()
    };
    let existing_manifest = fs::read(existing.join(MANIFEST_FILE)).unwrap();
    let mut rng = Rng::from_env(3);
    let (mut absent, mut uncommitted, mut collecting) = (0, 0, 0);
    for trial in 0..TRIALS {
        let target = dir.path().join(format!("case-{trial}"));
        let kill_after = rng.kill_point(trial, full_run);
        let ended = run_killing(&mut collect_to(&target), kill_after);
        let context = format!("trial {trial} ({kill_after:?}, {ended:?})");
        if !target.exists() {
            assert_eq!(ended, Ended::Killed, "{context}: no bundle");
            absent += 1;
            continue;
        }
        let bundle = Bundle::open(&target).unwrap_or_else(|e| panic!("{context}: {e}"));
        let problems = verify(&bundle);
        assert!(
            problems.iter().all(|p| !p.is_failure()),
            "{context}: {problems:?}"
        );
        uncommitted += usize::from(!problems.is_empty());
        let (code, lines, _) = verify_cli(&target);
        assert_eq!(code, Some(0), "{context}: {lines:?}");
        let state = &bundle.manifest.collection.state;
        if ended == Ended::Killed
            && *state == Some(taskscope::bundle::manifest::CollectionState::Collecting)
        {
            collecting += 1;
            assert!(
                lines.iter().any(|l| l.starts_with("incomplete:")),
                "{context}: {lines:?}"
            );
        }
        if ended != Ended::Killed {
            assert_eq!(ended, Ended::Exited(Some(3)), "{context}");
        }
        assert_eq!(
            fs::read(existing.join(MANIFEST_FILE)).unwrap(),
            existing_manifest
        );
    }
    println!(
        "collect: full run {full_run:?}; {absent} trials left no bundle, \
         {collecting} a bundle still marked collecting ({uncommitted} with uncommitted files)"
    );
    assert!(
        collecting > 0,
        "no kill landed while the collection was running"
    );
    assert!(verify(&Bundle::open(&existing).unwrap()).is_empty());
}

/// Checks a `taskscope verify` report after a killed annotate: ok, or only
/// the uncommitted tail and leftover temporary manifest of docs/bundle-format.md.
fn only_uncommitted_annotation_leftovers(root: &Path) -> Result<bool, String> {
    let (code, lines, stderr) = verify_cli(root);
    if code == Some(0) {
        return Ok(true);
    }
    if code != Some(4) {
        return Err(format!("verify exited {code:?}: {stderr}"));
    }
    let manifest = Bundle::open(root).map_err(|e| e.to_string())?.manifest;
    let committed = manifest.artifact(ANNOTATIONS_FILE).map(|a| a.size);
    let on_disk = fs::metadata(root.join(ANNOTATIONS_FILE)).map(|m| m.len());
    for line in &lines[..lines.len().saturating_sub(1)] {
        let tail = match (committed, &on_disk) {
            (Some(size), Ok(length)) if *length > size => {
                format!("altered: {ANNOTATIONS_FILE} (size {length} bytes, manifest says {size})")
            }
            _ => String::new(),
        };
        let first_append = committed.is_none() && on_disk.is_ok();
        let allowed = *line == tail
            || (first_append
                && *line == format!("unexpected: {ANNOTATIONS_FILE} (not in the manifest)"))
            || (line.starts_with("unexpected: .manifest.json.tmp-")
                && line.ends_with(" (not in the manifest)"))
            || line.starts_with("root digest: sha256:");
        if !allowed {
            return Err(format!("verify reports {line:?} (all: {lines:?})"));
        }
    }
    match lines.last() {
        Some(last) if last.starts_with("FAILED: ") => Ok(false),
        other => Err(format!("verify ended with {other:?}")),
    }
}

#[test]
fn annotate_killed_at_random_points_never_damages_the_bundle() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(demo::inputs(), &root).unwrap();
    let raw_before: Vec<_> = Bundle::open(&root).unwrap().manifest.artifacts;
    let annotate = |text: &str| {
        let mut command = taskscope();
        command
            .arg("annotate")
            .arg(&root)
            .args(["--task", demo::COMPROMISED_TASK, "--note", text]);
        command
    };
    let full_run = timed_run(&mut annotate("calibration"));

    let mut rng = Rng::from_env(2);
    let (mut committed, mut uncommitted, mut recovered) = (0, 0, 0);
    for trial in 0..TRIALS {
        let before = Annotations::load(&Bundle::open(&root).unwrap()).unwrap();
        let kill_after = rng.kill_point(trial, full_run);
        let ended = run_killing(&mut annotate(&format!("trial {trial}")), kill_after);
        let context = format!("trial {trial} ({kill_after:?}, {ended:?})");

        let bundle = Bundle::open(&root).unwrap_or_else(|e| panic!("{context}: {e}"));
        assert_eq!(
            bundle.manifest.artifacts[..raw_before.len()],
            raw_before[..],
            "{context}"
        );
        let after = Annotations::load(&bundle).unwrap();
        assert!(
            after.problems().is_empty(),
            "{context}: {:?}",
            after.problems()
        );
        assert_eq!(
            after.all()[..before.all().len()],
            before.all()[..],
            "{context}"
        );
        let added = after.all().len() - before.all().len();
        assert!(added <= 1, "{context}: {added} annotations added");
        committed += added;
        if ended != Ended::Killed {
            assert_eq!((ended, added), (Ended::Exited(Some(0)), 1), "{context}");
        }

        let clean = only_uncommitted_annotation_leftovers(&root)
            .unwrap_or_else(|problem| panic!("{context}: {problem}"));
        if !clean {
            uncommitted += 1;
            // The next annotate cuts the tail off, removes the temporary
            // manifest and commits its own line.
            timed_run(&mut annotate(&format!("recovery {trial}")));
            assert_eq!(verify_cli(&root).0, Some(0), "{context}: not recovered");
            let recovered_notes = Annotations::load(&Bundle::open(&root).unwrap()).unwrap();
            assert_eq!(
                recovered_notes.all().len(),
                after.all().len() + 1,
                "{context}"
            );
            recovered += 1;
        }
    }
    println!(
        "annotate: full run {full_run:?}; {committed} of {TRIALS} annotations committed, \
         {uncommitted} kills left an uncommitted tail or temporary manifest, {recovered} recovered"
    );
    assert!(committed >= (TRIALS / UNKILLED_EVERY) as usize);
}

#[test]
fn a_staging_directory_is_refused_as_an_incomplete_bundle_even_when_it_looks_whole() {
    let dir = TempDir::new().unwrap();
    let sealed = dir.path().join("case");
    import_to_bundle(demo::inputs(), &sealed).unwrap();
    // A kill between writing the manifest and the final rename leaves exactly this.
    let staging = dir.path().join(".case.partial-4242-1795179510000000000");
    fs::rename(&sealed, &staging).unwrap();

    assert!(matches!(
        Bundle::open(&staging),
        Err(OpenError::Incomplete { .. })
    ));
    for args in [
        vec!["verify", "."],
        vec!["tasks", "."],
        vec!["timeline", "."],
    ] {
        let out = output(taskscope().args(&args).current_dir(&staging));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("incomplete bundle") && stderr.contains("interrupted import"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn seal_killed_at_random_points_leaves_the_old_seal_or_the_new_one() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("bundle");
    import_to_bundle(demo::inputs(), &root).unwrap();
    let key = dir.path().join("key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .status()
        .expect("runs ssh-keygen");
    assert!(made.success());
    let public = fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = dir.path().join("allowed_signers");
    fs::write(&allowed, format!("* {public}")).unwrap();
    let seal = |identity: &str| {
        let mut command = taskscope();
        command
            .arg("seal")
            .arg(&root)
            .arg("--key")
            .arg(&key)
            .args(["--identity", identity]);
        command
    };
    let full_run = timed_run(&mut seal("calibration"));

    let mut rng = Rng::from_env(3);
    let mut previous = "calibration".to_string();
    let (mut replaced, mut kept) = (0, 0);
    for trial in 0..TRIALS {
        let identity = format!("trial-{trial}");
        let kill_after = rng.kill_point(trial, full_run);
        let ended = run_killing(&mut seal(&identity), kill_after);
        let context = format!("trial {trial} ({kill_after:?}, {ended:?})");
        let out = output(
            taskscope()
                .arg("verify")
                .arg(&root)
                .arg("--allowed-signers")
                .arg(&allowed),
        );
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(0), "{context}: {stdout}");
        let sealed_by = stdout
            .lines()
            .find_map(|line| line.strip_prefix("seal: sealed by "))
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("{context}: no seal: {stdout}"))
            .to_string();
        assert!(
            sealed_by == identity || sealed_by == previous,
            "{context}: sealed by {sealed_by}, expected {identity} or {previous}"
        );
        if ended != Ended::Killed {
            assert_eq!(ended, Ended::Exited(Some(0)), "{context}");
            assert_eq!(sealed_by, identity, "{context}");
        }
        if sealed_by == identity {
            replaced += 1;
        } else {
            kept += 1;
        }
        previous = sealed_by;
    }
    println!(
        "seal: full run {full_run:?}; {replaced} of {TRIALS} seals replaced the one before, \
         {kept} kills kept it"
    );
    assert!(replaced >= (TRIALS / UNKILLED_EVERY) as usize);
}
