//! CloudWatch Logs `filter-log-events` and `get-log-events` output.
//!
//! Each message is classified: an EventBridge event (an archive of task state
//! changes), a Falco JSON alert (a sidecar), a CloudTrail record, or a plain
//! container log line. The awslogs stream name `prefix/container/task-id`
//! ties a line to its task. Who wrote a structured message decides how it is
//! read ([`of_log_message`]): one AWS wrote goes to its importer, a Falco
//! alert is a detector's, and anything else a container printed stays a log
//! line, however much it looks like an AWS record.

use super::decode::ParseError;
use super::json::{path, path_array, path_str};
use super::{cloudtrail, eventbridge, falco, Sink};
use crate::model::keys::task_id_from_log_stream;
use crate::model::provenance::{of_log_message, LogMessage};
use crate::model::time::parse_time;
use crate::model::{Event, Key, Provenance, Source};
use serde_json::Value;

const FORMAT: &str = "cloudwatch-logs";

/// Imports `{"events": [{timestamp, message, logStreamName?, eventId?}], ...}`.
pub fn import_log_events(value: &Value, locator: &str, line: usize, sink: &mut Sink) {
    sink.out.formats.insert(FORMAT);
    for (index, log_event) in path_array(value, &["events"]).iter().enumerate() {
        let at = format!("{locator}/events/{index}");
        let (Some(time), Some(message)) = (
            path(log_event, &["timestamp"]).and_then(parse_time),
            path_str(log_event, &["message"]),
        ) else {
            sink.problem(ParseError {
                message: format!("log event at {at} lacks a timestamp or message"),
                line: Some(line),
                column: None,
            });
            continue;
        };
        let stream = path_str(log_event, &["logStreamName"]);
        let stream_key = stream.and_then(task_id_from_log_stream).map(Key::LogStream);
        let message_at = format!("{at}/message");
        let mut resembles = None;
        if let Some((embedded, shape)) = embedded_json(message) {
            let shape = match shape {
                LogMessage::EventBridge { .. } => LogMessage::EventBridge {
                    id: path_str(&embedded, &["id"]),
                },
                other => other,
            };
            match (of_log_message(stream, shape), shape) {
                (Provenance::Aws, LogMessage::EventBridge { .. }) => {
                    eventbridge::import_envelope(&embedded, &message_at, sink);
                    continue;
                }
                (Provenance::Aws, LogMessage::CloudTrail) => {
                    let raw = sink.raw(message_at);
                    cloudtrail::import_record_value(&embedded, raw, sink);
                    continue;
                }
                (_, LogMessage::Falco) => {
                    let raw = sink.raw(message_at);
                    falco::import_alert(&embedded, raw, stream_key, sink);
                    continue;
                }
                _ => resembles = Some(resemblance(&embedded)),
            }
        }
        sink.record(FORMAT);
        let raw = sink.raw(at);
        let text = message.trim_end_matches(['\n', '\r']);
        let text = match resembles {
            Some(what) => format!("[looks like {what}, from the container's own output] {text}"),
            None => text.to_string(),
        };
        let mut event = Event::new(time, Source::Logs, "log", text, raw);
        event.actor = stream.map(|s| s.to_string());
        event.keys.extend(stream_key);
        event.fact_id = path_str(log_event, &["eventId"]).map(|id| format!("cwlogs:{id}"));
        sink.event(event);
    }
}

/// What an untrusted EventBridge envelope or CloudTrail record imitates,
/// for the log line that shows it.
fn resemblance(record: &Value) -> String {
    match path_str(record, &["detail-type"]) {
        Some(detail_type) => format!("an AWS event ({detail_type})"),
        None => "a CloudTrail record".to_string(),
    }
}

/// A message that is a JSON object of a shape an importer reads, with that shape.
fn embedded_json(message: &str) -> Option<(Value, LogMessage<'static>)> {
    let trimmed = message.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    let value = serde_json::from_str::<Value>(trimmed)
        .ok()
        .filter(Value::is_object)?;
    let shape = if value.get("detail-type").is_some() && value.get("detail").is_some() {
        LogMessage::EventBridge { id: None }
    } else if value.get("rule").is_some() && value.get("output").is_some() {
        LogMessage::Falco
    } else if value.get("eventVersion").is_some() && value.get("eventName").is_some() {
        LogMessage::CloudTrail
    } else {
        return None;
    };
    Some((value, shape))
}
