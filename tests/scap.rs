//! Syscall captures (`.scap`): every shared capture imports, and its counts
//! of executions, network connections and files opened for writing match an
//! independent reader, Debian's sysdig 0.29 (which reads captures without a
//! kernel module). Also: the context each event carries, linking to a task
//! by container ID, the raw view, and empty, truncated and hostile captures.

use flate2::read::MultiGzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use taskscope::correlate::Incident;
use taskscope::import::scap::{Capture, Syscall};
use taskscope::import::{import_bytes, FileImport, FileStatus};
use taskscope::model::{Container, LinkReason, Source, TaskFacts};

/// The sysdig filters whose counts ours must match. An exit (`evt.dir=<`)
/// of each kind, whatever its result; for opens, `evt.is_open_write` is the
/// write bit of the flags (`O_WRONLY`, set in `O_RDWR` too) and `creat`
/// always writes.
const SYSDIG_FILTERS: [(&str, &str); 3] = [
    ("exec", "evt.type in (execve,execveat) and evt.dir=<"),
    (
        "network",
        "evt.type in (connect,accept,accept4) and evt.dir=<",
    ),
    (
        "write",
        "evt.type in (open,openat,openat2,creat) and evt.dir=< and \
         (evt.is_open_write=true or evt.type=creat)",
    ),
];

/// Counts (exec, network, write) per capture, as sysdig 0.29.3 (Debian
/// bookworm) counted them with [`SYSDIG_FILTERS`]. Kept here so that the
/// counts are still checked where sysdig is not installed.
/// `libs_curl_google_comments.scap` carries section header options, which
/// sysdig 0.29 cannot read: its counts come from a copy without them.
const SYSDIG_COUNTS: [(&str, [usize; 3]); 11] = [
    ("falco_cat_write.scap", [1, 0, 0]),
    ("falco_connect_localhost.scap", [0, 1, 0]),
    ("falco_empty.scap", [0, 0, 0]),
    ("falco_psp_privileged.scap", [0, 0, 0]),
    ("falco_psp_run_as_user_0_container.scap", [1, 0, 0]),
    ("falco_psp_write_tmp_test.scap", [0, 0, 1]),
    ("falco_syscall.scap", [0, 0, 0]),
    ("libs_curl_google.scap", [1, 4, 0]),
    ("libs_curl_google_comments.scap", [1, 4, 0]),
    ("libs_sample.scap", [0, 0, 0]),
    ("libs_single_ipv6_conn.scap", [0, 4, 0]),
];

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/scap")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(captures().join(name)).expect("shared capture")
}

/// The decompressed content of a capture file (some are not compressed).
fn inflate(bytes: &[u8]) -> Vec<u8> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return bytes.to_vec();
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

/// Our counts of timeline events per class.
fn our_counts(imported: &FileImport) -> [usize; 3] {
    let count = |kinds: &[&str]| {
        imported
            .events
            .iter()
            .filter(|e| e.source == Source::Scap && kinds.contains(&e.kind.as_str()))
            .count()
    };
    [
        count(&["execve", "execveat"]),
        count(&["connect", "accept", "accept4"]),
        count(&["open", "openat", "openat2", "creat"]),
    ]
}

fn sysdig_installed() -> bool {
    Command::new("sysdig").arg("--version").output().is_ok()
}

