//! OCSF records (docs/athena.md, "OCSF"): Security Lake's API Activity
//! (class 6003: CloudTrail management and data events, OCSF 1.1) and
//! Security Hub's Detection Findings (class 2004), as JSON files, JSON
//! lines, `GetFindingsV2` output, or Athena rows of Security Lake tables.
//!
//! An Athena row holds the OCSF top-level attributes as columns, its struct
//! columns as JSON text: [`import_record`] reads either form.

mod api_activity;
mod finding;

use super::decode::ParseError;
use super::json::path;
use super::Sink;
use crate::model::time::{parse_time, parse_time_str, Timestamp};
use crate::model::RawRef;
use serde_json::Value;
use std::borrow::Cow;

/// The format name of OCSF records.
pub const FORMAT: &str = "ocsf";
/// OCSF class of API Activity.
const API_ACTIVITY: i64 = 6003;
/// OCSF class of Detection Finding.
const DETECTION_FINDING: i64 = 2004;

/// Imports one OCSF record, given as a parsed value: a whole record, or an
/// Athena row of a Security Lake table (struct columns as JSON text).
pub fn import_record(record: &Value, raw: RawRef, sink: &mut Sink) {
    let record = with_struct_columns_parsed(record);
    sink.out.formats.insert(FORMAT);
    match number(&record, &["class_uid"]) {
        Some(API_ACTIVITY) => api_activity::import(&record, raw, sink),
        Some(DETECTION_FINDING) => finding::import(&record, raw, sink),
        Some(other) => sink.problem(ParseError::new(format!(
            "OCSF record at {}: class {other} is not imported (taskscope reads API Activity, \
             6003, and Detection Finding, 2004)",
            raw.locator
        ))),
        None => sink.problem(ParseError::new(format!(
            "OCSF record at {} has no numeric class_uid",
            raw.locator
        ))),
    }
}

/// True for a `{"Findings": [...]}` listing of OCSF findings (Security
/// Hub's `GetFindingsV2`), as opposed to GuardDuty's findings.
pub fn is_findings_listing(value: &Value) -> bool {
    findings_of(value).is_some_and(|findings| findings.iter().any(|f| f.get("class_uid").is_some()))
}

/// Imports each finding of a `{"Findings": [...]}` listing of OCSF records.
pub fn import_findings_listing(value: &Value, locator: &str, sink: &mut Sink) {
    for (index, record) in findings_of(value).unwrap_or(&[]).iter().enumerate() {
        let raw = sink.raw(format!("{locator}/Findings/{index}"));
        import_record(record, raw, sink);
    }
}

fn findings_of(value: &Value) -> Option<&[Value]> {
    value.get("Findings")?.as_array().map(Vec::as_slice)
}

/// The record with each top-level string that holds a JSON object or array
/// (an Athena struct column selected as JSON text) parsed; the record itself
/// when there is none.
fn with_struct_columns_parsed(record: &Value) -> Cow<'_, Value> {
    let Some(map) = record.as_object() else {
        return Cow::Borrowed(record);
    };
    let is_text_struct = |value: &Value| {
        value
            .as_str()
            .is_some_and(|text| text.starts_with('{') || text.starts_with('['))
    };
    if !map.values().any(is_text_struct) {
        return Cow::Borrowed(record);
    }
    let mut parsed = map.clone();
    for value in parsed.values_mut() {
        if is_text_struct(value) {
            if let Some(text) = value.as_str() {
                if let Ok(inner) = serde_json::from_str::<Value>(text) {
                    *value = inner;
                }
            }
        }
    }
    Cow::Owned(Value::Object(parsed))
}

/// An integer at `names`, given as a number or as text (Athena rows).
fn number(value: &Value, names: &[&str]) -> Option<i64> {
    match path(value, names)? {
        Value::Number(n) => n.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A JSON value OCSF may hold as an object or as JSON text (`api.request.data`).
fn json_at(value: &Value, names: &[&str]) -> Value {
    match path(value, names) {
        Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// The time of a record: `time_dt` (text), else `time` (epoch
/// milliseconds, a number or text); `None` when neither reads as a time.
fn time_at(value: &Value, names_dt: &[&str], names_epoch: &[&str]) -> Option<Timestamp> {
    let text = path(value, names_dt).and_then(Value::as_str);
    text.and_then(parse_time_str)
        .or_else(|| path(value, names_epoch).and_then(parse_time))
}

#[cfg(test)]
mod tests;
