//! ECS: clusters, services (with deployments and events), tasks running and
//! stopped, their task definitions and the revision before each, and
//! service deployments. Batch calls are used wherever ECS has them:
//! DescribeTasks takes 100 tasks, DescribeServices 10, DescribeServiceDeployments 20.

use super::aws::{describe_error, is_unavailable, region_name};
use super::failure::Failure;
use super::limits::CONCURRENCY;
use super::pages::all_pages;
use super::scope::Scope;
use super::task_ref::TaskRef;
use super::tracker::Tracker;
use crate::model::keys::arn_tail;
use aws_sdk_ecs::types::{DesiredStatus, LogDriver, Task, TaskField};
use aws_sdk_ecs::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures_util::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet};

/// Tasks per DescribeTasks call.
pub const DESCRIBE_TASKS_BATCH: usize = 100;
/// Services per DescribeServices call.
pub const DESCRIBE_SERVICES_BATCH: usize = 10;
/// Deployments per DescribeServiceDeployments call.
pub const DESCRIBE_DEPLOYMENTS_BATCH: usize = 20;

/// Where one task's container logs are.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LogStream {
    /// The awslogs group.
    pub group: String,
    /// The stream: `prefix/container/task-id`.
    pub stream: String,
}

/// What ECS collection found, for the sources that follow it.
#[derive(Debug, Default)]
pub struct EcsSeen {
    /// Every task described.
    pub tasks: Vec<TaskRef>,
    /// The awslogs streams of those tasks: one per container of each task's
    /// definition that logs with awslogs.
    pub log_streams: BTreeSet<LogStream>,
    /// The services looked at (names or ARNs).
    pub services: BTreeSet<String>,
    /// The task definitions of those tasks and services (ARNs).
    pub definitions: BTreeSet<String>,
    /// The images those tasks' containers ran, by digest.
    pub images: BTreeSet<RanImage>,
}

/// An image a container ran: its digest and the reference it was pulled by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RanImage {
    /// The digest (`sha256:…`).
    pub digest: String,
    /// The image reference, when DescribeTasks gave it.
    pub reference: Option<String>,
}

/// A described task, as far as later steps need it. Its containers are
/// not: DescribeTasks may leave out a container (a sidecar) that logs, so
/// the streams come from the task definition.
struct Described {
    id: String,
    definition: Option<String>,
    images: Vec<RanImage>,
}

/// The awslogs settings of one container definition: group and stream prefix.
type AwsLogs = BTreeMap<String, (String, String)>;

/// Collects ECS for the scope.
pub async fn collect(client: &Client, scope: &Scope, tracker: &Tracker) -> EcsSeen {
    let region = region_name(client.config().region());
    let clusters = match &scope.cluster {
        Some(cluster) => vec![cluster.clone()],
        None => {
            all_pages(tracker, |token| async {
                client
                    .list_clusters()
                    .set_next_token(token)
                    .send()
                    .await
                    .map(|out| {
                        (
                            out.cluster_arns().to_vec(),
                            out.next_token().map(str::to_string),
                        )
                    })
                    .map_err(|e| describe_error("ecs:ListClusters", &region, &e))
            })
            .await
        }
    };
    let mut described = Vec::new();
    let mut definitions = BTreeSet::new();
    let mut services = BTreeSet::new();
    for cluster in &clusters {
        let (tasks, service_definitions, cluster_services) =
            collect_cluster(client, scope, cluster, tracker, &region).await;
        definitions.extend(tasks.iter().filter_map(|t| t.definition.clone()));
        definitions.extend(service_definitions);
        services.extend(cluster_services);
        described.extend(tasks);
    }
    let awslogs = describe_definitions(client, &definitions, tracker, &region).await;
    let mut seen = EcsSeen {
        services,
        definitions,
        ..EcsSeen::default()
    };
    for task in described {
        seen.images.extend(task.images.iter().cloned());
        let settings = task.definition.as_ref().and_then(|d| awslogs.get(d));
        seen.log_streams.extend(
            settings
                .into_iter()
                .flat_map(|settings| task_log_streams(&task.id, settings)),
        );
        seen.tasks.push(TaskRef {
            id: task.id.clone(),
            arn: None,
        });
    }
    seen
}

/// The awslogs streams of task `id`: one per container of its task
/// definition that logs with awslogs, `prefix/container/id`, whether or not
/// DescribeTasks listed that container.
fn task_log_streams<'a>(
    id: &'a str,
    settings: &'a AwsLogs,
) -> impl Iterator<Item = LogStream> + 'a {
    settings
        .iter()
        .map(move |(container, (group, prefix))| LogStream {
            group: group.clone(),
            stream: format!("{prefix}/{container}/{id}"),
        })
}

