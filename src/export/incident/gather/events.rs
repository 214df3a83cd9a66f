//! A row about one event, as the key findings and the timeline show it.

use super::anchors::Anchors;
use super::blocks::listed;
use crate::bundle::annotations::{event_anchor, Annotations};
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::export::incident::document::Cell;
use crate::model::time::format_time_millis;
use crate::model::{Event, RawRef};

/// The tasks an event is linked to: `id`, or `id (weak)` for a weak link.
fn linked_tasks(incident: &Incident, event: &Event) -> String {
    let tasks: Vec<String> = event
        .links
        .iter()
        .filter_map(|link| {
            let id = &incident.tasks.get(link.task)?.id;
            Some(if link.is_weak() {
                format!("{id} (weak)")
            } else {
                id.clone()
            })
        })
        .collect();
    listed(tasks.iter().map(String::as_str))
}

/// The SHA-256 the manifest records for the artifact holding `raw`.
fn artifact_sha256<'a>(bundle: &'a Bundle, raw: Option<&RawRef>) -> Option<&'a str> {
    let artifact = bundle.manifest.artifacts.get(raw?.artifact)?;
    Some(artifact.sha256.as_str())
}

/// A row about one event, in [`EVENT_COLUMNS`] order.
pub(super) fn event_row(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    anchors: &mut Anchors,
    event: &Event,
) -> Vec<Cell> {
    let anchor = event_anchor(event, &bundle.manifest);
    let marked = annotations.is_marked(&anchor);
    vec![
        Cell::text(format_time_millis(&event.time)),
        Cell::text(event.source.name()),
        Cell::text(event.severity.name()),
        Cell::text(event.kind.clone()),
        Cell::text(event.attack.describe()),
        Cell::text(event.summary.clone()),
        Cell::text(linked_tasks(incident, event)),
        Cell::text(if marked { "★" } else { "" }),
        anchors.cite(anchor, artifact_sha256(bundle, event.raw.first())),
    ]
}

/// The columns of a row about one event.
pub(super) const EVENT_COLUMNS: [&str; 9] = [
    "Time (UTC)",
    "Source",
    "Severity",
    "Kind",
    "ATT&CK",
    "Summary",
    "Tasks",
    "★",
    "Evidence",
];
