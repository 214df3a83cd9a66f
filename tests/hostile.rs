//! The hostile corpus (tests/hostile/, described in its README.md) and the
//! hostile inputs generated here (10 MB strings, gzip bombs, evil file names,
//! bundles with traversal, symbolic links, FIFOs and oversized files) run
//! through the real binary and the console.
//!
//! Every run has a time limit (a hang is a failure); exit statuses and
//! messages are checked; no output may hold a character a terminal would
//! interpret (escape, BEL, C1, bidi...); and nothing may be written outside
//! the bundle, or read from outside it. A bundle that points outside reaches
//! a canary file (whose marker must never show up) and a FIFO tripwire (which
//! would block any reader that opened it, turning the read into a hang).

mod binary;
mod support;

use flate2::{write::GzEncoder, Compression};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{console, demo_bundle, render, wait_for_filter};
use taskscope::bundle::correlated::CORRELATED_PATH;
use taskscope::bundle::index::INDEX_PATH;
use taskscope::bundle::manifest::Manifest;
use taskscope::bundle::write::sha256_hex;
use taskscope::bundle::Bundle;
use taskscope::model::{LinkReason, Provenance, RawRef, Severity, Source};
use taskscope::raw::RawReader;
use taskscope::tui::app::App;
use taskscope::tui::keys::Action;
use tempfile::TempDir;

/// A run longer than this is a hang.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// What the canary file outside every bundle says; it must never be shown.
const CANARY: &str = "CANARY_OUTSIDE_THE_BUNDLE";
/// The task the corpus files name.
const HOSTILE_TASK: &str = "0badc0de0badc0de0badc0de0badc0de";

// ---------------------------------------------------------------------------
// Running the binary in a sandbox

/// A temporary tree: `work` (the current directory of every run, where
/// bundles go), `home` and `tmp` (HOME, XDG dirs and TMPDIR point there),
/// and `outside`, with the canary file and the FIFO tripwire that hostile
/// bundles point at.
struct Sandbox {
    dir: TempDir,
}

/// What one run of the binary produced.
struct Run {
    label: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn new() -> Sandbox {
        let sandbox = Sandbox {
            dir: TempDir::new().expect("temp dir"),
        };
        for dir in ["work", "home", "tmp", "outside", "evidence"] {
            fs::create_dir(sandbox.root().join(dir)).expect("sandbox dir");
        }
        fs::write(sandbox.canary(), canary_record()).expect("canary");
        let made = Command::new("mkfifo")
            .arg(sandbox.tripwire())
            .status()
            .expect("mkfifo runs");
        assert!(made.success(), "mkfifo failed");
        sandbox
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn work(&self) -> PathBuf {
        self.root().join("work")
    }

    fn evidence(&self) -> PathBuf {
        self.root().join("evidence")
    }

    fn outside(&self) -> PathBuf {
        self.root().join("outside")
    }

    fn canary(&self) -> PathBuf {
        self.outside().join("canary.json")
    }

    fn tripwire(&self) -> PathBuf {
        self.outside().join("tripwire.json")
    }

    /// Runs taskscope with `args` and a time limit.
    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let label = args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let mut child = binary::command()
            .args(args)
            .current_dir(self.work())
            .env("HOME", self.root().join("home"))
            .env("XDG_CONFIG_HOME", self.root().join("home/.config"))
            .env("XDG_DATA_HOME", self.root().join("home/.local/share"))
            .env("TMPDIR", self.root().join("tmp"))
            .env("TASKSCOPE_AUTHOR", "hostile-test")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("taskscope starts");
        let stdout = drain(child.stdout.take().expect("stdout piped"));
        let stderr = drain(child.stderr.take().expect("stderr piped"));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > TIME_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("hang: `taskscope {label}` ran over {TIME_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let text = |bytes: Vec<u8>, stream: &str| {
            String::from_utf8(bytes)
                .unwrap_or_else(|e| panic!("`taskscope {label}` wrote non-UTF-8 to {stream}: {e}"))
        };
        let run = Run {
            code: status.code(),
            stdout: text(stdout.join().expect("stdout reader"), "stdout"),
            stderr: text(stderr.join().expect("stderr reader"), "stderr"),
            label,
        };
        run.assert_terminal_safe();
        run
    }
}

fn drain(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        bytes
    })
}

impl Run {
    fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "`taskscope {}` exit status\nstderr: {}",
            self.label,
            preview(&self.stderr)
        );
        self
    }

    fn assert_stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "`taskscope {}`: stderr lacks {needle:?}:\n{}",
            self.label,
            preview(&self.stderr)
        );
        self
    }

    fn assert_stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "`taskscope {}`: stdout lacks {needle:?}:\n{}",
            self.label,
            preview(&self.stdout)
        );
        self
    }

    /// No character a terminal would act on, on either stream, whatever the format.
    fn assert_terminal_safe(&self) {
        for (stream, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if let Some((at, c)) = text.char_indices().find(|&(_, c)| acts_on_terminal(c)) {
                let start = char_boundary_at_or_before(text, at.saturating_sub(60));
                panic!(
                    "`taskscope {}` wrote U+{:04X} to {stream} at byte {at}, after {:?}",
                    self.label,
                    c as u32,
                    &text[start..at]
                );
            }
        }
    }

    fn assert_no_canary(&self) {
        assert!(
            !self.stdout.contains(CANARY) && !self.stderr.contains(CANARY),
            "`taskscope {}` showed data from outside the bundle",
            self.label
        );
    }
}

/// Characters that start escape sequences or reorder text on a terminal:
/// C0 controls other than tab and newline, DEL, C1 controls, bidi marks,
/// embeddings, overrides and isolates, line/paragraph separators and the BOM.
/// (Written out here rather than taken from the crate, so the test is an
/// independent check of its sanitizer.)
fn acts_on_terminal(c: char) -> bool {
    matches!(c as u32,
        0x00..=0x08 | 0x0b..=0x1f | 0x7f..=0x9f
        | 0x061c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069
        | 0x2028 | 0x2029 | 0xfeff)
}

fn preview(text: &str) -> String {
    let end = char_boundary_at_or_before(text, 2000);
    text[..end].escape_debug().to_string()
}

fn char_boundary_at_or_before(text: &str, at: usize) -> usize {
    (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Nothing written outside: snapshots of the sandbox tree

/// One entry of a tree, compared without following links or opening FIFOs.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    Dir,
    File { size: u64, digest: String },
    Link(PathBuf),
    Other,
}

/// Every entry under `root`, by relative path. Files over 16 MiB (sparse
/// test files) are compared by size and modification time.
fn tree(root: &Path) -> BTreeMap<PathBuf, Node> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            let kind = meta.file_type();
            let node = if kind.is_symlink() {
                Node::Link(fs::read_link(&path).expect("link target"))
            } else if kind.is_dir() {
                pending.push(path.clone());
                Node::Dir
            } else if kind.is_file() && meta.len() <= 16 << 20 {
                Node::File {
                    size: meta.len(),
                    digest: sha256_hex(&fs::read(&path).expect("file readable")),
                }
            } else if kind.is_file() {
                Node::File {
                    size: meta.len(),
                    digest: format!("{:?}", meta.modified().ok()),
                }
            } else {
                Node::Other
            };
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            out.insert(relative, node);
        }
    }
    out
}

