//! Choosing a rollback's target: the newest revision the service completed
//! a deployment of that is neither a suspect nor ran a suspect digest, from
//! the service's deployment history, else from the task definition family.

use crate::collect::aws::describe_error;
use crate::model::keys::{family_revision, same_revision};
use crate::respond::cloud::Cloud;
use crate::respond::diff::Definition;
use crate::respond::request::RollbackRequest;
use crate::respond::suspects::{Objection, Suspects};
use anyhow::anyhow;
use aws_sdk_ecs::types::{ServiceDeploymentStatus, SortOrder};
use std::collections::BTreeSet;

/// Completed deployments read at most while looking for the target.
const MAX_DEPLOYMENTS: usize = 1000;

/// Service revisions described in one call, at most (the API's limit).
const REVISIONS_PER_CALL: usize = 20;

/// A revision the service completed a deployment of, from its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// The task definition ARN.
    pub task_definition: String,
    /// The image digests the service revision records
    /// (`containerImages[].imageDigest`): what it actually ran.
    pub digests: BTreeSet<String>,
}

/// The service's successful deployments, newest finished first, each with
/// the task definition and digests of its service revision. `Err` says why
/// the history could not be read.
pub async fn completed(cloud: &Cloud, request: &RollbackRequest) -> Result<Vec<Ran>, String> {
    let region = &cloud.region;
    // No paginator in the SDK for this one: follow nextToken by hand.
    let mut briefs = Vec::new();
    let mut token = None;
    loop {
        let page = cloud
            .ecs
            .list_service_deployments()
            .cluster(&request.cluster)
            .service(&request.service)
            .status(ServiceDeploymentStatus::Successful)
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| describe_error("ecs:ListServiceDeployments", region, &e))?;
        briefs.extend(page.service_deployments().iter().cloned());
        token = page.next_token().map(str::to_string);
        if token.is_none() || briefs.len() >= MAX_DEPLOYMENTS {
            break;
        }
    }
    briefs.sort_by_key(|b| std::cmp::Reverse(b.finished_at().map(|t| t.secs())));
    let arns: Vec<String> = briefs
        .iter()
        .filter_map(|b| b.target_service_revision_arn().map(str::to_string))
        .collect();
    let mut described = Vec::new();
    for chunk in arns.chunks(REVISIONS_PER_CALL) {
        let out = cloud
            .ecs
            .describe_service_revisions()
            .set_service_revision_arns(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| describe_error("ecs:DescribeServiceRevisions", region, &e))?;
        described.extend(out.service_revisions().iter().cloned());
    }
    // In the listing's order: newest finished first.
    Ok(arns
        .iter()
        .filter_map(|arn| {
            let revision = described
                .iter()
                .find(|r| r.service_revision_arn() == Some(arn.as_str()))?;
            Some(Ran {
                task_definition: revision.task_definition()?.to_string(),
                digests: revision
                    .container_images()
                    .iter()
                    .filter_map(|c| c.image_digest().map(str::to_string))
                    .collect(),
            })
        })
        .collect())
}

/// Every digest the history records for `reference`'s deployments.
pub fn recorded_digests(history: &[Ran], reference: &str) -> Option<BTreeSet<String>> {
    let mut found = None;
    for ran in history
        .iter()
        .filter(|r| same_revision(&r.task_definition, reference))
    {
        found
            .get_or_insert_with(BTreeSet::new)
            .extend(ran.digests.iter().cloned());
    }
    found.filter(|digests: &BTreeSet<String>| !digests.is_empty())
}

/// The target from the history: the newest revision other than `current`
/// that clears the suspects; else the newest that is not a suspect
/// revision (the plan then refuses it, naming the shared digest). What was
/// passed over goes to `skipped`, one line each.
pub fn choose(
    history: &[Ran],
    current: &str,
    suspects: &Suspects,
    skipped: &mut Vec<String>,
) -> Option<String> {
    let mut sharing_digests = None;
    let mut seen: Vec<&str> = Vec::new();
    for ran in history {
        let arn = ran.task_definition.as_str();
        if same_revision(arn, current) || seen.iter().any(|s| same_revision(s, arn)) {
            continue;
        }
        seen.push(arn);
        let digests = recorded_digests(history, arn).unwrap_or_default();
        match suspects.objection(arn, &digests) {
            None => return Some(arn.to_string()),
            Some(Objection::Revision(why)) => {
                skipped.push(format!("{arn} is passed over: a suspect revision ({why})"));
            }
            Some(Objection::Digests(shared)) => {
                skipped.push(format!(
                    "{arn} is passed over: it ran {}, under suspicion",
                    shared.join(", ")
                ));
                sharing_digests.get_or_insert_with(|| arn.to_string());
            }
        }
    }
    sharing_digests
}

/// The newest ACTIVE revision of the current family below the current one
/// that is not a suspect revision.
pub async fn previous_revision(
    cloud: &Cloud,
    current: &Definition,
    suspects: &Suspects,
) -> anyhow::Result<Option<String>> {
    let mut pages = cloud
        .ecs
        .list_task_definitions()
        .family_prefix(&current.family)
        .sort(SortOrder::Desc)
        .into_paginator()
        .items()
        .send();
    let mut listed = Vec::new();
    while let Some(arn) = pages.next().await {
        listed.push(
            arn.map_err(|e| anyhow!(describe_error("ecs:ListTaskDefinitions", &cloud.region, &e)))?,
        );
    }
    // The newest earlier revision, whatever order the listing came in.
    Ok(listed
        .iter()
        .filter(|arn| {
            let (family, revision) = family_revision(arn);
            family == current.family && revision < current.revision && suspects.why(arn).is_none()
        })
        .max_by_key(|arn| family_revision(arn).1)
        .cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(revision: u32, digest: &str) -> Ran {
        Ran {
            task_definition: format!("arn:x:task-definition/web:{revision}"),
            digests: [format!("sha256:{digest}")].into(),
        }
    }

    #[test]
    fn the_target_skips_suspect_revisions_and_digests() {
        // Newest first: web:3 (current), web:2 under another tag of the bad
        // image, web:4 a suspect revision, web:1 clean.
        let history = [ran(3, "bad"), ran(2, "bad"), ran(4, "old"), ran(1, "good")];
        let mut suspects = Suspects::default();
        suspects.add_revision("arn:x:task-definition/web:4", "rolled away from");
        suspects.digests.insert("sha256:bad".into());
        let mut skipped = Vec::new();
        let target = choose(&history, "web:3", &suspects, &mut skipped);
        assert_eq!(target.as_deref(), Some("arn:x:task-definition/web:1"));
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        // With no clean revision, the one sharing a digest is offered, to be
        // refused by name.
        let mut skipped = Vec::new();
        let target = choose(&history[..3], "web:3", &suspects, &mut skipped);
        assert_eq!(target.as_deref(), Some("arn:x:task-definition/web:2"));
    }
}
