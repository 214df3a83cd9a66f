//! The audit log as undo reads it: each line as plain JSON, taking only the
//! fields it needs, so that records it does not know (written by another
//! version of taskscope) never stop it.

use crate::bundle::audit::AUDIT_FILE;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What is known of a recorded mutating call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Known {
    /// Its `call` record says AWS accepted it.
    Ok,
    /// A `call-started` record says it was sent, and no `call` record says
    /// how it ended: it may or may not have happened.
    Uncertain,
}

/// One mutating call of a recorded action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedCall {
    /// Its line in the audit log (1-based): the `call` record, or the
    /// `call-started` record of an uncertain call.
    pub line: usize,
    /// When that record was written.
    pub time: String,
    /// The step it belongs to (`contain-nacl`).
    pub step: String,
    /// `service:Operation`.
    pub operation: String,
    /// The parameters sent (settled at execution where they were).
    pub parameters: Value,
    /// The state it changed, as read before it.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub prior: Value,
    /// What it returned worth keeping (a deny entry found already present).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub output: Value,
    /// Whether it happened.
    pub known: Known,
}

/// One action of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAction {
    /// The plan ID.
    pub id: String,
    /// `isolate`, `rollback`, `undo`.
    pub action: String,
    /// The plan as confirmed (null when its `plan` record is missing).
    pub plan: Value,
    /// Its mutating calls that happened or may have, in the order sent.
    /// Failed calls changed nothing and are left out.
    pub calls: Vec<RecordedCall>,
}

/// A call sent whose result is not recorded yet.
struct Pending {
    plan: String,
    call: RecordedCall,
}

/// The actions of an audit log, in the order their first record appears,
/// and the lines that could not be read (reported, never fatal).
pub fn actions(content: &[u8]) -> (Vec<RecordedAction>, Vec<String>) {
    let mut actions: Vec<RecordedAction> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in content.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: Value = match serde_json::from_slice(line) {
            Ok(record) => record,
            Err(error) => {
                problems.push(format!("{AUDIT_FILE}:{number}: {error}"));
                continue;
            }
        };
        let text = |name: &str| record[name].as_str().unwrap_or_default().to_string();
        let plan_id = text("plan_id");
        if plan_id.is_empty() {
            problems.push(format!("{AUDIT_FILE}:{number}: no plan_id"));
            continue;
        }
        let position = match actions.iter().position(|a| a.id == plan_id) {
            Some(position) => position,
            None => {
                actions.push(RecordedAction {
                    id: plan_id.clone(),
                    action: text("action"),
                    plan: Value::Null,
                    calls: Vec::new(),
                });
                actions.len() - 1
            }
        };
        let call = || RecordedCall {
            line: number,
            time: text("time"),
            step: text("step"),
            operation: text("operation"),
            parameters: record["parameters"].clone(),
            prior: record["prior"].clone(),
            output: record["output"].clone(),
            known: Known::Ok,
        };
        match record["record"].as_str() {
            Some("plan") if actions[position].plan.is_null() => {
                actions[position].plan = record["plan"].clone();
            }
            Some("call-started") => pending.push(Pending {
                plan: plan_id,
                call: RecordedCall {
                    known: Known::Uncertain,
                    ..call()
                },
            }),
            Some("call") => {
                // The result settles every attempt of the call sent before it.
                let answered = call();
                pending.retain(|p| {
                    p.plan != plan_id
                        || p.call.step != answered.step
                        || p.call.operation != answered.operation
                });
                let mutating = !answered.operation.starts_with("taskscope:");
                if mutating && record["status"].as_str() == Some("ok") {
                    actions[position].calls.push(answered);
                }
            }
            _ => {}
        }
    }
    for Pending { plan, call } in pending {
        if let Some(action) = actions.iter_mut().find(|a| a.id == plan) {
            action.calls.push(call);
        }
    }
    for action in &mut actions {
        action.calls.sort_by_key(|call| call.line);
    }
    (actions, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(records: &[Value]) -> Vec<u8> {
        records
            .iter()
            .map(|r| format!("{r}\n"))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn calls_are_kept_with_what_is_known_of_them() {
        let base = |record: &str| json!({"time": "t", "plan_id": "isolate-a", "action": "isolate", "record": record});
        let with = |record: &str, extra: Value| {
            let mut r = base(record);
            r.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            r
        };
        let content = lines(&[
            with("plan", json!({"plan": {"id": "isolate-a"}})),
            with(
                "call-started",
                json!({"step": "preserve", "operation": "taskscope:collect"}),
            ),
            with(
                "call",
                json!({"step": "preserve", "operation": "taskscope:collect", "status": "ok"}),
            ),
            with(
                "call-started",
                json!({"step": "detach", "operation": "elasticloadbalancing:DeregisterTargets", "parameters": {"a": 1}}),
            ),
            with(
                "call-started",
                json!({"step": "detach", "operation": "elasticloadbalancing:DeregisterTargets", "parameters": {"a": 1}}),
            ),
            with(
                "call",
                json!({"step": "detach", "operation": "elasticloadbalancing:DeregisterTargets", "status": "ok", "parameters": {"a": 1}}),
            ),
            with(
                "call",
                json!({"step": "revoke", "operation": "iam:PutRolePolicy", "status": "failed"}),
            ),
            with("something-new", json!({"whatever": true})),
            with(
                "call-started",
                json!({"step": "stop", "operation": "ecs:StopTask", "parameters": {"task": "x"}}),
            ),
            with("interrupted", json!({})),
        ]);
        let mut content = content;
        content.extend_from_slice(b"not json\n");
        let (actions, problems) = actions(&content);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("audit.jsonl:11:"), "{problems:?}");
        assert_eq!(actions.len(), 1);
        let action = &actions[0];
        assert_eq!(action.plan, json!({"id": "isolate-a"}));
        let seen: Vec<(&str, Known, usize)> = action
            .calls
            .iter()
            .map(|c| (c.operation.as_str(), c.known, c.line))
            .collect();
        assert_eq!(
            seen,
            [
                ("elasticloadbalancing:DeregisterTargets", Known::Ok, 6),
                ("ecs:StopTask", Known::Uncertain, 9),
            ],
            "the failed call and the read-only one are left out; two attempts, one result"
        );
    }
}
