//! Falco JSON alerts, from a file of their own or from a sidecar's log stream.

use super::decode::ParseError;
use super::json::{owned, path, path_array, path_str, path_time};
use super::Sink;
use crate::model::{Event, Key, RawRef, Severity, Source};
use serde_json::Value;

const FORMAT: &str = "falco";

/// Imports one alert `{time, rule, priority, output, output_fields, tags, ...}`.
/// `stream_key` ties it to a task when it came from an awslogs stream; it is
/// then the alert's only key (docs/correlation.md, "Provenance and trust").
pub fn import_alert(alert: &Value, raw: RawRef, stream_key: Option<Key>, sink: &mut Sink) {
    let Some(rule) = path_str(alert, &["rule"]) else {
        sink.problem(ParseError::new(format!(
            "Falco alert at {} has no rule",
            raw.locator
        )));
        return;
    };
    let Some(time) = path_time(alert, &["time"]) else {
        sink.problem(ParseError::new(format!(
            "Falco alert at {} has no valid time (RFC 3339, or epoch seconds to \
             nanoseconds): this alert is skipped",
            raw.locator
        )));
        return;
    };
    sink.record(FORMAT);
    let priority = path_str(alert, &["priority"]).unwrap_or("");
    let output = path_str(alert, &["output"]).unwrap_or(rule);
    let fields = path(alert, &["output_fields"]).unwrap_or(&Value::Null);
    let field = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };

    let mut event = Event::new(time, Source::Falco, rule, output, raw);
    event.severity = Severity::from_falco(priority);
    event.original_severity = owned(alert, &["priority"]);
    event.attack = super::attack::from_falco_tags(path_array(alert, &["tags"]));
    event.actor = match (field("user.name"), field("proc.name")) {
        (Some(user), Some(process)) => Some(format!("{user} ({process})")),
        (user, process) => user.or(process).map(str::to_string),
    };
    // From a task's own stream an alert speaks for that task only: whatever
    // runs in the task writes there too, and may name another task's container.
    let stream_task = match &stream_key {
        Some(Key::LogStream(id)) => Some(id.clone()),
        _ => None,
    };
    match stream_key {
        Some(key) => event.keys.push(key),
        None => {
            if let Some(container) = field("container.id").filter(|id| *id != "host") {
                event.keys.push(Key::RuntimeId(container.to_string()));
            }
        }
    }
    let fingerprint = format!(
        "{}:{rule}:{:016x}",
        crate::model::time::format_time(&time),
        fnv1a(output.as_bytes())
    );
    // Copies merge only within one task's stream, so no stream can lend
    // its keys to an alert read elsewhere.
    event.fact_id = Some(match stream_task {
        Some(task) => format!("falco:{task}:{fingerprint}"),
        None => format!("falco:{fingerprint}"),
    });
    sink.event(event);
}

/// 64-bit FNV-1a: a stable fingerprint for alerts that carry no ID.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
