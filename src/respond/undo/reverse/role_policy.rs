//! The reverse of the deny policy put on a role: deleting it, or putting
//! back the document it replaced, when it still holds what this action
//! sent.

use super::compare::same_document;
use super::reversal::{reversal, Reversal, Reverse};
use crate::respond::cloud::iam::RolePolicy;
use crate::respond::cloud::Cloud;
use crate::respond::plan::Call;
use crate::respond::undo::record::RecordedCall;
use serde_json::json;

pub(super) async fn role_policy(cloud: &Cloud, call: &RecordedCall) -> Reversal {
    let p = &call.parameters;
    let (role, policy) = (
        p["RoleName"].as_str().unwrap_or_default(),
        p["PolicyName"].as_str().unwrap_or_default(),
    );
    let sent = p["PolicyDocument"].as_str().unwrap_or_default();
    let previous = call.prior["PolicyDocument"].as_str();
    let title = match previous {
        None => format!("delete {role}'s inline policy {policy}"),
        Some(_) => format!("put back the previous document of {role}'s inline policy {policy}"),
    };
    let current = match cloud.role_policy(role, policy).await {
        Ok(RolePolicy::Document(current)) => current,
        Ok(RolePolicy::NoRole) => {
            return reversal(
                title,
                Reverse::Done(format!("role {role} no longer exists")),
            )
        }
        Ok(RolePolicy::Absent) => {
            return reversal(
                title,
                Reverse::Done(format!("{role} has no policy {policy}")),
            )
        }
        Err(why) => return reversal(title, Reverse::Not(why)),
    };
    if previous.is_some_and(|previous| same_document(&current, previous)) {
        return reversal(
            title,
            Reverse::Done(format!("{policy} holds its previous document")),
        );
    }
    if !same_document(&current, sent) {
        return reversal(
            title,
            Reverse::Not(format!(
                "{policy} changed after this action (a later run replaced it): undo that run \
                 first, or edit the policy by hand"
            )),
        );
    }
    let radius = format!(
        "sessions of {role} issued before this action's cutoff, stolen ones included, work again"
    );
    let call = match previous {
        None => Call::new(
            "iam:DeleteRolePolicy",
            json!({"RoleName": role, "PolicyName": policy}),
        ),
        Some(previous) => Call::new(
            "iam:PutRolePolicy",
            json!({"RoleName": role, "PolicyName": policy, "PolicyDocument": previous}),
        ),
    };
    reversal(title, Reverse::Send(call, radius))
}