/// The paths that differ between two snapshots.
fn changed(before: &BTreeMap<PathBuf, Node>, after: &BTreeMap<PathBuf, Node>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

// ---------------------------------------------------------------------------
// Exercising a bundle with every read-only command

const TABLE_FORMATS: [&str; 4] = ["table", "json", "csv", "md"];

/// Runs tasks and timeline in every format (and the timeline of `task`),
/// verify, notes, every export and the incident report in both formats on
/// `bundle`; asserts that none hangs,
/// writes anything anywhere, or shows the canary or an unsafe character.
/// Each run is named: `tasks table`, `timeline json`, `task timeline csv`,
/// `verify`, `notes`, `export timesketch`, `export md`, `report html`...
fn read_only_runs(sandbox: &Sandbox, bundle: &Path, task: Option<&str>) -> Runs {
    let before = tree(sandbox.root());
    let bundle = bundle.to_string_lossy().into_owned();
    let mut commands: Vec<(String, Vec<&str>)> = Vec::new();
    for format in TABLE_FORMATS {
        commands.push((
            format!("tasks {format}"),
            vec!["tasks", &bundle, "--format", format],
        ));
        commands.push((
            format!("timeline {format}"),
            vec!["timeline", &bundle, "--format", format],
        ));
        if let Some(task) = task {
            commands.push((
                format!("task timeline {format}"),
                vec!["timeline", &bundle, "--task", task, "--format", format],
            ));
        }
    }
    commands.push(("verify".into(), vec!["verify", &bundle]));
    commands.push(("notes".into(), vec!["notes", &bundle]));
    for format in ["csv", "json", "timesketch"] {
        commands.push((
            format!("export {format}"),
            vec!["export", &bundle, "--format", format],
        ));
    }
    if let Some(task) = task {
        commands.push((
            "export md".into(),
            vec!["export", &bundle, "--task", task, "--format", "md"],
        ));
    }
    for format in ["md", "html"] {
        commands.push((
            format!("report {format}"),
            vec!["report", &bundle, "--format", format],
        ));
    }
    let runs = Runs(
        commands
            .into_iter()
            .map(|(name, args)| (name, sandbox.run(&args)))
            .collect(),
    );
    for (_, run) in &runs.0 {
        run.assert_no_canary();
    }
    let after = tree(sandbox.root());
    assert_eq!(
        changed(&before, &after),
        Vec::<PathBuf>::new(),
        "read-only commands changed files"
    );
    runs
}

/// Named runs.
struct Runs(Vec<(String, Run)>);

impl Runs {
    fn get(&self, name: &str) -> &Run {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, run)| run)
            .unwrap_or_else(|| panic!("no run named {name:?}"))
    }

    fn assert_all_succeed(&self) {
        for (_, run) in &self.0 {
            run.assert_code(0);
        }
    }
}

/// Imports `input` into `work/<name>`, asserting the exit status and that
/// only the new bundle appeared.
fn import(sandbox: &Sandbox, input: &Path, name: &str, code: i32) -> (Run, PathBuf) {
    let out = sandbox.work().join(name);
    let before = tree(sandbox.root());
    let run = sandbox.run(&[
        OsStr::new("import"),
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        // One line per file, whose text the cases check.
        "--verbose".as_ref(),
    ]);
    run.assert_code(code);
    let after = tree(sandbox.root());
    let prefix = Path::new("work").join(name);
    for path in changed(&before, &after) {
        assert!(
            path.starts_with(&prefix),
            "import of {name} wrote {}",
            path.display()
        );
    }
    (run, out)
}

// ---------------------------------------------------------------------------
// The console over a bundle

/// Every character of a rendered screen that a terminal would act on.
fn assert_screen_safe(screen: &str, context: &str) {
    let bad: Vec<char> = screen
        .chars()
        .filter(|&c| c != '\n' && acts_on_terminal(c))
        .collect();
    assert!(bad.is_empty(), "{context}: {bad:?} reached the screen");
    assert!(!screen.contains(CANARY), "{context}: canary shown");
}

/// Renders the tasks, timeline and findings views (each pane focused in
/// turn, each of the first rows selected, so the detail pane shows their
/// raw records), every task's timeline with its context, the help and the
/// palette, and a filter typed with escape sequences; at 80x24 and 160x48.
/// Returns every screen drawn, one after another.
fn walk_console(app: &mut App, context: &str) -> String {
    let mut screens = String::new();
    let mut check = |screen: String, what: &str| {
        assert_screen_safe(&screen, &format!("{context} {what}"));
        screens.push_str(&screen);
    };
    const ROWS: usize = 12;
    let views = [
        Action::TasksView,
        Action::TimelineView,
        Action::FindingsView,
    ];
    for (width, height) in [(80, 24), (160, 48)] {
        for view in views {
            app.perform(view);
            for _pane in 0..2 {
                app.perform(Action::Top);
                for _row in 0..ROWS {
                    check(
                        render(app, width, height),
                        &format!("{view:?} {width}x{height}"),
                    );
                    app.perform(Action::MoveDown);
                }
                app.perform(Action::NextPane);
            }
        }
        let tasks = app.data.as_ref().map_or(0, |d| d.incident.tasks.len());
        for task in 0..tasks.min(4) {
            app.show_timeline(Some(task));
            app.perform(Action::ToggleTime);
            check(render(app, width, height), &format!("task {task} timeline"));
        }
        for popup in [Action::Help, Action::Palette] {
            app.perform(popup);
            check(render(app, width, height), &format!("{popup:?}"));
            app.popup = None;
        }
    }
    app.show_timeline(None);
    app.apply_filter("\u{1b}]0;x\u{7}\u{202e}a".into());
    wait_for_filter(app);
    check(render(app, 160, 48), "filtered");
    screens
}

// ---------------------------------------------------------------------------
// The committed corpus

/// One file of tests/hostile/ and what must happen to it.
struct Case {
    file: &'static str,
    /// Exit status of `import`: 0 all read, 3 partly read or rejected.
    import_code: i32,
    /// What import must say on stderr.
    says: &'static [&'static str],
    /// What the timeline CSV must show (visible escapes).
    shows: &'static [&'static str],
    /// What some console screen must show.
    on_screen: &'static [&'static str],
}

