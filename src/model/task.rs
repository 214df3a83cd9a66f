//! What is known about one ECS task, merged from every record that describes it.

use super::keys::parse_task_arn;
use super::time::Timestamp;
use serde::Serialize;
use std::collections::BTreeSet;

/// One container of a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Container {
    /// Container name from the task definition.
    pub name: String,
    /// Image reference as launched.
    pub image: Option<String>,
    /// Resolved image digest (`sha256:...`).
    pub image_digest: Option<String>,
    /// Container runtime ID.
    pub runtime_id: Option<String>,
    /// Last known status.
    pub last_status: Option<String>,
    /// Exit code, once stopped.
    pub exit_code: Option<i64>,
    /// Why the container stopped, as ECS reported it.
    pub reason: Option<String>,
}

impl Container {
    /// The digest the container ran: ECS's `imageDigest`, else the digest
    /// its image reference is pinned to (`repo@sha256:…`).
    pub fn digest(&self) -> Option<String> {
        resolved_digest(self.image_digest.as_deref(), self.image.as_deref())
    }
}

/// A container's digest from ECS's `imageDigest`, else from an image
/// reference pinned by digest (`repo@sha256:…`).
pub fn resolved_digest(image_digest: Option<&str>, reference: Option<&str>) -> Option<String> {
    image_digest
        .filter(|d| !d.is_empty())
        .or_else(|| reference?.split_once('@').map(|(_, digest)| digest))
        .filter(|d| d.starts_with("sha256:"))
        .map(str::to_string)
}

/// Facts about a task from one record. Every field is optional: a GuardDuty
/// finding knows less than `describe-tasks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskFacts {
    /// Normalized task ID (lower case).
    pub id: String,
    /// Full task ARN.
    pub arn: Option<String>,
    /// Cluster ARN or name.
    pub cluster: Option<String>,
    /// `service:<name>` for service tasks, `family:<name>` otherwise.
    pub group: Option<String>,
    /// Task definition ARN.
    pub task_definition_arn: Option<String>,
    /// Deployment ID (`ecs-svc/...`) for service tasks, or who ran it.
    pub started_by: Option<String>,
    /// FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES.
    pub launch_type: Option<String>,
    /// Last observed status.
    pub last_status: Option<String>,
    /// Desired status.
    pub desired_status: Option<String>,
    /// Why the task stopped (ECS stop code).
    pub stop_code: Option<String>,
    /// Free-text reason the task stopped.
    pub stopped_reason: Option<String>,
    /// Entered PENDING.
    pub created_at: Option<Timestamp>,
    /// PENDING → RUNNING.
    pub started_at: Option<Timestamp>,
    /// RUNNING → STOPPING.
    pub stopping_at: Option<Timestamp>,
    /// → STOPPED.
    pub stopped_at: Option<Timestamp>,
    /// ECS's version counter for state changes; higher is newer.
    pub version: Option<i64>,
    /// Containers with runtime IDs, digests and exit codes.
    pub containers: Vec<Container>,
    /// Elastic network interface IDs.
    pub enis: BTreeSet<String>,
    /// Private IPv4 addresses.
    pub ips: BTreeSet<String>,
}

/// Whether a task runs, as far as the evidence says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Known and not stopped.
    Running,
    /// Stopped: a stop time, or ECS's last status `STOPPED`.
    Stopped,
    /// No ECS status and no stop time: the task is known only from other
    /// evidence (a service event, a Falco alert, a CloudTrail call).
    Unknown,
}

