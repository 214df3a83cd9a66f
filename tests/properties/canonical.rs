//! Views of an incident for comparing imports.
//!
//! [`Canonical`] is order-free: an event is named by the set of its raw
//! copies as (input file name, locator) plus its kind, a task by its ID, a
//! link by task ID and reason. Two imports of the same evidence must give
//! equal views whatever the order or number of the inputs. [`exact`] keeps
//! every order and artifact path, for imports that must be identical.

use std::collections::{BTreeMap, BTreeSet};
use taskscope::bundle::manifest::Manifest;
use taskscope::correlate::Incident;
use taskscope::model::{Event, LinkReason, TaskFacts, Timestamp};

/// A raw copy named independently of input order: (input file name, locator).
pub type CopyName = (String, String);

/// An event named by what it was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventName {
    /// Every raw copy.
    pub copies: BTreeSet<CopyName>,
    /// The kind, which tells apart the milestones of one ECS task record.
    pub kind: String,
}

/// What must not depend on input order about one event.
#[derive(Debug, Clone, PartialEq)]
pub struct CanonicalEvent {
    /// When it happened.
    pub time: Timestamp,
    /// Task ID → reason.
    pub links: BTreeMap<String, LinkReason>,
}

/// An order-free view of an incident.
#[derive(Debug, PartialEq)]
pub struct Canonical {
    /// Tasks by ID, containers sorted by name.
    pub tasks: BTreeMap<String, TaskFacts>,
    /// Events by name.
    pub events: BTreeMap<EventName, CanonicalEvent>,
    /// Task ID → its timeline's events, ordered by time then name.
    pub timelines: BTreeMap<String, Vec<(Timestamp, EventName)>>,
}

/// The input file an artifact holds: `raw/0003-name` → `name`.
pub fn file_name(manifest: &Manifest, artifact: usize) -> String {
    let path = manifest
        .artifacts
        .get(artifact)
        .map_or("?", |a| a.path.as_str());
    let stored = path.strip_prefix("raw/").unwrap_or(path);
    stored
        .split_once('-')
        .map_or(stored, |(_, name)| name)
        .to_string()
}

/// The order-free name of an event.
pub fn event_name(manifest: &Manifest, event: &Event) -> EventName {
    EventName {
        copies: event
            .raw
            .iter()
            .map(|raw| (file_name(manifest, raw.artifact), raw.locator.clone()))
            .collect(),
        kind: event.kind.clone(),
    }
}

/// Builds the order-free view; fails if two events share a name (an
/// unmerged duplicate) or a timeline breaks the incident's own invariants.
pub fn canonical(manifest: &Manifest, incident: &Incident) -> Result<Canonical, String> {
    check_timelines(incident)?;
    let mut events = BTreeMap::new();
    for event in &incident.events {
        let name = event_name(manifest, event);
        let links = event
            .links
            .iter()
            .map(|link| (incident.tasks[link.task].id.clone(), link.reason))
            .collect();
        let view = CanonicalEvent {
            time: event.time,
            links,
        };
        if events.insert(name.clone(), view).is_some() {
            return Err(format!(
                "two events named {name:?}: a duplicate was not merged"
            ));
        }
    }
    let tasks = incident
        .tasks
        .iter()
        .map(|task| {
            let mut task = task.clone();
            task.containers.sort_by(|a, b| a.name.cmp(&b.name));
            (task.id.clone(), task)
        })
        .collect();
    let timelines = incident
        .timelines
        .iter()
        .enumerate()
        .map(|(task, timeline)| {
            let mut named: Vec<(Timestamp, EventName)> = timeline
                .iter()
                .map(|&e| {
                    let event = &incident.events[e];
                    (event.time, event_name(manifest, event))
                })
                .collect();
            named.sort();
            (incident.tasks[task].id.clone(), named)
        })
        .collect();
    Ok(Canonical {
        tasks,
        events,
        timelines,
    })
}

/// Each task has one timeline, in time order, holding exactly the events linked to it.
fn check_timelines(incident: &Incident) -> Result<(), String> {
    if incident.timelines.len() != incident.tasks.len() {
        return Err(format!(
            "{} timelines for {} tasks",
            incident.timelines.len(),
            incident.tasks.len()
        ));
    }
    for (task, timeline) in incident.timelines.iter().enumerate() {
        let times: Vec<Timestamp> = timeline.iter().map(|&e| incident.events[e].time).collect();
        if times.windows(2).any(|pair| pair[0] > pair[1]) {
            return Err(format!("timeline of task {task} is out of time order"));
        }
        let listed: BTreeSet<usize> = timeline.iter().copied().collect();
        let linked: BTreeSet<usize> = incident
            .events
            .iter()
            .enumerate()
            .filter(|(_, event)| event.link_to(task).is_some())
            .map(|(index, _)| index)
            .collect();
        if listed != linked || listed.len() != timeline.len() {
            return Err(format!(
                "timeline of task {task} lists {listed:?}, events linked to it are {linked:?}"
            ));
        }
    }
    Ok(())
}

/// Everything about an incident, orders and artifact paths included.
pub fn exact(manifest: &Manifest, incident: &Incident) -> Vec<String> {
    let mut lines: Vec<String> = incident
        .tasks
        .iter()
        .zip(&incident.timelines)
        .map(|(task, timeline)| format!("task {task:?} timeline {timeline:?}"))
        .collect();
    lines.extend(incident.events.iter().map(|event| {
        let copies: Vec<String> = event.raw.iter().map(|raw| manifest.locate(raw)).collect();
        format!(
            "event {} {} {} {:?} {:?} {:?} {:?} {copies:?} {:?}",
            event.time,
            event.source,
            event.kind,
            event.summary,
            event.severity,
            event.actor,
            event.keys,
            event.links
        )
    }));
    lines
}
