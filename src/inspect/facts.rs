//! Key facts: the fields of a raw record a responder reads first, per source.
//!
//! GuardDuty fields are read in either casing (API camelCase, CLI
//! PascalCase). A record of a shape not recognized gives no facts; the
//! console then shows only its JSON tree.

use crate::import::guardduty::sequence::{sequence_signals, SequenceSignal};
use crate::import::json::{path, path_array, path_str};
use crate::model::keys::arn_tail;
use crate::model::time::{format_time, parse_time};
use crate::model::{Event, Source};
use serde_json::Value;

/// Longest rendering of a structured value (request parameters, say), in characters.
pub const MAX_STRUCTURED_CHARS: usize = 500;

/// One labelled fact. Both strings are raw evidence: escape before display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// What the value is (`principal`, `pid`, or a Falco output field name).
    pub label: String,
    /// The value as one line of text.
    pub value: String,
}

/// The facts of `raw` (the event's raw record) worth reading first, in reading order.
/// The event's ATT&CK tactics and techniques come first, when it names any.
pub fn key_facts(event: &Event, raw: &Value) -> Vec<Fact> {
    let mut facts = Facts::default();
    facts.push("ATT&CK", event.attack.describe());
    if raw.is_object() {
        match event.source {
            Source::Guardduty => guardduty(raw, &mut facts),
            Source::Cloudtrail => cloudtrail(raw, &mut facts),
            Source::Falco => falco(raw, &mut facts),
            Source::Ecs => ecs(raw, &mut facts),
            Source::Logs => log_event(raw, &mut facts),
            Source::Scap | Source::Response => {}
        }
    }
    facts.0
}

/// Collects facts, skipping absent and empty values.
#[derive(Default)]
struct Facts(Vec<Fact>);

impl Facts {
    fn push(&mut self, label: impl Into<String>, value: String) {
        if !value.is_empty() {
            self.0.push(Fact {
                label: label.into(),
                value,
            });
        }
    }

    fn text(&mut self, label: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.push(label, value.to_string());
        }
    }

    fn value(&mut self, label: &str, value: Option<&Value>) {
        if let Some(value) = value.filter(|v| !v.is_null()) {
            self.push(label, one_line(value));
        }
    }

    fn time(&mut self, label: &str, value: Option<&Value>) {
        match value.and_then(parse_time) {
            Some(time) => self.push(label, format_time(&time)),
            None => self.value(label, value),
        }
    }
}

/// A value on one line: strings as they are, other scalars as JSON, and
/// objects and arrays as compact JSON (keys sorted) cut at [`MAX_STRUCTURED_CHARS`].
pub fn one_line(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Object(_) | Value::Array(_) => cap(with_sorted_keys(value).to_string()),
        other => other.to_string(),
    }
}

/// `value` with every object's keys in sorted order: serde_json's map order
/// depends on its `preserve_order` feature, which a dependency may turn on
/// for one build and not another. Parsed values are at most 128 levels deep.
fn with_sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, item)| (key.clone(), with_sorted_keys(item)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(with_sorted_keys).collect()),
        other => other.clone(),
    }
}

