//! GuardDuty findings in every shape a responder holds: `get-findings` CLI
//! output (PascalCase), the API/EventBridge `detail` shape (camelCase), and
//! single findings. ECS Runtime Monitoring findings and attack sequences are
//! read in depth: the task, its containers, the process and its context.

use super::decode::ParseError;
use super::json::{field, owned, path, path_array, path_str, path_time};
use super::Sink;
use crate::model::keys::{is_private_ipv4, parse_task_arn, task_ref_key};
use crate::model::{Container, Event, Key, RawRef, Severity, Source, TaskFacts};
use serde_json::Value;

pub mod sequence;

const FORMAT: &str = "guardduty";

/// Why Security Hub ASFF documents are rejected.
pub const ASFF_UNSUPPORTED: &str =
    "Security Hub ASFF findings are not supported: export GuardDuty \
    findings with `aws guardduty get-findings` instead";

/// Imports `{"Findings": [...]}` (CLI) or `{"findings": [...]}` (API).
pub fn import_findings_list(value: &Value, locator: &str, line: usize, sink: &mut Sink) {
    let key = if value.get("Findings").is_some() {
        "Findings"
    } else {
        "findings"
    };
    let findings = value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if findings.iter().any(|f| f.get("ProductArn").is_some()) {
        sink.problem(ParseError {
            message: ASFF_UNSUPPORTED.into(),
            line: Some(line),
            column: None,
        });
        return;
    }
    sink.out.formats.insert(FORMAT);
    for (index, finding) in findings.iter().enumerate() {
        let raw = sink.raw(format!("{locator}/{key}/{index}"));
        import_finding(finding, raw, sink);
    }
}

/// Imports one finding in either casing.
pub fn import_finding(finding: &Value, raw: RawRef, sink: &mut Sink) {
    let Some(kind) = path_str(finding, &["type"]) else {
        sink.problem(ParseError::new(format!(
            "GuardDuty finding at {} has no type",
            raw.locator
        )));
        return;
    };
    let Some(time) = path_time(finding, &["service", "eventFirstSeen"])
        .or_else(|| path_time(finding, &["createdAt"]))
        .or_else(|| path_time(finding, &["updatedAt"]))
    else {
        sink.problem(ParseError::new(format!(
            "GuardDuty finding at {} has no eventFirstSeen, createdAt or updatedAt",
            raw.locator
        )));
        return;
    };
    sink.record(FORMAT);
    sink.note_scope(
        path_str(finding, &["accountId"]),
        path_str(finding, &["region"]),
    );

    let score = path(finding, &["severity"])
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let mut keys = Vec::new();
    let resource = field(finding, "resource").unwrap_or(&Value::Null);
    if let Some(task) = path(resource, &["ecsClusterDetails", "taskDetails"]) {
        if let Some(facts) = task_details_facts(task) {
            keys.push(Key::TaskArn {
                id: facts.id.clone(),
                arn: facts.arn.clone().unwrap_or_default(),
            });
            for container in &facts.containers {
                if let Some(id) = &container.runtime_id {
                    keys.push(Key::RuntimeId(id.clone()));
                }
            }
            sink.task(facts);
        }
    }
    if let Some(id) = path_str(resource, &["containerDetails", "id"]) {
        keys.push(Key::RuntimeId(id.to_string()));
    }
    if let Some(ip) = path_str(
        finding,
        &[
            "service",
            "action",
            "networkConnectionAction",
            "localIpDetails",
            "ipAddressV4",
        ],
    )
    .filter(|ip| is_private_ipv4(ip))
    {
        keys.push(Key::Ip(ip.to_string()));
    }
    sequence_keys(finding, &mut keys);
    keys.dedup();

    let mut summary = path_str(finding, &["title"]).unwrap_or(kind).to_string();
    let sample = is_sample(finding);
    if sample {
        summary.insert_str(0, "[sample] ");
    }
    let process = path(finding, &["service", "runtimeDetails", "process"]);
    if let Some(process) = process {
        summary.push_str(&process_summary(process));
    }
    let context = path(finding, &["service", "runtimeDetails", "context"]).unwrap_or(&Value::Null);
    if let Some(modifier) = path(context, &["modifyingProcess"]) {
        summary.push_str(" modified by");
        summary.push_str(&process_summary(modifier));
    }
    if let Some(command) = path_str(context, &["commandLineExample"]) {
        summary.push_str(" cmd: ");
        summary.push_str(command);
    }
    for remote in remote_addresses(finding) {
        summary.push_str(" remote ");
        summary.push_str(&remote);
    }

    let mut event = Event::new(time, Source::Guardduty, kind, summary, raw);
    event.severity = if sample {
        Severity::Info
    } else {
        Severity::from_guardduty(score)
    };
    event.original_severity = path(finding, &["severity"]).map(|s| s.to_string());
    event.actor = process
        .and_then(|p| owned(p, &["executablePath"]).or_else(|| owned(p, &["name"])))
        .or_else(|| owned(resource, &["accessKeyDetails", "userName"]));
    event.keys = keys;
    event.attack = super::attack::from_guardduty(kind, finding);
    event.fact_id = path_str(finding, &["id"]).map(|id| format!("guardduty:{id}"));
    sink.event(event);
}

