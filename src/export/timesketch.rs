//! Timesketch JSON lines: one object per event with the fields Timesketch
//! requires (`message`, `datetime`, `timestamp_desc`), its microsecond
//! `timestamp`, a `tag` list (the responders' tags, then the event's ATT&CK
//! tactics and techniques as `attack.execution`, `attack.t1059.004`), and
//! taskscope's own fields for filtering.

use super::records::RawRecords;
use super::{event_indices, event_notes, raw_text};
use crate::bundle::annotations::{event_anchor, Annotations};
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::model::time::format_time;
use crate::model::{Event, Source};
use crate::render::json_line;
use chrono::SecondsFormat;
use serde::Serialize;

/// One Timesketch event.
#[derive(Debug, Serialize)]
struct SketchEvent<'a> {
    message: String,
    datetime: String,
    timestamp: i64,
    timestamp_desc: &'static str,
    data_type: String,
    source: &'static str,
    kind: &'a str,
    severity: &'static str,
    original_severity: Option<&'a str>,
    summary: &'a str,
    actor: Option<&'a str>,
    task_id: Option<&'a str>,
    task_arn: Option<&'a str>,
    link: Option<&'static str>,
    weak_link: bool,
    linked_tasks: Vec<&'a str>,
    artifact: String,
    anchor: String,
    tag: Vec<String>,
    marked: bool,
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<String>,
}

/// What the event's time means, as Timesketch's `timestamp_desc`.
fn timestamp_desc(event: &Event) -> &'static str {
    match event.source {
        Source::Guardduty => "Finding First Seen",
        Source::Falco => "Alert Time",
        Source::Cloudtrail => "API Call Time",
        Source::Logs => "Log Event Time",
        Source::Scap => "Syscall Time",
        Source::Response => "Response Action Time",
        Source::Ecs => match event.kind.as_str() {
            "PROVISIONING" => "Task Created",
            "RUNNING" => "Task Started",
            "STOPPING" => "Task Stopping",
            "STOPPED" => "Task Stopped",
            "DeploymentCreated" => "Deployment Created",
            "RegisterTaskDefinition" => "Task Definition Registered",
            "ServiceEvent" => "Service Event Time",
            _ => "Event Time",
        },
    }
}

/// The events of one task (or every event with `None`) as Timesketch JSON
/// lines, in time order. Strings are carried exactly; characters a terminal
/// would interpret are `\u` escapes. `datetime` is RFC 3339 with `+00:00`
/// and microseconds, the precision Timesketch keeps.
pub fn timesketch_jsonl(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
) -> String {
    timesketch_jsonl_with(bundle, incident, annotations, task, None)
}

/// [`timesketch_jsonl`] with a `raw` field on each line holding the event's
/// raw record from `raw` as compact JSON text (`unreadable: <why>` when it
/// could not be read).
pub fn timesketch_jsonl_with(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    task: Option<usize>,
    raw: Option<&RawRecords>,
) -> String {
    let manifest = &bundle.manifest;
    let mut out = String::new();
    for index in event_indices(incident, task) {
        let event = &incident.events[index];
        let link = match task {
            Some(t) => event.link_to(t),
            None => event.links.first(),
        };
        let linked = link.map(|l| &incident.tasks[l.task]);
        let anchor = event_anchor(event, manifest);
        let artifact = event
            .raw
            .first()
            .map_or_else(String::new, |raw| manifest.locate(raw));
        let sketch = SketchEvent {
            message: format!("{}: {}", event.kind, event.summary),
            datetime: event.time.to_rfc3339_opts(SecondsFormat::Micros, false),
            timestamp: event.time.timestamp_micros(),
            timestamp_desc: timestamp_desc(event),
            data_type: format!("taskscope:event:{}", event.source.name()),
            source: event.source.name(),
            kind: &event.kind,
            severity: event.severity.name(),
            original_severity: event.original_severity.as_deref(),
            summary: &event.summary,
            actor: event.actor.as_deref(),
            task_id: linked.map(|t| t.id.as_str()),
            task_arn: linked.and_then(|t| t.arn.as_deref()),
            link: link.map(|l| l.reason.name()),
            weak_link: link.is_some_and(|l| l.is_weak()),
            linked_tasks: event
                .links
                .iter()
                .map(|l| incident.tasks[l.task].id.as_str())
                .collect(),
            artifact,
            tag: annotations
                .tags(&anchor)
                .iter()
                .cloned()
                .chain(event.attack.tags())
                .collect(),
            marked: annotations.is_marked(&anchor),
            notes: event_notes(annotations, &anchor)
                .into_iter()
                .map(|note| format!("{} {}: {}", format_time(&note.time), note.author, note.text))
                .collect(),
            anchor,
            raw: raw.and_then(|records| records.get(index)).map(raw_text),
        };
        // Serializing strings, numbers and lists cannot fail.
        if let Ok(line) = json_line(&sketch) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RawRef;

    #[test]
    fn timestamp_desc_names_what_each_time_means() {
        let raw = RawRef {
            artifact: 0,
            locator: String::new(),
        };
        let event = |source, kind: &str| {
            Event::new(crate::model::time::now(), source, kind, "", raw.clone())
        };
        assert_eq!(
            timestamp_desc(&event(Source::Guardduty, "Execution:Runtime/ReverseShell")),
            "Finding First Seen"
        );
        assert_eq!(
            timestamp_desc(&event(Source::Ecs, "STOPPED")),
            "Task Stopped"
        );
        assert_eq!(
            timestamp_desc(&event(Source::Ecs, "ECS Deployment State Change")),
            "Event Time"
        );
        assert_eq!(
            timestamp_desc(&event(Source::Cloudtrail, "StopTask")),
            "API Call Time"
        );
    }
}
