//! The deployment that started a service task and the one it replaced,
//! read from the service descriptions in the bundle.

use super::summary::TimelineSummary;
use crate::correlate::Incident;
use crate::import::json::{owned, path_array, path_str, path_time};
use crate::model::time::format_time;
use crate::model::{TaskFacts, Timestamp};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// The deployment that started a service task.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentInfo {
    /// `ecs-svc/...`, from the task's `startedBy`.
    pub id: String,
    /// PRIMARY, ACTIVE or INACTIVE, as last described.
    pub status: Option<String>,
    /// IN_PROGRESS, COMPLETED or FAILED, as last described.
    pub rollout_state: Option<String>,
    /// The task definition the deployment rolled out.
    pub task_definition: Option<String>,
    /// When the deployment was created.
    pub created_at: Option<Timestamp>,
    /// The latest deployment state change on the task's timeline
    /// (`SERVICE_DEPLOYMENT_COMPLETED at 2026-11-20T13:06:00.012Z`).
    pub latest_notice: Option<String>,
    /// The deployment it replaced, when a service description lists it.
    pub previous: Option<PreviousDeployment>,
}

/// The deployment a deployment replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousDeployment {
    /// Its ID.
    pub id: String,
    /// The task definition it ran, when known.
    pub task_definition: Option<String>,
}

/// A service as one record described it.
pub(super) struct ServiceSnapshot {
    name: Option<String>,
    cluster: Option<String>,
    security_groups: BTreeSet<String>,
    deployments: Vec<DeploymentRecord>,
    observed: Option<Timestamp>,
}

/// One deployment entry of a service description.
#[derive(Clone, Default)]
struct DeploymentRecord {
    id: String,
    status: Option<String>,
    rollout_state: Option<String>,
    task_definition: Option<String>,
    created_at: Option<Timestamp>,
    security_groups: BTreeSet<String>,
}

impl DeploymentRecord {
    /// Takes every field a later description of the same deployment knows.
    fn absorb(&mut self, later: &DeploymentRecord) {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if later.$field.is_some() {
                    self.$field = later.$field.clone();
                }
            )*};
        }
        take!(status, rollout_state, task_definition, created_at);
        if !later.security_groups.is_empty() {
            self.security_groups = later.security_groups.clone();
        }
    }
}

/// The service descriptions in the bundle and the deployments they list.
pub(super) struct Services {
    /// Service descriptions, oldest observation first.
    snapshots: Vec<ServiceSnapshot>,
    /// Deployments by ID, merged over the snapshots (later ones win).
    deployments: HashMap<String, DeploymentRecord>,
}

impl Services {
    /// The services of these descriptions, in any order.
    pub(super) fn new(mut snapshots: Vec<ServiceSnapshot>) -> Services {
        snapshots.sort_by_key(|s| s.observed);
        Services {
            deployments: merge_deployments(&snapshots),
            snapshots,
        }
    }

    /// The deployment's own network configuration, else the service's.
    pub(super) fn security_groups(&self, task: &TaskFacts) -> BTreeSet<String> {
        let from_deployment = task
            .started_by
            .as_deref()
            .and_then(|id| self.deployments.get(id))
            .map(|d| &d.security_groups)
            .filter(|groups| !groups.is_empty());
        if let Some(groups) = from_deployment {
            return groups.clone();
        }
        let Some(service) = task.service() else {
            return BTreeSet::new();
        };
        let cluster = task.cluster.as_deref().map(cluster_name);
        self.snapshots
            .iter()
            .rev()
            .find(|s| {
                s.name.as_deref() == Some(service)
                    && !s.security_groups.is_empty()
                    && match (&s.cluster, cluster) {
                        (Some(theirs), Some(ours)) => theirs == ours,
                        _ => true,
                    }
            })
            .map(|s| s.security_groups.clone())
            .unwrap_or_default()
    }
}

/// Deployments by ID over all snapshots, oldest first, so later descriptions win.
fn merge_deployments(services: &[ServiceSnapshot]) -> HashMap<String, DeploymentRecord> {
    let mut deployments: HashMap<String, DeploymentRecord> = HashMap::new();
    for record in services.iter().flat_map(|s| &s.deployments) {
        deployments
            .entry(record.id.clone())
            .or_insert_with(|| DeploymentRecord {
                id: record.id.clone(),
                ..DeploymentRecord::default()
            })
            .absorb(record);
    }
    deployments
}

