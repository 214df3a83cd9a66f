//! Correlation: one timeline per task.
//!
//! Tasks are discovered from any record that describes or names them by ARN,
//! from awslogs stream names, and from ECS service events; a bare task ID or a
//! role session from elsewhere links only to a task discovered that way.
//! Duplicate facts from several sources are merged into one event that keeps
//! every raw copy. Task facts are merged per task ID. Each event is then linked
//! to the tasks its keys justify, with the strongest reason per task; IP links
//! count only within the task's lifetime, because later tasks reuse IPs.

mod event_list;
mod index;
mod reference;
mod sessions;

pub use event_list::{EventList, EventStore, StoredEvents};
pub use sessions::{is_evidence_key, is_session_evidence, session_part};

pub use reference::{resolve_task, TaskReferenceError, MIN_TASK_ID_PREFIX};

use crate::model::keys::canonical_task_arn;
use crate::model::{
    Container, Doubt, Event, ImageFacts, Key, Link, LinkReason, Source, TaskFacts, TaskSummary,
    Timestamp,
};
use index::TaskIndex;
use sessions::Sessions;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Everything known about an incident, correlated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Incident {
    /// Tasks, ordered by creation time (unknown last), then ID.
    pub tasks: Vec<TaskFacts>,
    /// Events, ordered by time, then import order; each fact once.
    pub events: EventList,
    /// For each task, the indices of its events in time order.
    pub timelines: Vec<Vec<usize>>,
    /// What the evidence says about each image digest (Inspector and ECR
    /// records), by digest; tasks reach theirs through their containers'
    /// digests ([`Incident::images_of`]).
    pub images: BTreeMap<String, ImageFacts>,
}

impl Incident {
    /// Correlates imported events and task facts.
    pub fn build(events: Vec<Event>, facts: Vec<TaskFacts>) -> Incident {
        Incident::build_from_parts(vec![events], facts)
    }

    /// [`Incident::build`] over events that come in several lists (one per
    /// file, say), taken in order as if they were one: saves joining them.
    pub fn build_from_parts(events: Vec<Vec<Event>>, facts: Vec<TaskFacts>) -> Incident {
        let mut events = merge_duplicates(events);
        let tasks = merge_tasks(facts, events.iter().flat_map(discovered));
        let linker = Linker::new(tasks, events.iter().map(|event| event.keys.as_slice()));
        link_all(&mut events, &linker);
        let tasks = linker.into_tasks();
        let mut timelines = vec![Vec::new(); tasks.len()];
        for (position, event) in events.iter().enumerate() {
            for link in &event.links {
                timelines[link.task].push(position);
            }
        }
        Incident {
            tasks,
            events: events.into(),
            timelines,
            images: BTreeMap::new(),
        }
    }

    /// The incident with these image records, merged per digest.
    pub fn with_images(mut self, records: impl IntoIterator<Item = ImageFacts>) -> Incident {
        self.images = crate::model::image::merge_images(records);
        self
    }

    /// The image facts of each container of the task at index `task`, in
    /// container order: the container and what is known of its digest
    /// (`None` when it has no digest or the bundle holds nothing about it).
    pub fn images_of(&self, task: usize) -> Vec<(&Container, Option<&ImageFacts>)> {
        self.tasks[task].images_in(&self.images)
    }

    /// The summary of the timeline of the task at index `task`: its
    /// severity, counts and window (see [`TaskSummary`]).
    pub fn summary(&self, task: usize) -> TaskSummary {
        if let Some(summary) = self.events.stored_summary(task) {
            return summary;
        }
        TaskSummary::of(
            task,
            self.timelines[task]
                .iter()
                .map(|&index| &self.events[index]),
        )
    }
}

