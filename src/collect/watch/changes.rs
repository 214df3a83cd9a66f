//! What changed between two rounds of `taskscope watch`: tasks not seen
//! before, and tasks whose `lastStatus`, `desiredStatus`, `stoppedAt` or
//! `version` moved. ECS raises a task's `version` with every change it
//! makes to it, so the version alone would do; the others guard against
//! endpoints that do not keep it (moto always answers 0).

use aws_sdk_ecs::types::Task;
use aws_smithy_types::date_time::Format;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the watcher remembers of one task between rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    /// `lastStatus` (`PROVISIONING` … `RUNNING` … `STOPPED`).
    pub last_status: Option<String>,
    /// `desiredStatus` (`RUNNING` or `STOPPED`).
    pub desired_status: Option<String>,
    /// `stoppedAt`, as RFC 3339.
    pub stopped_at: Option<String>,
    /// `version`, raised by ECS with every change to the task.
    pub version: i64,
}

impl TaskState {
    /// A described task's ARN and state; `None` for a task without an ARN.
    pub fn of(task: &Task) -> Option<(String, TaskState)> {
        let arn = task.task_arn()?.to_string();
        let state = TaskState {
            last_status: task.last_status().map(str::to_string),
            desired_status: task.desired_status().map(str::to_string),
            stopped_at: task.stopped_at().and_then(|t| t.fmt(Format::DateTime).ok()),
            version: task.version(),
        };
        Some((arn, state))
    }
}

/// Tasks by ARN, as one round saw them.
pub type Seen = BTreeMap<String, TaskState>;

/// What a round saw that the round before had not.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// ARNs of tasks not seen before.
    pub new: Vec<String>,
    /// ARNs of tasks seen before in another state.
    pub changed: Vec<String>,
}

impl Changes {
    /// Compares a round's tasks with what was remembered before it. A task
    /// missing from `current` is not a change: ECS forgets stopped tasks,
    /// and a failed call hides others.
    pub fn between(previous: &Seen, current: &Seen) -> Changes {
        let mut changes = Changes::default();
        for (arn, state) in current {
            match previous.get(arn) {
                None => changes.new.push(arn.clone()),
                Some(before) if before != state => changes.changed.push(arn.clone()),
                Some(_) => {}
            }
        }
        changes
    }

    /// True when nothing is new and nothing changed.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.changed.is_empty()
    }
}

/// What to remember after a round. A round that listed and described
/// everything replaces the memory (tasks ECS has forgotten are dropped, so
/// it does not grow without end); a round with failures only adds to it,
/// since a task it did not see may still be there.
pub fn remembered(previous: &Seen, current: Seen, round_complete: bool) -> Seen {
    if round_complete {
        return current;
    }
    let mut merged = previous.clone();
    merged.extend(current);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(last: &str, desired: &str, version: i64) -> TaskState {
        TaskState {
            last_status: Some(last.into()),
            desired_status: Some(desired.into()),
            stopped_at: None,
            version,
        }
    }

    fn seen(tasks: &[(&str, TaskState)]) -> Seen {
        tasks
            .iter()
            .map(|(arn, state)| (arn.to_string(), state.clone()))
            .collect()
    }

    #[test]
    fn an_unchanged_round_has_no_changes() {
        let round = seen(&[("a", state("RUNNING", "RUNNING", 3))]);
        let changes = Changes::between(&round, &round.clone());
        assert!(changes.is_empty(), "{changes:?}");
    }

    #[test]
    fn new_tasks_and_each_watched_field_count_as_changes() {
        let before = state("RUNNING", "RUNNING", 3);
        let previous = seen(&[
            ("last", before.clone()),
            ("desired", before.clone()),
            ("stopped", before.clone()),
            ("version", before.clone()),
            ("same", before.clone()),
        ]);
        let mut stopped = before.clone();
        stopped.stopped_at = Some("2026-11-23T10:00:00Z".into());
        let current = seen(&[
            ("last", state("STOPPED", "RUNNING", 3)),
            ("desired", state("RUNNING", "STOPPED", 3)),
            ("stopped", stopped),
            ("version", state("RUNNING", "RUNNING", 4)),
            ("same", before),
            ("fresh", state("PROVISIONING", "RUNNING", 1)),
        ]);
        let changes = Changes::between(&previous, &current);
        assert_eq!(changes.new, ["fresh"]);
        assert_eq!(changes.changed, ["desired", "last", "stopped", "version"]);
    }

    #[test]
    fn a_task_that_disappears_is_not_a_change() {
        let previous = seen(&[("gone", state("STOPPED", "STOPPED", 9))]);
        assert!(Changes::between(&previous, &Seen::new()).is_empty());
    }

    #[test]
    fn only_a_complete_round_forgets_tasks() {
        let previous = seen(&[
            ("gone", state("STOPPED", "STOPPED", 9)),
            ("kept", state("RUNNING", "RUNNING", 1)),
        ]);
        let current = seen(&[("kept", state("RUNNING", "STOPPED", 2))]);
        let complete = remembered(&previous, current.clone(), true);
        assert_eq!(complete, current);
        let partial = remembered(&previous, current, false);
        assert_eq!(partial.len(), 2);
        assert_eq!(partial["kept"].version, 2);
        assert!(partial.contains_key("gone"));
    }

    #[test]
    fn a_described_task_gives_its_state() {
        let task = Task::builder()
            .task_arn("arn:aws:ecs:us-east-1:123456789012:task/prod/abc")
            .last_status("STOPPED")
            .desired_status("STOPPED")
            .stopped_at(aws_smithy_types::DateTime::from_secs(1_795_000_000))
            .version(7)
            .build();
        let (arn, state) = TaskState::of(&task).expect("a task with an ARN");
        assert!(arn.ends_with("/abc"));
        assert_eq!(state.last_status.as_deref(), Some("STOPPED"));
        assert_eq!(state.stopped_at.as_deref(), Some("2026-11-18T11:06:40Z"));
        assert_eq!(state.version, 7);
        assert!(TaskState::of(&Task::builder().build()).is_none());
    }
}
