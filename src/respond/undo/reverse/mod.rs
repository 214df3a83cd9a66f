//! The reverse of one recorded call, from what AWS says now: the call that
//! puts back the state the record says it changed, or why there is nothing
//! to do (already as it was) or nothing undo can do. Every reverse reads
//! the current state first, so planning an undo twice sends nothing the
//! second time.

mod acl_entry;
mod compare;
mod error_code;
mod group_rules;
mod kind;
mod network_configuration;
mod protection;
mod reversal;
mod role_policy;
mod rules;
mod targets;

use super::record::RecordedCall;
use crate::respond::cloud::Cloud;
pub use kind::Kind;
use reversal::reversal;
pub use reversal::{Reversal, Reverse, TaskNow};

/// The reverse of `call`, from the state AWS reports now. `task` is the
/// action's target task now (targets go back only to a live task).
pub async fn reverse(cloud: &Cloud, task: &TaskNow, call: &RecordedCall) -> Reversal {
    match Kind::of(call) {
        Kind::AclEntry => acl_entry::acl_entry(cloud, call).await,
        Kind::GroupRules { egress } => group_rules::group_rules(cloud, call, egress).await,
        Kind::Targets => targets::targets(cloud, task, call).await,
        Kind::Protection => protection::protection(cloud, task, call).await,
        Kind::RolePolicy => role_policy::role_policy(cloud, call).await,
        Kind::NetworkConfiguration => {
            network_configuration::network_configuration(cloud, call).await
        }
        Kind::Rollback => {
            let p = &call.parameters;
            let service = p["service"].as_str().unwrap_or("the service");
            let previous = call.prior["taskDefinition"]
                .as_str()
                .unwrap_or("its previous task definition");
            reversal(
                format!("return {service} to {previous}"),
                Reverse::Not(format!(
                    "undone only by another rollback (taskscope rollback --cluster {} --service \
                     {service} --to REVISION): undo does not return the service to {previous}, \
                     the revision under suspicion",
                    p["cluster"].as_str().unwrap_or("C")
                )),
            )
        }
        Kind::StoppedTask => reversal(
            "start the stopped task again".into(),
            Reverse::Not(
                "cannot be undone: a stopped task cannot be started again (a service starts \
                 replacements on its own)"
                    .into(),
            ),
        ),
        Kind::StoppedDeployment => reversal(
            "resume the stopped deployment".into(),
            Reverse::Not(
                "cannot be undone: a stopped deployment cannot be resumed; deploy again with \
                 taskscope rollback --to REVISION"
                    .into(),
            ),
        ),
        Kind::Unknown => reversal(
            format!("reverse {}", call.operation),
            Reverse::Not(format!("taskscope does not reverse {}", call.operation)),
        ),
    }
}
