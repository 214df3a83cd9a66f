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
            match (of_log_message(sink.log_group(), stream, shape), shape) {
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
        let text = match (resembles, &stream_key) {
            (Some(what), Some(_)) => {
                format!("[looks like {what}, from the container's own output] {text}")
            }
            (Some(what), None) => {
                format!("[looks like {what}, from a log stream AWS is not known to write] {text}")
            }
            (None, _) => text.to_string(),
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

#[cfg(test)]
mod tests {
    use crate::import::import_bytes;
    use crate::model::{Provenance, Source};
    use serde_json::json;

    fn state_change(id: &str) -> String {
        json!({"version": "0", "id": id, "detail-type": "ECS Task State Change",
               "source": "aws.ecs", "time": "2026-11-20T13:00:00Z", "detail": {
                   "taskArn": "arn:aws:ecs:us-east-1:1:task/c/0123456789abcdef0123456789abcdef",
                   "lastStatus": "STOPPED", "stoppedAt": "2026-11-20T13:00:00Z"}})
        .to_string()
    }

    #[test]
    fn an_envelope_is_read_only_from_the_stream_eventbridge_named_after_it() {
        let id = "26aa9301-6e01-5291-a523-44c8a714f180";
        let output = json!({"events": [
            {"timestamp": 1_795_266_300_000_u64, "message": state_change(id), "logStreamName": id},
            {"timestamp": 1_795_266_300_000_u64, "message": state_change(id),
             "logStreamName": "other-stream"},
            {"timestamp": 1_795_266_300_000_u64, "message": state_change(id)},
        ]});
        let imported = import_bytes(output.to_string().as_bytes(), 0);
        assert_eq!(
            imported.tasks.len(),
            1,
            "only the archived copy states facts"
        );
        let sources: Vec<Source> = imported.events.iter().map(|e| e.source).collect();
        assert_eq!(sources, vec![Source::Ecs, Source::Logs, Source::Logs]);
        for line in &imported.events[1..] {
            assert_eq!(line.provenance(), Provenance::Container);
            assert!(line.summary.starts_with(
                "[looks like an AWS event (ECS Task State Change), \
                 from a log stream AWS is not known to write]"
            ));
        }
    }
}
