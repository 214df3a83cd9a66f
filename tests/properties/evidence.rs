//! Writes a generated [`World`] down the way AWS tools would: describe-tasks
//! output, EventBridge events (as JSON lines and archived in CloudWatch Logs),
//! CloudTrail S3 delivery files (one gzip) and lookup-events output, GuardDuty
//! get-findings output (PascalCase), Falco JSON lines, CloudWatch Logs
//! filter-log-events output, describe-services and describe-task-definition.
//! Every record is entered in the [`Truth`] at the locator taskscope must
//! give it, with what it names.

use super::oracle::{Claim, Revealed, Truth};
use super::world::*;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use flate2::{write::GzEncoder, Compression};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::Write;

/// Evidence files, as (file name, bytes as received).
pub type Files = Vec<(String, Vec<u8>)>;

const DESCRIBE_TASKS: &str = "ecs_describe_tasks.json";
const STATE_ARCHIVE: &str = "cwlogs_task_state_archive.json";
const EVENTBRIDGE: &str = "eventbridge_events.jsonl";
const DELIVERY: [&str; 2] = [
    "111122223333_CloudTrail_us-east-1_20261120T0805Z_a1.json.gz",
    "111122223333_CloudTrail_us-east-1_20261120T1405Z_b2.json",
];
const LOOKUP: &str = "cloudtrail_lookup_events.json";
const FINDINGS: &str = "guardduty_get_findings.json";
const FALCO: &str = "falco_alerts.ndjson";
const APP_LOGS: &str = "cwlogs_filter_app.json";
const SERVICES: &str = "ecs_describe_services.json";

/// Ordinary API calls made with task roles and user keys: (service, name).
const CALLS: [(&str, &str); 8] = [
    ("s3.amazonaws.com", "GetObject"),
    ("s3.amazonaws.com", "ListBuckets"),
    ("sts.amazonaws.com", "GetCallerIdentity"),
    ("secretsmanager.amazonaws.com", "GetSecretValue"),
    ("secretsmanager.amazonaws.com", "ListSecrets"),
    ("kms.amazonaws.com", "GenerateDataKey"),
    ("iam.amazonaws.com", "ListUsers"),
    ("dynamodb.amazonaws.com", "Query"),
];

const FALCO_RULES: [(&str, &str); 4] = [
    ("Terminal shell in container", "Notice"),
    ("Drop and execute new binary in container", "Critical"),
    ("Read sensitive file untrusted", "Warning"),
    ("Outbound Connection to C2 Servers", "Error"),
];

/// RFC 3339 with whole seconds and `Z`, as CloudTrail writes.
fn seconds(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// RFC 3339 with milliseconds and `Z`, as EventBridge and GuardDuty write.
fn millis(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// RFC 3339 with microseconds and `+00:00`, as the AWS CLI prints ECS times.
fn cli_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// A UUID-shaped identifier derived from `n`.
fn uuid(n: u128) -> String {
    let mixed = n.wrapping_mul(0x2545_f491_4f6c_dd1d_9e37_79b9_7f4a_7c15) ^ 0x5a5a;
    let hex = format!("{mixed:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..]
    )
}

/// A stable 128-bit fingerprint of a string (FNV-1a).
fn fingerprint(text: &str) -> u128 {
    text.bytes()
        .fold(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d, |hash, byte| {
            (hash ^ u128::from(byte)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b)
        })
}

/// Upper-cases the first letter of every object key, as the AWS CLI prints GuardDuty.
fn pascal_case(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let mut chars = key.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase());
                    (first.into_iter().chain(chars).collect(), pascal_case(item))
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(pascal_case).collect()),
        other => other.clone(),
    }
}

/// One CloudTrail API call, before it is written.
struct Call {
    time: DateTime<Utc>,
    source: &'static str,
    name: &'static str,
    identity: Value,
    address: String,
    request: Value,
    response: Value,
}

/// The files being written, and the truth about them.
struct Writer<'w> {
    world: &'w World,
    truth: Truth,
    described: Vec<Value>,
    archive: Vec<Value>,
    eventbridge: Vec<Value>,
    delivery: [Vec<Value>; 2],
    lookup: Vec<Value>,
    findings: Vec<Value>,
    falco: Vec<Value>,
    app_logs: Vec<Value>,
    service_events: Vec<Value>,
    task_definitions: BTreeMap<u32, DateTime<Utc>>,
    serial: u128,
}

