//! `taskscope undo`: the plan that reverses an action recorded in a bundle's
//! audit log. [`record`] reads the log (leniently); [`reverse`] plans the
//! reverse of each call the action made, newest first, from what AWS says
//! now, so that an undo run twice sends nothing the second time. The plan
//! is then confirmed and run like any other, and its own records go into
//! the same audit log.

pub mod record;
pub mod reverse;

use super::cloud::Cloud;
use super::isolate::Planning;
use super::plan::{plan_id, ActionKind, Plan, Step, StepId, Target};
use crate::bundle::audit::AUDIT_FILE;
use crate::bundle::{journal, Bundle};
use crate::collect::aws::describe_error;
use crate::model::time::format_time;
use crate::render::sanitize::escape;
use crate::respond::request::UndoRequest;
use anyhow::{anyhow, Context};
use record::{Known, RecordedAction, RecordedCall};
use reverse::{reverse, Kind, Reverse, TaskNow};
use serde_json::{json, Value};

/// Makes the plan that reverses the action `request` names.
pub async fn plan(
    cloud: &Cloud,
    planning: &Planning,
    request: &UndoRequest,
) -> anyhow::Result<Plan> {
    let shown = request.bundle.display().to_string();
    let bundle = Bundle::open(&request.bundle)?;
    let content = journal::read_committed(&bundle, AUDIT_FILE)
        .map_err(|e| anyhow!("{}: {e}", escape(&shown)))?
        .with_context(|| format!("{}: no audit log, so no action to undo", escape(&shown)))?;
    let (actions, problems) = record::actions(&content);
    let action = pick(&actions, request.action.as_deref())?;
    let recorded = &action.plan["target"];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    let target = Target {
        region: cloud.region.clone(),
        account: planning.account.clone(),
        caller: planning.caller.clone(),
        cluster: text(&recorded["cluster"]),
        task_arn: recorded["task_arn"].as_str().map(str::to_string),
        service: recorded["service"].as_str().map(str::to_string),
    };
    let task = task_now(cloud, &target).await;
    let mut steps = Vec::new();
    let mut warnings: Vec<String> = problems
        .into_iter()
        .map(|problem| format!("{problem}: not read"))
        .collect();
    for call in action.calls.iter().rev() {
        let Some(id) = StepId::parse(&call.step) else {
            warnings.push(format!(
                "{AUDIT_FILE}:{}: step {:?} is unknown to this taskscope: {} not reversed",
                call.line, call.step, call.operation
            ));
            continue;
        };
        steps.push(match call.known {
            Known::Ok => step(id, reverse(cloud, &task, call).await),
            Known::Uncertain => uncertain(id, call),
        });
    }
    if steps.iter().any(Step::will_run) {
        warnings.push(format!(
            "undo lifts what {} did: run it only when the incident no longer needs that \
             containment",
            action.id
        ));
    }
    let confirm_with = action.plan["confirm_with"]
        .as_str()
        .map_or_else(|| action.id.clone(), str::to_string);
    let label: String = confirm_with
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    Ok(Plan {
        action: ActionKind::Undo,
        id: plan_id(ActionKind::Undo, &label, &planning.now),
        created: format_time(&planning.now),
        refused: refusal(action, &target),
        target,
        confirm_with,
        steps,
        warnings,
        diff: Vec::new(),
        before: json!({
            "undoes": action.id,
            "undoneAction": action.action,
            "calls": action.calls,
        }),
    })
}

/// The action to undo: `wanted`, else the last isolate with a call undo
/// can reverse (done, or maybe done).
fn pick<'a>(
    actions: &'a [RecordedAction],
    wanted: Option<&str>,
) -> anyhow::Result<&'a RecordedAction> {
    let listed = || {
        let ids: Vec<String> = actions.iter().map(|a| escape(&a.id).into_owned()).collect();
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(", ")
        }
    };
    match wanted {
        Some(id) => actions.iter().find(|a| a.id == id).ok_or_else(|| {
            anyhow!(
                "the audit log has no action {}; its actions: {}",
                escape(id),
                listed()
            )
        }),
        None => actions
            .iter()
            .rev()
            .find(|a| a.action == "isolate" && a.calls.iter().any(|c| Kind::of(c).is_reversible()))
            .ok_or_else(|| {
                anyhow!(
                    "the audit log has no isolate with a call to reverse; pass --action (its \
                     actions: {})",
                    listed()
                )
            }),
    }
}

/// Why the undo must not run here: the action ran in another account or
/// region than these credentials reach.
fn refusal(action: &RecordedAction, target: &Target) -> Option<String> {
    let recorded = &action.plan["target"];
    let (account, region) = (
        recorded["account"].as_str().unwrap_or_default(),
        recorded["region"].as_str().unwrap_or_default(),
    );
    if !account.is_empty() && account != target.account {
        return Some(format!(
            "{} ran in account {account}; these credentials are for account {}",
            action.id, target.account
        ));
    }
    if !region.is_empty() && region != target.region {
        return Some(format!(
            "{} ran in {region}, not {}: pass --region {region}",
            action.id, target.region
        ));
    }
    None
}

