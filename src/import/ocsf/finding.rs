//! OCSF Detection Finding (class 2004), as Security Hub writes its
//! findings: a finding event on each task its resources name, its severity
//! from `severity_id`.

use crate::import::decode::ParseError;
use crate::import::json::{path_array, path_str};
use crate::import::Sink;
use crate::model::keys::task_ref_key;
use crate::model::{Event, RawRef, Severity, Source};
use serde_json::Value;

/// The time fields of a finding, most telling first.
const TIMES: [(&[&str], &[&str]); 3] = [
    (
        &["finding_info", "first_seen_time_dt"],
        &["finding_info", "first_seen_time"],
    ),
    (
        &["finding_info", "created_time_dt"],
        &["finding_info", "created_time"],
    ),
    (&["time_dt"], &["time"]),
];

/// Imports one Detection Finding.
pub fn import(record: &Value, raw: RawRef, sink: &mut Sink) {
    let Some(time) = TIMES
        .iter()
        .find_map(|(dt, epoch)| super::time_at(record, dt, epoch))
    else {
        sink.problem(ParseError::new(format!(
            "OCSF finding at {} has no valid time",
            raw.locator
        )));
        return;
    };
    sink.record(super::FORMAT);
    sink.note_scope(
        path_str(record, &["cloud", "account", "uid"]),
        path_str(record, &["cloud", "region"]),
    );

    let mut keys = Vec::new();
    for resource in path_array(record, &["resources"]) {
        if let Some(key) = path_str(resource, &["uid"]).and_then(task_ref_key) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let title = path_str(record, &["finding_info", "title"]);
    let kind = path_array(record, &["finding_info", "types"])
        .iter()
        .find_map(Value::as_str)
        .or(title)
        .unwrap_or("Detection Finding");
    let product = path_str(record, &["metadata", "product", "name"]).unwrap_or("unknown product");
    let summary = format!("[Security Hub: {product}] {}", title.unwrap_or(kind));

    let mut event = Event::new(time, Source::Guardduty, kind, summary, raw);
    let severity_id = super::number(record, &["severity_id"]);
    event.severity = severity_of(severity_id);
    event.original_severity = path_str(record, &["severity"])
        .map(str::to_string)
        .or_else(|| severity_id.map(|id| id.to_string()));
    event.keys = keys;
    event.fact_id = path_str(record, &["finding_info", "uid"]).map(fact_id_of);
    sink.event(event);
}

/// OCSF `severity_id`: 1 informational, 2 low, 3 medium, 4 high, 5
/// critical, 6 fatal; 0 unknown and 99 other say nothing.
fn severity_of(id: Option<i64>) -> Severity {
    match id {
        Some(2) => Severity::Low,
        Some(3) => Severity::Medium,
        Some(4) => Severity::High,
        Some(5 | 6) => Severity::Critical,
        _ => Severity::Info,
    }
}

/// The fact a finding states: a GuardDuty finding forwarded by Security
/// Hub (`arn:…:guardduty:…:detector/D/finding/F`) is GuardDuty's finding
/// `F`, the same fact as the finding read from GuardDuty.
fn fact_id_of(uid: &str) -> String {
    let guardduty = uid.starts_with("arn:") && uid.split(':').nth(2) == Some("guardduty");
    match uid.rsplit_once("/finding/") {
        Some((_, id)) if guardduty && !id.is_empty() => format!("guardduty:{id}"),
        _ => format!("ocsf:{uid}"),
    }
}
