//! What the console shows, loaded and indexed once, off the UI thread: the
//! bundle, its correlated incident, and the derived lists every view reads
//! (per-task statistics, the findings board order, filter haystacks).

use super::filter::Haystacks;
use crate::bundle::custody::{self, Handoff};
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::inspect::context::ContextIndex;
use crate::model::{Event, Key, Source, TaskSummary, Timestamp};
use crate::raw::RawReader;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

/// Buckets in a task's activity sparkline (resampled to the column width).
pub const SPARK_BUCKETS: usize = 24;

/// Per-task figures for the tasks view.
#[derive(Debug, Clone, Default)]
pub struct TaskStats {
    /// The task's severity, counts per source and window.
    pub summary: TaskSummary,
    /// Event counts over the incident window, for the sparkline.
    pub activity: Vec<u64>,
}

/// Everything loaded from one bundle. Immutable once built; shared with workers.
pub struct Data {
    /// The opened bundle (root and manifest).
    pub bundle: Bundle,
    /// The correlated incident.
    pub incident: Incident,
    /// What could not be read while loading (shown in the status line).
    pub problems: Vec<String>,
    /// The bundle's custody log, oldest first (shown in the task context pane).
    pub custody: Vec<Handoff>,
    /// Statistics per task, indexed like `incident.tasks`.
    pub stats: Vec<TaskStats>,
    /// Findings, most severe first, then by type and time (event indices).
    pub findings: Vec<u32>,
    /// First and last event time of the whole incident.
    pub window: Option<(Timestamp, Timestamp)>,
    /// Searchable text per event (source, kind, summary, actor, key
    /// values, `tactic:` and `technique:` words), built on first use: see [`Data::event_text`].
    event_text: OnceLock<Haystacks>,
    /// What task contexts are worked out from, once gathered: see
    /// [`Data::context_index`].
    context_index: OnceLock<ContextIndex>,
    /// Searchable text per task: IDs, ARN, cluster, service, status, and
    /// `account:<ID> region:<name>` from its ARN.
    pub task_text: Haystacks,
    /// Each task's account and region (from its ARN), indexed like `incident.tasks`.
    pub places: Vec<Option<(String, String)>>,
    /// True when the tasks run in more than one account: the task list and
    /// the timeline header then name each task's account.
    pub multi_account: bool,
}

impl Data {
    /// The event at `index`, as the screens' lists hold it: the one place
    /// the screens read an event from, so that where events live can change.
    pub fn event(&self, index: u32) -> &Event {
        &self.incident.events[index as usize]
    }

    /// The time of the event at `index`, without reading a stored event.
    pub fn time(&self, index: u32) -> Timestamp {
        self.incident
            .events
            .time(index as usize)
            .unwrap_or_default()
    }

    /// The source of the event at `index`, without reading a stored event.
    pub fn source(&self, index: u32) -> Option<Source> {
        self.incident.events.source(index as usize)
    }

