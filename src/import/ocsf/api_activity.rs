//! OCSF API Activity (class 6003) as the CloudTrail record it was mapped
//! from: Security Lake writes `eventID` to `metadata.uid`, the caller's
//! ARN to `actor.user.uid`, its principal ID to `actor.user.uid_alt`,
//! `eventName` to `api.operation` and so on (OCSF 1.1 mapping). The record
//! is rebuilt and read by the CloudTrail importer, so the keys, the session
//! links and the fact ID (`cloudtrail:<eventID>`) are CloudTrail's own: the
//! same call from a trail and from Security Lake is one event.

use super::{json_at, time_at};
use crate::import::cloudtrail;
use crate::import::json::path;
use crate::import::Sink;
use crate::model::RawRef;
use serde_json::{Map, Value};

/// (CloudTrail field, OCSF path) of the text fields the importer reads.
const TEXT_FIELDS: [(&str, &[&str]); 7] = [
    ("eventID", &["metadata", "uid"]),
    ("eventSource", &["api", "service", "name"]),
    ("eventName", &["api", "operation"]),
    ("awsRegion", &["cloud", "region"]),
    ("sourceIPAddress", &["src_endpoint", "ip"]),
    ("errorCode", &["api", "response", "error"]),
    ("recipientAccountId", &["cloud", "account", "uid"]),
];

/// (userIdentity field, OCSF path) of the caller.
const IDENTITY_FIELDS: [(&str, &[&str]); 7] = [
    ("type", &["actor", "user", "type"]),
    ("arn", &["actor", "user", "uid"]),
    ("principalId", &["actor", "user", "uid_alt"]),
    ("userName", &["actor", "user", "name"]),
    ("accountId", &["actor", "user", "account", "uid"]),
    ("accessKeyId", &["actor", "user", "credential_uid"]),
    ("invokedBy", &["actor", "invoked_by"]),
];

/// Imports one API Activity record through the CloudTrail importer.
pub fn import(record: &Value, raw: RawRef, sink: &mut Sink) {
    cloudtrail::import_record_value(&cloudtrail_record(record), raw, sink);
}

/// The CloudTrail record an API Activity record was mapped from, as far as
/// the timeline reads it.
fn cloudtrail_record(record: &Value) -> Value {
    let text = |names: &[&str]| path(record, names).and_then(Value::as_str).map(Value::from);
    let mut out = Map::new();
    if let Some(time) = time_at(record, &["time_dt"], &["time"]) {
        let text = time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        out.insert("eventTime".into(), text.into());
    }
    for (field, names) in TEXT_FIELDS {
        if let Some(value) = text(names) {
            out.insert(field.into(), value);
        }
    }
    // A call by an AWS service has no IP address: its domain stands in,
    // as CloudTrail writes it.
    if !out.contains_key("sourceIPAddress") {
        if let Some(domain) = text(&["src_endpoint", "domain"]) {
            out.insert("sourceIPAddress".into(), domain);
        }
    }
    let identity: Map<String, Value> = IDENTITY_FIELDS
        .iter()
        .filter_map(|(field, names)| Some((field.to_string(), text(names)?)))
        .collect();
    if !identity.is_empty() {
        out.insert("userIdentity".into(), Value::Object(identity));
    }
    for (field, names) in [
        ("requestParameters", &["api", "request", "data"]),
        ("responseElements", &["api", "response", "data"]),
    ] {
        let value = json_at(record, names);
        if !value.is_null() {
            out.insert(field.into(), value);
        }
    }
    Value::Object(out)
}
