//! Lookup tables from correlation keys to tasks.

use crate::model::keys::is_task_id;
use crate::model::{TaskFacts, Timestamp};
use std::collections::HashMap;

/// Shortest prefix of a runtime ID accepted as a match (Docker-style short IDs).
const SHORT_RUNTIME_ID: usize = 12;

/// One task's hold on a private IP.
#[derive(Debug, Clone, Copy)]
struct Tenure {
    /// The task.
    task: usize,
    /// When a task whose end is unknown lost the IP at the latest: when the
    /// next task with the same IP was created.
    handed_over: Option<Timestamp>,
}

/// Indexes tasks by every key an event may carry.
pub struct TaskIndex {
    ids: HashMap<String, usize>,
    runtime_ids: HashMap<String, usize>,
    enis: HashMap<String, usize>,
    ips: HashMap<String, Vec<Tenure>>,
    task_definitions: HashMap<String, Vec<usize>>,
    deployments: HashMap<String, Vec<usize>>,
}

impl TaskIndex {
    /// Builds the tables for `tasks`.
    pub fn new(tasks: &[TaskFacts]) -> TaskIndex {
        let mut index = TaskIndex {
            ids: HashMap::new(),
            runtime_ids: HashMap::new(),
            enis: HashMap::new(),
            ips: HashMap::new(),
            task_definitions: HashMap::new(),
            deployments: HashMap::new(),
        };
        for (position, task) in tasks.iter().enumerate() {
            index.ids.insert(task.id.clone(), position);
            for container in &task.containers {
                if let Some(runtime) = &container.runtime_id {
                    index
                        .runtime_ids
                        .insert(runtime.to_ascii_lowercase(), position);
                }
            }
            for eni in &task.enis {
                index.enis.insert(eni.clone(), position);
            }
            for ip in &task.ips {
                index.ips.entry(ip.clone()).or_default().push(Tenure {
                    task: position,
                    handed_over: None,
                });
            }
            if let Some(definition) = &task.task_definition_arn {
                index
                    .task_definitions
                    .entry(definition.clone())
                    .or_default()
                    .push(position);
            }
            if let Some(started_by) = &task.started_by {
                index
                    .deployments
                    .entry(started_by.clone())
                    .or_default()
                    .push(position);
            }
        }
        for tenures in index.ips.values_mut() {
            bound_open_tenures(tenures, tasks);
        }
        index
    }

    /// The task with this normalized ID.
    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// The task running a container with this runtime ID. Accepts a short
    /// (12+ character) prefix of the runtime IDs of exactly one task (a
    /// Fargate task's containers share their task ID as prefix), and the
    /// Fargate form `<task-id>-<number>`.
    pub fn by_runtime_id(&self, runtime: &str) -> Option<usize> {
        let runtime = runtime.to_ascii_lowercase();
        if let Some(&task) = self.runtime_ids.get(&runtime) {
            return Some(task);
        }
        if runtime.len() >= SHORT_RUNTIME_ID {
            let mut owners = self
                .runtime_ids
                .iter()
                .filter(|(full, _)| full.starts_with(&runtime))
                .map(|(_, &task)| task);
            if let Some(first) = owners.next() {
                if owners.all(|task| task == first) {
                    return Some(first);
                }
            }
        }
        let (task_id, number) = runtime.rsplit_once('-')?;
        if is_task_id(task_id) && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
            return self.by_id(task_id);
        }
        None
    }

    /// The task that owned this ENI.
    pub fn by_eni(&self, eni: &str) -> Option<usize> {
        self.enis.get(eni).copied()
    }

    /// Tasks that held this private IP at `time`: within their lifetime,
    /// and, for a task whose end is unknown, before the next task with the
    /// same IP was created.
    pub fn by_ip_at<'i>(
        &'i self,
        ip: &str,
        time: Timestamp,
        tasks: &'i [TaskFacts],
    ) -> impl Iterator<Item = usize> + 'i {
        self.ips
            .get(ip)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(move |tenure| {
                tasks[tenure.task].alive_at(time)
                    && tenure.handed_over.is_none_or(|next| time < next)
            })
            .map(|tenure| tenure.task)
    }

    /// Tasks running this task definition revision.
    pub fn by_task_definition(&self, arn: &str) -> &[usize] {
        self.task_definitions.get(arn).map_or(&[], Vec::as_slice)
    }

    /// Tasks started by this deployment.
    pub fn by_deployment(&self, id: &str) -> &[usize] {
        self.deployments.get(id).map_or(&[], Vec::as_slice)
    }
}