    /// Derives the views' lists from an opened bundle and its incident.
    /// Events the incident keeps in its store are not read here: the lists
    /// come from the store's time and findings columns and task summaries.
    pub fn new(bundle: Bundle, incident: Incident, mut problems: Vec<String>) -> Data {
        let (handoffs, unreadable) = custody::load(&bundle);
        problems.extend(unreadable);
        let events = &incident.events;
        let window = events
            .time(0)
            .zip(
                events
                    .len()
                    .checked_sub(1)
                    .and_then(|last| events.time(last)),
            )
            .map(|(a, b)| (a.min(b), a.max(b)));
        let activity_window = activity_window(&incident, window);
        let stats = incident
            .timelines
            .iter()
            .enumerate()
            .map(|(task, timeline)| task_stats(&incident, task, timeline, activity_window))
            .collect();
        let findings = events.findings().unwrap_or_else(|reason| {
            problems.push(format!("the findings could not be listed: {reason}"));
            Vec::new()
        });
        let places: Vec<Option<(String, String)>> =
            incident.tasks.iter().map(|t| t.account_region()).collect();
        let accounts: BTreeSet<&str> = places.iter().flatten().map(|(a, _)| a.as_str()).collect();
        let task_text = Arc::new(
            incident
                .tasks
                .iter()
                .zip(&places)
                .map(|(t, place)| {
                    let place = place
                        .as_ref()
                        .map(|(account, region)| format!("account:{account} region:{region}"));
                    [
                        Some(t.id.as_str()),
                        t.arn.as_deref(),
                        t.cluster.as_deref(),
                        t.group.as_deref(),
                        t.last_status.as_deref(),
                        t.stop_code.as_deref(),
                        t.task_definition_arn.as_deref(),
                        place.as_deref(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
                })
                .collect(),
        );
        Data {
            bundle,
            incident,
            problems,
            custody: handoffs.into_iter().map(|(_, handoff)| handoff).collect(),
            stats,
            findings,
            window,
            event_text: OnceLock::new(),
            context_index: OnceLock::new(),
            task_text,
            multi_account: accounts.len() > 1,
            places,
        }
    }

    /// The searchable text of every event, in event order. Built by the
    /// first caller (the console warms it on a worker after the first
    /// frame, see [`warm_event_text`]); later callers wait for it or share it.
    pub fn event_text(&self) -> Haystacks {
        Arc::clone(self.event_text.get_or_init(|| {
            let events = &self.incident.events;
            let mut texts = Vec::with_capacity(events.len());
            // Read in order and dropped: a stored event is not kept for
            // its text. A damaged record leaves the rest without text.
            let _ = events.scan(|_, event| texts.push(event_haystack(event)));
            texts.resize(events.len(), String::new());
            Arc::new(texts)
        }))
    }

    /// What task contexts are worked out from, when gathered (see
    /// [`gather_context_index`]).
    pub fn context_index(&self) -> Option<&ContextIndex> {
        self.context_index.get()
    }

    /// Gathers the incident-wide facts task contexts need (a pass over
    /// every event): by the loader for events in memory, else on a worker
    /// after the first frame (see [`warm_context_index`]).
    pub fn gather_context_index(&self) -> &ContextIndex {
        self.context_index.get_or_init(|| {
            ContextIndex::new(&self.incident, &mut RawReader::for_bundle(&self.bundle))
        })
    }

    /// A short name for the bundle: its directory name.
    pub fn bundle_name(&self) -> String {
        self.bundle
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.bundle.root.display().to_string())
    }
}

/// Builds the events' filter text on a worker thread, so that the first
/// filter does not wait for it and the first frame does not either.
pub fn warm_event_text(data: &Arc<Data>) {
    let data = Arc::clone(data);
    let spawned = std::thread::Builder::new()
        .name("taskscope-filter-text".into())
        .spawn(move || {
            data.event_text();
        });
    // Without the thread, the first filter builds the text itself.
    drop(spawned);
}

/// Gathers the task contexts' facts on a worker thread, so that the first
/// frame does not wait for a pass over every stored event; `notify` wakes
/// the UI thread when they are ready.
pub fn warm_context_index(data: &Arc<Data>, notify: Arc<dyn Fn() + Send + Sync>) {
    if data.context_index().is_some() {
        return;
    }
    let worker = Arc::clone(data);
    let spawned = std::thread::Builder::new()
        .name("taskscope-context".into())
        .spawn(move || {
            worker.gather_context_index();
            notify();
        });
    if spawned.is_err() {
        data.gather_context_index();
    }
}

/// The span the tasks' sparklines cover: from the first task start to the
/// last event, so that old context records (a task definition registered
/// days earlier) do not squash every task's activity into one column.
fn activity_window(
    incident: &Incident,
    window: Option<(Timestamp, Timestamp)>,
) -> Option<(Timestamp, Timestamp)> {
    let (from, to) = window?;
    let first_start = incident
        .tasks
        .iter()
        .filter_map(|t| t.created_at.or(t.started_at))
        .min();
    Some((first_start.map_or(from, |s| s.max(from)).min(to), to))
}

/// The text the fuzzy filter searches for one event.
fn event_haystack(event: &Event) -> String {
    // The ATT&CK words come before any evidence text: nucleo's substring
    // match misses some needles that sit after non-ASCII characters.
    let attack = event.attack.filter_words();
    let mut text = format!(
        "{} {attack} {} {}",
        event.source.name(),
        event.kind,
        event.summary
    );
    if let Some(actor) = &event.actor {
        text.push(' ');
        text.push_str(actor);
    }
    for key in &event.keys {
        text.push(' ');
        text.push_str(key_text(key));
    }
    text
}

/// The searchable value of a correlation key.
fn key_text(key: &Key) -> &str {
    match key {
        Key::TaskArn { arn, .. } => arn,
        Key::TaskId(text)
        | Key::RoleSession(text)
        | Key::LogStream(text)
        | Key::RuntimeId(text)
        | Key::Eni(text)
        | Key::Ip(text)
        | Key::TaskDefinition(text)
        | Key::Deployment(text)
        | Key::AccessKey(text)
        | Key::SessionRole(text)
        | Key::DefinitionRole(text)
        | Key::AssumeRole { session: text, .. } => text,
    }
}

fn task_stats(
    incident: &Incident,
    task: usize,
    timeline: &[usize],
    window: Option<(Timestamp, Timestamp)>,
) -> TaskStats {
    let mut activity = vec![0; SPARK_BUCKETS];
    if let Some((from, to)) = window {
        for &index in timeline {
            if let Some(time) = incident.events.time(index) {
                activity[bucket(time, from, to, SPARK_BUCKETS)] += 1;
            }
        }
    }
    TaskStats {
        summary: incident.summary(task),
        activity,
    }
}

/// The bucket of `time` when `[from, to]` is cut into `buckets` equal parts.
pub fn bucket(time: Timestamp, from: Timestamp, to: Timestamp, buckets: usize) -> usize {
    let span = (to - from).num_milliseconds().max(1) as i128;
    let offset = (time - from).num_milliseconds().clamp(0, span as i64) as i128;
    ((offset * buckets as i128 / (span + 1)) as usize).min(buckets.saturating_sub(1))
}
