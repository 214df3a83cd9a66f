//! The incident-wide facts task contexts need, gathered in one pass over
//! the events and one read of the records they point at.

use super::deployment::{service_locator, service_snapshot, Services};
use super::posture::{not_in_bundle, read_postures, Posture};
use crate::correlate::Incident;
use crate::model::{Key, RawRef, Source, TaskFacts, Timestamp};
use crate::raw::RawReader;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Facts about the whole incident that task contexts need, gathered once.
pub struct ContextIndex {
    /// Posture (or why there is none) per task definition ARN that a task runs.
    postures: HashMap<String, Result<Posture, String>>,
    /// Task role per task.
    pub(super) task_roles: Vec<Option<String>>,
    /// Security groups per task.
    pub(super) security_groups: Vec<BTreeSet<String>>,
    /// The service descriptions and the deployments they list.
    pub(super) services: Services,
    /// First and last CloudTrail record in the bundle.
    pub(super) cloudtrail_window: Option<(Timestamp, Timestamp)>,
    /// The latest event of any source: "now" for tasks still running.
    pub(super) latest_event: Option<Timestamp>,
    /// Falco alerts in the bundle.
    pub(super) falco_alerts: usize,
    /// Records from awslogs streams in the bundle.
    pub(super) log_records: usize,
}

impl ContextIndex {
    /// Scans the incident's events once, and reads from the bundle only the
    /// task definitions tasks run and the service descriptions that name
    /// their deployments.
    pub fn new(incident: &Incident, reader: &mut RawReader) -> ContextIndex {
        let scan = EventScan::run(incident);
        let postures = read_postures(incident, &scan.definition_events, reader);
        let services = Services::new(
            scan.service_records
                .into_iter()
                .filter_map(|((artifact, locator), observed)| {
                    let record = reader.record(&RawRef { artifact, locator }).ok()?;
                    service_snapshot(&record, observed)
                })
                .collect(),
        );
        let mut index = ContextIndex {
            task_roles: Vec::new(),
            security_groups: Vec::new(),
            postures,
            services,
            cloudtrail_window: scan.cloudtrail_window,
            latest_event: incident
                .events
                .len()
                .checked_sub(1)
                .and_then(|last| incident.events.time(last)),
            falco_alerts: scan.falco_alerts,
            log_records: scan.log_records,
        };
        index.task_roles = incident
            .tasks
            .iter()
            .map(|task| {
                let posture = index.posture_of(task).ok()?;
                posture.task_role_arn.clone()
            })
            .collect();
        index.security_groups = incident
            .tasks
            .iter()
            .map(|task| index.services.security_groups(task))
            .collect();
        index
    }

    /// The task's posture, or why there is none.
    pub(super) fn posture_of(&self, task: &TaskFacts) -> Result<&Posture, String> {
        let Some(arn) = task.task_definition_arn.as_deref() else {
            return Err("the task's task definition is not known".into());
        };
        match self.postures.get(arn) {
            Some(Ok(posture)) => Ok(posture),
            Some(Err(reason)) => Err(reason.clone()),
            None => Err(not_in_bundle(arn)),
        }
    }
}

/// What one pass over the events finds.
struct EventScan<'a> {
    /// Per task definition ARN a task runs: the event that registered it, if any.
    definition_events: BTreeMap<&'a str, Option<usize>>,
    /// Service descriptions to read: (artifact, locator) and when observed, if known.
    service_records: BTreeMap<(usize, String), Option<Timestamp>>,
    cloudtrail_window: Option<(Timestamp, Timestamp)>,
    falco_alerts: usize,
    log_records: usize,
}

impl<'a> EventScan<'a> {
    fn run(incident: &'a Incident) -> EventScan<'a> {
        let wanted_deployments: BTreeSet<&str> = incident
            .tasks
            .iter()
            .filter_map(|t| t.started_by.as_deref())
            .collect();
        let mut scan = EventScan {
            definition_events: incident
                .tasks
                .iter()
                .filter_map(|t| Some((t.task_definition_arn.as_deref()?, None)))
                .collect(),
            service_records: BTreeMap::new(),
            cloudtrail_window: None,
            falco_alerts: 0,
            log_records: 0,
        };
        // A damaged record ends the scan early: the views show the damage
        // where they read that event.
        let _ = incident.events.scan(|position, event| {
            match event.source {
                Source::Cloudtrail => {
                    scan.cloudtrail_window = Some(match scan.cloudtrail_window {
                        Some((first, last)) => (first.min(event.time), last.max(event.time)),
                        None => (event.time, event.time),
                    });
                }
                Source::Falco => scan.falco_alerts += 1,
                _ => {}
            }
            if event.keys.iter().any(|k| matches!(k, Key::LogStream(_))) {
                scan.log_records += 1;
            }
            if event.kind == "RegisterTaskDefinition" {
                for key in &event.keys {
                    if let Key::TaskDefinition(arn) = key {
                        if let Some(slot @ None) = scan.definition_events.get_mut(arn.as_str()) {
                            *slot = Some(position);
                        }
                    }
                }
            }
            match (event.source, event.kind.as_str()) {
                (Source::Ecs, "DeploymentCreated" | "ServiceEvent") => {
                    for raw in &event.raw {
                        if let Some(service) = service_locator(&raw.locator) {
                            scan.service_records.insert((raw.artifact, service), None);
                        }
                    }
                }
                (Source::Cloudtrail, "UpdateService" | "CreateService")
                    if event.keys.iter().any(|k| {
                        matches!(k, Key::Deployment(id) if wanted_deployments.contains(id.as_str()))
                    }) =>
                {
                    for raw in &event.raw {
                        let service = format!("{}/responseElements/service", raw.locator);
                        scan.service_records
                            .insert((raw.artifact, service), Some(event.time));
                    }
                }
                _ => {}
            }
        });
        scan
    }
}
