//! Security posture from a task definition: roles, users, root filesystems,
//! capabilities, log drivers, and the names (never the values) of
//! environment variables and secrets.

use crate::correlate::Incident;
use crate::import::json::{owned, path, path_array, path_str};
use crate::model::keys::arn_tail;
use crate::model::RawRef;
use crate::raw::RawReader;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Security posture from a task definition. Environment variables and
/// secrets are listed by name only: their values never leave the raw record.
#[derive(Debug, Clone, PartialEq)]
pub struct Posture {
    /// `family:revision`.
    pub task_definition: String,
    /// The task definition ARN.
    pub arn: String,
    /// `awsvpc` on Fargate.
    pub network_mode: Option<String>,
    /// The role the task's code runs as.
    pub task_role_arn: Option<String>,
    /// The role ECS uses to pull images, fetch secrets and write logs.
    pub execution_role_arn: Option<String>,
    /// Per container, in definition order.
    pub containers: Vec<ContainerPosture>,
}

/// One container definition's security-relevant settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerPosture {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: Option<String>,
    /// `privileged` (never true on Fargate).
    pub privileged: Option<bool>,
    /// `readonlyRootFilesystem`; absent means writable.
    pub readonly_root_filesystem: Option<bool>,
    /// `user`; absent means the image's default user, often root.
    pub user: Option<String>,
    /// `essential`.
    pub essential: Option<bool>,
    /// `linuxParameters.capabilities.add`.
    pub capabilities_added: Vec<String>,
    /// Names of `environment` variables (values withheld).
    pub environment_names: Vec<String>,
    /// Names of `secrets` (the secret references withheld).
    pub secret_names: Vec<String>,
    /// `logConfiguration`, when set.
    pub log: Option<LogSetup>,
}

/// Where a container's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSetup {
    /// `awslogs`, `awsfirelens`, `splunk`, ...
    pub driver: String,
    /// `awslogs-group` option.
    pub group: Option<String>,
    /// `awslogs-stream-prefix` option.
    pub stream_prefix: Option<String>,
    /// `mode` option: `blocking` or `non-blocking` (a non-blocking stream may drop lines).
    pub mode: Option<String>,
}

pub(super) fn not_in_bundle(arn: &str) -> String {
    format!("task definition {} is not in the bundle", arn_tail(arn))
}

/// Resolves the task definitions tasks run into postures.
pub(super) fn read_postures(
    incident: &Incident,
    definition_events: &BTreeMap<&str, Option<usize>>,
    reader: &mut RawReader,
) -> HashMap<String, Result<Posture, String>> {
    let mut postures = HashMap::new();
    for (&arn, &position) in definition_events {
        let outcome = match position.and_then(|p| incident.events.get(p)) {
            Some(event) => posture_from_records(arn, &event.raw, reader),
            None => Err(not_in_bundle(arn)),
        };
        postures.insert(arn.to_string(), outcome);
    }
    postures
}

/// The posture from the first raw copy of a registration that reads.
fn posture_from_records(
    arn: &str,
    copies: &[RawRef],
    reader: &mut RawReader,
) -> Result<Posture, String> {
    let mut problem = "no copy holds a task definition".to_string();
    for raw in copies {
        match reader.record(raw) {
            Ok(record) => match definition_in(&record).and_then(posture_from) {
                Some(posture) => return Ok(posture),
                None => continue,
            },
            Err(error) => problem = error.to_string(),
        }
    }
    Err(format!(
        "task definition {} could not be read: {problem}",
        arn_tail(arn)
    ))
}

/// The task definition in a describe-task-definition record or in the
/// response of a RegisterTaskDefinition CloudTrail record.
fn definition_in(record: &Value) -> Option<&Value> {
    if record.get("containerDefinitions").is_some() {
        return Some(record);
    }
    path(record, &["responseElements", "taskDefinition"])
}

/// Reads the posture of a task definition object.
pub fn posture_from(definition: &Value) -> Option<Posture> {
    let arn = path_str(definition, &["taskDefinitionArn"])?;
    let name = match (
        path_str(definition, &["family"]),
        path(definition, &["revision"]).and_then(Value::as_i64),
    ) {
        (Some(family), Some(revision)) => format!("{family}:{revision}"),
        _ => arn_tail(arn).to_string(),
    };
    let containers = path_array(definition, &["containerDefinitions"])
        .iter()
        .map(container_posture)
        .collect();
    Some(Posture {
        task_definition: name,
        arn: arn.to_string(),
        network_mode: owned(definition, &["networkMode"]),
        task_role_arn: owned(definition, &["taskRoleArn"]),
        execution_role_arn: owned(definition, &["executionRoleArn"]),
        containers,
    })
}

fn container_posture(container: &Value) -> ContainerPosture {
    let flag = |name: &str| path(container, &[name]).and_then(Value::as_bool);
    let names = |list: &str| -> Vec<String> {
        path_array(container, &[list])
            .iter()
            .filter_map(|item| owned(item, &["name"]))
            .collect()
    };
    let log = path(container, &["logConfiguration"]).and_then(|config| {
        Some(LogSetup {
            driver: owned(config, &["logDriver"])?,
            group: owned(config, &["options", "awslogs-group"]),
            stream_prefix: owned(config, &["options", "awslogs-stream-prefix"]),
            mode: owned(config, &["options", "mode"]),
        })
    });
    ContainerPosture {
        name: owned(container, &["name"]).unwrap_or_default(),
        image: owned(container, &["image"]),
        privileged: flag("privileged"),
        readonly_root_filesystem: flag("readonlyRootFilesystem"),
        user: owned(container, &["user"]),
        essential: flag("essential"),
        capabilities_added: path_array(container, &["linuxParameters", "capabilities", "add"])
            .iter()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect(),
        environment_names: names("environment"),
        secret_names: names("secrets"),
        log,
    }
}
