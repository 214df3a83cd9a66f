//! The revisions and image digests under suspicion in a rollback, and where
//! they come from: the plan (the revision rolled away from and the digests
//! its tasks run), earlier rollbacks of the service in the bundle's audit
//! log, and the service's own history. A target must clear them all.

use crate::bundle::audit::{self, Entry, Record};
use crate::bundle::Bundle;
use crate::model::keys::arn_tail;
use crate::model::keys::same_revision;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One earlier rollback of a service: a plan record of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierRollback {
    /// Its plan ID.
    pub plan_id: String,
    /// The region it acted in.
    pub region: String,
    /// The account it acted in.
    pub account: String,
    /// The cluster, as it was given.
    pub cluster: String,
    /// The service's name.
    pub service: String,
    /// The task definition it rolled the service to.
    pub target: Option<String>,
    /// The task definitions it held under suspicion, the one it rolled away
    /// from included.
    pub revisions: BTreeSet<String>,
    /// The image digests it held under suspicion.
    pub digests: BTreeSet<String>,
}

impl EarlierRollback {
    /// Reads a rollback plan as the audit log keeps it; None for another
    /// action's plan.
    fn from_plan(plan_id: &str, plan: &Value) -> Option<EarlierRollback> {
        if plan["action"] != "rollback" {
            return None;
        }
        let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
        let texts = |value: &Value| -> BTreeSet<String> {
            value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let before = &plan["before"];
        let target = before["targetTaskDefinition"].as_str().map(str::to_string);
        let mut revisions = texts(&before["suspectRevisions"]);
        // Records written before suspects were kept name only the revision
        // rolled away from; a re-run already on its target rolled from nothing.
        if let Some(from) = before["taskDefinition"].as_str() {
            if target.as_deref().is_none_or(|t| !same_revision(t, from)) {
                revisions.insert(from.to_string());
            }
        }
        Some(EarlierRollback {
            plan_id: plan_id.to_string(),
            region: text(&plan["target"]["region"]),
            account: text(&plan["target"]["account"]),
            cluster: text(&plan["target"]["cluster"]),
            service: text(&plan["target"]["service"]),
            target,
            revisions,
            digests: texts(&before["suspectDigests"]),
        })
    }
}

/// What a bundle's audit log says of earlier rollbacks, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollbackHistory {
    /// The rollbacks confirmed into the log.
    pub earlier: Vec<EarlierRollback>,
    /// Lines of the log that could not be read (a rollback may hide there).
    pub problems: Vec<String>,
}

impl RollbackHistory {
    /// The rollbacks among audit records.
    pub fn from_records(records: &[(usize, Record)]) -> RollbackHistory {
        let earlier = records
            .iter()
            .filter_map(|(_, record)| match &record.entry {
                Entry::Plan { plan, .. } => EarlierRollback::from_plan(&record.plan_id, plan),
                _ => None,
            })
            .collect();
        RollbackHistory {
            earlier,
            problems: Vec::new(),
        }
    }

    /// The rollbacks in `bundle`'s audit log.
    pub fn from_bundle(bundle: &Bundle) -> RollbackHistory {
        let (records, problems) = audit::load(bundle);
        RollbackHistory {
            problems,
            ..RollbackHistory::from_records(&records)
        }
    }

    /// The rollbacks in the audit log of the bundle at `path`; none when
    /// nothing is there yet. Fails when a bundle there cannot be opened.
    pub fn at(path: &Path) -> Result<RollbackHistory, String> {
        if !path.exists() {
            return Ok(RollbackHistory::default());
        }
        Bundle::open(path)
            .map(|bundle| RollbackHistory::from_bundle(&bundle))
            .map_err(|e| {
                format!(
                    "{}: cannot read its audit log for earlier rollbacks ({e}); the revisions they rolled away from would not be known",
                    path.display()
                )
            })
    }

    /// The earlier rollbacks of one service, oldest first.
    pub fn of_service(
        &self,
        region: &str,
        account: &str,
        cluster: &str,
        service: &str,
    ) -> Vec<&EarlierRollback> {
        self.earlier
            .iter()
            .filter(|e| {
                e.region == region
                    && e.account == account
                    && arn_tail(&e.cluster) == arn_tail(cluster)
                    && arn_tail(&e.service) == arn_tail(service)
            })
            .collect()
    }
}

