//! The reverse of a task's protection set: the protection put back as it
//! was before the call, while the task lives.

use super::reversal::TaskNow;
use super::reversal::{reversal, Reversal, Reverse};
use crate::model::time::parse_time_str;
use crate::respond::cloud::protection::Protection;
use crate::respond::cloud::Cloud;
use crate::respond::plan::Call;
use crate::respond::request::MAX_PROTECT_MINUTES;
use crate::respond::undo::record::RecordedCall;
use serde_json::json;

pub(super) async fn protection(cloud: &Cloud, task: &TaskNow, call: &RecordedCall) -> Reversal {
    let p = &call.parameters;
    let Some(before) = Protection::from_prior(&call.prior) else {
        return reversal(
            "put the task's protection back as it was".into(),
            Reverse::Not(
                "the audit record does not hold the protection before the call: it ends on its \
                 own when it expires"
                    .into(),
            ),
        );
    };
    let now = crate::model::time::now();
    let until = before.expires.as_deref().and_then(parse_time_str);
    let protected_until = until.filter(|until| before.enabled && *until > now);
    let title = match (protected_until, &before.expires) {
        (Some(_), Some(expires)) => format!("set the task's protection back to end at {expires}"),
        _ => "turn the task's protection off, as it was before".to_string(),
    };
    match task {
        TaskNow::Live => {}
        TaskNow::Ended(why) => {
            return reversal(
                title,
                Reverse::Done(format!("the task is {why}: protection no longer applies")),
            )
        }
        TaskNow::Unread(why) => return reversal(title, Reverse::Not(why.clone())),
    }
    let (Some(cluster), Some(arn)) = (p["cluster"].as_str(), p["tasks"][0].as_str()) else {
        return reversal(
            title,
            Reverse::Not("the audit record lacks the cluster or the task".into()),
        );
    };
    let current = match cloud.task_protection(cluster, arn).await {
        Ok(current) => current,
        Err(why) => return reversal(title, Reverse::Not(why)),
    };
    let current_until = current.expires.as_deref().and_then(parse_time_str);
    let as_before = match protected_until {
        None => !current.enabled,
        // Restoring rounds up to the minute: within a minute is as it was.
        Some(until) => {
            current.enabled
                && current_until.is_some_and(|c| c <= until + chrono::TimeDelta::minutes(1))
        }
    };
    if as_before {
        return reversal(
            title,
            Reverse::Done("the protection is as it was before".into()),
        );
    }
    let mut parameters = json!({
        "cluster": cluster,
        "tasks": [arn],
        "protectionEnabled": protected_until.is_some(),
    });
    if let Some(until) = protected_until {
        let seconds = (until - now).num_seconds().max(0);
        let minutes = (seconds + 59) / 60;
        parameters["expiresInMinutes"] = json!(minutes.clamp(1, i64::from(MAX_PROTECT_MINUTES)));
    }
    let call = Call::new("ecs:UpdateTaskProtection", parameters);
    let radius = "this task only: scale-in and deployments may replace it again".to_string();
    reversal(title, Reverse::Send(call, radius))
}