/// sysdig's count of events matching `filter` in the capture at `path`.
fn sysdig_count(path: &Path, filter: &str) -> usize {
    let output = Command::new("sysdig")
        .arg("-r")
        .arg(path)
        .arg(filter)
        .output()
        .expect("sysdig runs");
    assert!(
        output.status.success(),
        "sysdig failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).lines().count()
}

/// A copy of the capture with its section header options removed (sysdig
/// 0.29 predates them), written to a file sysdig can read.
fn without_header_options(content: &[u8], dir: &Path, name: &str) -> PathBuf {
    let header_length = u32::from_le_bytes(content[4..8].try_into().unwrap()) as usize;
    let mut copy = Vec::new();
    copy.extend_from_slice(&content[..4]);
    copy.extend_from_slice(&28u32.to_le_bytes());
    copy.extend_from_slice(&content[8..24]);
    copy.extend_from_slice(&28u32.to_le_bytes());
    copy.extend_from_slice(&content[header_length..]);
    let path = dir.join(name);
    std::fs::write(&path, copy).unwrap();
    path
}

#[test]
fn every_capture_counts_what_sysdig_counts() {
    if !sysdig_installed() {
        eprintln!(
            "\n!!! SKIPPED: sysdig is not installed, so the captures are not compared with \
             an independent reader now (the recorded sysdig counts are still checked). \
             Install it with `apt-get install sysdig`.\n"
        );
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    for (name, _) in SYSDIG_COUNTS {
        let bytes = read(name);
        let content = inflate(&bytes);
        let header_length = u32::from_le_bytes(content[4..8].try_into().unwrap());
        let path = if header_length > 28 {
            without_header_options(&content, scratch.path(), name)
        } else {
            captures().join(name)
        };
        let theirs = SYSDIG_FILTERS.map(|(_, filter)| sysdig_count(&path, filter));
        let ours = our_counts(&import_bytes(&bytes, 0));
        assert_eq!(
            ours, theirs,
            "{name}: (exec, network, write) ours vs sysdig's"
        );
    }
}

#[test]
fn every_capture_imports_with_the_recorded_sysdig_counts() {
    let mut files: Vec<String> = std::fs::read_dir(captures())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let listed: Vec<&str> = SYSDIG_COUNTS.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, listed, "every shared capture has recorded counts");
    for (name, counts) in SYSDIG_COUNTS {
        let imported = import_bytes(&read(name), 0);
        assert_eq!(
            imported.status(),
            FileStatus::Imported,
            "{name}: {:?}",
            imported.errors
        );
        assert_eq!(our_counts(&imported), counts, "{name}");
        let summaries = imported
            .events
            .iter()
            .filter(|e| e.kind == "capture")
            .count();
        assert_eq!(summaries, 1, "{name}: one summary record");
        // Each timeline event and the summary are records.
        assert_eq!(imported.records, counts.iter().sum::<usize>() + 1, "{name}");
    }
}

#[test]
fn events_carry_the_process_user_directory_lineage_and_container() {
    let imported = import_bytes(&read("falco_psp_run_as_user_0_container.scap"), 7);
    let exec = imported.events.iter().find(|e| e.kind == "execve").unwrap();
    // As sysdig shows it: /bin/ls, "ls", user root, cwd /, parent bash(25754),
    // container 697956520d89 (sysdig's 12 characters of the runtime ID).
    for part in [
        "result 0",
        "process /bin/ls [ls]",
        "user root",
        "cwd /",
        "parents bash(25754)",
        "container 697956520d89",
    ] {
        assert!(exec.summary.contains(part), "{part:?} in {}", exec.summary);
    }
    assert_eq!(exec.actor.as_deref(), Some("root (ls)"));
    assert_eq!(exec.raw[0].artifact, 7);
    assert!(exec.raw[0].locator.starts_with('B'));

    let written = import_bytes(&read("falco_psp_write_tmp_test.scap"), 0);
    let open = written.events.iter().find(|e| e.kind == "open").unwrap();
    assert!(
        open.summary
            .starts_with("open; /tmp/test for writing; result 3"),
        "{}",
        open.summary
    );

    let ipv6 = import_bytes(&read("libs_single_ipv6_conn.scap"), 0);
    let accept = ipv6.events.iter().find(|e| e.kind == "accept").unwrap();
    assert!(
        accept
            .summary
            .contains("[2001:db8::4]:54405->[2001:db8::3]:1234"),
        "{}",
        accept.summary
    );
    let unix = ipv6.events.iter().find(|e| e.kind == "connect").unwrap();
    assert!(
        unix.summary.contains("unix /var/run/nscd/socket"),
        "{}",
        unix.summary
    );
    assert!(
        unix.summary.contains("result -2 (ENOENT)"),
        "{}",
        unix.summary
    );

    let curl = import_bytes(&read("libs_curl_google.scap"), 0);
    let exec = curl.events.iter().find(|e| e.kind == "execve").unwrap();
    assert!(
        exec.summary.contains("[curl -6 http://www.google.com]"),
        "{}",
        exec.summary
    );
    assert!(
        exec.summary.contains("cwd /home/ubuntu"),
        "{}",
        exec.summary
    );
}

#[test]
fn the_summary_names_host_span_counts_and_containers() {
    let imported = import_bytes(&read("falco_psp_run_as_user_0_container.scap"), 0);
    let summary = imported
        .events
        .iter()
        .find(|e| e.kind == "capture")
        .unwrap();
    assert!(
        summary.summary.contains("4143 events, 1 on the timeline"),
        "{}",
        summary.summary
    );
    assert!(
        summary.summary.contains("containers 697956520d89"),
        "{}",
        summary.summary
    );
    assert!(!summary.keys.is_empty());
}

#[test]
fn events_link_to_the_task_running_their_container() {
    let imported = import_bytes(&read("falco_psp_run_as_user_0_container.scap"), 0);
    let exec = imported.events.iter().find(|e| e.kind == "execve").unwrap();
    let runtime_id = exec.summary.split("container ").nth(1).unwrap().to_string();
    assert_eq!(runtime_id.len(), 64, "the full runtime ID: {runtime_id}");
    let mut task = TaskFacts::new("0123456789abcdef0123456789abcdef");
    task.containers.push(Container {
        name: "web".into(),
        runtime_id: Some(runtime_id),
        ..Container::default()
    });
    let incident = Incident::build(imported.events, vec![task]);
    let linked: Vec<&str> = incident.timelines[0]
        .iter()
        .map(|&i| incident.events[i].kind.as_str())
        .collect();
    assert_eq!(linked, ["capture", "execve"]);
    let exec = incident.events.iter().find(|e| e.kind == "execve").unwrap();
    assert_eq!(exec.links[0].reason, LinkReason::RuntimeId);
}

#[test]
fn the_raw_view_decodes_the_block_an_event_points_at() {
    let bytes = read("libs_curl_google.scap");
    let imported = import_bytes(&bytes, 0);
    let exec = imported.events.iter().find(|e| e.kind == "execve").unwrap();
    let record = taskscope::raw::resolve(&bytes, &exec.raw[0].locator).unwrap();
    assert_eq!(record["event"]["event_type"], 231);
    assert_eq!(record["event"]["decoded"]["exec"]["exe"], "curl");
    assert!(record["body_hex"].as_str().unwrap().len() > 100);
    let header = taskscope::raw::resolve(&bytes, "B0").unwrap();
    assert_eq!(header["section_header"]["byte_order"], "little");
    assert!(taskscope::raw::resolve(&bytes, "B3").is_err());
}

#[test]
fn a_capture_without_events_imports_with_an_empty_summary() {
    let imported = import_bytes(&read("falco_empty.scap"), 0);
    assert_eq!(imported.status(), FileStatus::Imported);
    let summary = imported
        .events
        .iter()
        .find(|e| e.kind == "capture")
        .unwrap();
    assert!(
        summary.summary.contains(", 0 on the timeline"),
        "{}",
        summary.summary
    );

    // Only the section header and the metadata: no event at all.
    let content = inflate(&read("falco_cat_write.scap"));
    let first_event = first_event_offset(&content);
    let headers_only = import_bytes(&content[..first_event], 0);
    assert_eq!(
        headers_only.status(),
        FileStatus::Imported,
        "{:?}",
        headers_only.errors
    );
    assert_eq!(headers_only.records, 1);
    assert!(headers_only.events.is_empty());
}

/// The offset of the first event block.
fn first_event_offset(content: &[u8]) -> usize {
    let mut offset = 0;
    loop {
        let kind = u32::from_le_bytes(content[offset..offset + 4].try_into().unwrap());
        if [0x204, 0x216].contains(&kind) {
            return offset;
        }
        offset += u32::from_le_bytes(content[offset + 4..offset + 8].try_into().unwrap()) as usize;
    }
}

#[test]
fn a_truncated_capture_keeps_what_was_read_and_is_partial() {
    let content = inflate(&read("libs_curl_google.scap"));
    let whole = our_counts(&import_bytes(&content, 0));
    let mut earlier_total = 0;
    for cut in [content.len() / 2, content.len() - 5] {
        let imported = import_bytes(&content[..cut], 0);
        assert_eq!(imported.status(), FileStatus::Partial, "cut at {cut}");
        let message = imported.errors[0].to_string();
        assert!(message.contains("truncated"), "{message}");
        let counts = our_counts(&imported);
        let total: usize = counts.iter().sum();
        assert!(
            total >= earlier_total && total <= whole.iter().sum(),
            "{counts:?}"
        );
        earlier_total = total;
    }
    assert!(earlier_total > 0);
}

#[test]
fn hostile_captures_are_errors_never_panics() {
    let content = inflate(&read("falco_cat_write.scap"));
    let first_event = first_event_offset(&content);
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, length) in [
        ("zero length", 0u32),
        ("shorter than its header", 8),
        ("huge", u32::MAX - 3),
        ("past the end", 1 << 20),
    ] {
        let mut bad = content.clone();
        bad[first_event + 4..first_event + 8].copy_from_slice(&length.to_le_bytes());
        cases.push((name.into(), bad));
    }
    let mut trailer = content.clone();
    let length = u32::from_le_bytes(
        content[first_event + 4..first_event + 8]
            .try_into()
            .unwrap(),
    );
    let end = first_event + length as usize;
    trailer[end - 4..end].copy_from_slice(&7u32.to_le_bytes());
    cases.push(("trailer differs".into(), trailer));
    // An event whose own length runs past its block.
    let mut event_length = content.clone();
    event_length[first_event + 26..first_event + 30].copy_from_slice(&u32::MAX.to_le_bytes());
    cases.push(("event length".into(), event_length));
    let mut garbage = content[..first_event].to_vec();
    garbage.extend((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    cases.push(("garbage after the metadata".into(), garbage));

    for (name, bytes) in cases {
        let imported = import_bytes(&bytes, 0);
        assert_eq!(
            imported.status(),
            FileStatus::Partial,
            "{name}: {:?}",
            imported.errors
        );
        assert!(!imported.errors.is_empty(), "{name}");
    }
}

#[test]
fn unknown_blocks_and_event_types_are_skipped_and_counted() {
    let content = inflate(&read("falco_cat_write.scap"));
    let first_event = first_event_offset(&content);
    let mut changed = content[..first_event].to_vec();
    // An unknown block type, then an event of a type beyond the table.
    changed.extend_from_slice(&0x7777u32.to_le_bytes());
    changed.extend_from_slice(&16u32.to_le_bytes());
    changed.extend_from_slice(&[1, 2, 3, 4]);
    changed.extend_from_slice(&16u32.to_le_bytes());
    let length = u32::from_le_bytes(
        content[first_event + 4..first_event + 8]
            .try_into()
            .unwrap(),
    );
    let mut unknown_event = content[first_event..first_event + length as usize].to_vec();
    // Block header (8), CPU (2), timestamp (8), thread (8), length (4), then the type.
    unknown_event[30..32].copy_from_slice(&60000u16.to_le_bytes());
    changed.extend_from_slice(&unknown_event);
    changed.extend_from_slice(&content[first_event..]);

    let imported = import_bytes(&changed, 0);
    assert_eq!(
        imported.status(),
        FileStatus::Imported,
        "{:?}",
        imported.errors
    );
    assert_eq!(our_counts(&imported), [1, 0, 0]);
    let summary = imported
        .events
        .iter()
        .find(|e| e.kind == "capture")
        .unwrap();
    assert!(
        summary
            .summary
            .contains("skipped 1 blocks of an unknown type"),
        "{}",
        summary.summary
    );
    assert!(
        summary
            .summary
            .contains("skipped 1 events of an unknown type"),
        "{}",
        summary.summary
    );
}

#[test]
fn the_reader_follows_clones_into_the_process_table() {
    let content = inflate(&read("libs_curl_google.scap"));
    let mut capture = Capture::open(content.as_slice()).unwrap();
    let mut exits = Vec::new();
    while let Some(exit) = capture.next_exit().unwrap() {
        exits.push(exit);
    }
    let exec = exits
        .iter()
        .find(|exit| matches!(exit.syscall, Syscall::Exec(_)))
        .unwrap();
    // curl was forked by bash (3200) before it ran execve.
    let thread = &capture.tables.threads[&exec.tid];
    assert_eq!(thread.ptid, 3200);
    assert_eq!(capture.tables.threads[&3200].comm, "bash");
    assert!(capture.stats.processes.len() > 1);
}