const CORPUS: &[Case] = &[
    Case {
        file: "forged_envelopes_cwlogs.jsonl",
        import_code: 0,
        says: &["(cloudwatch-logs+ecs-tasks+falco, 6 records)"],
        shows: &[
            "[looks like an AWS event (ECS Task State Change), from the container's own output]",
            "[looks like an AWS event (GuardDuty Finding), from the container's own output]",
            "[looks like a CloudTrail record, from the container's own output]",
        ],
        on_screen: &["looks like an AWS event"],
    },
    Case {
        file: "borrowed_sessions_cloudtrail.jsonl",
        import_code: 0,
        says: &["(cloudtrail+ecs-task-definition+ecs-tasks, 16 records)"],
        shows: &["assumed-role/data-admin/\\x1b]0;pwn\\x07"],
        on_screen: &[],
    },
    Case {
        file: "terminal_escapes_cloudtrail.json",
        import_code: 0,
        says: &["(cloudtrail, 2 records)"],
        shows: &["\\x1b[2J", "\\x1b]52;c;", "\\x9b6n", "\\x07"],
        on_screen: &["\\x1b[2J", "\\x1b]52;c;"],
    },
    Case {
        file: "terminal_escapes_ocsf.jsonl",
        import_code: 3,
        says: &[
            "PARTIAL",
            "(cloudtrail+ocsf, 2 records)",
            "has no numeric class_uid",
            "line 4, column 90: invalid JSON",
        ],
        shows: &["\\x1b[2J", "\\x1b]52;c;", "\\u{202e}", "\\x07"],
        on_screen: &["\\x1b[2J"],
    },
    Case {
        file: "athena_page_cloudtrail.json",
        import_code: 3,
        says: &[
            "(cloudtrail, 2 records)",
            "3 rows of an Athena result page could not be read and were skipped",
        ],
        shows: &["\\x1b[2J"],
        on_screen: &["\\x1b[2J"],
    },
    Case {
        file: "bidi_overrides_falco.ndjson",
        import_code: 0,
        says: &["(falco, 2 records)"],
        shows: &["\\u{202e}", "\\u{2066}"],
        on_screen: &["\\u{202e}"],
    },
    Case {
        file: "nul_and_controls_cwlogs.json",
        import_code: 0,
        says: &["(cloudwatch-logs+falco, 5 records)"],
        shows: &["\\x00", "\\r", "\\x08"],
        on_screen: &["\\x00"],
    },
    Case {
        file: "raw_nul_bytes.jsonl",
        import_code: 3,
        says: &[
            "PARTIAL",
            "line 2, column 82: invalid JSON: control character",
            "line 3, column 1: invalid JSON",
        ],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "deep_arrays.json",
        import_code: 3,
        says: &["REJECTED", "documents wrapped in more than 8 arrays"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "deep_arrays_lines.jsonl",
        import_code: 3,
        says: &["line 3: documents wrapped in more than 8 arrays"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "deep_objects_guardduty.json",
        import_code: 3,
        says: &["REJECTED", "recursion limit exceeded"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "deep_value_cloudtrail.json",
        import_code: 3,
        says: &[
            "(cloudtrail, 1 records)",
            "its requestParameters cannot be read (recursion limit exceeded",
        ],
        shows: &["StopTask"],
        on_screen: &["recursion limit exceeded"],
    },
    Case {
        file: "invalid_utf8.json",
        import_code: 3,
        says: &["line 1, column 53: not UTF-8 text"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "invalid_utf8_lines.jsonl",
        import_code: 3,
        says: &["line 2, column 81: not UTF-8 text"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "utf16_bom.json",
        import_code: 3,
        says: &["line 1, column 1: not UTF-8 text"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "out_of_range_times.json",
        import_code: 3,
        says: &[
            "PARTIAL",
            "(cloudtrail, 5 records)",
            "CloudTrail record at /Records/4 has no valid eventTime",
        ],
        shows: &["-262143-01-01T00:00:00.000Z", "+262142-12-31T23:59:59.000Z"],
        on_screen: &[],
    },
    Case {
        file: "out_of_range_times_cwlogs.json",
        import_code: 3,
        says: &[
            "(cloudwatch-logs, 5 records)",
            "log event at /events/0 lacks a timestamp",
            "log event at /events/4 lacks a timestamp",
        ],
        shows: &["-262143-01-01T00:00:00.000Z"],
        on_screen: &[],
    },
    Case {
        file: "calendar_edges_mixed.jsonl",
        import_code: 3,
        says: &[
            "(cloudtrail+ecs-tasks, 4 records)",
            "Falco alert at L5 has no valid time",
        ],
        shows: &["-262143-01-01T00:00:00.000Z", "+262142-12-31T23:59:59.999Z"],
        on_screen: &[],
    },
    Case {
        file: "overflowing_numbers.json",
        import_code: 0,
        says: &["(guardduty, 2 records)"],
        shows: &["Execution:Runtime/ReverseShell"],
        on_screen: &[],
    },
    Case {
        file: "overflowing_numbers_ecs.json",
        import_code: 0,
        says: &["(ecs-tasks, 1 records)"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "number_out_of_range.json",
        import_code: 3,
        says: &[
            "(cloudtrail, 1 records)",
            "its requestParameters cannot be read (number out of range",
        ],
        shows: &["StopTask"],
        on_screen: &[],
    },
    Case {
        file: "lone_surrogates_cloudtrail.json",
        import_code: 0,
        says: &["(cloudtrail, 2 records)"],
        shows: &["GetSecretValue"],
        on_screen: &[],
    },
    Case {
        file: "duplicate_keys.json",
        import_code: 3,
        says: &["duplicate field `Records`"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "duplicate_keys_record.json",
        import_code: 3,
        says: &["duplicate field `eventName`"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "duplicate_keys_falco.ndjson",
        import_code: 3,
        says: &["duplicate field `rule`"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "truncated.json.gz",
        import_code: 3,
        says: &["gzip stream is damaged"],
        shows: &[],
        on_screen: &[],
    },
    Case {
        file: "gzip_garbage_trailer.json.gz",
        import_code: 3,
        says: &["gzip stream is damaged"],
        shows: &[],
        on_screen: &[],
    },
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// The first task of a bundle, as the CLI would be given it.
fn first_task(bundle: &Path) -> Option<String> {
    let (incident, _) = Bundle::open(bundle).ok()?.incident();
    incident.tasks.first().map(|t| t.id.clone())
}

/// Imports one corpus file, runs every read-only command on the bundle and
/// annotates it, then walks the console over it.
fn exercise(sandbox: &Sandbox, case: &Case) {
    let name = case.file.replace('.', "_");
    let (run, bundle) = import(
        sandbox,
        &corpus_dir().join(case.file),
        &name,
        case.import_code,
    );
    for needle in case.says {
        run.assert_stderr_has(needle);
    }
    let task = first_task(&bundle);
    let runs = read_only_runs(sandbox, &bundle, task.as_deref());
    runs.assert_all_succeed();
    // CSV cells hold whole values (tables cut long summaries); times in
    // milliseconds, as in every CSV.
    let timeline = runs.get("timeline csv");
    for needle in case.shows {
        timeline.assert_stdout_has(needle);
    }
    if let Some(task) = &task {
        annotate_stays_inside(sandbox, &bundle, task);
    }
    let mut app = console(&bundle);
    let screens = walk_console(&mut app, case.file);
    for needle in case.on_screen {
        assert!(
            screens.contains(needle),
            "{}: no screen shows {needle}",
            case.file
        );
    }
}

/// Annotating may change only the bundle's annotations file and manifest.
fn annotate_stays_inside(sandbox: &Sandbox, bundle: &Path, task: &str) {
    let before = tree(sandbox.root());
    sandbox
        .run(&[
            OsStr::new("annotate"),
            bundle.as_os_str(),
            "--task".as_ref(),
            task.as_ref(),
            "--note".as_ref(),
            "seen \u{1b}]0;title\u{7} \u{202e}".as_ref(),
        ])
        .assert_code(0);
    let relative = bundle
        .strip_prefix(sandbox.root())
        .expect("bundle in sandbox");
    let allowed = [
        relative.join("annotations.jsonl"),
        relative.join("manifest.json"),
    ];
    for path in changed(&before, &tree(sandbox.root())) {
        assert!(allowed.contains(&path), "annotate wrote {}", path.display());
    }
    sandbox
        .run(&[OsStr::new("notes"), bundle.as_os_str()])
        .assert_code(0)
        .assert_stdout_has("\\x1b]0;title\\x07");
}

fn exercise_all(files: &[&str]) {
    let sandbox = Sandbox::new();
    for file in files {
        let case = CORPUS
            .iter()
            .find(|c| c.file == *file)
            .unwrap_or_else(|| panic!("{file} is not in CORPUS"));
        exercise(&sandbox, case);
    }
    assert_outside_untouched(&sandbox);
}

fn assert_outside_untouched(sandbox: &Sandbox) {
    assert_eq!(
        fs::read_to_string(sandbox.canary()).expect("canary"),
        canary_record()
    );
    let outside = tree(&sandbox.outside());
    let names: Vec<_> = outside.keys().cloned().collect();
    assert_eq!(
        names,
        vec![PathBuf::from("canary.json"), PathBuf::from("tripwire.json")],
        "files appeared outside"
    );
}

#[test]
fn every_corpus_file_is_documented_and_exercised() {
    let readme = fs::read_to_string(corpus_dir().join("README.md")).expect("corpus README");
    let mut files: Vec<String> = fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "README.md")
        .collect();
    files.sort();
    let mut listed: Vec<String> = CORPUS.iter().map(|c| c.file.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "tests/hostile/ and CORPUS differ");
    for file in &files {
        assert!(
            readme.contains(&format!("`{file}`")),
            "README.md does not describe {file}"
        );
    }
}

#[test]
fn terminal_takeover_attempts_are_shown_escaped() {
    exercise_all(&[
        "terminal_escapes_cloudtrail.json",
        "terminal_escapes_ocsf.jsonl",
        "bidi_overrides_falco.ndjson",
        "nul_and_controls_cwlogs.json",
        "raw_nul_bytes.jsonl",
    ]);
}

#[test]
fn athena_result_pages_with_hostile_rows_are_read_row_by_row() {
    exercise_all(&["athena_page_cloudtrail.json"]);
}

#[test]
fn deep_nesting_is_refused_without_recursing() {
    exercise_all(&[
        "deep_arrays.json",
        "deep_arrays_lines.jsonl",
        "deep_objects_guardduty.json",
        "deep_value_cloudtrail.json",
    ]);
}

#[test]
fn broken_encodings_numbers_and_keys_get_clear_errors() {
    exercise_all(&[
        "invalid_utf8.json",
        "invalid_utf8_lines.jsonl",
        "utf16_bom.json",
        "overflowing_numbers.json",
        "overflowing_numbers_ecs.json",
        "number_out_of_range.json",
        "duplicate_keys.json",
        "duplicate_keys_record.json",
        "duplicate_keys_falco.ndjson",
        "truncated.json.gz",
        "gzip_garbage_trailer.json.gz",
    ]);
}

#[test]
fn lone_surrogates_in_skipped_fields_leave_the_raw_record_readable() {
    let file = "lone_surrogates_cloudtrail.json";
    let sandbox = Sandbox::new();
    let case = CORPUS
        .iter()
        .find(|c| c.file == file)
        .unwrap_or_else(|| panic!("{file} is not in CORPUS"));
    exercise(&sandbox, case);
    let bundle = sandbox.work().join(file.replace('.', "_"));

    // The importer skipped the fields holding half a surrogate pair; the
    // raw record must still read, each lone half shown as U+FFFD.
    let opened = Bundle::open(&bundle).expect("bundle opens");
    let (incident, _) = opened.incident();
    let secret = incident
        .events
        .iter()
        .find(|e| e.kind == "GetSecretValue")
        .expect("GetSecretValue imported");
    let record = RawReader::for_bundle(&opened)
        .record(&secret.raw[0])
        .expect("raw record reads");
    assert_eq!(
        record["requestParameters"],
        serde_json::json!({
            "secretId": "prod/db\u{fffd}",
            "envi\u{fffd}ronment": ["\u{fffd}\\", "\u{fffd}\u{1f600}", "\\ud800"],
        })
    );
    assert_eq!(
        record["responseElements"],
        serde_json::json!({"note\u{fffd}": "\u{fffd}"})
    );

    let export = sandbox.run(&[
        OsStr::new("export"),
        bundle.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--raw".as_ref(),
    ]);
    export.assert_code(0);
    let rows: serde_json::Value = serde_json::from_str(&export.stdout).expect("export is JSON");
    let rows = rows.as_array().expect("export is an array of rows");
    assert_eq!(rows.len(), 2, "both records exported");
    for row in rows {
        assert!(row.get("raw_error").is_none(), "raw record unread: {row}");
        assert!(row["raw"].is_object(), "no raw record: {row}");
    }
    assert_outside_untouched(&sandbox);
}

#[test]
fn timestamps_at_the_edges_of_the_calendar_are_safe() {
    exercise_all(&[
        "out_of_range_times.json",
        "out_of_range_times_cwlogs.json",
        "calendar_edges_mixed.jsonl",
    ]);
}

/// The innocent task the forged records and borrowed session names point at.
const INNOCENT_TASK: &str = "1ee7c0de1ee7c0de1ee7c0de1ee7c0de";

#[test]
fn forged_envelopes_and_borrowed_sessions_never_speak_for_a_task() {
    exercise_all(&[
        "forged_envelopes_cwlogs.jsonl",
        "borrowed_sessions_cloudtrail.jsonl",
    ]);
    let dir = TempDir::new().expect("temp dir");
    let open = |file: &str| {
        let root = dir.path().join(file);
        let input = taskscope::bundle::build::InputFile {
            source_path: file.to_string(),
            bytes: fs::read(corpus_dir().join(file)).expect("corpus file"),
        };
        taskscope::bundle::build::import_to_bundle(vec![Ok(input)], &root).expect("bundle");
        Bundle::open(&root).expect("opens").incident().0
    };

    // What the task's container printed changes none of its facts, raises
    // no severity and names no other task into existence.
    let forged = open("forged_envelopes_cwlogs.jsonl");
    assert_eq!(forged.tasks.len(), 1, "{:?}", forged.tasks);
    let task = &forged.tasks[0];
    assert_eq!(task.id, HOSTILE_TASK);
    assert_eq!(task.last_status.as_deref(), Some("RUNNING"));
    assert_eq!((task.stopped_at, task.version), (None, Some(3)));
    for event in &forged.events {
        let links: Vec<(usize, LinkReason)> =
            event.links.iter().map(|l| (l.task, l.reason)).collect();
        match event.source {
            Source::Logs | Source::Falco => {
                assert_eq!(links, vec![(0, LinkReason::LogStream)], "{event:?}");
            }
            Source::Ecs => assert_eq!(links, vec![(0, LinkReason::TaskArn)]),
            other => panic!("unexpected {other:?} event {event:?}"),
        }
        if event.source == Source::Logs {
            assert_eq!(event.severity, Severity::Info);
            assert_eq!(event.provenance(), Provenance::Container);
        }
    }

    // Sessions land where their credentials came from: a borrowed name, a
    // cycle of sessions, a key issued twice and a caller posing as ECS land
    // on no task; the hostile task's chained session lands on it.
    let borrowed = open("borrowed_sessions_cloudtrail.jsonl");
    let innocent = borrowed
        .find_task(INNOCENT_TASK)
        .expect("the innocent task is described");
    let hostile = borrowed.find_task(HOSTILE_TASK).expect("hostile task");
    let on = |task: usize| -> Vec<&str> {
        borrowed.timelines[task]
            .iter()
            .map(|&e| &borrowed.events[e])
            .filter(|e| e.source == Source::Cloudtrail)
            .map(|e| e.kind.as_str())
            .collect()
    };
    assert_eq!(
        on(innocent),
        vec!["AssumeRole"],
        "only ECS's own AssumeRole"
    );
    assert_eq!(
        on(hostile),
        vec!["AssumeRole", "AssumeRole", "DeleteBucket"]
    );
    for event in &borrowed.events {
        for link in &event.links {
            assert!(!link.is_weak(), "{event:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// Generated inputs: too big (or too odd) to commit

/// A CloudTrail record of the hostile task's, written as JSON.
fn trail_record(event_name: &str, user_agent: &str) -> serde_json::Value {
    serde_json::json!({
        "eventVersion": "1.09",
        "eventTime": "2026-11-20T13:00:00Z",
        "eventSource": "ecs.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.9",
        "userAgent": user_agent,
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"},
        "requestParameters": {
            "task": format!("arn:aws:ecs:us-east-1:111122223333:task/prod/{HOSTILE_TASK}")
        },
        "eventID": format!("{:08x}-2222-3333-4444-555555555555", event_name.len()),
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333"
    })
}

/// The canary: valid evidence with a marker, so that reading it by mistake shows.
fn canary_record() -> String {
    serde_json::json!({ "Records": [trail_record(CANARY, CANARY)] }).to_string()
}

#[test]
fn ten_megabyte_strings_import_and_render_in_time() {
    const TEN_MB: usize = 10 << 20;
    let sandbox = Sandbox::new();
    let evidence = sandbox.evidence();
    // A 10 MB user agent; a 10 MB event name made of escape characters (each
    // shown as four); a 10 MB log line; a 10 MB line with no JSON at all.
    let trail = serde_json::json!({"Records": [
        trail_record("StopTask", &"A".repeat(TEN_MB)),
        trail_record(&"\u{1b}".repeat(TEN_MB), "aws-cli"),
    ]});
    fs::write(evidence.join("trail.json"), trail.to_string()).unwrap();
    let logs = serde_json::json!({"events": [{
        "timestamp": 1_795_266_300_000_u64,
        "message": format!("GET /{} \u{202e}", "x".repeat(TEN_MB)),
        "logStreamName": format!("ecs/app/{HOSTILE_TASK}"),
    }]});
    fs::write(evidence.join("logs.json"), logs.to_string()).unwrap();
    fs::write(evidence.join("garbage.jsonl"), "z".repeat(TEN_MB)).unwrap();
    let (run, bundle) = import(&sandbox, &evidence, "big", 3);
    run.assert_stderr_has("(cloudtrail, 2 records)")
        .assert_stderr_has("(cloudwatch-logs, 1 records)")
        .assert_stderr_has("REJECTED")
        .assert_stderr_has("not JSON");
    let runs = read_only_runs(&sandbox, &bundle, Some(HOSTILE_TASK));
    runs.assert_all_succeed();
    runs.get("timeline table")
        .assert_stdout_has("\\x1b\\x1b\\x1b")
        .assert_stdout_has("GET /xxx");
    let mut app = console(&bundle);
    walk_console(&mut app, "10 MB strings");
    assert_outside_untouched(&sandbox);
}

#[test]
fn evidence_file_names_cannot_take_over_the_terminal() {
    let sandbox = Sandbox::new();
    let dir = sandbox.evidence();
    let evil = "trail\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}\nnext\u{9b}.json";
    let trail = serde_json::json!({"Records": [trail_record("StopTask", "aws-cli")]});
    fs::write(dir.join(evil), trail.to_string()).unwrap();
    fs::write(dir.join("notes\u{1b}[31m.txt"), "not evidence \u{1b}[5m").unwrap();
    let (run, bundle) = import(&sandbox, &dir, "names", 3);
    run.assert_stderr_has("trail\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}\\nnext\\x9b.json")
        .assert_stderr_has("REJECTED");
    let names: Vec<String> = fs::read_dir(bundle.join("raw"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for name in &names {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "artifact named {name:?}"
        );
    }
    read_only_runs(&sandbox, &bundle, Some(HOSTILE_TASK)).assert_all_succeed();
    let mut app = console(&bundle);
    walk_console(&mut app, "file names");
}

/// `count` gzip members of 1 MiB of zeros each, concatenated.
fn gzip_bomb(count: usize) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = encoder.finish().unwrap();
    member.repeat(count)
}

#[test]
fn gzip_bombs_are_refused_by_ratio() {
    use taskscope::import::decode::{BOMB_FLOOR_BYTES, MAX_GZIP_RATIO};
    let sandbox = Sandbox::new();
    // Past the floor at a ratio far above the cap: refused once the output
    // passes the floor, without inflating the rest.
    let members = (BOMB_FLOOR_BYTES >> 20) as usize + 16;
    let bomb = gzip_bomb(members);
    assert!(
        (bomb.len() as u64) * MAX_GZIP_RATIO < BOMB_FLOOR_BYTES,
        "the bomb must exceed the ratio"
    );
    let path = sandbox.evidence().join("bomb.json.gz");
    fs::write(&path, &bomb).unwrap();
    let (run, bundle) = import(&sandbox, &path, "bomb", 3);
    run.assert_stderr_has("REJECTED")
        .assert_stderr_has("refusing a possible decompression bomb")
        .assert_stderr_has(&format!("limit {MAX_GZIP_RATIO}x the compressed size"));
    // The bomb is kept as received (nothing handed over is lost) and verifies.
    read_only_runs(&sandbox, &bundle, None)
        .get("verify")
        .assert_code(0)
        .assert_stdout_has("ok: 3 artifacts"); // the bomb and the two derived indexes

    // A bundle whose imported input was swapped for the bomb: re-importing
    // refuses it again, the reader reports it, nothing hangs.
    let swapped = sandbox.work().join("swapped");
    fs::create_dir_all(swapped.join("raw")).unwrap();
    let (_, demo) = import(&sandbox, &demo_file("falco_alerts.ndjson"), "falco", 0);
    fs::copy(demo.join("manifest.json"), swapped.join("manifest.json")).unwrap();
    // The indexes stay: they no longer match the inputs, so the raw path runs.
    fs::create_dir_all(swapped.join("derived")).unwrap();
    fs::copy(demo.join(INDEX_PATH), swapped.join(INDEX_PATH)).unwrap();
    fs::copy(demo.join(CORRELATED_PATH), swapped.join(CORRELATED_PATH)).unwrap();
    let artifact = only_artifact(&demo);
    fs::write(swapped.join(&artifact), &bomb).unwrap();
    rewrite_manifest(&swapped, |manifest| {
        manifest.artifacts[0].size = bomb.len() as u64;
        manifest.artifacts[0].sha256 = sha256_hex(&bomb);
    });
    read_only_runs(&sandbox, &swapped, None).assert_all_succeed();
    let bundle = Bundle::open(&swapped).unwrap();
    let mut reader = RawReader::for_bundle(&bundle);
    let error = reader
        .record(&RawRef {
            artifact: 0,
            locator: "L1".into(),
        })
        .unwrap_err();
    assert!(error.to_string().contains("decompression bomb"), "{error}");
}

fn demo_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/demo/incident")
        .join(name)
}

/// The raw artifact of a bundle made from one input (the other artifacts
/// are the derived index and the correlated index).
fn only_artifact(bundle: &Path) -> String {
    let manifest = Bundle::open(bundle).unwrap().manifest;
    assert_eq!(manifest.inputs.len(), 1);
    assert_eq!(manifest.artifacts.len(), 3);
    manifest.inputs[0].artifact.clone()
}

fn rewrite_manifest(bundle: &Path, change: impl FnOnce(&mut Manifest)) {
    let path = bundle.join("manifest.json");
    let mut manifest: Manifest = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    change(&mut manifest);
    fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

#[test]
fn fifos_and_oversized_files_in_evidence_are_not_read() {
    let sandbox = Sandbox::new();
    let dir = sandbox.evidence();
    fs::copy(demo_file("falco_alerts.ndjson"), dir.join("falco.ndjson")).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let sparse = fs::File::create(dir.join("huge.json")).unwrap();
    sparse
        .set_len(taskscope::bundle::paths::MAX_FILE_BYTES + 1)
        .unwrap();
    symlink(sandbox.canary(), dir.join("link.json")).unwrap();
    let (run, bundle) = import(&sandbox, &dir, "evidence", 3);
    run.assert_stderr_has("not a regular file (FIFO, socket or device) inside a directory")
        .assert_stderr_has("the most a bundle file may hold: not imported")
        .assert_stderr_has("symbolic link inside a directory: not followed")
        .assert_stderr_has("(falco, 2 records)");
    read_only_runs(&sandbox, &bundle, None);
    assert_outside_untouched(&sandbox);
}

// ---------------------------------------------------------------------------
// Hostile bundles: traversal, links, FIFOs, oversized files, evil manifests

/// A copy of the demo bundle under `work/<name>`.
fn demo_copy(sandbox: &Sandbox, name: &str) -> PathBuf {
    let scratch = TempDir::new().unwrap();
    let source = demo_bundle(scratch.path());
    let target = sandbox.work().join(name);
    copy_tree(&source, &target);
    target
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Adds an input and an artifact at `path` (with the canary's hash) to the manifest.
fn list_artifact(bundle: &Path, path: &str, canary: &str) {
    rewrite_manifest(bundle, |manifest| {
        manifest
            .artifacts
            .push(taskscope::bundle::manifest::Artifact {
                path: path.to_string(),
                sha256: sha256_hex(canary.as_bytes()),
                size: canary.len() as u64,
            });
        let mut input = manifest.inputs[0].clone();
        input.artifact = path.to_string();
        input.source_path = path.to_string();
        manifest.inputs.push(input);
    });
}

/// Every way into a hostile bundle: the CLI commands, annotate, the
/// console's loader and the raw reader. Asserts the canary and tripwire are
/// never reached and nothing is written outside the bundle.
fn assert_bundle_contained(sandbox: &Sandbox, bundle: &Path, expect_warning: &str) -> Runs {
    let runs = read_only_runs(sandbox, bundle, Some(taskscope::demo::COMPROMISED_TASK));
    let tasks = runs.get("tasks table");
    if tasks.code == Some(0) {
        tasks.assert_stderr_has(expect_warning);
    } else {
        tasks.assert_code(1).assert_stderr_has(expect_warning);
    }
    let before = tree(sandbox.root());
    let annotate = sandbox.run(&[
        OsStr::new("annotate"),
        bundle.as_os_str(),
        "--task".as_ref(),
        taskscope::demo::COMPROMISED_TASK.as_ref(),
        "--mark".as_ref(),
    ]);
    annotate.assert_no_canary();
    let relative = bundle.strip_prefix(sandbox.root()).unwrap();
    for path in changed(&before, &tree(sandbox.root())) {
        assert!(
            path == relative.join("annotations.jsonl") || path == relative.join("manifest.json"),
            "annotate wrote {}",
            path.display()
        );
    }
    match taskscope::tui::load(bundle) {
        Ok(loaded) => {
            let mut app = console(bundle);
            walk_console(&mut app, &bundle.display().to_string());
            let mut reader = RawReader::new(loaded.data.bundle);
            for artifact in 0..reader.bundle().manifest.artifacts.len() {
                if let Ok(record) = reader.record(&RawRef {
                    artifact,
                    locator: "/Records/0".into(),
                }) {
                    assert!(
                        !record.to_string().contains(CANARY),
                        "raw reader left the bundle"
                    );
                }
            }
        }
        Err(message) => assert!(message.contains(expect_warning), "{message}"),
    }
    assert_outside_untouched(sandbox);
    runs
}

#[test]
fn manifest_paths_that_leave_the_bundle_are_refused() {
    let sandbox = Sandbox::new();
    let canary = canary_record();
    let absolute = sandbox.canary().display().to_string();
    let tripwire = sandbox.tripwire().display().to_string();
    let bad = [
        "../../outside/canary.json".to_string(),
        "raw/../../../outside/canary.json".to_string(),
        absolute,
        tripwire,
        "raw/./../../../outside/tripwire.json".to_string(),
        "raw\\..\\..\\..\\outside\\canary.json".to_string(),
        "raw/\0/canary.json".to_string(),
        String::new(),
    ];
    let bundle = demo_copy(&sandbox, "traversal");
    for path in &bad {
        list_artifact(&bundle, path, &canary);
    }
    let runs = assert_bundle_contained(&sandbox, &bundle, "is not a plain path inside the bundle");
    let verify = runs.get("verify");
    verify
        .assert_code(4)
        .assert_stdout_has("unsafe path in manifest: ../../outside/canary.json");
    assert_eq!(
        verify.stdout.matches("unsafe path in manifest").count(),
        bad.len()
    );
    // The raw reader refuses each listed path by index, too.
    let opened = Bundle::open(&bundle).unwrap();
    let indices: Vec<usize> = (0..opened.manifest.artifacts.len())
        .filter(|&i| bad.contains(&opened.manifest.artifacts[i].path))
        .collect();
    assert_eq!(indices.len(), bad.len());
    let mut reader = RawReader::new(opened);
    for artifact in indices {
        let error = reader
            .record(&RawRef {
                artifact,
                locator: "/Records/0".into(),
            })
            .unwrap_err();
        assert!(error.to_string().contains("cannot read"), "{error}");
    }
}

#[test]
fn symbolic_links_in_a_bundle_are_never_followed() {
    let sandbox = Sandbox::new();
    let canary = canary_record();

    // An artifact that is a link to a file outside.
    let bundle = demo_copy(&sandbox, "file_link");
    let artifact = Bundle::open(&bundle).unwrap().manifest.artifacts[0]
        .path
        .clone();
    fs::remove_file(bundle.join(&artifact)).unwrap();
    symlink(sandbox.canary(), bundle.join(&artifact)).unwrap();
    let runs = assert_bundle_contained(&sandbox, &bundle, "is a symbolic link: refused");
    runs.get("verify")
        .assert_code(4)
        .assert_stdout_has(&format!("symlink: {artifact}"));

    // The raw directory is a link to a directory outside holding look-alikes
    // (every artifact name, each holding the canary).
    let bundle = demo_copy(&sandbox, "dir_link");
    let decoys = sandbox.root().join("decoys");
    fs::create_dir(&decoys).unwrap();
    for entry in fs::read_dir(bundle.join("raw")).unwrap() {
        fs::write(decoys.join(entry.unwrap().file_name()), &canary).unwrap();
    }
    fs::remove_dir_all(bundle.join("raw")).unwrap();
    symlink(&decoys, bundle.join("raw")).unwrap();
    let runs = assert_bundle_contained(&sandbox, &bundle, "raw is a symbolic link: refused");
    runs.get("verify")
        .assert_code(4)
        .assert_stdout_has("symlink: raw (bundles hold regular files only)");
    runs.get("timeline json").assert_stdout_has("[]");

    // A link to the tripwire FIFO: opening it would block forever.
    let bundle = demo_copy(&sandbox, "fifo_link");
    list_artifact(&bundle, "raw/9999-tripwire.json", &canary);
    symlink(sandbox.tripwire(), bundle.join("raw/9999-tripwire.json")).unwrap();
    assert_bundle_contained(&sandbox, &bundle, "is a symbolic link: refused");

    // The manifest itself is a link (to a copy outside).
    let bundle = demo_copy(&sandbox, "manifest_link");
    let outside_manifest = sandbox.root().join("manifest-copy.json");
    fs::rename(bundle.join("manifest.json"), &outside_manifest).unwrap();
    symlink(&outside_manifest, bundle.join("manifest.json")).unwrap();
    let runs = assert_bundle_contained(&sandbox, &bundle, "is a symbolic link: refused");
    runs.get("verify").assert_code(1);

    // annotations.jsonl is a link to a file outside: annotate must not write through it.
    let bundle = demo_copy(&sandbox, "annotations_link");
    let outside_notes = sandbox.root().join("notes-outside.jsonl");
    fs::write(&outside_notes, "").unwrap();
    symlink(&outside_notes, bundle.join("annotations.jsonl")).unwrap();
    let annotate = sandbox.run(&[
        OsStr::new("annotate"),
        bundle.as_os_str(),
        "--task".as_ref(),
        taskscope::demo::COMPROMISED_TASK.as_ref(),
        "--note".as_ref(),
        "through the link?".as_ref(),
    ]);
    annotate.assert_code(1).assert_stderr_has(
        "annotations.jsonl does not match the manifest (it is not a regular file)",
    );
    assert_eq!(fs::read(&outside_notes).unwrap(), b"");
    assert_outside_untouched(&sandbox);
}

#[test]
fn fifos_and_oversized_files_in_a_bundle_are_refused_unread() {
    let sandbox = Sandbox::new();
    let bundle = demo_copy(&sandbox, "fifo");
    let artifact = Bundle::open(&bundle).unwrap().manifest.artifacts[0]
        .path
        .clone();
    fs::remove_file(bundle.join(&artifact)).unwrap();
    let made = Command::new("mkfifo")
        .arg(bundle.join(&artifact))
        .status()
        .unwrap();
    assert!(made.success());
    let runs = assert_bundle_contained(&sandbox, &bundle, "is not a regular file: refused");
    runs.get("verify")
        .assert_code(4)
        .assert_stdout_has(&format!("not a regular file: {artifact}"));

    let bundle = demo_copy(&sandbox, "fifo_manifest");
    fs::remove_file(bundle.join("manifest.json")).unwrap();
    let made = Command::new("mkfifo")
        .arg(bundle.join("manifest.json"))
        .status()
        .unwrap();
    assert!(made.success());
    let runs = assert_bundle_contained(&sandbox, &bundle, "is not a regular file: refused");
    runs.get("verify").assert_code(1);

    let bundle = demo_copy(&sandbox, "sparse");
    let artifact = Bundle::open(&bundle).unwrap().manifest.artifacts[1]
        .path
        .clone();
    let sparse = fs::File::create(bundle.join(&artifact)).unwrap();
    sparse
        .set_len(taskscope::bundle::paths::MAX_FILE_BYTES + 1)
        .unwrap();
    let runs = assert_bundle_contained(&sandbox, &bundle, "a bundle file may: refused");
    runs.get("verify")
        .assert_code(4)
        .assert_stdout_has("too large to read");
}

#[test]
fn manifest_strings_cannot_take_over_the_terminal() {
    let sandbox = Sandbox::new();
    let bundle = demo_copy(&sandbox, "evil_manifest");
    let evil = "\u{1b}]52;c;cm0gLXJm\u{7}\u{1b}[2J\u{202e}\u{9b}31m\u{0}";
    rewrite_manifest(&bundle, |manifest| {
        manifest.tool.name = format!("taskscope{evil}");
        manifest.tool.version = evil.to_string();
        manifest.created_at = format!("2026-11-20T15:00:00Z{evil}");
        manifest.collection.accounts.insert(evil.to_string());
        manifest.collection.regions.insert(evil.to_string());
        for input in &mut manifest.inputs {
            input.source_path = format!("{}{evil}", input.source_path);
            input.errors.push(format!("error {evil}"));
        }
    });
    read_only_runs(&sandbox, &bundle, Some(taskscope::demo::COMPROMISED_TASK)).assert_all_succeed();
    let mut app = console(&bundle);
    walk_console(&mut app, "evil manifest");

    // A manifest that is not a manifest: deep, not UTF-8, duplicate keys,
    // numbers out of range. Each is refused with a clear message.
    let broken: [(&str, Vec<u8>, &str); 4] = [
        (
            "deep",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            "not a valid manifest",
        ),
        (
            "utf8",
            b"{\"format\":\"taskscope-bundle\xff\"}".to_vec(),
            "not a valid manifest",
        ),
        (
            "dup",
            br#"{"format":"taskscope-bundle","format":"x"}"#.to_vec(),
            "duplicate field `format`",
        ),
        (
            "number",
            br#"{"format":"taskscope-bundle","format_version":1e999}"#.to_vec(),
            "not a valid manifest",
        ),
    ];
    for (name, bytes, message) in broken {
        let bundle = demo_copy(&sandbox, &format!("broken_{name}"));
        fs::write(bundle.join("manifest.json"), bytes).unwrap();
        for command in ["tasks", "verify", "timeline"] {
            sandbox
                .run(&[OsStr::new(command), bundle.as_os_str()])
                .assert_code(1)
                .assert_stderr_has(message);
        }
        let error = taskscope::tui::load(&bundle).err().expect("load refused");
        assert!(error.contains(message), "{error}");
    }
    assert_outside_untouched(&sandbox);
}

#[test]
fn a_manifest_listing_a_hundred_thousand_missing_artifacts_does_not_hang() {
    // Each input was looked up among the artifacts one by one: 10^10
    // comparisons, minutes of work for a 26 MB manifest.
    const COUNT: usize = 100_000;
    let sandbox = Sandbox::new();
    let bundle = demo_copy(&sandbox, "many");
    rewrite_manifest(&bundle, |manifest| {
        let template = manifest.inputs[0].clone();
        for index in 0..COUNT {
            let path = format!("raw/x{index:06}.json");
            manifest
                .artifacts
                .push(taskscope::bundle::manifest::Artifact {
                    path: path.clone(),
                    sha256: "0".repeat(64),
                    size: 1,
                });
            let mut input = template.clone();
            input.artifact = path.clone();
            input.source_path = path;
            manifest.inputs.push(input);
        }
    });
    let last = format!("raw/x{:06}.json", COUNT - 1);
    let bundle = bundle.as_os_str();
    sandbox
        .run(&[OsStr::new("tasks"), bundle])
        .assert_code(0)
        .assert_stderr_has(&format!("warning: {last}: "))
        .assert_stdout_has("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93");
    sandbox
        .run(&[OsStr::new("verify"), bundle])
        .assert_code(4)
        .assert_stdout_has(&format!("missing: {last}"));
}

#[test]
fn an_artifact_listed_by_many_inputs_is_imported_once() {
    // 20,000 inputs naming the largest demo artifact: each was re-imported,
    // a few hundred bytes of manifest costing 20 KB of parsing apiece.
    const COUNT: usize = 20_000;
    let sandbox = Sandbox::new();
    let bundle = demo_copy(&sandbox, "repeated");
    rewrite_manifest(&bundle, |manifest| {
        let largest = manifest
            .inputs
            .iter()
            .max_by_key(|input| manifest.artifact(&input.artifact).map_or(0, |a| a.size))
            .cloned()
            .expect("demo inputs");
        manifest.inputs.extend(std::iter::repeat_n(largest, COUNT));
    });
    let plain = demo_copy(&sandbox, "plain");
    let repeated = sandbox.run(&[OsStr::new("timeline"), bundle.as_os_str()]);
    let original = sandbox.run(&[OsStr::new("timeline"), plain.as_os_str()]);
    repeated.assert_code(0);
    assert_eq!(repeated.stdout, original.stdout);
}

#[test]
fn hostile_annotation_lines_are_shown_escaped() {
    let sandbox = Sandbox::new();
    let bundle = demo_copy(&sandbox, "notes");
    let task = taskscope::demo::COMPROMISED_TASK;
    let evil = "\u{1b}]52;c;cm0gLXJm\u{7}\u{1b}[2J\u{202e}\u{9b}31m";
    let mut lines: Vec<Vec<u8>> = [
        serde_json::json!({"time": "2026-11-20T15:00:00Z", "author": evil,
            "target": {"kind": "task", "id": task}, "action": {"kind": "note", "text": evil}}),
        serde_json::json!({"time": "2026-11-20T15:00:01Z", "author": "a",
            "target": {"kind": "task", "id": task}, "action": {"kind": "tag", "tag": evil}}),
        serde_json::json!({"time": "2026-11-20T15:00:02Z", "author": "a",
            "target": {"kind": evil, "id": task}, "action": {"kind": "mark"}}),
        serde_json::json!({"time": "-262143-01-01T00:00:00Z", "author": "a",
            "target": {"kind": "event", "anchor": evil}, "action": {"kind": "mark"}}),
        serde_json::json!({"time": "2026-11-20T15:00:03Z", "author": "a",
            "target": {"kind": "task", "id": task},
            "action": {"kind": "note", "text": "x".repeat(1 << 20)}}),
    ]
    .iter()
    .map(|line| line.to_string().into_bytes())
    .collect();
    lines.push(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes());
    lines.push(b"{\"time\":\"2026-11-20T15:00:04Z\",\"author\":\"\xff\xfe\"}".to_vec());
    lines.push(br#"{"author":"a","author":"b"}"#.to_vec());
    let content: Vec<u8> = lines.join(&b'\n');
    fs::write(bundle.join("annotations.jsonl"), &content).unwrap();
    rewrite_manifest(&bundle, |manifest| {
        manifest
            .artifacts
            .push(taskscope::bundle::manifest::Artifact {
                path: "annotations.jsonl".into(),
                sha256: sha256_hex(&content),
                size: content.len() as u64,
            });
    });
    let runs = read_only_runs(&sandbox, &bundle, Some(task));
    runs.assert_all_succeed();
    runs.get("notes")
        .assert_stdout_has("\\x1b]52;c;cm0gLXJm\\x07")
        .assert_stderr_has("annotations.jsonl line 2: the tag")
        .assert_stderr_has("annotations.jsonl line 6: not a valid annotation")
        .assert_stderr_has("annotations.jsonl line 7: not a valid annotation")
        .assert_stderr_has(
            "annotations.jsonl line 8: not a valid annotation: duplicate field `author`",
        );
    for format in TABLE_FORMATS {
        sandbox
            .run(&[
                OsStr::new("notes"),
                bundle.as_os_str(),
                "--format".as_ref(),
                format.as_ref(),
            ])
            .assert_code(0);
    }
    let mut app = console(&bundle);
    walk_console(&mut app, "hostile notes");
    annotate_stays_inside(&sandbox, &bundle, task);
}
