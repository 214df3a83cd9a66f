//! The audit records of one plan: each written to the bundle's audit log,
//! the plan record, and the bundle created, empty and sealed, when the
//! audit log has nowhere to go yet.

use super::context::Context;
use crate::bundle::audit::{self, Actor, Entry, Record};
use crate::bundle::growing::GrowingBundle;
use crate::bundle::manifest::{CollectRequest, CollectionState};
use crate::respond::plan::{ActionKind, Plan};
use std::path::Path;

/// Writes audit records for one plan.
pub(super) struct Auditor<'a> {
    pub(super) bundle: &'a Path,
    pub(super) plan: &'a Plan,
    pub(super) actor: &'a Actor,
}

impl Auditor<'_> {
    pub(super) fn write(&self, time: String, entry: Entry) -> Result<(), String> {
        let mut task_definitions = Vec::new();
        if self.plan.action == ActionKind::Rollback {
            for key in ["taskDefinition", "targetTaskDefinition"] {
                if let Some(arn) = self.plan.before[key].as_str() {
                    task_definitions.push(arn.to_string());
                }
            }
        }
        let record = Record {
            time,
            plan_id: self.plan.id.clone(),
            action: self.plan.action.name().to_string(),
            actor: self.actor.clone(),
            target: self.plan.audit_target(),
            task_definitions,
            entry,
        };
        audit::append(self.bundle, &record).map_err(|e| {
            format!(
                "the audit log of {} could not be written ({e}); nothing further was sent",
                self.bundle.display()
            )
        })
    }
}

/// The plan record: the plan as confirmed, and how it was confirmed.
pub(super) fn plan_entry(plan: &Plan, confirmed_by: &str) -> Entry {
    Entry::Plan {
        plan: serde_json::to_value(plan).unwrap_or_default(),
        confirmed_by: confirmed_by.to_string(),
    }
}

/// Creates the audit bundle, empty and sealed, when it does not exist.
pub(super) fn ensure_bundle(context: &Context<'_>, plan: &Plan) -> Result<(), String> {
    if context.bundle.exists() {
        return Ok(());
    }
    let now = audit::now();
    let request = CollectRequest {
        profile: context.connection.profile.clone(),
        accounts: vec![plan.target.account.clone()],
        regions: vec![plan.target.region.clone()],
        role_name: None,
        cluster: Some(plan.target.cluster.clone()),
        service: plan.target.service.clone(),
        task: plan.target.task_arn.clone(),
        from: now.clone(),
        to: now,
        endpoint_url: context.connection.endpoint_url.clone(),
    };
    GrowingBundle::create_for(context.bundle, "respond", request)
        .and_then(|bundle| bundle.finish(CollectionState::Complete))
        .map(|_| ())
        .map_err(|e| {
            format!(
                "{}: cannot create the bundle: {e}",
                context.bundle.display()
            )
        })
}
