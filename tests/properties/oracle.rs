//! The ground truth the evidence was written from, and the links
//! docs/correlation.md says it justifies. The oracle never looks at what the
//! importers extracted: it works from what the generator put in each record.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use taskscope::model::keys::is_task_id;
use taskscope::model::LinkReason;

/// Shortest truncated runtime ID that may match by prefix.
const SHORT_RUNTIME_ID: usize = 12;

/// Something a record names that may tie it to a task, as written by the generator.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Claim {
    /// A task ARN (either format) holding this task ID.
    TaskArn(String),
    /// A bare task ID in a CloudTrail ECS call: links, never creates a task.
    TaskId(String),
    /// A bare task ID in an ECS service event: names a task into existence.
    ServiceEventTaskId(String),
    /// A task role session named after this task ID.
    RoleSession(String),
    /// An awslogs stream ending in this task ID.
    LogStream(String),
    /// A container runtime ID, whole or truncated.
    RuntimeId(String),
    /// An ENI ID.
    Eni(String),
    /// A private IP address.
    Ip(String),
    /// A task definition revision ARN.
    TaskDefinition(String),
    /// A deployment ID.
    Deployment(String),
}

/// What the evidence reveals about a task it describes.
#[derive(Debug, Clone, Default)]
pub struct Revealed {
    /// Runtime IDs of the containers described.
    pub runtime_ids: BTreeSet<String>,
    /// ENIs from the task's attachments.
    pub enis: BTreeSet<String>,
    /// Private IPs from the attachments.
    pub ips: BTreeSet<String>,
    /// Start, and end when the task is known to have stopped.
    pub lifetime: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// The task definition it runs.
    pub task_definition: Option<String>,
    /// `startedBy`.
    pub started_by: Option<String>,
}

/// One record as generated: when it happened and what it names.
#[derive(Debug, Clone)]
pub struct TruthRecord {
    /// The event time the record carries.
    pub time: DateTime<Utc>,
    /// What it names.
    pub claims: Vec<Claim>,
}

/// Everything the generator knows about the evidence files it wrote.
#[derive(Debug, Default)]
pub struct Truth {
    /// Records by (file name, locator), per the locator scheme of docs/bundle-format.md.
    pub records: HashMap<(String, String), TruthRecord>,
    /// Tasks described by the evidence, by ID.
    pub revealed: BTreeMap<String, Revealed>,
    /// Task IDs ECS issued a session for, by an AssumeRole in the evidence.
    pub issued: BTreeSet<String>,
    /// Task definition ARNs whose roles the evidence names.
    pub roles_known: BTreeSet<String>,
}

impl Truth {
    /// Records a record at `file#locator`.
    pub fn record(&mut self, file: &str, locator: String, time: DateTime<Utc>, claims: Vec<Claim>) {
        let previous = self.records.insert(
            (file.to_string(), locator.clone()),
            TruthRecord { time, claims },
        );
        assert!(
            previous.is_none(),
            "generator bug: two records at {file}#{locator}"
        );
    }

    /// A JSON-lines file of one line reads as a single JSON document, so
    /// its locators lose their `L1` prefix.
    pub fn single_line_file(&mut self, file: &str) {
        let keys: Vec<(String, String)> = self
            .records
            .keys()
            .filter(|(name, _)| name == file)
            .cloned()
            .collect();
        for key in keys {
            if let Some(record) = self.records.remove(&key) {
                let locator = key.1.strip_prefix("L1").unwrap_or(&key.1).to_string();
                self.records.insert((key.0, locator), record);
            }
        }
    }

    /// The task IDs correlation must know: described tasks, and tasks named
    /// by ARN, by awslogs stream or by an ECS service event.
    pub fn known_tasks(&self) -> BTreeSet<String> {
        let mut known: BTreeSet<String> = self.revealed.keys().cloned().collect();
        for record in self.records.values() {
            for claim in &record.claims {
                if let Claim::TaskArn(id) | Claim::LogStream(id) | Claim::ServiceEventTaskId(id) =
                    claim
                {
                    known.insert(id.clone());
                }
            }
        }
        known
    }

    /// Whether a session named after task `id` is proven to be the task's:
    /// ECS issued it, and the task's definition names its roles (the
    /// generator's sessions always use the task role).
    pub fn session_is_proven(&self, id: &str) -> bool {
        self.issued.contains(id)
            && self
                .revealed
                .get(id)
                .and_then(|facts| facts.task_definition.as_ref())
                .is_some_and(|definition| self.roles_known.contains(definition))
    }