/// Writes the world's evidence; returns the files and the truth about them.
pub fn write(world: &World) -> (Files, Truth) {
    let mut writer = Writer {
        world,
        truth: Truth::default(),
        described: Vec::new(),
        archive: Vec::new(),
        eventbridge: Vec::new(),
        delivery: [Vec::new(), Vec::new()],
        lookup: Vec::new(),
        findings: Vec::new(),
        falco: Vec::new(),
        app_logs: Vec::new(),
        service_events: Vec::new(),
        task_definitions: BTreeMap::new(),
        serial: 0,
    };
    for task in &world.tasks {
        writer.describe(task);
    }
    for record in &world.records {
        writer.record(record);
    }
    writer.finish()
}

impl Writer<'_> {
    fn next_serial(&mut self) -> u128 {
        self.serial += 1;
        self.serial
    }

    /// The ECS `Task` shape; `early` is a RUNNING snapshot taken before any stop.
    fn task_json(task: &TaskSpec, early: bool) -> Value {
        let stopped = task.stopped.filter(|_| !early);
        let attachment = uuid(fingerprint(&task.eni));
        let containers: Vec<Value> = task
            .containers
            .iter()
            .map(|container| {
                let mut json = json!({
                    "containerArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:container/{CLUSTER}/{}/{}",
                        task.id, uuid(fingerprint(&container.runtime_id))),
                    "taskArn": task.arn,
                    "name": container.name,
                    "image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{}:4.12.0", container.name),
                    "runtimeId": container.runtime_id,
                    "lastStatus": if stopped.is_some() { "STOPPED" } else { "RUNNING" },
                    "networkBindings": [],
                    "networkInterfaces": [{"attachmentId": attachment, "privateIpv4Address": task.ip}],
                    "healthStatus": "UNKNOWN",
                    "cpu": "0"
                });
                if stopped.is_some() {
                    json["exitCode"] = json!(137);
                }
                json
            })
            .collect();
        let mut json = json!({
            "attachments": [{
                "id": attachment,
                "type": "ElasticNetworkInterface",
                "status": if stopped.is_some() { "DELETED" } else { "ATTACHED" },
                "details": [
                    {"name": "subnetId", "value": "subnet-0f1e2d3c4b5a69788"},
                    {"name": "networkInterfaceId", "value": task.eni},
                    {"name": "privateDnsName", "value": format!("ip-{}.ec2.internal", task.ip.replace('.', "-"))},
                    {"name": "privateIPv4Address", "value": task.ip}
                ]
            }],
            "availabilityZone": "us-east-1a",
            "clusterArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"),
            "containers": containers,
            "cpu": "512",
            "createdAt": cli_time(task.created),
            "desiredStatus": if task.stopped.is_some() && !early { "STOPPED" } else { "RUNNING" },
            "group": "service:checkout-api",
            "lastStatus": if stopped.is_some() { "STOPPED" } else { "RUNNING" },
            "launchType": "FARGATE",
            "memory": "1024",
            "startedAt": cli_time(task.started),
            "taskArn": task.arn,
            "taskDefinitionArn": task.task_definition,
            "version": if early { 2 } else if stopped.is_some() { 5 } else { 3 }
        });
        if let Some(deployment) = task.deployment {
            json["startedBy"] = json!(deployment);
        }
        if let Some((stopping, stopped)) = stopped {
            json["stoppingAt"] = json!(cli_time(stopping));
            json["stoppedAt"] = json!(cli_time(stopped));
            json["stopCode"] = json!("UserInitiated");
            json["stoppedReason"] = json!("IR-2211: isolate task");
        }
        json
    }

    fn state_change(&mut self, task: &TaskSpec, early: bool) -> Value {
        let mut detail = Self::task_json(task, early);
        // EventBridge writes times with milliseconds and Z, not the CLI's form.
        for field in ["createdAt", "startedAt", "stoppingAt", "stoppedAt"] {
            let time = match field {
                "createdAt" => Some(task.created),
                "startedAt" => Some(task.started),
                "stoppingAt" => task.stopped.map(|s| s.0),
                _ => task.stopped.map(|s| s.1),
            };
            if let (Some(time), Some(slot)) = (time, detail.get_mut(field)) {
                *slot = json!(millis(time));
            }
        }
        let time = if early {
            task.started
        } else {
            task.end_for_timing()
        };
        json!({
            "version": "0",
            "id": uuid(self.next_serial()),
            "detail-type": "ECS Task State Change",
            "source": "aws.ecs",
            "account": ACCOUNT,
            "time": seconds(time),
            "region": REGION,
            "resources": [task.arn],
            "detail": detail
        })
    }

    /// The milestones a snapshot yields share its locator; all name the task by ARN.
    fn describe(&mut self, task: &TaskSpec) {
        let claims = vec![Claim::TaskArn(task.id.clone())];
        match task.description {
            Description::DescribeTasks => {
                let locator = format!("/tasks/{}", self.described.len());
                self.truth
                    .record(DESCRIBE_TASKS, locator, task.created, claims.clone());
                self.described.push(Self::task_json(task, false));
            }
            Description::ArchivedStateChange => {
                let envelope = self.state_change(task, false);
                self.archive_envelope(
                    envelope,
                    task.end_for_timing(),
                    task.created,
                    claims.clone(),
                );
            }
            Description::StateChangeEvent => {
                let envelope = self.state_change(task, false);
                let locator = format!("L{}/detail", self.eventbridge.len() + 1);
                self.truth
                    .record(EVENTBRIDGE, locator, task.created, claims.clone());
                self.eventbridge.push(envelope);
            }
            Description::Undescribed => return,
        }
        if task.early_snapshot {
            let envelope = self.state_change(task, true);
            self.archive_envelope(envelope, task.started, task.created, claims);
        }
        self.truth.revealed.insert(
            task.id.clone(),
            Revealed {
                runtime_ids: task
                    .containers
                    .iter()
                    .map(|c| c.runtime_id.clone())
                    .collect(),
                enis: [task.eni.clone()].into(),
                ips: [task.ip.to_string()].into(),
                lifetime: Some((task.created, task.stopped.map(|s| s.1))),
                task_definition: Some(task.task_definition.clone()),
                started_by: task.deployment.map(str::to_string),
            },
        );
    }

    /// Archives an EventBridge event in CloudWatch Logs, logged at `logged`.
    /// Its milestones take their times from the task, the first at `created`.
    fn archive_envelope(
        &mut self,
        envelope: Value,
        logged: DateTime<Utc>,
        created: DateTime<Utc>,
        claims: Vec<Claim>,
    ) {
        let index = self.archive.len();
        self.truth.record(
            STATE_ARCHIVE,
            format!("/events/{index}/message/detail"),
            created,
            claims,
        );
        self.archive.push(json!({
            "logStreamName": envelope["id"],
            "timestamp": logged.timestamp_millis(),
            "message": envelope.to_string(),
            "ingestionTime": logged.timestamp_millis() + 412,
            "eventId": format!("{:056}", 10_000 + index)
        }));
    }

    fn record(&mut self, record: &RecordSpec) {
        let world = self.world;
        match record {
            RecordSpec::ApiCall {
                caller,
                ip,
                at,
                call,
                delivery,
            } => {
                let (service, name) = CALLS[call % CALLS.len()];
                let mut claims = Vec::new();
                let identity = match caller {
                    Caller::TaskRole(session) => {
                        let id = world.subject_id(session);
                        claims.push(Claim::RoleSession(id.clone()));
                        task_role_identity(&id)
                    }
                    Caller::IamUser => iam_user_identity(),
                };
                let address = match ip {
                    SourceIp::TaskIp(task) => {
                        let ip = world.task(task).ip;
                        claims.push(Claim::Ip(ip.to_string()));
                        ip.to_string()
                    }
                    SourceIp::Public => "198.51.100.23".to_string(),
                };
                let request = json!({"bucketName": "checkout-data", "key": "exports/orders.csv"});
                self.cloudtrail(
                    Call {
                        time: world.time(at),
                        source: service,
                        name,
                        identity,
                        address,
                        request,
                        response: Value::Null,
                    },
                    claims,
                    *delivery,
                );
            }
            RecordSpec::EcsTaskCall {
                operation,
                target,
                as_arn,
                at,
                delivery,
            } => {
                let id = world.subject_id(target);
                let (reference, claim) = if *as_arn {
                    let arn = match target {
                        Subject::Known(index) => world.task(index).arn.clone(),
                        Subject::Unknown(_) => {
                            format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{id}")
                        }
                    };
                    (arn, Claim::TaskArn(id))
                } else {
                    (id.clone(), Claim::TaskId(id))
                };
                let (name, request) = match operation {
                    EcsOperation::StopTask => (
                        "StopTask",
                        json!({"cluster": CLUSTER, "task": reference, "reason": "IR-2211: isolate task"}),
                    ),
                    EcsOperation::DescribeTasks => (
                        "DescribeTasks",
                        json!({"cluster": CLUSTER, "tasks": [reference], "include": ["TAGS"]}),
                    ),
                    EcsOperation::ExecuteCommand => (
                        "ExecuteCommand",
                        json!({"cluster": CLUSTER, "container": "app", "command": "/bin/sh",
                               "interactive": true, "task": reference}),
                    ),
                };
                self.cloudtrail(
                    Call {
                        time: world.time(at),
                        source: "ecs.amazonaws.com",
                        name,
                        identity: iam_user_identity(),
                        address: "198.51.100.23".to_string(),
                        request,
                        response: Value::Null,
                    },
                    vec![claim],
                    *delivery,
                );
            }
            RecordSpec::DescribeEni { eni, at, delivery } => {
                let eni = match eni {
                    Subject::Known(index) => world.task(index).eni.clone(),
                    Subject::Unknown(bits) => format!("eni-f{:016x}", *bits as u64),
                };
                let request =
                    json!({"networkInterfaceIdSet": {"items": [{"networkInterfaceId": eni}]}});
                self.cloudtrail(
                    Call {
                        time: world.time(at),
                        source: "ec2.amazonaws.com",
                        name: "DescribeNetworkInterfaces",
                        identity: iam_user_identity(),
                        address: "198.51.100.23".to_string(),
                        request,
                        response: Value::Null,
                    },
                    vec![Claim::Eni(eni)],
                    *delivery,
                );
            }
            RecordSpec::AssumeRole {
                session,
                at,
                delivery,
            } => {
                let id = world.subject_id(session);
                let request = json!({
                    "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/checkout-api-task"),
                    "roleSessionName": id
                });
                self.truth.issued.insert(id.clone());
                let response = json!({
                    "credentials": {"accessKeyId": session_key(&id), "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE",
                                    "expiration": "Nov 20, 2026, 9:00:00 PM"},
                    "assumedRoleUser": {"assumedRoleId": format!("AROAEXAMPLETASKROLE:{id}"),
                                        "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/checkout-api-task/{id}")}
                });
                let identity =
                    json!({"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"});
                self.cloudtrail(
                    Call {
                        time: world.time(at),
                        source: "sts.amazonaws.com",
                        name: "AssumeRole",
                        identity,
                        address: "ecs-tasks.amazonaws.com".to_string(),
                        request,
                        response,
                    },
                    vec![Claim::RoleSession(id)],
                    *delivery,
                );
            }
            RecordSpec::RegisterTaskDefinition {
                revision,
                described,
                delivery,
            } => {
                let revision = REVISIONS[revision % REVISIONS.len()];
                let arn = task_definition_arn(revision);
                let time = registered_at(revision);
                let request = json!({"family": "checkout-api", "networkMode": "awsvpc",
                    "containerDefinitions": [{"name": "app", "image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:4.12.0")}]});
                let response = json!({"taskDefinition": {"taskDefinitionArn": arn, "family": "checkout-api",
                    "revision": revision, "status": "ACTIVE", "registeredAt": seconds(time),
                    "taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/{TASK_ROLE}")}});
                self.truth.roles_known.insert(arn.clone());
                self.cloudtrail(
                    Call {
                        time,
                        source: "ecs.amazonaws.com",
                        name: "RegisterTaskDefinition",
                        identity: iam_user_identity(),
                        address: "198.51.100.23".to_string(),
                        request,
                        response,
                    },
                    vec![Claim::TaskDefinition(arn)],
                    *delivery,
                );
                if *described {
                    self.task_definitions.insert(revision, time);
                }
            }
            RecordSpec::UpdateService {
                deployment,
                at,
                delivery,
            } => {
                let primary = DEPLOYMENTS[deployment % DEPLOYMENTS.len()];
                let older = DEPLOYMENTS[(deployment + 1) % DEPLOYMENTS.len()];
                let time = world.time(at);
                let request = json!({"cluster": CLUSTER, "service": "checkout-api",
                    "taskDefinition": task_definition_arn(REVISIONS[1])});
                let response = json!({"service": {"serviceName": "checkout-api", "deployments": [
                    {"id": primary, "status": "PRIMARY", "taskDefinition": task_definition_arn(REVISIONS[1]),
                     "createdAt": seconds(time)},
                    {"id": older, "status": "ACTIVE", "taskDefinition": task_definition_arn(REVISIONS[0])}
                ]}});
                self.cloudtrail(
                    Call {
                        time,
                        source: "ecs.amazonaws.com",
                        name: "UpdateService",
                        identity: iam_user_identity(),
                        address: "198.51.100.23".to_string(),
                        request,
                        response,
                    },
                    vec![Claim::Deployment(primary.to_string())],
                    *delivery,
                );
            }
            RecordSpec::DeploymentStateChange { deployment, at } => {
                let id = DEPLOYMENTS[deployment % DEPLOYMENTS.len()];
                let time = world.time(at);
                let envelope = json!({
                    "version": "0", "id": uuid(self.next_serial()),
                    "detail-type": "ECS Deployment State Change", "source": "aws.ecs",
                    "account": ACCOUNT, "time": seconds(time), "region": REGION,
                    "resources": [format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/checkout-api")],
                    "detail": {"eventType": "INFO", "eventName": "SERVICE_DEPLOYMENT_COMPLETED",
                               "deploymentId": id, "updatedAt": millis(time),
                               "reason": format!("ECS deployment {id} completed.")}
                });
                let locator = format!("L{}/detail", self.eventbridge.len() + 1);
                self.truth.record(
                    EVENTBRIDGE,
                    locator,
                    time,
                    vec![Claim::Deployment(id.to_string())],
                );
                self.eventbridge.push(envelope);
            }
            RecordSpec::TaskStartedEvent { task, at } => {
                let id = world.subject_id(task);
                let message = format!("(service checkout-api) has started 1 tasks: (task {id}).");
                self.service_event(world.time(at), message, Claim::ServiceEventTaskId(id));
            }
            RecordSpec::DeploymentCompletedEvent { deployment, at } => {
                let id = DEPLOYMENTS[deployment % DEPLOYMENTS.len()];
                let message =
                    format!("(service checkout-api) (deployment {id}) deployment completed.");
                self.service_event(world.time(at), message, Claim::Deployment(id.to_string()));
            }
            RecordSpec::RuntimeFinding {
                task,
                container,
                local_ip,
                copies,
                permille,
            } => {
                let task = world.task(task);
                let container = &task.containers[container.index(task.containers.len())];
                let time = task.point(&When::Inside(*permille));
                self.runtime_finding(task, container, *local_ip, *copies, time);
            }
            RecordSpec::AttackSequence { tasks, copies, at } => {
                self.attack_sequence(tasks, *copies, world.time(at));
            }
            RecordSpec::FalcoAlert {
                container,
                stream,
                rule,
                at,
            } => self.falco_alert(container, stream.as_ref(), *rule, world.time(at)),
            RecordSpec::LogLine { stream, at } => {
                let time = world.time(at);
                let (name, claims) = match stream {
                    Stream::Task(subject) => {
                        let id = world.subject_id(subject);
                        (format!("ecs/app/{id}"), vec![Claim::LogStream(id)])
                    }
                    Stream::NotATask => ("ecs/app/worker-7".to_string(), Vec::new()),
                    Stream::BareId(task) => (world.task(task).id.clone(), Vec::new()),
                };
                let index = self.app_logs.len();
                let message = format!(
                    "{} INFO  checkout-api request {index} served in 12 ms\n",
                    millis(time)
                );
                self.truth
                    .record(APP_LOGS, format!("/events/{index}"), time, claims);
                self.app_logs.push(json!({
                    "logStreamName": name,
                    "timestamp": time.timestamp_millis(),
                    "message": message,
                    "ingestionTime": time.timestamp_millis() + 350,
                    "eventId": format!("{:056}", 50_000 + index)
                }));
            }
        }
    }

    /// One CloudTrail record, in an S3 delivery file and maybe in lookup-events output.
    fn cloudtrail(&mut self, call: Call, claims: Vec<Claim>, delivery: Delivery) {
        let Call {
            time,
            source,
            name,
            identity,
            address,
            request,
            response,
        } = call;
        let id = uuid(self.next_serial());
        let record = json!({
            "eventVersion": "1.10",
            "userIdentity": identity,
            "eventTime": seconds(time),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": address,
            "userAgent": "aws-sdk-java/2.25.11 Linux/5.10.219 exec-env/AWS_ECS_FARGATE",
            "requestParameters": request,
            "responseElements": response,
            "requestID": uuid(self.next_serial()),
            "eventID": id,
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management"
        });
        let file = usize::from(delivery.second_file);
        let locator = format!("/Records/{}", self.delivery[file].len());
        self.truth
            .record(DELIVERY[file], locator, time, claims.clone());
        if delivery.looked_up {
            let locator = format!("/Events/{}/CloudTrailEvent", self.lookup.len());
            self.truth.record(LOOKUP, locator, time, claims);
            self.lookup.push(json!({
                "EventId": id,
                "EventName": name,
                "ReadOnly": "false",
                "EventTime": seconds(time),
                "EventSource": source,
                "Username": "legacy-reporting",
                "Resources": [],
                "CloudTrailEvent": record.to_string()
            }));
        }
        self.delivery[file].push(record);
    }

    fn service_event(&mut self, time: DateTime<Utc>, message: String, claim: Claim) {
        let locator = format!("/services/0/events/{}", self.service_events.len());
        self.truth.record(SERVICES, locator, time, vec![claim]);
        let id = uuid(self.next_serial());
        self.service_events.push(json!({
            "id": id,
            "createdAt": cli_time(time),
            "message": message
        }));
    }

    /// Adds a GuardDuty finding (camelCase) to the copies asked for.
    fn finding(
        &mut self,
        finding: Value,
        copies: FindingCopies,
        time: DateTime<Utc>,
        claims: Vec<Claim>,
    ) {
        if matches!(copies, FindingCopies::Cli | FindingCopies::Both) {
            let locator = format!("/Findings/{}", self.findings.len());
            self.truth.record(FINDINGS, locator, time, claims.clone());
            self.findings.push(pascal_case(&finding));
        }
        if matches!(copies, FindingCopies::EventBridge | FindingCopies::Both) {
            let locator = format!("L{}/detail", self.eventbridge.len() + 1);
            self.truth.record(EVENTBRIDGE, locator, time, claims);
            let id = uuid(self.next_serial());
            self.eventbridge.push(json!({
                "version": "0", "id": id, "detail-type": "GuardDuty Finding",
                "source": "aws.guardduty", "account": ACCOUNT, "time": seconds(time),
                "region": REGION, "resources": [], "detail": finding
            }));
        }
    }

    fn runtime_finding(
        &mut self,
        task: &TaskSpec,
        container: &ContainerSpec,
        local_ip: bool,
        copies: FindingCopies,
        time: DateTime<Utc>,
    ) {
        let id = format!("{:032x}", self.next_serial() * 0x1f3d_5b79);
        let mut claims = vec![Claim::TaskArn(task.id.clone())];
        claims.extend(
            task.containers
                .iter()
                .map(|c| Claim::RuntimeId(c.runtime_id.clone())),
        );
        let mut action = json!({
            "actionType": "NETWORK_CONNECTION",
            "networkConnectionAction": {
                "blocked": false, "connectionDirection": "OUTBOUND", "protocol": "TCP",
                "remoteIpDetails": {"ipAddressV4": "203.0.113.66",
                                    "organization": {"asnOrg": "EXAMPLE-HOSTING-BV"}},
                "remotePortDetails": {"port": 4444, "portName": "Unknown"}
            }
        });
        if local_ip {
            action["networkConnectionAction"]["localIpDetails"] = json!({"ipAddressV4": task.ip});
            claims.push(Claim::Ip(task.ip.to_string()));
        }
        let mut task_details = json!({
            "arn": task.arn,
            "definitionArn": task.task_definition,
            "version": "3",
            "createdAt": millis(task.created),
            "startedAt": millis(task.started),
            "containers": task.containers.iter().map(|c| json!({
                "containerRuntime": "containerd", "id": c.runtime_id, "name": c.name,
                "image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{}:4.12.0", c.name)
            })).collect::<Vec<_>>(),
            "group": "service:checkout-api",
            "launchType": "FARGATE"
        });
        if let Some(deployment) = task.deployment {
            task_details["startedBy"] = json!(deployment);
        }
        let finding = json!({
            "accountId": ACCOUNT,
            "arn": format!("arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/5eb2a6f91c0d/finding/{id}"),
            "createdAt": millis(time),
            "description": "A process in a container of an ECS task made a connection that indicates a reverse shell.",
            "id": id,
            "partition": "aws",
            "region": REGION,
            "resource": {
                "resourceType": "ECSCluster",
                "ecsClusterDetails": {
                    "name": CLUSTER,
                    "arn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"),
                    "taskDetails": task_details
                },
                "containerDetails": {"containerRuntime": "containerd", "id": container.runtime_id,
                                     "name": container.name}
            },
            "schemaVersion": "2.0",
            "service": {
                "action": action,
                "count": 1,
                "eventFirstSeen": millis(time),
                "eventLastSeen": millis(time),
                "featureName": "RuntimeMonitoring",
                "runtimeDetails": {"process": {"name": "bash", "executablePath": "/usr/bin/bash", "pid": 9146}}
            },
            "severity": 8,
            "title": "Reverse shell detected in container app of ECS task.",
            "type": "Execution:Runtime/ReverseShell",
            "updatedAt": millis(time)
        });
        self.finding(finding, copies, time, claims);
        let revealed = self.truth.revealed.entry(task.id.clone()).or_default();
        if revealed.lifetime.is_none() {
            // Only taskDetails describes it: no network, no stop.
            revealed.runtime_ids = task
                .containers
                .iter()
                .map(|c| c.runtime_id.clone())
                .collect();
            revealed.lifetime = Some((task.created, None));
            revealed.task_definition = Some(task.task_definition.clone());
            revealed.started_by = task.deployment.map(str::to_string);
        }
    }

    fn attack_sequence(&mut self, tasks: &[Subject], copies: FindingCopies, time: DateTime<Utc>) {
        let world = self.world;
        let id = format!("{:032x}", self.next_serial() * 0x2b4d_6f81);
        let mut claims = Vec::new();
        let resources: Vec<Value> = tasks
            .iter()
            .map(|subject| {
                let id = world.subject_id(subject);
                claims.push(Claim::TaskArn(id.clone()));
                let (arn, uids) = match subject {
                    Subject::Known(index) => {
                        let task = world.task(index);
                        let uids: Vec<String> = task
                            .containers
                            .iter()
                            .map(|c| c.runtime_id.clone())
                            .collect();
                        claims.extend(uids.iter().cloned().map(Claim::RuntimeId));
                        (task.arn.clone(), uids)
                    }
                    Subject::Unknown(_) => (
                        format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{id}"),
                        Vec::new(),
                    ),
                };
                json!({"uid": arn, "name": id, "type": "AWS::ECS::Task",
                       "data": {"ecsTask": {"arn": arn, "containerUids": uids}}})
            })
            .collect();
        let finding = json!({
            "accountId": ACCOUNT,
            "createdAt": millis(time),
            "id": id,
            "region": REGION,
            "resource": {"resourceType": "ECSCluster"},
            "schemaVersion": "2.0",
            "service": {
                "count": 1,
                "eventFirstSeen": millis(time),
                "detection": {"sequence": {"uid": id, "description": "Potential data compromise",
                                           "resources": resources}}
            },
            "severity": 9.2,
            "title": "Potential data compromise of ECS cluster.",
            "type": "AttackSequence:ECS/CompromisedCluster",
            "updatedAt": millis(time)
        });
        self.finding(finding, copies, time, claims);
    }

    fn falco_alert(
        &mut self,
        container: &FalcoContainer,
        stream: Option<&Subject>,
        rule: usize,
        time: DateTime<Utc>,
    ) {
        let world = self.world;
        let (container_id, claim) = match container {
            FalcoContainer::Full(task, c) | FalcoContainer::Truncated(task, c, _) => {
                let task = world.task(task);
                let runtime = &task.containers[c.index(task.containers.len())].runtime_id;
                let runtime = match container {
                    FalcoContainer::Truncated(_, _, n) => &runtime[..*n.min(&runtime.len())],
                    _ => runtime.as_str(),
                };
                (
                    runtime.to_string(),
                    Some(Claim::RuntimeId(runtime.to_string())),
                )
            }
            FalcoContainer::Host => ("host".to_string(), None),
            FalcoContainer::Unknown(bits) => {
                let runtime = format!("{bits:032x}{:032x}", bits.rotate_left(64));
                (runtime.clone(), Some(Claim::RuntimeId(runtime)))
            }
        };
        let (rule, priority) = FALCO_RULES[rule % FALCO_RULES.len()];
        let serial = self.next_serial();
        let alert = json!({
            "hostname": "ip-10-0-12-47.ec2.internal",
            "output": format!("{} {priority} {rule} (user=root process=sh pid={serial} container_id={container_id})",
                              time.format("%H:%M:%S%.9f")),
            "priority": priority,
            "rule": rule,
            "source": "syscall",
            "tags": ["container", "mitre_execution"],
            "time": time.to_rfc3339_opts(SecondsFormat::Nanos, true),
            "output_fields": {"container.id": container_id, "container.name": "app",
                              "proc.name": "sh", "user.name": "root", "evt.type": "execve"}
        });
        match stream {
            Some(subject) => {
                // From a task's own stream an alert speaks for that task only.
                let id = world.subject_id(subject);
                let claims = vec![Claim::LogStream(id.clone())];
                let index = self.app_logs.len();
                self.truth
                    .record(APP_LOGS, format!("/events/{index}/message"), time, claims);
                self.app_logs.push(json!({
                    "logStreamName": format!("ecs/falco/{id}"),
                    "timestamp": time.timestamp_millis(),
                    "message": alert.to_string(),
                    "ingestionTime": time.timestamp_millis() + 350,
                    "eventId": format!("{:056}", 50_000 + index)
                }));
            }
            None => {
                let locator = format!("L{}", self.falco.len() + 1);
                self.truth
                    .record(FALCO, locator, time, claim.into_iter().collect());
                self.falco.push(alert);
            }
        }
    }

    fn finish(mut self) -> (Files, Truth) {
        let mut files: Files = Vec::new();
        let mut add = |name: &str, bytes: Vec<u8>| files.push((name.to_string(), bytes));
        if !self.described.is_empty() {
            add(
                DESCRIBE_TASKS,
                pretty(&json!({"tasks": self.described, "failures": []})),
            );
        }
        if !self.archive.is_empty() {
            add(
                STATE_ARCHIVE,
                pretty(&json!({"events": self.archive, "searchedLogStreams": []})),
            );
        }
        if !self.eventbridge.is_empty() {
            add(EVENTBRIDGE, json_lines(&self.eventbridge));
        }
        if self.eventbridge.len() == 1 {
            self.truth.single_line_file(EVENTBRIDGE);
        }
        for (file, records) in self.delivery.iter().enumerate() {
            if records.is_empty() {
                continue;
            }
            let body = json!({"Records": records}).to_string().into_bytes();
            let bytes = if DELIVERY[file].ends_with(".gz") {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
                encoder.write_all(&body).expect("gzip in memory");
                encoder.finish().expect("gzip in memory")
            } else {
                body
            };
            add(DELIVERY[file], bytes);
        }
        if !self.lookup.is_empty() {
            add(LOOKUP, pretty(&json!({"Events": self.lookup})));
        }
        if !self.findings.is_empty() {
            add(FINDINGS, pretty(&json!({"Findings": self.findings})));
        }
        if !self.falco.is_empty() {
            add(FALCO, json_lines(&self.falco));
        }
        if self.falco.len() == 1 {
            self.truth.single_line_file(FALCO);
        }
        if !self.app_logs.is_empty() {
            add(
                APP_LOGS,
                pretty(&json!({"events": self.app_logs, "searchedLogStreams": []})),
            );
        }
        if !self.service_events.is_empty() {
            let deployments: Vec<Value> = DEPLOYMENTS
                .iter()
                .enumerate()
                .map(|(n, id)| {
                    json!({"id": id, "status": if n == 0 { "PRIMARY" } else { "ACTIVE" },
                           "taskDefinition": task_definition_arn(REVISIONS[1 - n.min(1)]),
                           "createdAt": cli_time(deployed_at(n)), "rolloutState": "COMPLETED"})
                })
                .collect();
            for (n, id) in DEPLOYMENTS.iter().enumerate() {
                self.truth.record(
                    SERVICES,
                    format!("/services/0/deployments/{n}"),
                    deployed_at(n),
                    vec![Claim::Deployment(id.to_string())],
                );
            }
            let service = json!({"services": [{
                "serviceArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/checkout-api"),
                "serviceName": "checkout-api",
                "clusterArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"),
                "deployments": deployments,
                "events": self.service_events
            }], "failures": []});
            add(SERVICES, pretty(&service));
        }
        for (revision, time) in &self.task_definitions {
            let arn = task_definition_arn(*revision);
            self.truth.record(
                &task_definition_file(*revision),
                "/taskDefinition".to_string(),
                *time,
                vec![Claim::TaskDefinition(arn.clone())],
            );
            let document = json!({"taskDefinition": {
                "taskDefinitionArn": arn, "family": "checkout-api", "revision": revision,
                "taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/{TASK_ROLE}"),
                "containerDefinitions": [{"name": "app", "image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:4.12.0")}],
                "status": "ACTIVE", "registeredAt": cli_time(*time),
                "registeredBy": format!("arn:aws:iam::{ACCOUNT}:user/deployer")
            }, "tags": []});
            add(&task_definition_file(*revision), pretty(&document));
        }
        (files, self.truth)
    }
}

