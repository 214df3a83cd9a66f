//! An incident and its notes with the text rules applied to every string an
//! export shows.

use super::text::redact_text;
use crate::bundle::annotations::Annotations;
use crate::correlate::Incident;
use crate::model::{Event, TaskFacts};
use std::borrow::Cow;

fn redact_in_place(text: &mut String) {
    if let Cow::Owned(redacted) = redact_text(text) {
        *text = redacted;
    }
}

fn redact_option(text: &mut Option<String>) {
    if let Some(text) = text {
        redact_in_place(text);
    }
}

fn redact_event(event: &mut Event) {
    redact_in_place(&mut event.kind);
    redact_in_place(&mut event.summary);
    redact_option(&mut event.actor);
    redact_option(&mut event.original_severity);
    event.attack.labels.iter_mut().for_each(redact_in_place);
}

fn redact_task(task: &mut TaskFacts) {
    for field in [
        &mut task.cluster,
        &mut task.group,
        &mut task.task_definition_arn,
        &mut task.started_by,
        &mut task.launch_type,
        &mut task.last_status,
        &mut task.desired_status,
        &mut task.stop_code,
        &mut task.stopped_reason,
    ] {
        redact_option(field);
    }
    for container in &mut task.containers {
        redact_in_place(&mut container.name);
        for field in [
            &mut container.image,
            &mut container.image_digest,
            &mut container.runtime_id,
            &mut container.last_status,
            &mut container.reason,
        ] {
            redact_option(field);
        }
    }
}

/// A copy of the incident with the text rules applied to every string an
/// export shows: event kinds, summaries, actors and original severities, and
/// the task facts' free text. Task IDs and ARNs, links, times and raw
/// references are unchanged, so anchors and timelines are the same.
pub fn redact_incident(incident: &Incident) -> Incident {
    let mut copy = incident.clone();
    copy.events.to_mut().iter_mut().for_each(redact_event);
    copy.tasks.iter_mut().for_each(redact_task);
    copy
}

/// A copy of the annotations with the text rules applied to every note.
/// Marks, tags, authors and anchors are unchanged.
pub fn redact_annotations(annotations: &Annotations) -> Annotations {
    annotations.with_note_texts(|text| redact_text(text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_labels_are_evidence_and_are_redacted() {
        let raw = crate::model::RawRef {
            artifact: 0,
            locator: String::new(),
        };
        let mut event = Event::new(
            crate::model::time::now(),
            crate::model::Source::Falco,
            "r",
            "",
            raw,
        );
        event.attack.add_label("mitre_password=hunter2");
        redact_event(&mut event);
        assert_eq!(event.attack.labels, ["mitre_password=[REDACTED]"]);
    }
}