fn cap(text: String) -> String {
    match text.char_indices().nth(MAX_STRUCTURED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn guardduty(finding: &Value, facts: &mut Facts) {
    let kind = path_str(finding, &["type"]);
    facts.text("type", kind);
    facts.value("severity", path(finding, &["severity"]));
    facts.text("title", path_str(finding, &["title"]));
    if kind.is_some_and(|k| k.starts_with("AttackSequence:")) {
        attack_sequence(finding, facts);
    } else {
        let container = path(finding, &["resource", "containerDetails"]);
        if let Some(container) = container {
            facts.text("container", path_str(container, &["name"]));
            facts.text("image", path_str(container, &["image"]));
        }
        runtime(finding, facts);
        action(finding, facts);
    }
    facts.text("account", path_str(finding, &["accountId"]));
    facts.text("region", path_str(finding, &["region"]));
    facts.text("finding id", path_str(finding, &["id"]));
    facts.value("count", path(finding, &["service", "count"]));
    facts.time("first seen", path(finding, &["service", "eventFirstSeen"]));
    facts.time("last seen", path(finding, &["service", "eventLastSeen"]));
}

/// Runtime Monitoring: the process, its ancestry and what it touched.
fn runtime(finding: &Value, facts: &mut Facts) {
    let details = path(finding, &["service", "runtimeDetails"]).unwrap_or(&Value::Null);
    if let Some(process) = path(details, &["process"]) {
        facts.text("process", path_str(process, &["name"]));
        facts.text("executable", path_str(process, &["executablePath"]));
        facts.text("sha256", path_str(process, &["executableSha256"]));
        facts.value("pid", path(process, &["pid"]));
        facts.text("user", path_str(process, &["user"]));
    }
    let context = path(details, &["context"]).unwrap_or(&Value::Null);
    facts.text("command line", path_str(context, &["commandLineExample"]));
    if let Some(process) = path(details, &["process"]) {
        facts.push("lineage", lineage(process));
    }
    if let Some(modifier) = path(context, &["modifyingProcess"]) {
        let mut text = process_ref(modifier);
        if let Some(exe) = path_str(modifier, &["executablePath"]) {
            text.push_str(&format!(" {exe}"));
        }
        facts.push("modifying process", text);
    }
    for (label, field) in [
        ("script", "scriptPath"),
        ("threat file", "threatFilePath"),
        ("tool", "toolName"),
        ("LD_PRELOAD", "ldPreloadValue"),
        ("kernel module", "moduleName"),
    ] {
        facts.text(label, path_str(context, &[field]));
    }
}

/// `name(pid)`, or whichever of the two is known.
fn process_ref(process: &Value) -> String {
    let name = path_str(process, &["name"]).unwrap_or("?");
    match path(process, &["pid"]).filter(|p| !p.is_null()) {
        Some(pid) => format!("{name}({})", one_line(pid)),
        None => name.to_string(),
    }
}

/// The process and its ancestors, nearest first: `xmrig(11873) <- bash(9146) <- ...`.
fn lineage(process: &Value) -> String {
    let ancestors = path_array(process, &["lineage"]);
    if ancestors.is_empty() {
        return String::new();
    }
    std::iter::once(process)
        .chain(ancestors)
        .map(process_ref)
        .collect::<Vec<_>>()
        .join(" <- ")
}

/// Where the finding's activity went: remote address, port, domain, API.
fn action(finding: &Value, facts: &mut Facts) {
    let action = path(finding, &["service", "action"]).unwrap_or(&Value::Null);
    let connection = path(action, &["networkConnectionAction"]);
    let api = path(action, &["awsApiCallAction"]);
    if let Some(remote) = connection
        .or(api)
        .and_then(|a| path(a, &["remoteIpDetails"]))
    {
        let ip = path_str(remote, &["ipAddressV4"]).or_else(|| path_str(remote, &["ipAddressV6"]));
        let port = connection.and_then(|c| path(c, &["remotePortDetails", "port"]));
        let address = match (ip, port) {
            (Some(ip), Some(port)) => format!("{ip}:{}", one_line(port)),
            (Some(ip), None) => ip.to_string(),
            _ => String::new(),
        };
        facts.push("remote address", address);
        facts.text("remote org", path_str(remote, &["organization", "asnOrg"]));
    }
    if let Some(connection) = connection {
        facts.text("direction", path_str(connection, &["connectionDirection"]));
    }
    facts.text("domain", path_str(action, &["dnsRequestAction", "domain"]));
    if let Some(api) = api {
        facts.text("API", path_str(api, &["api"]));
        facts.text("service", path_str(api, &["serviceName"]));
    }
}

/// Attack sequences: what it says, the signals it strings together, and its indicators.
fn attack_sequence(finding: &Value, facts: &mut Facts) {
    let sequence = path(finding, &["service", "detection", "sequence"]).unwrap_or(&Value::Null);
    facts.text("description", path_str(sequence, &["description"]));
    for signal in sequence_signals(finding) {
        facts.push("signal", signal_line(&signal));
    }
    for indicator in path_array(sequence, &["sequenceIndicators"]) {
        let label = path_str(indicator, &["title"])
            .or_else(|| path_str(indicator, &["key"]))
            .unwrap_or("indicator");
        let values: Vec<String> = path_array(indicator, &["values"])
            .iter()
            .map(one_line)
            .collect();
        facts.push(label, values.join(", "));
    }
    for endpoint in path_array(sequence, &["endpoints"]) {
        let address = path_str(endpoint, &["ip"]).or_else(|| path_str(endpoint, &["id"]));
        let text = match (address, path(endpoint, &["port"])) {
            (Some(ip), Some(port)) => format!("{ip}:{}", one_line(port)),
            (Some(ip), None) => ip.to_string(),
            _ => continue,
        };
        facts.push("endpoint", text);
    }
}

/// One signal on one line: its name (else description), severity score,
/// when first seen and the resources it involves.
fn signal_line(signal: &SequenceSignal) -> String {
    let mut text = signal
        .name
        .as_deref()
        .or(signal.description.as_deref())
        .unwrap_or("?")
        .to_string();
    if let Some(score) = signal.score {
        text.push_str(&format!(" sev {score}"));
    }
    if let Some(time) = &signal.first_seen {
        text.push_str(&format!(" at {}", format_time(time)));
    }
    let resources: Vec<&str> = signal.resources.iter().map(|uid| arn_tail(uid)).collect();
    if !resources.is_empty() {
        text.push_str(&format!(" on {}", resources.join(", ")));
    }
    text
}

fn cloudtrail(record: &Value, facts: &mut Facts) {
    facts.text("event", path_str(record, &["eventName"]));
    facts.text("service", path_str(record, &["eventSource"]));
    let identity = path(record, &["userIdentity"]).unwrap_or(&Value::Null);
    let principal = ["arn", "userName", "invokedBy", "principalId", "type"]
        .iter()
        .find_map(|field| path_str(identity, &[field]));
    facts.text("principal", principal);
    facts.text(
        "session issuer",
        path_str(identity, &["sessionContext", "sessionIssuer", "arn"]),
    );
    facts.text("access key", path_str(identity, &["accessKeyId"]));
    facts.text("source IP", path_str(record, &["sourceIPAddress"]));
    facts.text("user agent", path_str(record, &["userAgent"]));
    facts.value("request", path(record, &["requestParameters"]));
    facts.text("error code", path_str(record, &["errorCode"]));
    facts.text("error message", path_str(record, &["errorMessage"]));
    facts.text("event id", path_str(record, &["eventID"]));
    facts.value("read only", path(record, &["readOnly"]));
    facts.text("region", path_str(record, &["awsRegion"]));
    facts.text("account", path_str(record, &["recipientAccountId"]));
}

fn falco(alert: &Value, facts: &mut Facts) {
    facts.text("rule", path_str(alert, &["rule"]));
    facts.text("priority", path_str(alert, &["priority"]));
    facts.text("output", path_str(alert, &["output"]));
    facts.text("source", path_str(alert, &["source"]));
    facts.text("hostname", path_str(alert, &["hostname"]));
    let tags: Vec<String> = path_array(alert, &["tags"]).iter().map(one_line).collect();
    facts.push("tags", tags.join(", "));
    if let Some(fields) = path(alert, &["output_fields"]).and_then(Value::as_object) {
        // Sorted, as in `with_sorted_keys`.
        let mut fields: Vec<(&String, &Value)> = fields.iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        for (name, value) in fields {
            facts.push(name.as_str(), one_line(value));
        }
    }
}

/// ECS records come in several shapes; each is told apart by a field only it has.
fn ecs(record: &Value, facts: &mut Facts) {
    if record.get("taskArn").is_some() {
        ecs_task(record, facts);
    } else if record.get("containerDefinitions").is_some() {
        task_definition(record, facts);
    } else if record.get("eventName").is_some() {
        // EventBridge deployment, service action or container instance notice.
        facts.text("event", path_str(record, &["eventName"]));
        facts.text("event type", path_str(record, &["eventType"]));
        facts.text("deployment", path_str(record, &["deploymentId"]));
        facts.text("reason", path_str(record, &["reason"]));
    } else if path_str(record, &["id"]).is_some_and(|id| id.starts_with("ecs-svc/")) {
        facts.text("deployment", path_str(record, &["id"]));
        facts.text("status", path_str(record, &["status"]));
        facts.text("rollout state", path_str(record, &["rolloutState"]));
        facts.text("rollout reason", path_str(record, &["rolloutStateReason"]));
        let definition = path_str(record, &["taskDefinition"]).map(arn_tail);
        facts.text("task definition", definition);
        facts.time("created", path(record, &["createdAt"]));
        facts.value("failed tasks", path(record, &["failedTasks"]));
    } else if record.get("message").is_some() {
        facts.text("message", path_str(record, &["message"]));
    }
}

fn ecs_task(task: &Value, facts: &mut Facts) {
    facts.text("task", path_str(task, &["taskArn"]));
    facts.text("last status", path_str(task, &["lastStatus"]));
    facts.text("desired status", path_str(task, &["desiredStatus"]));
    facts.text("stop code", path_str(task, &["stopCode"]));
    facts.text("stopped reason", path_str(task, &["stoppedReason"]));
    for container in path_array(task, &["containers"]) {
        let name = path_str(container, &["name"]).unwrap_or("?");
        let mut parts = Vec::new();
        if let Some(status) = path_str(container, &["lastStatus"]) {
            parts.push(status.to_string());
        }
        if let Some(code) = path(container, &["exitCode"]).filter(|c| !c.is_null()) {
            parts.push(format!("exit {}", one_line(code)));
        }
        if let Some(reason) = path_str(container, &["reason"]) {
            parts.push(reason.to_string());
        }
        facts.push(format!("container {name}"), parts.join(", "));
    }
    let definition = path_str(task, &["taskDefinitionArn"]).map(arn_tail);
    facts.text("task definition", definition);
    facts.text("started by", path_str(task, &["startedBy"]));
    facts.text("group", path_str(task, &["group"]));
}

fn task_definition(definition: &Value, facts: &mut Facts) {
    let arn = path_str(definition, &["taskDefinitionArn"]);
    facts.text("task definition", arn.map(arn_tail));
    facts.text("task role", path_str(definition, &["taskRoleArn"]));
    facts.text(
        "execution role",
        path_str(definition, &["executionRoleArn"]),
    );
    facts.text("network mode", path_str(definition, &["networkMode"]));
    facts.text("registered by", path_str(definition, &["registeredBy"]));
    for container in path_array(definition, &["containerDefinitions"]) {
        let name = path_str(container, &["name"]).unwrap_or("?");
        facts.text(&format!("image {name}"), path_str(container, &["image"]));
    }
}

fn log_event(log: &Value, facts: &mut Facts) {
    facts.text("log stream", path_str(log, &["logStreamName"]));
    facts.text("message", path_str(log, &["message"]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::test_support::{demo, demo_record, fixture_events};
    use serde_json::json;

    fn value<'a>(facts: &'a [Fact], label: &str) -> Option<&'a str> {
        facts
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.as_str())
    }

    fn event_of_kind<'a>(incident: &'a crate::correlate::Incident, kind: &str) -> &'a Event {
        incident
            .events
            .iter()
            .find(|e| e.kind == kind)
            .unwrap_or_else(|| panic!("no {kind} event"))
    }

    #[test]
    fn guardduty_runtime_finding_in_cli_casing() {
        let incident = demo();
        let event = event_of_kind(&incident, "Impact:Runtime/CryptoMinerExecuted");
        let facts = key_facts(event, &demo_record(event));
        assert_eq!(
            value(&facts, "type"),
            Some("Impact:Runtime/CryptoMinerExecuted")
        );
        assert_eq!(value(&facts, "severity"), Some("8"));
        assert_eq!(value(&facts, "process"), Some("xmrig"));
        assert_eq!(value(&facts, "executable"), Some("/tmp/.x/xmrig"));
        assert_eq!(
            value(&facts, "sha256"),
            Some("ad826df5a544ea2e8ceec50252c8da7a33615bccc0aeb914e915c2821ad0302c")
        );
        assert_eq!(value(&facts, "pid"), Some("11873"));
        assert_eq!(value(&facts, "user"), Some("root"));
        assert_eq!(
            value(&facts, "lineage"),
            Some("xmrig(11873) <- bash(9146) <- sh(9142) <- python3(5187)")
        );
        // Raw, not escaped: the control bytes are still there for the UI to escape.
        assert!(value(&facts, "command line").is_some_and(|c| c.contains('\u{1b}')));
        assert_eq!(value(&facts, "container"), Some("app"));
        assert_eq!(value(&facts, "account"), Some("111122223333"));
        assert_eq!(
            value(&facts, "finding id"),
            Some("a1b9c8d7e6f54a3b2c1d0e9f8a7b6c51")
        );
        assert_eq!(value(&facts, "first seen"), Some("2026-11-20T14:02:40Z"));
        assert_eq!(value(&facts, "count"), Some("1"));
    }

    #[test]
    fn guardduty_runtime_finding_in_api_casing_with_remote_address() {
        let incident = demo();
        let event = event_of_kind(&incident, "Execution:Runtime/ReverseShell");
        // The EventBridge copy (camelCase) of the same finding.
        let camel = event
            .raw
            .iter()
            .find(|r| r.locator.ends_with("/detail"))
            .expect("EventBridge copy");
        let record = crate::inspect::test_support::demo_record_at(camel);
        assert!(record.get("type").is_some(), "camelCase record");
        let facts = key_facts(event, &record);
        assert_eq!(value(&facts, "remote address"), Some("203.0.113.66:4444"));
        assert_eq!(value(&facts, "direction"), Some("OUTBOUND"));
        assert_eq!(
            value(&facts, "lineage"),
            Some("bash(9146) <- sh(9142) <- python3(5187)")
        );
        // Both copies give the same facts.
        assert_eq!(facts, key_facts(event, &demo_record(event)));
    }

    #[test]
    fn modifying_process_is_shown() {
        let finding = json!({"type": "DefenseEvasion:Runtime/ProcessInjection.Proc",
            "service": {"runtimeDetails": {"process": {"name": "a", "pid": 2},
            "context": {"modifyingProcess": {"name": "gdb", "pid": 77, "executablePath": "/usr/bin/gdb"}}}}});
        let mut event = demo().events.to_mut().remove(0);
        event.source = Source::Guardduty;
        let facts = key_facts(&event, &finding);
        assert_eq!(
            value(&facts, "modifying process"),
            Some("gdb(77) /usr/bin/gdb")
        );
        assert_eq!(value(&facts, "lineage"), None);
    }

    #[test]
    fn attack_sequence_lists_signals_and_indicators() {
        let incident = demo();
        let event = event_of_kind(&incident, "AttackSequence:ECS/CompromisedCluster");
        let facts = key_facts(event, &demo_record(event));
        let signals: Vec<&str> = facts
            .iter()
            .filter(|f| f.label == "signal")
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(signals.len(), 3);
        assert!(
            signals[0].starts_with("Execution:Runtime/ReverseShell sev 8 at 2026-11-20T13:47:12Z"),
            "{}",
            signals[0]
        );
        assert!(signals[0].ends_with("on 3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"));
        assert_eq!(value(&facts, "Attack tactics"), Some("Execution, Impact"));
        assert_eq!(value(&facts, "endpoint"), Some("203.0.113.66:4444"));
        assert_eq!(value(&facts, "severity"), Some("9"));
    }

    #[test]
    fn guardduty_non_runtime_findings_from_real_samples() {
        let events = fixture_events("guardduty/awscli_get_findings_recon_iamuser.json");
        let (event, record) = events.first().expect("a finding");
        let facts = key_facts(event, record);
        assert_eq!(value(&facts, "type"), Some(event.kind.as_str()));
        assert!(value(&facts, "remote address").is_some(), "{facts:?}");
        assert!(value(&facts, "API").is_some(), "{facts:?}");
        assert!(value(&facts, "lineage").is_none());
    }

    #[test]
    fn cloudtrail_record_facts() {
        let incident = demo();
        let event = event_of_kind(&incident, "ListUsers");
        let facts = key_facts(event, &demo_record(event));
        assert_eq!(value(&facts, "event"), Some("ListUsers"));
        assert_eq!(value(&facts, "service"), Some("iam.amazonaws.com"));
        assert!(value(&facts, "principal")
            .is_some_and(|p| p.ends_with("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93")));
        assert!(value(&facts, "session issuer").is_some_and(|p| p.contains(":role/")));
        assert_eq!(value(&facts, "source IP"), Some("203.0.113.66"));
        assert_eq!(value(&facts, "error code"), Some("AccessDenied"));
        assert!(value(&facts, "error message").is_some());
        assert_eq!(
            value(&facts, "event id"),
            Some("750b02b5-b5e4-5d71-8643-a1099af102d9")
        );
        assert_eq!(value(&facts, "read only"), Some("true"));

        let update = event_of_kind(&incident, "UpdateService");
        let facts = key_facts(update, &demo_record(update));
        let request = value(&facts, "request").expect("request parameters");
        assert!(
            request.starts_with('{') && request.contains("\"taskDefinition\":\"checkout-api:41\"")
        );
        assert!(!request.contains('\n'));
    }

    #[test]
    fn long_request_parameters_are_capped() {
        let record =
            json!({"eventName": "PutObject", "requestParameters": {"k": "x".repeat(5000)}});
        let mut event = demo().events.to_mut().remove(0);
        event.source = Source::Cloudtrail;
        let facts = key_facts(&event, &record);
        let request = value(&facts, "request").expect("request");
        assert_eq!(request.chars().count(), MAX_STRUCTURED_CHARS + 1);
        assert!(request.ends_with('…'));
    }

    #[test]
    fn falco_alert_lists_every_output_field() {
        let incident = demo();
        let event = event_of_kind(&incident, "Drop and execute new binary in container");
        let facts = key_facts(event, &demo_record(event));
        assert_eq!(value(&facts, "priority"), Some("Critical"));
        assert_eq!(value(&facts, "proc.exepath"), Some("/tmp/.cache/upd"));
        assert_eq!(value(&facts, "user.uid"), Some("0"));
        assert_eq!(value(&facts, "fd.name"), Some("null"));
        assert!(value(&facts, "output").is_some_and(|o| o.contains("Executing binary")));
        assert!(value(&facts, "tags").is_some_and(|t| t.contains("mitre_persistence")));

        let real = fixture_events("falco/falco_test_single_rule_with_cat_write.ndjson");
        let (event, record) = real.first().expect("an alert");
        let facts = key_facts(event, record);
        let fields = record["output_fields"].as_object().expect("fields");
        for name in fields.keys() {
            assert!(value(&facts, name).is_some(), "{name} missing");
        }
    }

    #[test]
    fn structured_values_read_the_same_whatever_the_key_order() {
        let value: Value =
            serde_json::from_str(r#"{"task": "t", "reason": {"z": 1, "a": [{"y": 2, "b": 3}]}}"#)
                .unwrap();
        assert_eq!(
            one_line(&value),
            r#"{"reason":{"a":[{"b":3,"y":2}],"z":1},"task":"t"}"#
        );
    }

    #[test]
    fn ecs_task_service_event_and_deployment_facts() {
        let incident = demo();
        let stopped = incident
            .events
            .iter()
            .find(|e| e.kind == "STOPPED" && e.summary.contains("UserInitiated"))
            .expect("T1 stop");
        let facts = key_facts(stopped, &demo_record(stopped));
        assert_eq!(value(&facts, "last status"), Some("STOPPED"));
        assert_eq!(value(&facts, "stop code"), Some("UserInitiated"));
        assert_eq!(
            value(&facts, "stopped reason"),
            Some("taskscope IR-2211: isolate compromised task")
        );
        assert_eq!(value(&facts, "container app"), Some("STOPPED, exit 137"));
        assert_eq!(value(&facts, "task definition"), Some("checkout-api:41"));
        assert_eq!(
            value(&facts, "started by"),
            Some("ecs-svc/4417230311982341122")
        );

        let service_event = event_of_kind(&incident, "ServiceEvent");
        let facts = key_facts(service_event, &demo_record(service_event));
        assert_eq!(
            value(&facts, "message"),
            Some(service_event.summary.as_str())
        );

        let deployment = event_of_kind(&incident, "DeploymentCreated");
        let facts = key_facts(deployment, &demo_record(deployment));
        assert_eq!(value(&facts, "rollout state"), Some("COMPLETED"));
        assert_eq!(value(&facts, "status"), Some("PRIMARY"));

        let notice = event_of_kind(&incident, "SERVICE_DEPLOYMENT_COMPLETED");
        let facts = key_facts(notice, &demo_record(notice));
        assert_eq!(
            value(&facts, "deployment"),
            Some("ecs-svc/4417230311982341122")
        );

        let registered = incident
            .events
            .iter()
            .find(|e| e.kind == "RegisterTaskDefinition" && e.source == Source::Ecs)
            .expect("task definition");
        let facts = key_facts(registered, &demo_record(registered));
        assert!(value(&facts, "task role").is_some_and(|r| r.ends_with("role/checkout-api-task")));
    }

    #[test]
    fn log_line_facts_and_unknown_shapes() {
        let incident = demo();
        let line = event_of_kind(&incident, "log");
        let facts = key_facts(line, &demo_record(line));
        assert!(value(&facts, "log stream").is_some_and(|s| s.starts_with("ecs/")));
        assert_eq!(value(&facts, "message"), Some(line.summary.as_str()));
        for source in Source::ALL {
            let mut event = line.clone();
            event.source = source;
            assert!(
                key_facts(&event, &json!({"unrelated": 1})).is_empty(),
                "{source}"
            );
            assert!(key_facts(&event, &json!([1, 2])).is_empty(), "{source}");
            assert!(key_facts(&event, &json!("text")).is_empty(), "{source}");
        }
    }
}