/// Folds events with the same fact ID into the first one seen, keeping all
/// raw copies, and orders the result by time (import order breaks ties).
/// Works on positions, so that each event is moved once.
fn merge_duplicates(parts: Vec<Vec<Event>>) -> Vec<Event> {
    let total = parts.iter().map(Vec::len).sum();
    // The first event of each fact, by position.
    let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(total);
    let firsts: Vec<usize> = parts
        .iter()
        .flatten()
        .enumerate()
        .map(|(position, event)| match &event.fact_id {
            Some(fact) => *first_of.entry(fact.as_str()).or_insert(position),
            None => position,
        })
        .collect();
    drop(first_of);
    let mut slots: Vec<Option<Event>> = Vec::with_capacity(total);
    for part in parts {
        slots.extend(part.into_iter().map(Some));
    }
    for (position, &first) in firsts.iter().enumerate() {
        if first == position {
            continue;
        }
        let Some(copy) = slots[position].take() else {
            continue;
        };
        if let Some(kept) = slots[first].as_mut() {
            absorb_copy(kept, copy);
        }
    }
    let mut order: Vec<(Timestamp, usize)> = slots
        .iter()
        .enumerate()
        .filter_map(|(position, slot)| slot.as_ref().map(|event| (event.time, position)))
        .collect();
    // Positions are unique, so an unstable sort gives the stable order.
    order.sort_unstable();
    order
        .into_iter()
        .filter_map(|(_, position)| slots[position].take())
        .collect()
}

/// The tasks an event names in a way that makes them known (by ARN or log
/// stream, or by bare ID in ECS's own service events): each task ID with
/// the ARN the event gives it, if any.
pub fn discovered(event: &Event) -> impl Iterator<Item = (&str, Option<&str>)> + '_ {
    event.keys.iter().filter_map(|key| match names_task(key)? {
        (id, arn, false) => Some((id, arn)),
        (id, arn, true) => (event.source == Source::Ecs).then_some((id, arn)),
    })
}

/// The task a key names in a way that can make it known: its ID, the ARN
/// given, and whether it does so only in ECS's own events (a bare task ID,
/// as ECS's service events name replacements).
pub fn names_task(key: &Key) -> Option<(&str, Option<&str>, bool)> {
    match key {
        Key::TaskArn { id, arn } => Some((id, Some(arn), false)),
        Key::LogStream(id) => Some((id, None, false)),
        Key::TaskId(id) => Some((id, None, true)),
        _ => None,
    }
}

/// Folds a later copy of the same fact into the event kept for it: its raw
/// copies, and the keys the kept event lacks, in the copy's order.
pub fn absorb_copy(kept: &mut Event, copy: Event) {
    kept.raw.extend(copy.raw);
    for key in copy.keys {
        if !kept.keys.contains(&key) {
            kept.keys.push(key);
        }
    }
}

/// Merges facts per task ID, and adds the tasks events make known
/// ([`discovered`], in time order: the first ARN given for an ID wins).
pub fn merge_tasks<'a>(
    facts: Vec<TaskFacts>,
    discovered: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<TaskFacts> {
    let mut by_id: BTreeMap<String, TaskFacts> = BTreeMap::new();
    for fact in facts {
        match by_id.get_mut(&fact.id) {
            Some(known) => known.merge(&fact),
            None => {
                by_id.insert(fact.id.clone(), fact);
            }
        }
    }
    for (id, arn) in discovered {
        let task = by_id
            .entry(id.to_string())
            .or_insert_with(|| TaskFacts::new(id));
        if task.arn.is_none() {
            task.arn = arn.filter(|a| !a.is_empty()).map(str::to_string);
        }
    }
    let mut tasks: Vec<TaskFacts> = by_id.into_values().collect();
    // Records may write the task ID in any case; every output prints the
    // ARN the way it prints the ID.
    for task in &mut tasks {
        if let Some(arn) = &task.arn {
            if let Cow::Owned(canonical) = canonical_task_arn(arn) {
                task.arn = Some(canonical);
            }
        }
    }
    tasks.sort_by(|a, b| {
        let start = |t: &TaskFacts| t.created_at.or(t.started_at);
        match (start(a), start(b)) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.id.cmp(&b.id)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.id.cmp(&b.id),
        }
    });
    tasks
}

/// Links every event, on a few threads (each event's links depend only on
/// the event, the tasks and the sessions).
fn link_all(events: &mut [Event], linker: &Linker) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_LINKERS);
    let chunk = events.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for part in events.chunks_mut(chunk) {
            scope.spawn(move || {
                for event in part {
                    event.links = linker.links(event);
                }
            });
        }
    });
}

/// Links events to tasks, once the tasks are known: the tasks, their lookup
/// tables and the sessions issued to them.
pub struct Linker {
    tasks: Vec<TaskFacts>,
    index: TaskIndex,
    sessions: Sessions,
}

