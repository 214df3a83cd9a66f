//! CloudTrail records: S3 delivery files, arrays, single records, JSON lines,
//! LookupEvents output and EventBridge "AWS API Call via CloudTrail" details.
//!
//! This is the high-volume source, so records are read into borrowed structs
//! that skip every field the timeline does not need. The raw record stays in
//! the artifact, whole.

use super::decode::ParseError;
use super::json::{path_array, path_str};
use super::{ecs, Sink};
use crate::model::keys::{
    arn_tail, assumed_role_name, is_private_ipv4, is_task_id, is_temporary_access_key,
    parse_session_target, parse_task_arn, role_name, role_session_name,
    role_session_of_principal_id, task_ref_key, ECS_TASKS_PRINCIPAL,
};
use crate::model::time::parse_time_str;
use crate::model::{Event, Key, RawRef, Severity, Source};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;

const FORMAT: &str = "cloudtrail";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow)]
    event_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event_source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event_name: Option<Cow<'a, str>>,
    #[serde(rename = "eventID", borrow)]
    event_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    aws_region: Option<Cow<'a, str>>,
    #[serde(rename = "sourceIPAddress", borrow)]
    source_ip_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    recipient_account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_identity: Option<Identity<'a>>,
    #[serde(borrow)]
    request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    response_elements: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    arn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    principal_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    invoked_by: Option<Cow<'a, str>>,
    #[serde(borrow)]
    account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    access_key_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Delivery<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

/// Imports `{"Records": [...]}` (an S3 delivery file).
pub fn import_records_document(raw: &RawValue, locator: &str, line: usize, sink: &mut Sink) {
    match serde_json::from_str::<Delivery<'_>>(raw.get()) {
        Ok(delivery) => {
            for (index, record) in delivery.records.iter().enumerate() {
                let at = format!("{locator}/Records/{index}");
                import_raw_record(record.get(), at, line, sink);
            }
        }
        Err(error) => sink.problem(ParseError::from_json(&error, line)),
    }
}

/// Imports one bare CloudTrail record.
pub fn import_single_record(raw: &RawValue, locator: &str, line: usize, sink: &mut Sink) {
    import_raw_record(raw.get(), locator.to_string(), line, sink);
}

/// Imports one record given as a parsed value (EventBridge detail).
pub fn import_record_value(value: &Value, raw: RawRef, sink: &mut Sink) {
    let text = value.to_string();
    match serde_json::from_str::<Record<'_>>(&text) {
        Ok(record) => import_record(&record, raw, sink),
        Err(error) => sink.problem(ParseError::new(format!("CloudTrail record: {error}"))),
    }
}

/// Imports `aws cloudtrail lookup-events` output, where each record is a JSON string.
pub fn import_lookup_events(value: &Value, locator: &str, line: usize, sink: &mut Sink) {
    for (index, entry) in path_array(value, &["Events"]).iter().enumerate() {
        let at = format!("{locator}/Events/{index}/CloudTrailEvent");
        match path_str(entry, &["CloudTrailEvent"]) {
            Some(text) => import_raw_record(text, at, line, sink),
            None => sink.problem(ParseError {
                message: format!("LookupEvents entry {index} has no CloudTrailEvent string"),
                line: Some(line),
                column: None,
            }),
        }
    }
}

fn import_raw_record(text: &str, locator: String, line: usize, sink: &mut Sink) {
    let raw = sink.raw(locator);
    import_record_text(text, raw, line, sink);
}

/// Imports one record given as JSON text, read from `raw` (an Athena
/// result row rebuilt into its record).
pub fn import_record_text(text: &str, raw: RawRef, line: usize, sink: &mut Sink) {
    match serde_json::from_str::<Record<'_>>(text) {
        Ok(record) => import_record(&record, raw, sink),
        Err(error) => sink.problem(ParseError {
            message: format!(
                "CloudTrail record at {}: {}",
                raw.locator,
                ParseError::from_json(&error, 1).message
            ),
            line: Some(line),
            column: None,
        }),
    }
}