/// One cluster: its tasks described, the task definitions its services
/// name, and those services.
async fn collect_cluster(
    client: &Client,
    scope: &Scope,
    cluster: &str,
    tracker: &Tracker,
    region: &str,
) -> (Vec<Described>, BTreeSet<String>, BTreeSet<String>) {
    let mut services: BTreeSet<String> = match (&scope.service, &scope.task) {
        (Some(service), _) => [service.clone()].into(),
        (None, Some(_)) => BTreeSet::new(),
        (None, None) => all_pages(tracker, |token| async {
            client
                .list_services()
                .cluster(cluster)
                .set_next_token(token)
                .send()
                .await
                .map(|out| {
                    (
                        out.service_arns().to_vec(),
                        out.next_token().map(str::to_string),
                    )
                })
                .map_err(|e| describe_error("ecs:ListServices", region, &e))
        })
        .await
        .into_iter()
        .collect(),
    };
    let task_arns: Vec<String> = match &scope.task {
        Some(task) => vec![task.clone()],
        None => list_task_arns(client, cluster, scope.service.as_deref(), tracker, region).await,
    };
    let tasks: Vec<(Described, Option<String>)> =
        describe_tasks(client, cluster, &task_arns, tracker, region)
            .await
            .iter()
            .filter_map(described)
            .collect();
    // A task named alone: its service comes from its group, `service:NAME`.
    for (_, group) in &tasks {
        if let Some(name) = group.as_deref().and_then(|g| g.strip_prefix("service:")) {
            if scope.task.is_some() {
                services.insert(name.to_string());
            }
        }
    }
    let definitions = describe_services(client, cluster, &services, tracker, region).await;
    for service in &services {
        collect_deployments(client, cluster, service, tracker, region).await;
    }
    (
        tasks.into_iter().map(|(task, _)| task).collect(),
        definitions,
        services,
    )
}

/// Lists a cluster's tasks (of one service, when given), running then
/// stopped, 100 a page; each ARN once.
pub async fn list_task_arns(
    client: &Client,
    cluster: &str,
    service: Option<&str>,
    tracker: &Tracker,
    region: &str,
) -> Vec<String> {
    let mut arns = Vec::new();
    for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
        arns.extend(
            all_pages(tracker, |token| {
                let status = status.clone();
                async move {
                    client
                        .list_tasks()
                        .cluster(cluster)
                        .set_service_name(service.map(str::to_string))
                        .desired_status(status)
                        .max_results(100)
                        .set_next_token(token)
                        .send()
                        .await
                        .map(|out| {
                            (
                                out.task_arns().to_vec(),
                                out.next_token().map(str::to_string),
                            )
                        })
                        .map_err(|e| describe_error("ecs:ListTasks", region, &e))
                }
            })
            .await,
        );
    }
    let mut unique = BTreeSet::new();
    arns.retain(|arn| unique.insert(arn.clone()));
    arns
}

/// Describes tasks with their tags, [`DESCRIBE_TASKS_BATCH`] a call and up
/// to [`CONCURRENCY`] calls at once; the tasks come back in batch order. A
/// batch that fails is recorded on the tracker and yields nothing.
pub async fn describe_tasks(
    client: &Client,
    cluster: &str,
    arns: &[String],
    tracker: &Tracker,
    region: &str,
) -> Vec<Task> {
    let batches = arns.chunks(DESCRIBE_TASKS_BATCH).map(|batch| async move {
        match client
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .include(TaskField::Tags)
            .send()
            .await
        {
            Ok(out) => {
                tracker.succeeded();
                out.tasks().to_vec()
            }
            Err(e) => {
                tracker.failed(describe_error("ecs:DescribeTasks", region, &e));
                Vec::new()
            }
        }
    });
    stream::iter(batches).buffered(CONCURRENCY).concat().await
}

/// What later steps need of a described task, with its group (`service:NAME`).
fn described(task: &Task) -> Option<(Described, Option<String>)> {
    let arn = task.task_arn()?;
    let id = arn_tail(arn).to_string();
    let images = task
        .containers()
        .iter()
        .filter_map(|container| {
            let reference = container.image().map(str::to_string);
            let digest = crate::model::task::resolved_digest(
                container.image_digest(),
                reference.as_deref(),
            )?;
            Some(RanImage { digest, reference })
        })
        .collect();
    let described = Described {
        id,
        definition: task.task_definition_arn().map(str::to_string),
        images,
    };
    Some((described, task.group().map(str::to_string)))
}

