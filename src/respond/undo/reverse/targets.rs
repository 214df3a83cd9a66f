//! The reverse of targets deregistered: registering again, in a live
//! task's target group, those not registered now.

use super::error_code::code;
use super::reversal::TaskNow;
use super::reversal::{reversal, Reversal, Reverse};
use crate::collect::aws::describe_error;
use crate::respond::cloud::Cloud;
use crate::respond::plan::Call;
use crate::respond::undo::record::RecordedCall;
use serde_json::{json, Value};

pub(super) async fn targets(cloud: &Cloud, task: &TaskNow, call: &RecordedCall) -> Reversal {
    let p = &call.parameters;
    let group = p["TargetGroupArn"].as_str().unwrap_or_default();
    let wanted = p["Targets"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = wanted.iter().filter_map(|t| t["Id"].as_str()).collect();
    let title = format!("register {} again in {group}", ids.join(", "));
    match task {
        TaskNow::Live => {}
        TaskNow::Ended(why) => {
            return reversal(
                title,
                Reverse::Not(format!(
                    "the task is {why}: its IP may belong to another task by now, so undo does \
                     not register it; register it by hand if you mean to"
                )),
            )
        }
        TaskNow::Unread(why) => return reversal(title, Reverse::Not(why.clone())),
    }
    let health = match cloud
        .elbv2
        .describe_target_health()
        .target_group_arn(group)
        .send()
        .await
    {
        Ok(health) => health,
        Err(e) if code(&e) == Some("TargetGroupNotFound") => {
            return reversal(title, Reverse::Not(format!("{group} no longer exists")))
        }
        Err(e) => {
            let action = "elasticloadbalancing:DescribeTargetHealth";
            return reversal(
                title,
                Reverse::Not(describe_error(action, &cloud.region, &e)),
            );
        }
    };
    let registered = |target: &Value| {
        health.target_health_descriptions().iter().any(|d| {
            let draining = d
                .target_health()
                .and_then(|h| h.state())
                .is_some_and(|s| s.as_str().contains("draining"));
            let port = target["Port"].as_i64().and_then(|n| i32::try_from(n).ok());
            d.target().is_some_and(|t| {
                t.id() == target["Id"].as_str() && (port.is_none() || t.port() == port)
            }) && !draining
        })
    };
    let missing: Vec<Value> = wanted.iter().filter(|t| !registered(t)).cloned().collect();
    if missing.is_empty() {
        return reversal(title, Reverse::Done(format!("{group} holds them again")));
    }
    let call = Call::new(
        "elasticloadbalancing:RegisterTargets",
        json!({"TargetGroupArn": group, "Targets": missing}),
    );
    let radius = "the load balancer sends requests to the task again once it passes its health \
                  checks"
        .to_string();
    reversal(title, Reverse::Send(call, radius))
}