fn import_record(record: &Record<'_>, raw: RawRef, sink: &mut Sink) {
    let Some(time) = record.event_time.as_deref().and_then(parse_time_str) else {
        sink.problem(ParseError::new(format!(
            "CloudTrail record at {} has no valid eventTime",
            raw.locator
        )));
        return;
    };
    sink.record(FORMAT);
    let account = record
        .recipient_account_id
        .as_deref()
        .or_else(|| record.user_identity.as_ref()?.account_id.as_deref());
    sink.note_scope(account, record.aws_region.as_deref());

    let name = record.event_name.as_deref().unwrap_or("(no eventName)");
    let service = record
        .event_source
        .as_deref()
        .map(|s| s.trim_end_matches(".amazonaws.com"))
        .unwrap_or("?");
    let actor = actor_of(record);
    let mut keys = Vec::new();
    if let Some(identity) = &record.user_identity {
        session_keys(identity, &mut keys);
    }
    if let Some(ip) = record
        .source_ip_address
        .as_deref()
        .filter(|ip| is_private_ipv4(ip))
    {
        keys.push(Key::Ip(ip.to_string()));
    }

    if let Some(request) = record
        .request_parameters
        .filter(|r| r.get().contains("\"eni-"))
    {
        eni_keys(
            &parse_optional(Some(request), "requestParameters", &raw, sink),
            &mut keys,
        );
    }
    let mut detail = String::new();
    let mut fact_id = record
        .event_id
        .as_deref()
        .map(|id| format!("cloudtrail:{id}"));
    if service == "ecs" || name == "AssumeRole" {
        let request = parse_optional(record.request_parameters, "requestParameters", &raw, sink);
        let response = parse_optional(record.response_elements, "responseElements", &raw, sink);
        if name == "AssumeRole" {
            assume_role_key(record, &request, &response, &mut keys, &mut detail);
        } else {
            ecs_keys(name, &request, &response, &mut keys, &mut detail, sink);
        }
        if name == "RegisterTaskDefinition" {
            if let Some(arn) = path_str(&response, &["taskDefinition", "taskDefinitionArn"]) {
                // The same registration as a describe-task-definition output.
                fact_id = Some(ecs::task_definition_fact_id(arn));
            }
        }
    }
    if service == "ssm" && name == "StartSession" {
        let request = parse_optional(record.request_parameters, "requestParameters", &raw, sink);
        session_target_keys(&request, &mut keys, &mut detail);
    }

    let mut summary = format!(
        "{name} ({service}) by {}",
        actor.as_deref().unwrap_or("unknown")
    );
    if let Some(ip) = record.source_ip_address.as_deref() {
        summary.push_str(" from ");
        summary.push_str(ip);
    }
    summary.push_str(&detail);
    let mut severity = match name {
        "ExecuteCommand" | "StopLogging" | "DeleteTrail" => Severity::Medium,
        _ => Severity::Info,
    };
    if let Some(code) = record.error_code.as_deref() {
        summary.push_str(" → ");
        summary.push_str(code);
        severity = severity.max(Severity::Low);
    }

    let mut event = Event::new(time, Source::Cloudtrail, name, summary, raw);
    event.severity = severity;
    event.actor = actor;
    event.keys = keys;
    event.fact_id = fact_id;
    sink.event(event);
}

/// The role session an identity names: from its assumed-role ARN, or, in
/// cross-account records that carry no ARN, from its `principalId`.
fn role_session_of<'a>(identity: &'a Identity<'_>) -> Option<&'a str> {
    match identity.arn.as_deref() {
        Some(arn) => role_session_name(arn),
        None => identity
            .principal_id
            .as_deref()
            .and_then(role_session_of_principal_id),
    }
}

