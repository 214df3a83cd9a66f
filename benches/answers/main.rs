//! Instant answers at any size: whole `taskscope` processes (the release
//! binary), as a user runs them, each beside its peer in the same run.
//!
//! For each size N (events), in a temporary directory (`TMPDIR` to move it):
//!
//! - `taskscope gen --events N --out in` writes the incident;
//! - **import**: `zcat -f` over every file gen wrote (gzip files decompressed,
//!   the others copied), output discarded, against
//!   `taskscope import in --out bundle`; the two alternate, median of 3 each;
//! - **tasks**: `taskscope tasks bundle`, output discarded, median of 3;
//! - **timeline**: the busiest task (most events in
//!   `taskscope tasks bundle --format json`), then
//!   `taskscope timeline bundle --task ID`, output discarded, median of 3,
//!   against `lnav -n -c ':filter-in ID' records.jsonl` on the same records
//!   as JSON lines (each CloudTrail record, ECS task, log event, GuardDuty
//!   finding and Falco alert on a line of its own), which prints the matching
//!   lines, discarded; skipped with a note when `lnav` is not on the PATH.
//!
//! - **console**: `taskscope open bundle` on a pseudo-terminal of 160x48,
//!   from the spawn until the task list is drawn, with the peak resident
//!   memory at that moment, median of 3 (benches/answers/console_frame.rs).
//!
//! Wall time is measured around each process. Peak resident memory is the
//! `ru_maxrss` that `wait4` returns for the child (libc), which on Linux
//! covers the child and any descendant it waited for.
//! For medians, the figures are those of the median run by wall time, and
//! the peak is the highest of the runs.
//!
//! Run: `cargo bench --bench answers` (ANSWERS_BENCH_EVENTS=N, or a comma
//! list such as 1000000,10000000; default 1,000,000). With more than one
//! size, a last row compares the import's peak memory at the largest and
//! smallest size. Disk, one size at a time: gen's files (about 145 MB per
//! million events), the bundle, and the JSON lines (about 1.1 GB per million).

mod console_frame;

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_taskscope");
const RUNS: usize = 3;
/// Peak memory allowed to `tasks` and `timeline`: 256 MB.
const MEMORY_CEILING: u64 = 256_000_000;
/// Wall time allowed to `tasks`, in seconds.
const TASKS_SECONDS: f64 = 0.5;
/// Wall time allowed to `timeline --task`, in seconds.
const TIMELINE_SECONDS: f64 = 0.2;
/// First-frame time and memory allowed to the console below
/// [`LARGE_EVENTS`]: 0.5 s, 256 MB; at and above it: 3 s, 1 GB.
const FIRST_FRAME: [(f64, u64); 2] = [(0.5, 256_000_000), (3.0, 1_000_000_000)];
/// The size from which the large targets apply.
const LARGE_EVENTS: u64 = 10_000_000;
/// Import time allowed, as a multiple of zcat's.
const IMPORT_VS_ZCAT: f64 = 2.0;
/// Timeline time allowed, as a multiple of lnav's filter.
const TIMELINE_VS_LNAV: f64 = 0.5;
/// Import peak memory allowed at the largest size, as a multiple of the
/// smallest size's ("flat memory").
const FLAT_MEMORY: f64 = 1.5;

/// One whole process: its wall time, CPU time and peak resident memory.
#[derive(Clone, Copy)]
struct Run {
    seconds: f64,
    cpu_seconds: f64,
    peak_bytes: u64,
}

impl Run {
    /// `1.86 s (cpu 1.70 s), 1370 MB`.
    fn figure(&self) -> String {
        format!(
            "{:.3} s (cpu {:.2} s), {:.0} MB",
            self.seconds,
            self.cpu_seconds,
            self.peak_bytes as f64 / 1e6
        )
    }
}

/// Runs `command` to completion with its output discarded (stderr is
/// shown) and measures it; panics when it cannot start or does not exit 0.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reports its resource use"
)]
fn measure(command: &mut Command) -> Run {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, for which all zero bytes are valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (the `Child` is never
    // waited on, so it is reaped once, here); both pointers are valid.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed (wait status {status})"
    );
    let time = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Run {
        seconds,
        cpu_seconds: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports it in KiB.
        peak_bytes: usage.ru_maxrss as u64 * 1024,
    }
}

