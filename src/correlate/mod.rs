//! Correlation: one timeline per task.
//!
//! Tasks are discovered from any record that describes or names them by ARN,
//! from awslogs stream names, and from ECS service events; a bare task ID or a
//! role session from elsewhere links only to a task discovered that way.
//! Duplicate facts from several sources are merged into one event that keeps
//! every raw copy. Task facts are merged per task ID. Each event is then linked
//! to the tasks its keys justify, with the strongest reason per task; IP links
//! count only within the task's lifetime, because later tasks reuse IPs.

mod index;

use crate::model::{Event, Key, Link, LinkReason, Source, TaskFacts};
use index::TaskIndex;
use std::collections::{BTreeMap, HashMap};

/// Everything known about an incident, correlated.
#[derive(Debug, Default, Clone)]
pub struct Incident {
    /// Tasks, ordered by creation time (unknown last), then ID.
    pub tasks: Vec<TaskFacts>,
    /// Events, ordered by time, then import order; each fact once.
    pub events: Vec<Event>,
    /// For each task, the indices of its events in time order.
    pub timelines: Vec<Vec<usize>>,
}

impl Incident {
    /// Correlates imported events and task facts.
    pub fn build(events: Vec<Event>, facts: Vec<TaskFacts>) -> Incident {
        let mut events = merge_duplicates(events);
        events.sort_by_key(|e| e.time); // stable: import order breaks ties
        let tasks = merge_tasks(facts, &events);
        let index = TaskIndex::new(&tasks);
        let mut timelines = vec![Vec::new(); tasks.len()];
        for (position, event) in events.iter_mut().enumerate() {
            event.links = link(event, &tasks, &index);
            for link in &event.links {
                timelines[link.task].push(position);
            }
        }
        Incident {
            tasks,
            events,
            timelines,
        }
    }

    /// Finds a task by ID or ARN (either format), case-insensitively.
    pub fn find_task(&self, reference: &str) -> Option<usize> {
        let id = crate::model::keys::parse_task_arn(reference)
            .map(|arn| arn.id)
            .unwrap_or_else(|| reference.to_ascii_lowercase());
        self.tasks.iter().position(|task| task.id == id)
    }
}

/// Folds events with the same fact ID into the first one seen, keeping all raw copies.
fn merge_duplicates(events: Vec<Event>) -> Vec<Event> {
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut merged: Vec<Event> = Vec::with_capacity(events.len());
    for event in events {
        let Some(fact) = event.fact_id.clone() else {
            merged.push(event);
            continue;
        };
        match first_of.get(&fact) {
            Some(&existing) => {
                let kept = &mut merged[existing];
                kept.raw.extend(event.raw);
                for key in event.keys {
                    if !kept.keys.contains(&key) {
                        kept.keys.push(key);
                    }
                }
            }
            None => {
                first_of.insert(fact, merged.len());
                merged.push(event);
            }
        }
    }
    merged
}

/// Merges facts per task ID, and adds tasks named only by ARN or log stream.
fn merge_tasks(facts: Vec<TaskFacts>, events: &[Event]) -> Vec<TaskFacts> {
    let mut by_id: BTreeMap<String, TaskFacts> = BTreeMap::new();
    for fact in facts {
        match by_id.get_mut(&fact.id) {
            Some(known) => known.merge(&fact),
            None => {
                by_id.insert(fact.id.clone(), fact);
            }
        }
    }
    for event in events {
        for key in &event.keys {
            let (id, arn) = match key {
                Key::TaskArn { id, arn } => (id, Some(arn)),
                Key::LogStream(id) => (id, None),
                // ECS's own service events name tasks by bare ID (replacements, say).
                Key::TaskId(id) if event.source == Source::Ecs => (id, None),
                _ => continue,
            };
            let task = by_id
                .entry(id.clone())
                .or_insert_with(|| TaskFacts::new(id.clone()));
            if task.arn.is_none() {
                task.arn = arn.filter(|a| !a.is_empty()).cloned();
            }
        }
    }
    let mut tasks: Vec<TaskFacts> = by_id.into_values().collect();
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

/// The tasks an event's keys justify, with the strongest reason for each.
fn link(event: &Event, tasks: &[TaskFacts], index: &TaskIndex) -> Vec<Link> {
    let mut best: BTreeMap<usize, LinkReason> = BTreeMap::new();
    let mut offer = |task: usize, reason: LinkReason| {
        best.entry(task)
            .and_modify(|current| *current = (*current).min(reason))
            .or_insert(reason);
    };
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
            Key::RoleSession(id) => index
                .by_id(id)
                .into_iter()
                .for_each(|t| offer(t, LinkReason::RoleSession)),
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
            Key::Ip(ip) => index
                .by_ip(ip)
                .iter()
                .filter(|&&t| tasks[t].alive_at(event.time))
                .for_each(|&t| offer(t, LinkReason::IpInLifetime)),
        }
    }
    best.into_iter()
        .map(|(task, reason)| Link { task, reason })
        .collect()
}
