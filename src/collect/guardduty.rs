//! GuardDuty: the region's detector, then ListFindings scoped to ECS
//! resources in the window (and to the cluster or task when given), plus
//! ECS attack sequences, then GetFindings in batches of 50. An
//! organization's GuardDuty administrator holds its members' findings in
//! its own detector: [`administered`] says which accounts it covers.

use super::aws::{describe_error, is_unavailable, region_name};
use super::failure::Failure;
use super::pages::all_pages;
use super::scope::Scope;
use super::task_ref::TaskRef;
use super::tracker::Tracker;
use aws_sdk_guardduty::types::{Condition, FindingCriteria};
use aws_sdk_guardduty::Client;
use std::collections::BTreeSet;

/// Findings per ListFindings page and per GetFindings call (the API's maximum).
pub const FINDINGS_BATCH: usize = 50;
/// The attack-sequence type that concerns ECS (Extended Threat Detection).
pub const ECS_ATTACK_SEQUENCE: &str = "AttackSequence:ECS/CompromisedCluster";

/// The accounts of `in_scope` whose findings the caller's detector in this
/// region holds as the organization's GuardDuty administrator: its
/// associated members (ListMembers) whose relationship is `Enabled`. Empty
/// when the caller administers no one; an endpoint without ListMembers is
/// noted, not a failure.
pub async fn administered(
    client: &Client,
    in_scope: &BTreeSet<String>,
    tracker: &Tracker,
) -> BTreeSet<String> {
    let region = region_name(client.config().region());
    let detectors = list_detectors(client, &region, tracker).await;
    let mut members = BTreeSet::new();
    for detector in &detectors {
        let listed = all_pages(tracker, |token| {
            let region = &region;
            async move {
                client
                    .list_members()
                    .detector_id(detector)
                    .only_associated("true")
                    .set_next_token(token)
                    .send()
                    .await
                    .map(|out| (out.members().to_vec(), out.next_token().map(str::to_string)))
                    .map_err(|e| Failure {
                        optional: is_unavailable(&e),
                        line: describe_error("guardduty:ListMembers", region, &e),
                    })
            }
        })
        .await;
        members.extend(
            listed
                .iter()
                .filter(|member| member.relationship_status() == Some("Enabled"))
                .filter_map(|member| member.account_id())
                .filter(|account| in_scope.contains(*account))
                .map(str::to_string),
        );
    }
    members
}

async fn list_detectors(client: &Client, region: &str, tracker: &Tracker) -> Vec<String> {
    all_pages(tracker, |token| async {
        client
            .list_detectors()
            .set_next_token(token)
            .send()
            .await
            .map(|out| {
                (
                    out.detector_ids().to_vec(),
                    out.next_token().map(str::to_string),
                )
            })
            .map_err(|e| describe_error("guardduty:ListDetectors", region, &e))
    })
    .await
}

/// Collects the findings, of `accounts` only when any are given (an
/// administrator's detector holds its members' findings too); returns the
/// tasks they name.
pub async fn collect(
    client: &Client,
    scope: &Scope,
    accounts: &BTreeSet<String>,
    tracker: &Tracker,
) -> Vec<TaskRef> {
    let region = region_name(client.config().region());
    let detectors = list_detectors(client, &region, tracker).await;
    let mut tasks = BTreeSet::new();
    for detector in &detectors {
        let mut ids = Vec::new();
        for criteria in criteria(scope, accounts) {
            ids.extend(
                all_pages(tracker, |token| {
                    let criteria = criteria.clone();
                    let region = &region;
                    async move {
                        client
                            .list_findings()
                            .detector_id(detector)
                            .finding_criteria(criteria)
                            .max_results(FINDINGS_BATCH as i32)
                            .set_next_token(token)
                            .send()
                            .await
                            .map(|out| {
                                (
                                    out.finding_ids().to_vec(),
                                    out.next_token().map(str::to_string),
                                )
                            })
                            .map_err(|e| describe_error("guardduty:ListFindings", region, &e))
                    }
                })
                .await,
            );
        }
        let mut unique = BTreeSet::new();
        ids.retain(|id| unique.insert(id.clone()));
        for batch in ids.chunks(FINDINGS_BATCH) {
            match client
                .get_findings()
                .detector_id(detector)
                .set_finding_ids(Some(batch.to_vec()))
                .send()
                .await
            {
                Ok(out) => {
                    tracker.succeeded();
                    for finding in out.findings() {
                        let arn = finding
                            .resource()
                            .and_then(|r| r.ecs_cluster_details())
                            .and_then(|c| c.task_details())
                            .and_then(|t| t.arn());
                        if let Some(arn) = arn {
                            tasks.insert(TaskRef::from_reference(arn));
                        }
                    }
                }
                Err(e) => tracker.failed(describe_error("guardduty:GetFindings", &region, &e)),
            }
        }
    }
    tasks.into_iter().collect()
}

/// The finding criteria: ECS runtime findings in the window (narrowed to the
/// cluster or task when given), and ECS attack sequences in the window;
/// both of `accounts` only, when any are given.
pub fn criteria(scope: &Scope, accounts: &BTreeSet<String>) -> Vec<FindingCriteria> {
    let window = Condition::builder()
        .greater_than_or_equal(scope.from.timestamp_millis())
        .less_than_or_equal(scope.to.timestamp_millis())
        .build();
    let in_accounts = (!accounts.is_empty()).then(|| {
        accounts
            .iter()
            .fold(Condition::builder(), |condition, account| {
                condition.equals(account)
            })
            .build()
    });
    let mut runtime = FindingCriteria::builder()
        .criterion(
            "resource.resourceType",
            Condition::builder().equals("ECSCluster").build(),
        )
        .criterion("updatedAt", window.clone());
    if let Some(cluster) = &scope.cluster {
        let key = if cluster.starts_with("arn:") {
            "resource.ecsClusterDetails.arn"
        } else {
            "resource.ecsClusterDetails.name"
        };
        runtime = runtime.criterion(key, Condition::builder().equals(cluster).build());
    }
    if let Some(task) = scope.task.as_ref().filter(|t| t.starts_with("arn:")) {
        runtime = runtime.criterion(
            "resource.ecsClusterDetails.taskDetails.arn",
            Condition::builder().equals(task).build(),
        );
    }
    let sequences = FindingCriteria::builder()
        .criterion(
            "type",
            Condition::builder().equals(ECS_ATTACK_SEQUENCE).build(),
        )
        .criterion("updatedAt", window);
    [runtime, sequences]
        .into_iter()
        .map(|criteria| match &in_accounts {
            Some(condition) => criteria.criterion("accountId", condition.clone()),
            None => criteria,
        })
        .map(|criteria| criteria.build())
        .collect()
}
