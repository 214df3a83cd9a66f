//! EventBridge envelopes: GuardDuty findings, ECS task state changes,
//! deployment state changes, service actions, container instance changes and
//! CloudTrail API calls, as archived by a rule (often into CloudWatch Logs).

use super::decode::ParseError;
use super::json::{path_array, path_str, path_time};
use super::{cloudtrail, ecs, guardduty, Sink};
use crate::model::keys::arn_tail;
use crate::model::{Event, Key, Severity, Source};
use serde_json::Value;

const FORMAT: &str = "eventbridge";

/// Imports one envelope `{version, id, detail-type, source, time, detail, ...}`.
pub fn import_envelope(envelope: &Value, locator: &str, sink: &mut Sink) {
    let detail_type = path_str(envelope, &["detail-type"]).unwrap_or("");
    let Some(detail) = envelope.get("detail") else {
        sink.problem(ParseError::new(format!(
            "EventBridge event at {locator} has no detail"
        )));
        return;
    };
    sink.out.formats.insert(FORMAT);
    sink.note_scope(
        path_str(envelope, &["account"]),
        path_str(envelope, &["region"]),
    );
    let raw = sink.raw(format!("{locator}/detail"));
    match detail_type {
        "GuardDuty Finding" => guardduty::import_finding(detail, raw, sink),
        "ECS Task State Change" => {
            if !ecs::import_task(detail, raw, sink) {
                sink.problem(ParseError::new(format!(
                    "ECS Task State Change at {locator} has no valid taskArn"
                )));
            }
        }
        "AWS API Call via CloudTrail" => cloudtrail::import_record_value(detail, raw, sink),
        "ECS Deployment State Change"
        | "ECS Service Action"
        | "ECS Container Instance State Change" => {
            import_ecs_notice(envelope, detail, detail_type, raw, sink)
        }
        other => sink.problem(ParseError::new(format!(
            "EventBridge event at {locator}: detail-type `{}` is not supported",
            crate::render::sanitize::escape(other)
        ))),
    }
}

/// Deployment, service and container-instance notices: context on the timeline.
fn import_ecs_notice(
    envelope: &Value,
    detail: &Value,
    detail_type: &str,
    raw: crate::model::RawRef,
    sink: &mut Sink,
) {
    let Some(time) = path_time(detail, &["updatedAt"]).or_else(|| path_time(envelope, &["time"]))
    else {
        sink.problem(ParseError::new(format!("{detail_type} event has no time")));
        return;
    };
    sink.record(FORMAT);
    let kind = path_str(detail, &["eventName"]).unwrap_or(detail_type);
    let subject = path_array(envelope, &["resources"])
        .first()
        .and_then(Value::as_str)
        .map(arn_tail)
        .unwrap_or("?");
    let mut summary = format!("{detail_type} for {subject}");
    if let Some(reason) = path_str(detail, &["reason"]) {
        summary.push_str(": ");
        summary.push_str(reason);
    }
    let mut event = Event::new(time, Source::Ecs, kind, summary, raw);
    if let Some(deployment) = path_str(detail, &["deploymentId"]) {
        event.keys.push(Key::Deployment(deployment.to_string()));
    }
    event.severity = match path_str(detail, &["eventType"]) {
        Some("ERROR") => Severity::Medium,
        Some("WARN") => Severity::Low,
        _ => Severity::Info,
    };
    event.fact_id = path_str(envelope, &["id"]).map(|id| format!("eventbridge:{id}"));
    sink.event(event);
}