    /// The task IDs, with the strongest reason each, that the claims of an
    /// event's raw copies justify at `time`.
    pub fn expected_links(
        &self,
        known: &BTreeSet<String>,
        claims: &BTreeSet<Claim>,
        time: DateTime<Utc>,
    ) -> BTreeMap<String, LinkReason> {
        // Strength first, then reason: (weak, reason) per task.
        let mut best: BTreeMap<String, (bool, LinkReason)> = BTreeMap::new();
        let offer = |best: &mut BTreeMap<String, (bool, LinkReason)>,
                     id: &str,
                     weak: bool,
                     reason: LinkReason| {
            best.entry(id.to_string())
                .and_modify(|current| *current = (*current).min((weak, reason)))
                .or_insert((weak, reason));
        };
        let revealed = |pick: &dyn Fn(&Revealed) -> bool| -> Vec<String> {
            self.revealed
                .iter()
                .filter(|(_, facts)| pick(facts))
                .map(|(id, _)| id.clone())
                .collect()
        };
        let mut ips = Vec::new();
        for claim in claims {
            let (ids, reason): (Vec<String>, LinkReason) = match claim {
                Claim::TaskArn(id) => (vec![id.clone()], LinkReason::TaskArn),
                Claim::TaskId(id) | Claim::ServiceEventTaskId(id) => {
                    (vec![id.clone()], LinkReason::TaskId)
                }
                Claim::RoleSession(id) => (vec![id.clone()], LinkReason::RoleSession),
                Claim::LogStream(id) => (vec![id.clone()], LinkReason::LogStream),
                Claim::RuntimeId(runtime) => (
                    self.runtime_owner(known, runtime).into_iter().collect(),
                    LinkReason::RuntimeId,
                ),
                Claim::Eni(eni) => (revealed(&|f| f.enis.contains(eni)), LinkReason::Eni),
                Claim::Ip(ip) => {
                    ips.push(ip);
                    continue;
                }
                Claim::TaskDefinition(arn) => (
                    revealed(&|f| f.task_definition.as_ref() == Some(arn)),
                    LinkReason::TaskDefinition,
                ),
                Claim::Deployment(id) => (
                    revealed(&|f| f.started_by.as_ref() == Some(id)),
                    LinkReason::Deployment,
                ),
            };
            for id in ids.iter().filter(|id| known.contains(*id)) {
                let weak = reason == LinkReason::RoleSession && !self.session_is_proven(id);
                offer(&mut best, id, weak, reason);
            }
        }
        // An event that names its task is never also linked by IP.
        let names_its_task = best
            .values()
            .any(|&(weak, reason)| !weak && !reason.is_context());
        if !names_its_task {
            for ip in ips {
                for id in self.ip_holders(ip, time) {
                    if known.contains(&id) {
                        offer(&mut best, &id, true, LinkReason::IpInLifetime);
                    }
                }
            }
        }
        best.into_iter()
            .map(|(id, (_, reason))| (id, reason))
            .collect()
    }

    /// The tasks that held `ip` at `time`: alive, and, when their end is
    /// unknown, not yet succeeded by a later task with the same IP.
    pub fn ip_holders(&self, ip: &str, time: DateTime<Utc>) -> Vec<String> {
        let tenants: Vec<(&String, &Revealed)> = self
            .revealed
            .iter()
            .filter(|(_, facts)| facts.ips.contains(ip))
            .collect();
        tenants
            .iter()
            .filter(|(_, facts)| {
                let Some((start, end)) = facts.lifetime else {
                    return false;
                };
                let successor = tenants
                    .iter()
                    .filter_map(|(_, other)| other.lifetime.map(|(s, _)| s))
                    .filter(|&other| other > start)
                    .min();
                let handed_over = end.is_none() && successor.is_some_and(|next| time >= next);
                alive(facts, time) && !handed_over
            })
            .map(|(id, _)| (*id).clone())
            .collect()
    }

    /// The task a runtime ID belongs to: an exact match; else a prefix of 12
    /// or more characters of the runtime IDs of exactly one task; else the
    /// Fargate form `<task-id>-<number>` of a known task.
    fn runtime_owner(&self, known: &BTreeSet<String>, runtime: &str) -> Option<String> {
        let runtime = runtime.to_ascii_lowercase();
        let owners = |matches: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
            self.revealed
                .iter()
                .filter(|(_, facts)| facts.runtime_ids.iter().any(|r| matches(r)))
                .map(|(id, _)| id.clone())
                .collect()
        };
        if let Some(owner) = owners(&|r| r == runtime).into_iter().next() {
            return Some(owner);
        }
        if runtime.len() >= SHORT_RUNTIME_ID {
            let prefixed = owners(&|r| r.starts_with(&runtime));
            if prefixed.len() == 1 {
                return prefixed.into_iter().next();
            }
        }
        let (task, number) = runtime.rsplit_once('-')?;
        let fargate =
            is_task_id(task) && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        (fargate && known.contains(task)).then(|| task.to_string())
    }
}

fn alive(facts: &Revealed, time: DateTime<Utc>) -> bool {
    match facts.lifetime {
        Some((start, end)) => time >= start && end.is_none_or(|end| time <= end),
        None => false,
    }
}