/// Keys from a Session Manager `StartSession` whose target is an ECS task
/// container (`ecs:<cluster>_<task-id>_<runtime-id>`): port forwarding or a
/// shell that reaches the task without an `ExecuteCommand` call.
fn session_target_keys(request: &Value, keys: &mut Vec<Key>, detail: &mut String) {
    let Some(target) = path_str(request, &["target"]) else {
        return;
    };
    detail.push_str(&format!(" target={target}"));
    if let Some(document) = path_str(request, &["documentName"]) {
        detail.push_str(&format!(" document={document}"));
    }
    if let Some(parsed) = parse_session_target(target) {
        keys.push(Key::TaskId(parsed.task_id));
        keys.push(Key::RuntimeId(parsed.runtime_id));
    }
}

fn actor_of(record: &Record<'_>) -> Option<String> {
    let identity = record.user_identity.as_ref()?;
    identity
        .arn
        .as_deref()
        .or(identity.user_name.as_deref())
        .or(identity.invoked_by.as_deref())
        .or(identity.principal_id.as_deref())
        .or(identity.kind.as_deref())
        .map(str::to_string)
}

/// Keys of the caller's session: its name when it is a task ID, with the
/// role it belongs to, and the temporary access key it signed with.
fn session_keys(identity: &Identity<'_>, keys: &mut Vec<Key>) {
    let arn = identity.arn.as_deref();
    if let Some(session) = role_session_of(identity).filter(|s| is_task_id(s)) {
        keys.push(Key::RoleSession(session.to_ascii_lowercase()));
        if let Some(role) = arn.and_then(assumed_role_name) {
            keys.push(Key::SessionRole(role.to_string()));
        }
    }
    if let Some(access_key) = identity
        .access_key_id
        .as_deref()
        .filter(|k| is_temporary_access_key(k))
    {
        keys.push(Key::AccessKey(access_key.to_string()));
    }
}

/// The AssumeRole key: the session asked for, its role, whether ECS asked,
/// and the access key issued. Correlation follows the issued key to the
/// records signed with it.
fn assume_role_key(
    record: &Record<'_>,
    request: &Value,
    response: &Value,
    keys: &mut Vec<Key>,
    detail: &mut String,
) {
    let session = path_str(request, &["roleSessionName"]).unwrap_or("");
    let by_ecs = record.user_identity.as_ref().is_some_and(|identity| {
        identity.kind.as_deref() == Some("AWSService")
            && identity.invoked_by.as_deref() == Some(ECS_TASKS_PRINCIPAL)
    });
    let role = path_str(request, &["roleArn"])
        .and_then(role_name)
        .unwrap_or("");
    let issued = path_str(response, &["credentials", "accessKeyId"])
        .filter(|k| is_temporary_access_key(k))
        .map(str::to_string);
    if is_task_id(session) {
        detail.push_str(&format!(" session={session}"));
    }
    keys.push(Key::AssumeRole {
        session: session.to_ascii_lowercase(),
        role: role.to_string(),
        by_ecs,
        issued,
    });
}

/// ENI IDs named anywhere in a request (DescribeNetworkInterfaces and friends).
fn eni_keys(request: &Value, keys: &mut Vec<Key>) {
    match request {
        Value::String(text) if text.starts_with("eni-") => {
            let key = Key::Eni(text.clone());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| eni_keys(item, keys)),
        Value::Object(map) => map.values().for_each(|item| eni_keys(item, keys)),
        _ => {}
    }
}

/// Parses a request or response the record holds. One that cannot be read
/// (a lone UTF-16 surrogate escape, say) is reported, so the file is marked
/// partial: the task links it would give are missing, and that must show.
fn parse_optional(value: Option<&RawValue>, field: &str, raw: &RawRef, sink: &mut Sink) -> Value {
    let Some(value) = value else {
        return Value::Null;
    };
    serde_json::from_str(value.get()).unwrap_or_else(|error| {
        sink.problem(ParseError::new(format!(
            "CloudTrail record at {}: its {field} cannot be read ({error}); \
             the task links it holds are missing",
            raw.locator
        )));
        Value::Null
    })
}