/// The start of a task's lifetime, as [`TaskFacts::alive_at`] takes it.
fn start(task: &TaskFacts) -> Option<Timestamp> {
    task.created_at.or(task.started_at)
}

/// Bounds the tenure of every task with an unknown end by the creation of
/// the next task that held the same IP.
fn bound_open_tenures(tenures: &mut [Tenure], tasks: &[TaskFacts]) {
    let mut starts: Vec<Timestamp> = tenures
        .iter()
        .filter_map(|tenure| start(&tasks[tenure.task]))
        .collect();
    starts.sort_unstable();
    for tenure in tenures.iter_mut() {
        let task = &tasks[tenure.task];
        let (Some(own_start), None) = (start(task), task.stopped_at.or(task.stopping_at)) else {
            continue;
        };
        let next = starts.partition_point(|&other| other <= own_start);
        tenure.handed_over = starts.get(next).copied();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Container;

    fn task(id: &str, runtime_ids: &[&str]) -> TaskFacts {
        let mut task = TaskFacts::new(id);
        task.containers = runtime_ids
            .iter()
            .map(|runtime| Container {
                runtime_id: Some(runtime.to_string()),
                ..Container::default()
            })
            .collect();
        task
    }

    #[test]
    fn a_task_with_no_known_end_holds_its_ip_until_the_next_tenant_is_created() {
        let time = |hour: i64| chrono::DateTime::from_timestamp(hour * 3600, 0).unwrap();
        let tenant = |id: &str, created: i64, stopped: Option<i64>| {
            let mut task = TaskFacts::new(id);
            task.created_at = Some(time(created));
            task.stopped_at = stopped.map(time);
            task.ips.insert("10.0.2.60".into());
            task
        };
        let tasks = [
            tenant("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93", 8, None),
            tenant("8d2e6f1a0b9c47d3a5e2f8c1b6d4a790", 12, Some(14)),
            tenant("c41b7a9e2d5f4e80b3a6c9d1e7f20b58", 13, None),
        ];
        let index = TaskIndex::new(&tasks);
        let holders =
            |hour: i64| -> Vec<usize> { index.by_ip_at("10.0.2.60", time(hour), &tasks).collect() };
        assert_eq!(holders(9), vec![0]);
        assert_eq!(holders(12), vec![1], "handed over at the next creation");
        assert_eq!(holders(13), vec![1, 2], "a known end is kept: an overlap");
        assert_eq!(holders(15), vec![2]);
    }

    #[test]
    fn a_short_runtime_id_matches_when_one_task_owns_every_match() {
        let one = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
        let two = "3f9c2d7e5b1a00000000000000000000";
        let index = TaskIndex::new(&[
            task(
                one,
                &[&format!("{one}-1837765126"), &format!("{one}-2409318841")],
            ),
            task("8d2e6f1a0b9c47d3a5e2f8c1b6d4a790", &["8d2e6f1a0b9c-77"]),
        ]);
        // Two containers of the same task share the prefix: still that task.
        assert_eq!(index.by_runtime_id("3F9C2D7E5B1A4C8E"), Some(0));
        assert_eq!(index.by_runtime_id("8d2e6f1a0b9c"), Some(1));
        assert_eq!(index.by_runtime_id("3f9c2d7e5b1"), None, "too short");

        let ambiguous = TaskIndex::new(&[
            task(one, &[&format!("{one}-1837765126")]),
            task(two, &[&format!("{two}-1")]),
        ]);
        assert_eq!(ambiguous.by_runtime_id("3f9c2d7e5b1a"), None);
        assert_eq!(ambiguous.by_runtime_id("3f9c2d7e5b1a4c"), Some(0));
    }
}
