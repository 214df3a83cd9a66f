//! CloudWatch Logs `filter-log-events` and `get-log-events` output.
//!
//! Each message is classified: an EventBridge event (an archive of task state
//! changes), a Falco JSON alert (a sidecar), a CloudTrail record, or a plain
//! container log line. The awslogs stream name `prefix/container/task-id`
//! ties a line to its task.

use super::decode::ParseError;
use super::json::{path, path_array, path_str};
use super::{cloudtrail, eventbridge, falco, Sink};
use crate::model::keys::task_id_from_log_stream;
use crate::model::time::parse_time;
use crate::model::{Event, Key, Source};
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
        if let Some(embedded) = embedded_json(message) {
            if embedded.get("detail-type").is_some() && embedded.get("detail").is_some() {
                eventbridge::import_envelope(&embedded, &message_at, sink);
                continue;
            }
            if embedded.get("rule").is_some() && embedded.get("output").is_some() {
                let raw = sink.raw(message_at);
                falco::import_alert(&embedded, raw, stream_key, sink);
                continue;
            }
            if embedded.get("eventVersion").is_some() && embedded.get("eventName").is_some() {
                let raw = sink.raw(message_at);
                cloudtrail::import_record_value(&embedded, raw, sink);
                continue;
            }
        }
        sink.record(FORMAT);
        let raw = sink.raw(at);
        let text = message.trim_end_matches(['\n', '\r']);
        let mut event = Event::new(time, Source::Logs, "log", text, raw);
        event.actor = stream.map(|s| s.to_string());
        event.keys.extend(stream_key);
        event.fact_id = path_str(log_event, &["eventId"]).map(|id| format!("cwlogs:{id}"));
        sink.event(event);
    }
}

fn embedded_json(message: &str) -> Option<Value> {
    let trimmed = message.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    serde_json::from_str::<Value>(trimmed)
        .ok()
        .filter(Value::is_object)
}