impl Linker {
    /// Prepares linking to `tasks`; the sessions are read from the keys of
    /// each event in `events` (the events whose keys [`is_session_evidence`]
    /// holds for are enough, and their [`session_part`]).
    pub fn new<'a>(tasks: Vec<TaskFacts>, events: impl IntoIterator<Item = &'a [Key]>) -> Linker {
        let index = TaskIndex::new(&tasks);
        let sessions = Sessions::new(events, &tasks, &index);
        Linker {
            tasks,
            index,
            sessions,
        }
    }

    /// The tasks, as given.
    pub fn tasks(&self) -> &[TaskFacts] {
        &self.tasks
    }

    /// The tasks, handed back.
    pub fn into_tasks(self) -> Vec<TaskFacts> {
        self.tasks
    }

    /// The tasks an event's keys justify, with the strongest reason for each.
    pub fn links(&self, event: &Event) -> Vec<Link> {
        link(event, &self.tasks, &self.index, &self.sessions)
    }
}

/// Most threads linking events at once.
const MAX_LINKERS: usize = 4;

/// The tasks an event's keys justify, with the strongest reason for each.
fn link(event: &Event, tasks: &[TaskFacts], index: &TaskIndex, sessions: &Sessions) -> Vec<Link> {
    // Every offer, then the strongest per task: sorting a short list is
    // cheaper than a map per event, and stays O(n log n) for an event that
    // names a task definition hundreds of tasks run.
    let mut best: Vec<Link> = Vec::new();
    let mut offer = |task: usize, reason: LinkReason| best.push(Link::strong(task, reason));
    for key in &event.keys {
        match key {
            Key::TaskArn { id, .. } => index
                .by_id(id)
                .into_iter()
                .for_each(|t| offer(t, LinkReason::TaskArn)),
            Key::TaskId(id) => index
                .by_id(id)
                .into_iter()
                .for_each(|t| offer(t, LinkReason::TaskId)),
            Key::LogStream(id) => index
                .by_id(id)
                .into_iter()
                .for_each(|t| offer(t, LinkReason::LogStream)),
            Key::RuntimeId(runtime) => index
                .by_runtime_id(runtime)
                .into_iter()
                .for_each(|t| offer(t, LinkReason::RuntimeId)),
            Key::Eni(eni) => index
                .by_eni(eni)
                .into_iter()
                .for_each(|t| offer(t, LinkReason::Eni)),
            Key::TaskDefinition(arn) => index
                .by_task_definition(arn)
                .iter()
                .for_each(|&t| offer(t, LinkReason::TaskDefinition)),
            Key::Deployment(id) => index
                .by_deployment(id)
                .iter()
                .for_each(|&t| offer(t, LinkReason::Deployment)),
            // Sessions are judged as a whole below; IPs after every other key.
            Key::RoleSession(_)
            | Key::AccessKey(_)
            | Key::SessionRole(_)
            | Key::AssumeRole { .. }
            | Key::DefinitionRole(_)
            | Key::Ip(_) => {}
        }
    }
    best.extend(sessions.link(event, tasks, index));
    // An event that names its task is about that task, whoever held its IP.
    let names_its_task = best
        .iter()
        .any(|link| !link.is_weak() && !link.reason.is_context());
    if !names_its_task {
        for key in &event.keys {
            if let Key::Ip(ip) = key {
                offer_ip_tenants(&mut best, index.by_ip_at(ip, event.time, tasks));
            }
        }
    }
    best.sort_unstable_by_key(|link| (link.task, link.is_weak(), link.reason));
    best.dedup_by_key(|link| link.task);
    best
}

/// Weak IP links to every task that held the IP at the time; when several
/// did (their lifetimes overlap), each link names the others.
fn offer_ip_tenants(best: &mut Vec<Link>, tenants: impl Iterator<Item = usize>) {
    let first = best.len();
    best.extend(tenants.map(|task| Link {
        doubt: Some(Doubt::IpReuse),
        ..Link::strong(task, LinkReason::IpInLifetime)
    }));
    if best.len() - first < 2 {
        return;
    }
    let tenants: Vec<usize> = best[first..].iter().map(|link| link.task).collect();
    for link in &mut best[first..] {
        link.ambiguous_with = tenants
            .iter()
            .copied()
            .filter(|&t| t != link.task)
            .collect();
    }
}