/// Why a revision must not be the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Objection {
    /// It is a suspect revision; the text says why.
    Revision(String),
    /// It ran (or pins) these suspect digests.
    Digests(Vec<String>),
}

/// The suspects of one rollback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suspects {
    /// Task definition ARNs, each with why it is a suspect.
    pub revisions: BTreeMap<String, String>,
    /// Image digests (`sha256:...`).
    pub digests: BTreeSet<String>,
}

impl Suspects {
    /// The suspects earlier rollbacks recorded.
    pub fn from_earlier<'a>(earlier: impl IntoIterator<Item = &'a EarlierRollback>) -> Suspects {
        let mut suspects = Suspects::default();
        for rollback in earlier {
            for revision in &rollback.revisions {
                suspects.add_revision(
                    revision,
                    format!("held under suspicion by {}", rollback.plan_id),
                );
            }
            suspects.digests.extend(rollback.digests.iter().cloned());
        }
        suspects
    }

    /// Adds a suspect revision; the first reason given is kept.
    pub fn add_revision(&mut self, arn: &str, why: impl Into<String>) {
        if self.why(arn).is_none() {
            self.revisions.insert(arn.to_string(), why.into());
        }
    }

    /// Why `reference` (an ARN or `family:revision`) is a suspect revision.
    pub fn why(&self, reference: &str) -> Option<&str> {
        self.revisions
            .iter()
            .find(|(arn, _)| same_revision(arn, reference))
            .map(|(_, why)| why.as_str())
    }

    /// Why a revision that ran `digests` must not be the target, if it
    /// must not: a suspect revision first, then shared digests.
    pub fn objection(&self, reference: &str, digests: &BTreeSet<String>) -> Option<Objection> {
        if let Some(why) = self.why(reference) {
            return Some(Objection::Revision(why.to_string()));
        }
        let shared: Vec<String> = self.digests.intersection(digests).cloned().collect();
        (!shared.is_empty()).then_some(Objection::Digests(shared))
    }

    /// The suspect revisions' ARNs, sorted.
    pub fn revision_arns(&self) -> Vec<&str> {
        self.revisions.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(before: Value) -> Value {
        json!({
            "action": "rollback",
            "target": {"region": "us-east-1", "account": "1", "cluster": "prod", "service": "web"},
            "before": before,
        })
    }

    #[test]
    fn an_earlier_rollback_holds_what_it_rolled_away_from() {
        let first = EarlierRollback::from_plan(
            "p1",
            &plan(json!({"taskDefinition": "arn:x:task-definition/web:3",
                          "targetTaskDefinition": "arn:x:task-definition/web:2",
                          "suspectDigests": ["sha256:bad"]})),
        )
        .unwrap();
        assert_eq!(
            first.revisions,
            ["arn:x:task-definition/web:3".to_string()].into()
        );
        assert_eq!(first.target.as_deref(), Some("arn:x:task-definition/web:2"));
        // A re-run already on its target rolled away from nothing, but keeps
        // the suspects it was given.
        let again = EarlierRollback::from_plan(
            "p2",
            &plan(json!({"taskDefinition": "arn:x:task-definition/web:2",
                          "targetTaskDefinition": "arn:x:task-definition/web:2",
                          "suspectRevisions": ["arn:x:task-definition/web:3"]})),
        )
        .unwrap();
        assert_eq!(again.revisions, first.revisions);
        let isolate = json!({"action": "isolate", "before": {}});
        assert!(EarlierRollback::from_plan("p3", &isolate).is_none());
    }

    #[test]
    fn a_suspect_revision_is_refused_before_its_digests() {
        let mut suspects = Suspects::default();
        suspects.add_revision("arn:x:task-definition/web:3", "rolled away from");
        suspects.digests.insert("sha256:bad".into());
        let digests: BTreeSet<String> = ["sha256:bad".to_string()].into();
        assert_eq!(
            suspects.objection("web:3", &BTreeSet::new()),
            Some(Objection::Revision("rolled away from".into()))
        );
        assert_eq!(
            suspects.objection("web:1", &digests),
            Some(Objection::Digests(vec!["sha256:bad".into()]))
        );
        assert_eq!(suspects.objection("web:1", &BTreeSet::new()), None);
    }
}
