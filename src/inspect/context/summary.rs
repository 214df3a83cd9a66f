//! What one task's timeline holds, counted in one pass: the part of a task
//! context that reads the task's own events.

use crate::correlate::Incident;
use crate::model::{Key, Source, Timestamp};
use std::collections::HashMap;

/// What the task's timeline holds, counted in one pass.
#[derive(Default)]
pub(super) struct TimelineSummary {
    pub(super) runtime_findings: usize,
    pub(super) falco_alerts: usize,
    pub(super) log_records: usize,
    pub(super) cloudtrail_records: usize,
    /// Latest deployment state change per deployment ID: (kind, time).
    pub(super) deployment_notices: HashMap<String, (String, Timestamp)>,
}

impl TimelineSummary {
    pub(super) fn of(incident: &Incident, task: usize) -> TimelineSummary {
        let mut seen = TimelineSummary::default();
        let id = &incident.tasks[task].id;
        for &position in &incident.timelines[task] {
            let Some(event) = incident.events.get(position) else {
                continue;
            };
            match event.source {
                Source::Guardduty if event.kind.contains(":Runtime/") => seen.runtime_findings += 1,
                Source::Falco => seen.falco_alerts += 1,
                Source::Cloudtrail => seen.cloudtrail_records += 1,
                _ => {}
            }
            if event.keys.contains(&Key::LogStream(id.clone())) {
                seen.log_records += 1;
            }
            if event.source == Source::Ecs && event.kind.starts_with("SERVICE_DEPLOYMENT_") {
                for key in &event.keys {
                    if let Key::Deployment(deployment) = key {
                        // The timeline is in time order: the last notice wins.
                        seen.deployment_notices
                            .insert(deployment.clone(), (event.kind.clone(), event.time));
                    }
                }
            }
        }
        seen
    }
}
