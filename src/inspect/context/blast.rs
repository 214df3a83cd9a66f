//! Blast radius: the other tasks that share an image digest, the task role
//! or a security group with a task.

use super::index::ContextIndex;
use crate::correlate::Incident;

/// Another task within reach of this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlastLink {
    /// Index of the other task in the incident.
    pub task: usize,
    /// What the two share.
    pub shared: Vec<Shared>,
}

/// Something two tasks share that an attacker in one could use against the other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shared {
    /// The same image (`sha256:...`): the same vulnerable code.
    ImageDigest(String),
    /// The same task role ARN: stolen credentials work for both.
    TaskRole(String),
    /// The same security group ID: the same network reach.
    SecurityGroup(String),
}

pub(super) fn blast_radius(
    incident: &Incident,
    index: &ContextIndex,
    task: usize,
) -> Vec<BlastLink> {
    let digests = incident.tasks[task].image_digests();
    let role = index.task_roles.get(task).cloned().flatten();
    let groups = index.security_groups.get(task).cloned().unwrap_or_default();
    let mut links: Vec<BlastLink> = incident
        .tasks
        .iter()
        .enumerate()
        .filter(|&(other, _)| other != task)
        .filter_map(|(other, facts)| {
            let mut shared: Vec<Shared> = facts
                .image_digests()
                .intersection(&digests)
                .map(|d| Shared::ImageDigest(d.to_string()))
                .collect();
            if let (Some(ours), Some(Some(theirs))) = (&role, index.task_roles.get(other)) {
                if ours == theirs {
                    shared.push(Shared::TaskRole(ours.clone()));
                }
            }
            if let Some(theirs) = index.security_groups.get(other) {
                shared.extend(
                    groups
                        .intersection(theirs)
                        .cloned()
                        .map(Shared::SecurityGroup),
                );
            }
            (!shared.is_empty()).then_some(BlastLink {
                task: other,
                shared,
            })
        })
        .collect();
    links.sort_by(|a, b| {
        b.shared
            .len()
            .cmp(&a.shared.len())
            .then(a.task.cmp(&b.task))
    });
    links
}