/// Keys and summary detail from the request and response of ECS calls.
fn ecs_keys(
    name: &str,
    request: &Value,
    response: &Value,
    keys: &mut Vec<Key>,
    detail: &mut String,
    sink: &mut Sink,
) {
    let task_ref = |text: &str, keys: &mut Vec<Key>| {
        if let Some(key) = task_ref_key(text) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    };
    if let Some(task) = path_str(request, &["task"]) {
        task_ref(task, keys);
    }
    for task in path_array(request, &["tasks"]) {
        if let Some(task) = task.as_str() {
            task_ref(task, keys);
        }
    }
    if let Some(arn) = path_str(response, &["taskArn"]) {
        task_ref(arn, keys);
    }
    // TagResource, UntagResource and ListTagsForResource name the resource
    // by ARN; taskscope's own response actions tag tasks this way.
    if let Some(arn) = path_str(request, &["resourceArn"]).filter(|a| parse_task_arn(a).is_some()) {
        task_ref(arn, keys);
    }
    let response_tasks = path_array(response, &["tasks"])
        .iter()
        .chain(response.get("task"));
    for task in response_tasks {
        if let Some(facts) = ecs::task_facts(task) {
            task_ref(facts.arn.as_deref().unwrap_or(&facts.id), keys);
            sink.task(facts);
        }
    }
    match name {
        "ExecuteCommand" => {
            for (label, field) in [("container", "container"), ("command", "command")] {
                if let Some(value) = path_str(request, &[field]) {
                    detail.push_str(&format!(" {label}={value}"));
                }
            }
        }
        "TagResource" => {
            let tags: Vec<String> = path_array(request, &["tags"])
                .iter()
                .filter_map(|tag| {
                    let key = path_str(tag, &["key"])?;
                    Some(format!("{key}={}", path_str(tag, &["value"]).unwrap_or("")))
                })
                .collect();
            if !tags.is_empty() {
                detail.push_str(&format!(" tags={}", tags.join(",")));
            }
        }
        "UntagResource" => {
            let tag_keys: Vec<&str> = path_array(request, &["tagKeys"])
                .iter()
                .filter_map(Value::as_str)
                .collect();
            if !tag_keys.is_empty() {
                detail.push_str(&format!(" tagKeys={}", tag_keys.join(",")));
            }
        }
        "StopTask" => {
            if let Some(reason) = path_str(request, &["reason"]) {
                detail.push_str(&format!(" reason={reason}"));
            }
        }
        "RegisterTaskDefinition" => {
            let definition = response.get("taskDefinition").unwrap_or(&Value::Null);
            if let Some(arn) = path_str(definition, &["taskDefinitionArn"]) {
                keys.push(Key::TaskDefinition(arn.to_string()));
                keys.extend(ecs::definition_role_keys(definition));
                detail.push_str(&format!(" registered {}", arn_tail(arn)));
            }
        }
        "UpdateService" | "CreateService" => {
            if let Some(definition) = path_str(request, &["taskDefinition"]) {
                detail.push_str(&format!(" taskDefinition={definition}"));
            }
            let deployments = path_array(response, &["service", "deployments"]);
            let primary = deployments
                .iter()
                .find(|d| path_str(d, &["status"]) == Some("PRIMARY"));
            if let Some(id) = primary.and_then(|d| path_str(d, &["id"])) {
                keys.push(Key::Deployment(id.to_string()));
                detail.push_str(&format!(" deployment={id}"));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unreadable_ecs_request_marks_the_file_partial() {
        let record = r#"{"eventVersion":"1.08","eventTime":"2026-11-20T13:00:00Z",
            "eventSource":"ecs.amazonaws.com","eventName":"StopTask",
            "requestParameters":{"task":"0123456789abcdef0123456789abcdef","note":"\ud800"}}"#;
        let imported = crate::import::import_bytes(record.as_bytes(), 0);
        assert_eq!(imported.records, 1);
        assert_eq!(imported.status(), crate::import::FileStatus::Partial);
        assert!(
            imported.errors[0]
                .message
                .contains("requestParameters cannot be read"),
            "{:?}",
            imported.errors
        );
    }
}
