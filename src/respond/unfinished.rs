//! What a new plan must know about the last run on its target: a run that
//! was interrupted, or that ended without a result (the process was killed
//! or crashed), may have left steps half done and a call that was sent but
//! whose answer was never recorded. The bundle's audit log tells.

use super::plan::Plan;
use crate::bundle::audit::{self, CallStatus, Entry, Record, ResultStatus};
use crate::bundle::Bundle;
use std::path::Path;

/// The warning for `plan` when the last run on its target recorded in
/// `bundle` was interrupted or has no result; None otherwise (also when
/// the bundle does not exist or cannot be read).
pub fn warning(bundle: &Path, plan: &Plan) -> Option<String> {
    if !bundle.exists() {
        return None;
    }
    let opened = Bundle::open(bundle).ok()?;
    let (records, _) = audit::load(&opened);
    let target = plan.audit_target();
    let last = &records.iter().rev().find(|(_, r)| r.target == target)?.1;
    let run: Vec<&Record> = records
        .iter()
        .map(|(_, record)| record)
        .filter(|record| record.plan_id == last.plan_id)
        .collect();
    describe(&run)
}

/// A call announced by a `call-started` record.
struct Started<'a> {
    step: &'a str,
    operation: &'a str,
    attempt: u32,
    time: &'a str,
}

/// The warning for one run's records, when it did not end.
fn describe(run: &[&Record]) -> Option<String> {
    let first = run.first()?;
    let ended = run.iter().find_map(|record| match &record.entry {
        Entry::Result {
            status,
            interrupted_by,
            ..
        } => Some((*status, interrupted_by.clone())),
        _ => None,
    });
    let how = match ended {
        None => "ended without a result (the process was killed or crashed)".to_string(),
        Some((ResultStatus::Interrupted, by)) => {
            format!("was interrupted by {}", by.as_deref().unwrap_or("a signal"))
        }
        Some(_) => return None,
    };
    let mut unanswered: Vec<Started> = Vec::new();
    let mut answered: Vec<&str> = Vec::new();
    for record in run {
        match &record.entry {
            Entry::CallStarted {
                step,
                operation,
                attempt,
                ..
            } => unanswered.push(Started {
                step,
                operation,
                attempt: *attempt,
                time: &record.time,
            }),
            Entry::Call {
                step,
                operation,
                status,
                ..
            } => {
                unanswered.retain(|s| !(s.step == step && s.operation == operation));
                if *status == CallStatus::Ok {
                    answered.push(step);
                }
            }
            _ => {}
        }
    }
    let finished = finished_steps(run, &answered);
    let mut text = format!(
        "the last run on this target, {} (confirmed {}), {how}; steps finished: {}",
        first.plan_id,
        first.time,
        if finished.is_empty() {
            "none".to_string()
        } else {
            finished.join(", ")
        }
    );
    for call in &unanswered {
        text.push_str(&format!(
            "; {} (step {}, attempt {}) was sent at {} but its answer was never recorded: \
             check in AWS whether it took effect",
            call.operation, call.step, call.attempt, call.time
        ));
    }
    Some(text)
}

/// The steps of the run's plan record whose every call returned ok.
fn finished_steps(run: &[&Record], answered: &[&str]) -> Vec<String> {
    let Some(plan) = run.iter().find_map(|record| match &record.entry {
        Entry::Plan { plan, .. } => Some(plan),
        _ => None,
    }) else {
        return Vec::new();
    };
    plan["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|step| {
            let id = step["id"].as_str()?;
            let calls = step["calls"].as_array().map_or(0, Vec::len);
            let ok = answered.iter().filter(|&&s| s == id).count();
            (calls > 0 && ok >= calls).then(|| id.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::audit::Actor;
    use serde_json::json;

    fn record(entry: Entry) -> Record {
        Record {
            time: "2026-11-20T14:30:00Z".into(),
            plan_id: "isolate-3f9c2d7e-20261120T142938.417Z-5c0e1a".into(),
            action: "isolate".into(),
            actor: Actor {
                caller: "arn:aws:sts::111122223333:assumed-role/ir/alice".into(),
                user: "alice".into(),
            },
            target: "arn:aws:ecs:us-east-1:111122223333:task/prod/3f9c2d7e".into(),
            task_definitions: Vec::new(),
            entry,
        }
    }

    fn started(step: &str, operation: &str) -> Entry {
        Entry::CallStarted {
            step: step.into(),
            operation: operation.into(),
            parameters: json!({}),
            attempt: 1,
        }
    }

    fn answered(step: &str, operation: &str) -> Entry {
        Entry::Call {
            step: step.into(),
            operation: operation.into(),
            parameters: json!({}),
            prior: json!(null),
            request_id: None,
            status: CallStatus::Ok,
            error: None,
            output: json!(null),
            attempts: Vec::new(),
        }
    }

    #[test]
    fn a_killed_run_names_its_finished_steps_and_the_unanswered_call() {
        let plan = json!({"steps": [
            {"id": "detach", "calls": [{}]},
            {"id": "revoke", "calls": [{}]},
            {"id": "stop", "calls": [{}]},
        ]});
        let records = [
            record(Entry::Plan {
                plan,
                confirmed_by: "--yes".into(),
            }),
            record(started("detach", "elasticloadbalancing:DeregisterTargets")),
            record(answered("detach", "elasticloadbalancing:DeregisterTargets")),
            record(started("revoke", "iam:PutRolePolicy")),
        ];
        let run: Vec<&Record> = records.iter().collect();
        let text = describe(&run).unwrap();
        assert!(text.contains("ended without a result"), "{text}");
        assert!(text.contains("steps finished: detach;"), "{text}");
        assert!(
            text.contains("iam:PutRolePolicy (step revoke, attempt 1) was sent at"),
            "{text}"
        );
        assert!(!text.contains("DeregisterTargets"), "{text}");
    }

    #[test]
    fn a_run_that_ended_needs_no_warning() {
        let records = [record(Entry::Result {
            status: ResultStatus::Failed,
            steps: Vec::new(),
            error: None,
            interrupted_by: None,
            in_flight: None,
            after: json!({}),
        })];
        let run: Vec<&Record> = records.iter().collect();
        assert_eq!(describe(&run), None);
    }
}
