//! Raw records: secret-named fields, environment variable values, and the
//! text rules on every other string.

use super::names::{is_environment_name, is_secret_name};
use super::replacement::REDACTED;
use super::text::redact_text;
use serde_json::Value;
use std::borrow::Cow;

/// How deep strings holding JSON are parsed and walked in turn.
const MAX_EMBEDDED_DEPTH: usize = 4;

/// Redacts a raw record in place: secret-named fields, environment variable
/// values, and the text rules on every other string (strings that hold JSON
/// are parsed and walked the same way).
pub fn redact_value(value: &mut Value) {
    walk(value, false, 0);
}

fn walk(value: &mut Value, secret: bool, depth: usize) {
    match value {
        Value::String(text) if secret && !text.is_empty() => *text = REDACTED.to_string(),
        Value::String(_) if secret => {}
        Value::Number(_) if secret => *value = Value::String(REDACTED.to_string()),
        Value::String(text) => {
            if let Some(redacted) = redact_string(text, depth) {
                *text = redacted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk(item, secret, depth)),
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if is_environment_name(name) {
                    redact_environment(member, depth);
                } else {
                    walk(member, is_secret_name(name), depth);
                }
            }
        }
        _ => {}
    }
}

/// A string's redacted form, or `None` when nothing changed. A string that
/// holds a JSON object or array is walked as JSON and written back compact.
fn redact_string(text: &str, depth: usize) -> Option<String> {
    let trimmed = text.trim_start();
    if depth < MAX_EMBEDDED_DEPTH && (trimmed.starts_with('{') || trimmed.starts_with('[')) {
        if let Ok(mut embedded) = serde_json::from_str::<Value>(text) {
            let before = embedded.clone();
            walk(&mut embedded, false, depth + 1);
            return (embedded != before).then(|| embedded.to_string());
        }
    }
    match redact_text(text) {
        Cow::Owned(redacted) => Some(redacted),
        Cow::Borrowed(_) => None,
    }
}

/// Environment variables: `[{"name": N, "value": V}]` (ECS and Batch),
/// `["N=V"]` (Docker), `{"Variables": {N: V}}` (Lambda) or `{N: V}`. Every
/// value goes; names stay.
fn redact_environment(environment: &mut Value, depth: usize) {
    match environment {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(variable) => {
                        for (name, member) in variable.iter_mut() {
                            let is_value = name.eq_ignore_ascii_case("value");
                            walk(member, is_value || is_secret_name(name), depth);
                        }
                    }
                    Value::String(assignment) => {
                        if let Some((name, value)) = assignment.split_once('=') {
                            if !value.is_empty() {
                                *assignment = format!("{name}={REDACTED}");
                            }
                        }
                    }
                    other => walk(other, false, depth),
                }
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if name.eq_ignore_ascii_case("variables") {
                    redact_environment(member, depth);
                } else {
                    let plain = member.is_string() || member.is_number();
                    walk(member, plain, depth);
                }
            }
        }
        other => walk(other, false, depth),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::redact::test_secrets::{session_token, SECRET_KEY};
    use serde_json::json;

    #[test]
    fn records_lose_secret_fields_and_environment_values() {
        let mut record = json!({
            "responseElements": {"credentials": {
                "accessKeyId": "ASIAY34FZKBOKMUTVV7A",
                "secretAccessKey": SECRET_KEY,
                "sessionToken": session_token(),
                "expiration": "Nov 20, 2026, 2:49:00 PM"
            }},
            "requestParameters": {"secretId": "prod/db", "pin": 1234, "password": 1234},
            "containerDefinitions": [{
                "name": "app",
                "environment": [
                    {"name": "DB_URL", "value": "postgres://app:pa55@db/orders"},
                    {"name": "FEATURE_FLAGS", "value": "beta"}
                ],
                "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/db"}],
                "command": ["sh", "-c", "mysql -uroot -phunter2 orders"]
            }],
            "Config": {"Env": ["PATH=/usr/bin", "API_TOKEN=abc"]},
            "Environment": {"Variables": {"SIGNING_KEY": "k1"}},
            "message": "{\"environment\":[{\"name\":\"X\",\"value\":\"embedded-secret\"}]}"
        });
        redact_value(&mut record);
        let text = record.to_string();
        for gone in [
            SECRET_KEY,
            &session_token(),
            "pa55",
            "beta",
            "hunter2",
            "API_TOKEN=abc",
            "k1",
            "embedded-secret",
        ] {
            assert!(!text.contains(gone), "{gone} survived in {text}");
        }
        for kept in [
            "ASIAY34FZKBOKMUTVV7A",
            "prod/db",
            "DB_URL",
            "FEATURE_FLAGS",
            "DB_PASSWORD",
            "arn:aws:ssm:us-east-1:111122223333:parameter/db",
            "PATH=[REDACTED]",
            "SIGNING_KEY",
            "Nov 20, 2026",
        ] {
            assert!(text.contains(kept), "{kept} lost in {text}");
        }
        assert_eq!(record["requestParameters"]["pin"], 1234);
        assert_eq!(record["requestParameters"]["password"], REDACTED);
    }
}