fn task_definition_file(revision: u32) -> String {
    format!("ecs_describe_task_definition_{revision}.json")
}

/// When a revision was registered: before any task started.
fn registered_at(revision: u32) -> DateTime<Utc> {
    base_time() - Duration::hours(3) + Duration::minutes(i64::from(revision))
}

/// When a deployment was created.
fn deployed_at(deployment: usize) -> DateTime<Utc> {
    base_time() - Duration::hours(2) + Duration::minutes(17 * deployment as i64)
}

/// The temporary access key ECS issued for the session named `session`.
pub fn session_key(session: &str) -> String {
    format!("ASIA{:016X}", fingerprint(session) as u64)
}

/// The task role every generated task definition names.
const TASK_ROLE: &str = "checkout-api-task";

fn task_role_identity(session: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": format!("AROAEXAMPLETASKROLE:{session}"),
        "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{TASK_ROLE}/{session}"),
        "accountId": ACCOUNT,
        "accessKeyId": session_key(session),
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLETASKROLE",
            "arn": format!("arn:aws:iam::{ACCOUNT}:role/checkout-api-task"), "accountId": ACCOUNT,
            "userName": "checkout-api-task"}}
    })
}

fn iam_user_identity() -> Value {
    json!({
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLELEGACY",
        "arn": format!("arn:aws:iam::{ACCOUNT}:user/legacy-reporting"),
        "accountId": ACCOUNT,
        "accessKeyId": "AKIAEXAMPLELEGACY",
        "userName": "legacy-reporting"
    })
}

fn pretty(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).expect("JSON values serialize")
}

fn json_lines(values: &[Value]) -> Vec<u8> {
    let mut text = String::new();
    for value in values {
        text.push_str(&value.to_string());
        text.push('\n');
    }
    text.into_bytes()
}