/// The action's target task as ECS reports it now.
async fn task_now(cloud: &Cloud, target: &Target) -> TaskNow {
    let Some(arn) = target.task_arn.as_deref() else {
        return TaskNow::Ended("not the target of this action (it targets a service)".into());
    };
    let described = cloud
        .ecs
        .describe_tasks()
        .cluster(&target.cluster)
        .tasks(arn)
        .send()
        .await;
    match described {
        Err(e) => TaskNow::Unread(describe_error("ecs:DescribeTasks", &cloud.region, &e)),
        Ok(out) => match out.tasks().first() {
            None => TaskNow::Ended("no longer known to ECS".into()),
            Some(task) => {
                let last = task.last_status().unwrap_or("UNKNOWN");
                let desired = task.desired_status().unwrap_or("UNKNOWN");
                if last == "STOPPED" || desired == "STOPPED" {
                    TaskNow::Ended(format!("{} (desired {desired})", last.to_lowercase()))
                } else {
                    TaskNow::Live
                }
            }
        },
    }
}

/// The plan step for one reversal.
fn step(id: StepId, reversal: reverse::Reversal) -> Step {
    match reversal.reverse {
        Reverse::Send(call, radius) => {
            Step::new(id, reversal.title, vec![call]).with_blast_radius(radius)
        }
        Reverse::Done(why) => {
            Step::unavailable(id, reversal.title, format!("nothing to do: {why}"))
        }
        Reverse::Not(why) => Step::unavailable(id, reversal.title, why),
    }
}

/// The plan step for a call that may or may not have happened: listed, not
/// run, with what to check.
fn uncertain(id: StepId, call: &RecordedCall) -> Step {
    let check = match Kind::of(call).check() {
        Some((read, reverse)) => format!(
            "check with {read} whether it took effect, and if it did, reverse it by hand with \
             {reverse}"
        ),
        None => "check whether it took effect; it cannot be undone".to_string(),
    };
    Step::unavailable(
        id,
        format!("uncertain: {} {}", call.operation, call.parameters),
        format!(
            "sent at {} ({AUDIT_FILE}:{}), but its result was never recorded: {check}",
            call.time, call.line
        ),
    )
}

/// Reads, for the result record, where each reversed call stands now:
/// `undone`, `not undone`, or why undo leaves it.
pub async fn state_after(cloud: &Cloud, plan: &Plan) -> Value {
    let calls: Vec<RecordedCall> =
        serde_json::from_value(plan.before["calls"].clone()).unwrap_or_default();
    let task = task_now(cloud, &plan.target).await;
    let mut state = Vec::new();
    for call in calls.iter().filter(|c| c.known == Known::Ok) {
        let now = match reverse(cloud, &task, call).await.reverse {
            Reverse::Done(why) => format!("undone: {why}"),
            Reverse::Send(..) => "not undone".to_string(),
            Reverse::Not(why) => why,
        };
        state.push(json!({
            "step": call.step,
            "operation": call.operation,
            "line": call.line,
            "state": now,
        }));
    }
    json!({ "calls": state })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(id: &str, kind: &str, operations: &[&str]) -> RecordedAction {
        RecordedAction {
            id: id.into(),
            action: kind.into(),
            plan: json!({"target": {"account": "1", "region": "us-east-1"}}),
            calls: operations
                .iter()
                .enumerate()
                .map(|(line, operation)| RecordedCall {
                    line,
                    time: String::new(),
                    step: "x".into(),
                    operation: (*operation).into(),
                    parameters: Value::Null,
                    prior: Value::Null,
                    output: Value::Null,
                    known: Known::Ok,
                })
                .collect(),
        }
    }

    #[test]
    fn the_default_is_the_last_isolate_with_a_call_to_reverse() {
        let actions = [
            action("isolate-1", "isolate", &["ec2:CreateNetworkAclEntry"]),
            action("isolate-2", "isolate", &["ecs:StopTask"]),
            action("rollback-1", "rollback", &["ecs:UpdateService"]),
            action("undo-1", "undo", &["ec2:DeleteNetworkAclEntry"]),
        ];
        assert_eq!(pick(&actions, None).unwrap().id, "isolate-1");
        assert_eq!(pick(&actions, Some("undo-1")).unwrap().id, "undo-1");
        let missing = pick(&actions, Some("isolate-9")).unwrap_err().to_string();
        assert!(
            missing.contains("isolate-1, isolate-2, rollback-1, undo-1"),
            "{missing}"
        );
        assert!(pick(&actions[1..], None).is_err());
    }

    #[test]
    fn another_account_or_region_is_refused() {
        let recorded = action("isolate-1", "isolate", &[]);
        let target = |account: &str, region: &str| Target {
            region: region.into(),
            account: account.into(),
            caller: String::new(),
            cluster: String::new(),
            task_arn: None,
            service: None,
        };
        assert_eq!(refusal(&recorded, &target("1", "us-east-1")), None);
        assert!(refusal(&recorded, &target("2", "us-east-1"))
            .unwrap()
            .contains("account 1"));
        assert!(refusal(&recorded, &target("1", "eu-west-1"))
            .unwrap()
            .contains("--region us-east-1"));
    }
}
