//! Event anchors: the stable name an annotation gives the event it is
//! about, and finding the event again from it.

use crate::bundle::manifest::Manifest;
use crate::correlate::Incident;
use crate::model::{Event, Source};

/// ECS task milestones: one task record yields one event per milestone, so
/// their anchors carry the milestone to stay distinct.
pub const TASK_MILESTONES: [&str; 4] = ["PROVISIONING", "RUNNING", "STOPPING", "STOPPED"];

/// The stable name of an event: `<artifact path>#<locator>` of its first raw
/// copy, with `@<milestone>` added for ECS task milestones (which share their
/// task record). Correlation keeps raw copies in input order, so the anchor
/// is the same every time the bundle is opened by the same taskscope version.
pub fn event_anchor(event: &Event, manifest: &Manifest) -> String {
    let mut anchor = event
        .raw
        .first()
        .map_or_else(|| "?#".to_string(), |raw| manifest.locate(raw));
    if event.source == Source::Ecs && TASK_MILESTONES.contains(&event.kind.as_str()) {
        anchor.push('@');
        anchor.push_str(&event.kind);
    }
    anchor
}

/// The index of the event with this anchor, if exactly one has it.
pub fn find_event(incident: &Incident, manifest: &Manifest, anchor: &str) -> Option<usize> {
    let mut found = incident
        .events
        .iter()
        .enumerate()
        .filter(|(_, event)| event_anchor(event, manifest) == anchor)
        .map(|(index, _)| index);
    match (found.next(), found.next()) {
        (Some(index), None) => Some(index),
        _ => None,
    }
}

/// The anchors of ECS task milestone events that are `anchor` with an
/// `@MILESTONE` suffix: what was meant when the suffix was left out.
pub fn milestone_anchors(incident: &Incident, manifest: &Manifest, anchor: &str) -> Vec<String> {
    let prefix = format!("{anchor}@");
    incident
        .events
        .iter()
        .map(|event| event_anchor(event, manifest))
        .filter(|candidate| candidate.starts_with(&prefix))
        .collect()
}