impl TaskFacts {
    /// Each container with what `images` (by digest) knows of its image, in
    /// container order (`None` when it has no digest or nothing is known).
    pub fn images_in<'a>(
        &'a self,
        images: &'a std::collections::BTreeMap<String, super::ImageFacts>,
    ) -> Vec<(&'a Container, Option<&'a super::ImageFacts>)> {
        self.containers
            .iter()
            .map(|container| {
                let facts = container.digest().and_then(|digest| images.get(&digest));
                (container, facts)
            })
            .collect()
    }

    /// Whether the task runs: [`RunState`]'s rule, the one place it is decided.
    pub fn run_state(&self) -> RunState {
        match (self.last_status.as_deref(), self.stopped_at) {
            (Some("STOPPED"), _) | (_, Some(_)) => RunState::Stopped,
            (Some(_), None) => RunState::Running,
            (None, None) => RunState::Unknown,
        }
    }

    /// Starts an empty record for a task ID.
    pub fn new(id: impl Into<String>) -> TaskFacts {
        TaskFacts {
            id: id.into(),
            ..TaskFacts::default()
        }
    }

    /// How fresh the record is: ECS version first, then its latest timestamp.
    fn freshness(&self) -> (i64, Option<Timestamp>) {
        let latest = [
            self.created_at,
            self.started_at,
            self.stopping_at,
            self.stopped_at,
        ]
        .into_iter()
        .flatten()
        .max();
        (self.version.unwrap_or(-1), latest)
    }

    /// Merges another record about the same task. Scalars from the fresher
    /// record win; sets are united; containers are merged by name.
    pub fn merge(&mut self, other: &TaskFacts) {
        let other_is_fresher = other.freshness() >= self.freshness();
        macro_rules! take {
            ($($field:ident),*) => {$(
                if other.$field.is_some() && (other_is_fresher || self.$field.is_none()) {
                    self.$field = other.$field.clone();
                }
            )*};
        }
        take!(
            arn,
            cluster,
            group,
            task_definition_arn,
            started_by,
            launch_type,
            last_status,
            desired_status,
            stop_code,
            stopped_reason,
            created_at,
            started_at,
            stopping_at,
            stopped_at,
            version
        );
        for theirs in &other.containers {
            match self.containers.iter_mut().find(|c| c.name == theirs.name) {
                Some(ours) => {
                    macro_rules! take_container {
                        ($($field:ident),*) => {$(
                            if theirs.$field.is_some() && (other_is_fresher || ours.$field.is_none()) {
                                ours.$field = theirs.$field.clone();
                            }
                        )*};
                    }
                    take_container!(
                        image,
                        image_digest,
                        runtime_id,
                        last_status,
                        exit_code,
                        reason
                    );
                }
                None => self.containers.push(theirs.clone()),
            }
        }
        self.enis.extend(other.enis.iter().cloned());
        self.ips.extend(other.ips.iter().cloned());
    }

    /// The service name, for service tasks.
    pub fn service(&self) -> Option<&str> {
        self.group.as_deref()?.strip_prefix("service:")
    }

    /// The image digests of all containers, deduplicated and sorted.
    pub fn image_digests(&self) -> BTreeSet<&str> {
        self.containers
            .iter()
            .filter_map(|c| c.image_digest.as_deref())
            .collect()
    }

    /// Whether `time` falls inside the task's lifetime, as far as it is known.
    /// Unknown start means the lifetime is unknown, so the answer is no.
    ///
    /// A time in whole seconds may have been truncated (CloudTrail's
    /// `eventTime` is): the instant lies somewhere in the second that
    /// follows, so it is alive when the lifetime began within that second.
    pub fn alive_at(&self, time: Timestamp) -> bool {
        let Some(start) = self.created_at.or(self.started_at) else {
            return false;
        };
        let end = self.stopped_at.or(self.stopping_at);
        let began = if time.timestamp_subsec_nanos() == 0 {
            // Checked: the calendar's first second has no second before it.
            start
                .checked_sub_signed(chrono::TimeDelta::seconds(1))
                .is_none_or(|earliest| time > earliest)
        } else {
            time >= start
        };
        began && end.is_none_or(|end| time <= end)
    }

    /// The account and region the task runs in, from its ARN (when known).
    pub fn account_region(&self) -> Option<(String, String)> {
        let parsed = parse_task_arn(self.arn.as_deref()?)?;
        Some((parsed.account, parsed.region))
    }

    /// The display name: the ARN when known, else the ID.
    pub fn display_ref(&self) -> &str {
        self.arn.as_deref().unwrap_or(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_time_str;

    fn at(text: &str) -> Timestamp {
        parse_time_str(text).expect("a valid time")
    }

    #[test]
    fn a_time_truncated_to_the_second_reaches_a_lifetime_begun_in_that_second() {
        let mut task = TaskFacts::new("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93");
        task.created_at = Some(at("2026-11-20T13:01:31.204Z"));
        task.stopped_at = Some(at("2026-11-20T14:31:40.118Z"));
        assert!(task.alive_at(at("2026-11-20T13:01:31Z")), "truncated stamp");
        assert!(
            !task.alive_at(at("2026-11-20T13:01:30Z")),
            "the second before"
        );
        assert!(
            !task.alive_at(at("2026-11-20T13:01:31.100Z")),
            "a precise time before the start"
        );
        assert!(task.alive_at(at("2026-11-20T13:01:31.204Z")));
        assert!(task.alive_at(at("2026-11-20T14:31:40.118Z")));
        assert!(!task.alive_at(at("2026-11-20T14:31:41Z")), "after the stop");
        task.created_at = Some(Timestamp::MIN_UTC);
        assert!(
            task.alive_at(Timestamp::MIN_UTC),
            "no second before the first"
        );
    }
}

#[cfg(test)]
mod run_state_tests {
    use super::*;

    #[test]
    fn a_task_without_status_or_stop_time_is_of_unknown_state() {
        let mut facts = TaskFacts::new("t");
        assert_eq!(facts.run_state(), RunState::Unknown);
        facts.last_status = Some("RUNNING".into());
        assert_eq!(facts.run_state(), RunState::Running);
        facts.stopped_at = Some(chrono::DateTime::UNIX_EPOCH);
        assert_eq!(facts.run_state(), RunState::Stopped);
        facts.stopped_at = None;
        facts.last_status = Some("STOPPED".into());
        assert_eq!(facts.run_state(), RunState::Stopped);
    }
}