/// The run with the median wall time, with the highest peak of all runs.
fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let peak_bytes = runs.iter().map(|r| r.peak_bytes).max().unwrap_or(0);
    Run {
        peak_bytes,
        ..runs[runs.len() / 2]
    }
}

/// Every file under `dir`, recursively, in name order, relative to `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in std::fs::read_dir(dir.join(&relative)).expect("read dir") {
            let entry = entry.expect("dir entry");
            let path = relative.join(entry.file_name());
            if entry.file_type().expect("file type").is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Writes every record of gen's files under `dir` to `out` as JSON lines:
/// JSON-lines files as they are, and each element of a document's `Records`
/// (CloudTrail), `tasks` (ECS) or `events` (CloudWatch Logs) array.
fn write_json_lines(dir: &Path, inputs: &[PathBuf], out: &Path) {
    let mut out = BufWriter::new(std::fs::File::create(out).expect("create JSON lines"));
    for input in inputs {
        let file = std::fs::File::open(dir.join(input)).expect("open generated file");
        let name = input.to_string_lossy();
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            std::io::copy(&mut BufReader::new(file), &mut out).expect("copy JSON lines");
            continue;
        }
        let mut text = Vec::new();
        if name.ends_with(".gz") {
            flate2::read::GzDecoder::new(file).read_to_end(&mut text)
        } else {
            BufReader::new(file).read_to_end(&mut text)
        }
        .expect("read generated file");
        let document: serde_json::Value =
            serde_json::from_slice(&text).expect("generated file is JSON");
        let records = ["Records", "tasks", "events"]
            .iter()
            .find_map(|key| document[key].as_array())
            .unwrap_or_else(|| panic!("no records in {name}"));
        for record in records {
            writeln!(out, "{record}").expect("write JSON lines");
        }
    }
    out.flush().expect("write JSON lines");
}

/// The ID of the task with the most events, and its event count, from
/// `taskscope tasks BUNDLE --format json`.
fn busiest_task(bundle: &Path) -> (String, u64) {
    let output = Command::new(BIN)
        .arg("tasks")
        .arg(bundle)
        .args(["--format", "json"])
        .output()
        .expect("taskscope tasks runs");
    assert!(
        output.status.success(),
        "taskscope tasks --format json failed"
    );
    let tasks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("tasks JSON");
    tasks
        .iter()
        .map(|task| {
            let events = task["events"].as_object().map_or(0, |counts| {
                counts.values().filter_map(serde_json::Value::as_u64).sum()
            });
            (task["id"].as_str().unwrap_or_default().to_owned(), events)
        })
        .max_by_key(|(_, events)| *events)
        .expect("the bundle has tasks")
}

