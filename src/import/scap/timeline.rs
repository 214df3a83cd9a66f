//! From syscall exits to timeline events, and the capture's summary record.

use super::capture::{Exit, Stats};
use super::event::Syscall;
use super::tables::Tables;
use crate::model::time::{format_time, from_epoch_nanos};
use crate::model::{Event, Key, RawRef, Source, Timestamp};

/// The instant of a capture timestamp (nanoseconds since the epoch).
pub fn time_of(nanos: u64) -> Option<Timestamp> {
    from_epoch_nanos(i128::from(nanos))
}

/// The timeline event of one exit, described with the tables as they
/// stood right after it. `None` when its timestamp is out of range.
pub fn exit_event(exit: &Exit, tables: &Tables, raw: RawRef) -> Option<Event> {
    let time = time_of(exit.time_ns)?;
    let thread = tables.threads.get(&exit.tid);
    let (kind, result, target) = match &exit.syscall {
        Syscall::Exec(exec) => (exec.name, exec.result, String::new()),
        Syscall::Network {
            name,
            result,
            tuple,
        } => (
            *name,
            *result,
            tuple.clone().unwrap_or_else(|| "(no address)".into()),
        ),
        Syscall::Open {
            name,
            result,
            path,
            dirfd,
            ..
        } => (
            *name,
            *result,
            format!(
                "{} for writing",
                tables.absolute_path(exit.tid, *dirfd, path)
            ),
        ),
        // Clones and directory changes only update the tables.
        Syscall::Clone(_) | Syscall::ExecEnter { .. } | Syscall::Chdir { .. } => return None,
    };
    let mut parts = vec![kind.to_string()];
    if !target.is_empty() {
        parts.push(target);
    }
    parts.push(format!("result {}", result_text(result)));
    if let Some(thread) = thread {
        parts.push(format!(
            "process {} [{}]",
            thread.executable(),
            thread.command_line()
        ));
    }
    let user = thread.and_then(|t| t.uid).map(|uid| tables.user_name(uid));
    if let Some(user) = &user {
        parts.push(format!("user {user}"));
    }
    if let Some(cwd) = thread.map(|t| t.cwd.as_str()).filter(|c| !c.is_empty()) {
        parts.push(format!("cwd {cwd}"));
    }
    let lineage = tables.lineage(exit.tid);
    if !lineage.is_empty() {
        parts.push(format!("parents {}", lineage.join(" ← ")));
    }
    let container = thread.and_then(|t| t.container.as_deref());
    if let Some(container) = container {
        parts.push(format!("container {container}"));
    }

    let mut event = Event::new(time, Source::Scap, kind, parts.join("; "), raw);
    let process = thread.map(|t| if t.comm.is_empty() { &t.exe } else { &t.comm });
    event.actor = match (user, process) {
        (Some(user), Some(process)) => Some(format!("{user} ({process})")),
        (user, process) => user.or(process.cloned()),
    };
    if let Some(container) = container {
        event.keys.push(Key::RuntimeId(container.to_string()));
    }
    let host = tables.hostname.as_deref().unwrap_or("");
    event.fact_id = Some(format!("scap:{host}:{}:{}:{kind}", exit.time_ns, exit.tid));
    Some(event)
}

/// The capture's summary record: host, time span, counts, containers and
/// processes. `None` for a capture without a single event (no time to put
/// it at).
pub fn summary_event(
    stats: &Stats,
    tables: &Tables,
    on_timeline: u64,
    raw: RawRef,
) -> Option<Event> {
    let (first, last) = stats.span?;
    let (start, end) = (time_of(first)?, time_of(last)?);
    let host = tables.hostname.as_deref().unwrap_or("(unknown host)");
    let mut text = format!(
        "capture of {host} from {} to {}: {} events, {on_timeline} on the timeline; {} processes",
        format_time(&start),
        format_time(&end),
        stats.events,
        stats.processes.len(),
    );
    if stats.containers.is_empty() {
        text.push_str("; no containers");
    } else {
        let containers: Vec<&str> = stats.containers.iter().map(String::as_str).collect();
        text.push_str(&format!("; containers {}", containers.join(", ")));
    }
    let skipped = [
        (stats.unknown_blocks, "blocks of an unknown type"),
        (stats.unknown_events, "events of an unknown type"),
        (stats.damaged_events, "damaged events"),
    ];
    for (count, what) in skipped {
        if count > 0 {
            text.push_str(&format!("; skipped {count} {what}"));
        }
    }
    let mut event = Event::new(start, Source::Scap, "capture", text, raw);
    event.actor = tables.hostname.clone();
    event.keys = stats
        .containers
        .iter()
        .map(|id| Key::RuntimeId(id.clone()))
        .collect();
    event.fact_id = Some(format!(
        "scap-capture:{host}:{first}:{last}:{}",
        stats.events
    ));
    Some(event)
}

/// A result as `0`, `3` or `-2 (ENOENT)`.
fn result_text(result: i64) -> String {
    match errno_name(result) {
        Some(name) => format!("{result} ({name})"),
        None => result.to_string(),
    }
}

/// The Linux name of a negated errno among those syscalls of these kinds
/// commonly return.
fn errno_name(result: i64) -> Option<&'static str> {
    Some(match -result {
        1 => "EPERM",
        2 => "ENOENT",
        11 => "EAGAIN",
        13 => "EACCES",
        17 => "EEXIST",
        20 => "ENOTDIR",
        21 => "EISDIR",
        30 => "EROFS",
        101 => "ENETUNREACH",
        110 => "ETIMEDOUT",
        111 => "ECONNREFUSED",
        115 => "EINPROGRESS",
        _ => return None,
    })
}