/// `…/services/<n>` or `…/service` from the locator of one of its
/// deployments or events.
pub(super) fn service_locator(locator: &str) -> Option<String> {
    ["/deployments/", "/events/"].iter().find_map(|marker| {
        let service = &locator[..locator.rfind(marker)?];
        let numbered = service
            .rsplit_once("/services/")
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        (numbered || service.ends_with("/service") || service == "service")
            .then(|| service.to_string())
    })
}

fn cluster_name(cluster: &str) -> &str {
    cluster
        .rsplit_once(":cluster/")
        .map_or(cluster, |(_, name)| name)
}

fn security_groups(value: &Value) -> BTreeSet<String> {
    path_array(
        value,
        &[
            "networkConfiguration",
            "awsvpcConfiguration",
            "securityGroups",
        ],
    )
    .iter()
    .filter_map(|g| g.as_str().map(str::to_string))
    .collect()
}

/// A service description; `observed` is when the record was made, if known
/// (else the latest deployment update it mentions).
pub(super) fn service_snapshot(
    service: &Value,
    observed: Option<Timestamp>,
) -> Option<ServiceSnapshot> {
    if !service.is_object() {
        return None;
    }
    let deployment_entries = path_array(service, &["deployments"]);
    let deployments: Vec<DeploymentRecord> = deployment_entries
        .iter()
        .filter_map(|d| {
            Some(DeploymentRecord {
                id: owned(d, &["id"])?,
                status: owned(d, &["status"]),
                rollout_state: owned(d, &["rolloutState"]),
                task_definition: owned(d, &["taskDefinition"]),
                created_at: path_time(d, &["createdAt"]),
                security_groups: security_groups(d),
            })
        })
        .collect();
    let observed = observed.or_else(|| {
        deployment_entries
            .iter()
            .filter_map(|d| path_time(d, &["updatedAt"]))
            .max()
    });
    Some(ServiceSnapshot {
        name: owned(service, &["serviceName"]),
        cluster: path_str(service, &["clusterArn"]).map(|c| cluster_name(c).to_string()),
        security_groups: security_groups(service),
        deployments,
        observed,
    })
}

pub(super) fn deployment_info(
    incident: &Incident,
    services: &Services,
    id: &str,
    seen: &TimelineSummary,
) -> DeploymentInfo {
    let record = services.deployments.get(id);
    let created_at = record.and_then(|r| r.created_at);
    DeploymentInfo {
        id: id.to_string(),
        status: record.and_then(|r| r.status.clone()),
        rollout_state: record.and_then(|r| r.rollout_state.clone()),
        task_definition: record.and_then(|r| r.task_definition.clone()),
        created_at,
        latest_notice: seen
            .deployment_notices
            .get(id)
            .map(|(kind, time)| format!("{kind} at {}", format_time(time))),
        previous: previous_deployment(incident, services, id, created_at),
    }
}

/// The deployment listed beside `id` in a service description that was
/// created before it (or, without creation times, is not PRIMARY while `id` is).
fn previous_deployment(
    incident: &Incident,
    services: &Services,
    id: &str,
    created_at: Option<Timestamp>,
) -> Option<PreviousDeployment> {
    let mut best: Option<&DeploymentRecord> = None;
    for snapshot in &services.snapshots {
        let Some(ours) = snapshot.deployments.iter().find(|d| d.id == id) else {
            continue;
        };
        let ours_created = ours.created_at.or(created_at);
        for sibling in snapshot.deployments.iter().filter(|d| d.id != id) {
            let earlier = match (sibling.created_at, ours_created) {
                (Some(theirs), Some(ours)) => theirs < ours,
                _ => {
                    ours.status.as_deref() == Some("PRIMARY")
                        && sibling.status.as_deref() != Some("PRIMARY")
                }
            };
            let newer_than_best = match best {
                None => true,
                Some(current) => sibling.created_at > current.created_at,
            };
            if earlier && newer_than_best {
                best = Some(sibling);
            }
        }
    }
    let previous = best?;
    let task_definition = previous
        .task_definition
        .clone()
        .or_else(|| {
            services
                .deployments
                .get(&previous.id)
                .and_then(|r| r.task_definition.clone())
        })
        .or_else(|| {
            incident
                .tasks
                .iter()
                .find(|t| t.started_by.as_deref() == Some(previous.id.as_str()))
                .and_then(|t| t.task_definition_arn.clone())
        });
    Some(PreviousDeployment {
        id: previous.id.clone(),
        task_definition,
    })
}