/// Whether `lnav` can be run.
fn lnav_installed() -> bool {
    Command::new("lnav")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `1M`, `200k`, or the number.
fn size_label(events: u64) -> String {
    match events {
        n if n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// `met` or `missed`.
fn verdict(met: bool) -> String {
    if met { "met" } else { "missed" }.to_owned()
}

/// One row of the table: measure, taskscope, peer, ratio, target, verdict.
type Row = [String; 6];

/// Measures one size and returns its rows and the import's peak memory.
fn measure_size(events: u64, lnav: bool) -> (Vec<Row>, u64) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let input = dir.path().join("in");
    let bundle = dir.path().join("bundle");
    let label = size_label(events);

    measure(
        Command::new(BIN)
            .args(["gen", "--events", &events.to_string(), "--out"])
            .arg(&input),
    );
    let inputs = files(&input);
    let mut zcat_runs = Vec::new();
    let mut import_runs = Vec::new();
    for run in 0..RUNS {
        zcat_runs.push(measure(
            Command::new("zcat")
                .arg("-f")
                .args(&inputs)
                .current_dir(&input),
        ));
        if run > 0 {
            std::fs::remove_dir_all(&bundle).expect("remove the previous bundle");
        }
        import_runs.push(measure(
            Command::new(BIN)
                .arg("import")
                .arg(&input)
                .arg("--out")
                .arg(&bundle),
        ));
    }
    let (zcat, import) = (median(zcat_runs), median(import_runs));
    let import_ratio = import.seconds / zcat.seconds;

    let tasks = median(
        (0..RUNS)
            .map(|_| measure(Command::new(BIN).arg("tasks").arg(&bundle)))
            .collect(),
    );
    let (task, task_events) = busiest_task(&bundle);
    let timeline = median(
        (0..RUNS)
            .map(|_| {
                measure(
                    Command::new(BIN)
                        .arg("timeline")
                        .arg(&bundle)
                        .args(["--task", &task]),
                )
            })
            .collect(),
    );
    let filter = lnav.then(|| {
        let jsonl = dir.path().join("records.jsonl");
        write_json_lines(&input, &inputs, &jsonl);
        median(
            (0..RUNS)
                .map(|_| {
                    measure(
                        Command::new("lnav")
                            .args(["-n", "-c", &format!(":filter-in {task}")])
                            .arg(&jsonl),
                    )
                })
                .collect(),
        )
    });
    let mut frames: Vec<console_frame::FirstFrame> = (0..RUNS)
        .map(|_| console_frame::first_frame(BIN, &bundle))
        .collect();
    frames.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let frame_peak = frames.iter().map(|f| f.peak_bytes).max().unwrap_or(0);
    let frame_seconds = frames[frames.len() / 2].seconds;
    let (frame_limit, frame_memory) = FIRST_FRAME[usize::from(events >= LARGE_EVENTS)];
    println!(
        "{label}: {} files from gen; busiest task {task} ({task_events} events)",
        inputs.len()
    );

    let timeline_fast = timeline.seconds <= TIMELINE_SECONDS
        && timeline.peak_bytes <= MEMORY_CEILING
        && filter.is_none_or(|f| timeline.seconds <= TIMELINE_VS_LNAV * f.seconds);
    let rows = vec![
        [
            format!("import, {label} events"),
            import.figure(),
            format!("zcat {}", zcat.figure()),
            format!("{import_ratio:.2}x"),
            format!("≤ {IMPORT_VS_ZCAT}x zcat"),
            verdict(import_ratio <= IMPORT_VS_ZCAT),
        ],
        [
            format!("tasks, {label}"),
            tasks.figure(),
            "-".into(),
            "-".into(),
            format!("≤ {TASKS_SECONDS} s, ≤ 256 MB"),
            verdict(tasks.seconds <= TASKS_SECONDS && tasks.peak_bytes <= MEMORY_CEILING),
        ],
        [
            format!("timeline --task, {label}"),
            timeline.figure(),
            filter.map_or("lnav not installed".into(), |f| {
                format!("lnav filter-in {}", f.figure())
            }),
            filter.map_or("-".into(), |f| {
                format!("{:.2}x", timeline.seconds / f.seconds)
            }),
            format!("≤ {TIMELINE_SECONDS} s, ≤ 256 MB, ≤ {TIMELINE_VS_LNAV}x lnav"),
            verdict(timeline_fast),
        ],
        [
            format!("console first frame, {label}"),
            format!("{frame_seconds:.3} s, {:.0} MB", frame_peak as f64 / 1e6),
            "-".into(),
            "-".into(),
            format!("≤ {frame_limit} s, ≤ {:.0} MB", frame_memory as f64 / 1e6),
            verdict(frame_seconds <= frame_limit && frame_peak <= frame_memory),
        ],
    ];
    (rows, import.peak_bytes)
}

fn main() {
    let sizes: Vec<u64> = std::env::var("ANSWERS_BENCH_EVENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000_000]);
    let lnav = lnav_installed();
    if !lnav {
        println!("note: lnav is not installed (apt-get install lnav): its filter is skipped");
    }
    let header: Row = ["measure", "taskscope", "peer", "ratio", "target", ""].map(String::from);
    let mut rows = vec![header];
    let mut import_peaks = Vec::new();
    for &events in &sizes {
        let (size_rows, import_peak) = measure_size(events, lnav);
        rows.extend(size_rows);
        import_peaks.push((events, import_peak));
    }
    if let (Some(&(small, first)), Some(&(large, last))) =
        (import_peaks.iter().min(), import_peaks.iter().max())
    {
        if large > small {
            let ratio = last as f64 / first as f64;
            rows.push([
                format!("import peak, {} / {}", size_label(large), size_label(small)),
                format!("{:.0} MB / {:.0} MB", last as f64 / 1e6, first as f64 / 1e6),
                "-".into(),
                format!("{ratio:.2}x"),
                format!("≤ {FLAT_MEMORY}x"),
                verdict(ratio <= FLAT_MEMORY),
            ]);
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}