/// Describes services in batches; returns the task definitions they and
/// their deployments run.
async fn describe_services(
    client: &Client,
    cluster: &str,
    services: &BTreeSet<String>,
    tracker: &Tracker,
    region: &str,
) -> BTreeSet<String> {
    let names: Vec<String> = services.iter().cloned().collect();
    let mut definitions = BTreeSet::new();
    for batch in names.chunks(DESCRIBE_SERVICES_BATCH) {
        match client
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()))
            .send()
            .await
        {
            Ok(out) => {
                tracker.succeeded();
                for service in out.services() {
                    definitions.extend(service.task_definition().map(str::to_string));
                    for deployment in service.deployments() {
                        definitions.extend(deployment.task_definition().map(str::to_string));
                    }
                }
            }
            Err(e) => tracker.failed(describe_error("ecs:DescribeServices", region, &e)),
        }
    }
    definitions
}

/// Lists a service's deployments and describes them in batches.
async fn collect_deployments(
    client: &Client,
    cluster: &str,
    service: &str,
    tracker: &Tracker,
    region: &str,
) {
    let arns: Vec<String> = all_pages(tracker, |token| async {
        client
            .list_service_deployments()
            .cluster(cluster)
            .service(service)
            .set_next_token(token)
            .send()
            .await
            .map(|out| {
                (
                    out.service_deployments()
                        .iter()
                        .filter_map(|d| d.service_deployment_arn().map(str::to_string))
                        .collect(),
                    out.next_token().map(str::to_string),
                )
            })
            .map_err(|e| optional(describe_error("ecs:ListServiceDeployments", region, &e), &e))
    })
    .await;
    for batch in arns.chunks(DESCRIBE_DEPLOYMENTS_BATCH) {
        match client
            .describe_service_deployments()
            .set_service_deployment_arns(Some(batch.to_vec()))
            .send()
            .await
        {
            Ok(_) => tracker.succeeded(),
            Err(e) => tracker.record(optional(
                describe_error("ecs:DescribeServiceDeployments", region, &e),
                &e,
            )),
        }
    }
}

/// Service deployment history is an enrichment that ECS added in 2024; an
/// endpoint that does not offer it at all (an emulator, another partition)
/// is noted without making the collection partial. Refusals, throttling and
/// AWS's own errors still are failures.
fn optional<E>(line: String, error: &aws_sdk_ecs::error::SdkError<E, HttpResponse>) -> Failure
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    Failure {
        line: format!("{line}; deployment history is not collected"),
        optional: is_unavailable(error),
    }
}

/// Describes each task definition and the revision before it; returns the
/// awslogs settings of each described definition's containers.
async fn describe_definitions(
    client: &Client,
    definitions: &BTreeSet<String>,
    tracker: &Tracker,
    region: &str,
) -> BTreeMap<String, AwsLogs> {
    let describe = |reference: String| async move {
        match client
            .describe_task_definition()
            .task_definition(&reference)
            .send()
            .await
        {
            Ok(out) => {
                tracker.succeeded();
                out.task_definition().map(|definition| {
                    let mut logs = AwsLogs::new();
                    for container in definition.container_definitions() {
                        let Some(config) = container.log_configuration() else {
                            continue;
                        };
                        if *config.log_driver() != LogDriver::Awslogs {
                            continue;
                        }
                        let options = config.options();
                        let option = |key: &str| options.and_then(|o| o.get(key)).cloned();
                        if let (Some(name), Some(group), Some(prefix)) = (
                            container.name(),
                            option("awslogs-group"),
                            option("awslogs-stream-prefix"),
                        ) {
                            logs.insert(name.to_string(), (group, prefix));
                        }
                    }
                    let previous = match (definition.family(), definition.revision()) {
                        (Some(family), revision) if revision > 1 => {
                            Some(format!("{family}:{}", revision - 1))
                        }
                        _ => None,
                    };
                    (
                        reference,
                        definition.task_definition_arn().map(str::to_string),
                        logs,
                        previous,
                    )
                })
            }
            Err(e) => {
                tracker.failed(describe_error("ecs:DescribeTaskDefinition", region, &e));
                None
            }
        }
    };
    let found: Vec<_> = stream::iter(definitions.iter().cloned().map(describe))
        .buffer_unordered(CONCURRENCY)
        .filter_map(|found| async move { found })
        .collect()
        .await;
    let mut settings = BTreeMap::new();
    let mut previous = BTreeSet::new();
    for (reference, arn, logs, before) in found {
        if let Some(arn) = arn {
            settings.insert(arn, logs.clone());
        }
        settings.insert(reference, logs);
        previous.extend(before);
    }
    // The revision before each one: what a rollback would return to.
    let missing: Vec<String> = previous
        .into_iter()
        .filter(|reference| {
            !settings
                .keys()
                .any(|known| known.ends_with(&format!("/{reference}")) || known == reference)
        })
        .collect();
    let _: Vec<_> = stream::iter(missing.into_iter().map(describe))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    settings
}