/// Task facts from `resource.ecsClusterDetails.taskDetails`.
fn task_details_facts(task: &Value) -> Option<TaskFacts> {
    let arn = path_str(task, &["arn"])?;
    let parsed = parse_task_arn(arn)?;
    let mut facts = TaskFacts::new(parsed.id);
    facts.arn = Some(arn.to_string());
    facts.cluster = parsed.cluster;
    facts.task_definition_arn = owned(task, &["definitionArn"]);
    facts.group = owned(task, &["group"]);
    facts.started_by = owned(task, &["startedBy"]);
    facts.launch_type = owned(task, &["launchType"]);
    // The wire name is `createdAt`; the CLI prints the member name `TaskCreatedAt`.
    facts.created_at =
        path_time(task, &["createdAt"]).or_else(|| path_time(task, &["taskCreatedAt"]));
    facts.started_at = path_time(task, &["startedAt"]);
    for container in path_array(task, &["containers"]) {
        facts.containers.push(Container {
            name: owned(container, &["name"]).unwrap_or_default(),
            image: owned(container, &["image"]),
            runtime_id: owned(container, &["id"]),
            ..Container::default()
        });
    }
    Some(facts)
}

/// Keys from an attack sequence: every task it names, by resource uid or data.
fn sequence_keys(finding: &Value, keys: &mut Vec<Key>) {
    let resources = path_array(finding, &["service", "detection", "sequence", "resources"]);
    for resource in resources {
        for candidate in [
            path_str(resource, &["uid"]),
            path_str(resource, &["data", "ecsTask", "arn"]),
        ] {
            if let Some(key) = candidate.and_then(task_ref_key) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        for uid in path_array(resource, &["data", "ecsTask", "containerUids"]) {
            if let Some(uid) = uid.as_str() {
                keys.push(Key::RuntimeId(uid.to_string()));
            }
        }
    }
}

fn process_summary(process: &Value) -> String {
    let mut text = String::new();
    if let Some(name) = path_str(process, &["name"]) {
        text.push_str(&format!(" — process {name}"));
    }
    if let Some(exe) = path_str(process, &["executablePath"]) {
        text.push_str(&format!(" ({exe})"));
    }
    if let Some(pid) = path(process, &["pid"]) {
        text.push_str(&format!(" pid {pid}"));
    }
    if let Some(user) = path_str(process, &["user"]) {
        text.push_str(&format!(" user {user}"));
    }
    if let Some(sha) = path_str(process, &["executableSha256"]) {
        text.push_str(&format!(" sha256 {sha}"));
    }
    let lineage: Vec<&str> = path_array(process, &["lineage"])
        .iter()
        .filter_map(|p| path_str(p, &["name"]))
        .collect();
    if !lineage.is_empty() {
        text.push_str(&format!(" lineage {}", lineage.join("←")));
    }
    text
}

/// Remote addresses of network actions, as `ip:port`.
fn remote_addresses(finding: &Value) -> Vec<String> {
    let action = path(finding, &["service", "action"]).unwrap_or(&Value::Null);
    let mut found = Vec::new();
    if let Some(ip) = path_str(
        action,
        &["networkConnectionAction", "remoteIpDetails", "ipAddressV4"],
    ) {
        let port = path(
            action,
            &["networkConnectionAction", "remotePortDetails", "port"],
        )
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
        found.push(format!("{ip}{port}"));
    }
    if let Some(domain) = path_str(action, &["dnsRequestAction", "domain"]) {
        found.push(domain.to_string());
    }
    found
}

/// GuardDuty sample findings carry `"sample": true` in `service.additionalInfo`,
/// either as an object or inside its JSON-encoded `value` string.
fn is_sample(finding: &Value) -> bool {
    let Some(info) = path(finding, &["service", "additionalInfo"]) else {
        return false;
    };
    if field(info, "sample").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    path_str(info, &["value"])
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|v| v.get("sample").and_then(Value::as_bool))
        == Some(true)
}
