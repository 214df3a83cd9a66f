//! CloudTrail S3 delivery files: `{"Records": [...]}`, gzip, named and
//! foldered as CloudTrail delivers them, records in time order. The mix:
//! task role sessions calling AWS APIs (some from the task's private IP
//! through VPC endpoints), ECS assuming task roles (session name = task ID),
//! people and CI inspecting tasks by ARN, and AWS services acting for them.

use super::output::Output;
use super::plan::{time, Plan, TaskPlan, ACCOUNT, CLUSTER, REGION};
use super::Rng;
use crate::model::Source;
use serde::Serialize;
use serde_json::{json, Value};

/// Records per delivery file.
const RECORDS_PER_FILE: u64 = 2_000;

/// API calls a task role makes: service host, event name, read-only.
const TASK_CALLS: [(&str, &str, bool); 10] = [
    ("s3.amazonaws.com", "GetObject", true),
    ("s3.amazonaws.com", "PutObject", false),
    ("dynamodb.amazonaws.com", "Query", true),
    ("dynamodb.amazonaws.com", "PutItem", false),
    ("kms.amazonaws.com", "Decrypt", true),
    ("secretsmanager.amazonaws.com", "GetSecretValue", true),
    ("ssm.amazonaws.com", "GetParameters", true),
    ("sqs.amazonaws.com", "ReceiveMessage", true),
    ("sts.amazonaws.com", "GetCallerIdentity", true),
    ("logs.amazonaws.com", "CreateLogStream", false),
];

/// People and pipelines: IAM user name and access key ID.
const PEOPLE: [(&str, &str); 3] = [
    ("ops-alice", "AKIAQ3EGRTNZ4EXAMPLE"),
    ("ops-bob", "AKIAZ7VKL2MX9EXAMPLE"),
    ("ci-deployer", "AKIAW4HSB8QPCEXAMPLE"),
];

/// Calls people make about tasks (`true`: names task ARNs).
const PEOPLE_CALLS: [(&str, &str, bool); 5] = [
    ("ecs.amazonaws.com", "DescribeTasks", true),
    ("ecs.amazonaws.com", "ListTasks", false),
    ("ecs.amazonaws.com", "DescribeServices", false),
    ("ec2.amazonaws.com", "DescribeNetworkInterfaces", false),
    ("iam.amazonaws.com", "ListRoles", false),
];

/// AWS services acting on their own: invoking service, event source, name.
const SERVICE_CALLS: [(&str, &str, &str); 3] = [
    (
        "ecs.amazonaws.com",
        "ec2.amazonaws.com",
        "CreateNetworkInterface",
    ),
    (
        "elasticloadbalancing.amazonaws.com",
        "ec2.amazonaws.com",
        "DescribeInstances",
    ),
    (
        "secretsmanager.amazonaws.com",
        "kms.amazonaws.com",
        "GenerateDataKey",
    ),
];

const USER_AGENTS: [&str; 3] = [
    "aws-sdk-java/2.25.11 Linux/5.10.219 OpenJDK_64-Bit_Server_VM/17.0.11 exec-env/AWS_ECS_FARGATE",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.3 exec-env/AWS_ECS_FARGATE",
    "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 exec-env/AWS_ECS_FARGATE",
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoked_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_context: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_version: &'static str,
    user_identity: Identity,
    event_time: String,
    event_source: &'static str,
    event_name: &'static str,
    aws_region: &'static str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: String,
    user_agent: &'static str,
    request_parameters: Value,
    response_elements: Value,
    #[serde(rename = "requestID")]
    request_id: String,
    #[serde(rename = "eventID")]
    event_id: String,
    read_only: bool,
    event_type: &'static str,
    management_event: bool,
    recipient_account_id: &'static str,
    event_category: &'static str,
}

fn task_role_identity(task: &TaskPlan, issued: &str) -> Identity {
    let role = task.role_name();
    Identity {
        kind: "AssumedRole",
        principal_id: Some(format!("AROAEXAMPLE{:08X}:{}", task.service, task.id)),
        arn: Some(format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{}",
            task.id
        )),
        account_id: Some(ACCOUNT),
        access_key_id: Some(task.key_id.clone()),
        user_name: None,
        invoked_by: None,
        session_context: Some(json!({
            "sessionIssuer": {"type": "Role", "principalId": format!("AROAEXAMPLE{:08X}", task.service),
                "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"), "accountId": ACCOUNT, "userName": role},
            "attributes": {"creationDate": issued, "mfaAuthenticated": "false"}
        })),
    }
}

fn service_identity(invoked_by: &'static str) -> Identity {
    Identity {
        kind: "AWSService",
        principal_id: None,
        arn: None,
        account_id: None,
        access_key_id: None,
        user_name: None,
        invoked_by: Some(invoked_by),
        session_context: None,
    }
}

/// Who called what: everything that differs between kinds of records.
struct Call {
    identity: Identity,
    source: &'static str,
    name: &'static str,
    ip: String,
    agent: &'static str,
    request: Value,
    response: Value,
    read_only: bool,
}

/// Data events (S3 objects, DynamoDB items, SQS messages), logged apart
/// from management events.
fn is_data_event(name: &str) -> bool {
    matches!(
        name,
        "GetObject" | "PutObject" | "Query" | "PutItem" | "ReceiveMessage"
    )
}

/// A task's role calling an AWS API.
fn task_call(plan: &Plan, rng: &mut Rng, ms: i64) -> Call {
    let task = plan.task_alive_at(rng, ms);
    let service = task.service_name();
    let (source, name, read_only) = *rng.pick(&TASK_CALLS);
    let bucket = format!("{service}-data-{ACCOUNT}");
    let request = match name {
        "GetObject" | "PutObject" => json!({
            "bucketName": bucket,
            "Host": format!("{bucket}.s3.{REGION}.amazonaws.com"),
            "key": format!("objects/{:06}.json", rng.below(1_000_000))
        }),
        "Query" | "PutItem" => json!({"tableName": format!("{service}-orders")}),
        "GetSecretValue" => json!({"secretId": format!("prod/{service}/db")}),
        "GetParameters" => json!({
            "names": [format!("/prod/{service}/feature-flags")],
            "withDecryption": true
        }),
        "ReceiveMessage" => json!({
            "queueUrl": format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{service}-jobs"),
            "maxNumberOfMessages": 10
        }),
        "CreateLogStream" => json!({
            "logGroupName": format!("/ecs/{service}"),
            "logStreamName": format!("ecs/app/{}", task.id)
        }),
        "Decrypt" => json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
        _ => Value::Null,
    };
    // A third of the calls go through VPC endpoints and show the task's IP;
    // the rest leave through the service's NAT gateway.
    let ip = if rng.below(3) == 0 {
        task.ip.clone()
    } else {
        format!("198.51.100.{}", 10 + task.service)
    };
    let issued = time(task.started_ms)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let agent = *rng.pick(&USER_AGENTS);
    Call {
        identity: task_role_identity(task, &issued),
        source,
        name,
        ip,
        agent,
        request,
        response: Value::Null,
        read_only,
    }
}

/// ECS assuming a task's role for it: the session name is the task ID.
fn assume_task_role(plan: &Plan, rng: &mut Rng, ms: i64) -> Call {
    let task = plan.task_alive_at(rng, ms);
    let role = task.role_name();
    let expiration = time(ms + 6 * 3_600_000)
        .format("%b %-d, %Y, %-I:%M:%S %p")
        .to_string();
    Call {
        identity: service_identity("ecs-tasks.amazonaws.com"),
        source: "sts.amazonaws.com",
        name: "AssumeRole",
        ip: "ecs-tasks.amazonaws.com".to_string(),
        agent: "ecs-tasks.amazonaws.com",
        request: json!({
            "roleArn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
            "roleSessionName": task.id,
            "durationSeconds": 21600
        }),
        response: json!({
            "credentials": {
                "accessKeyId": task.key_id,
                "sessionToken": format!("IQoJb3JpZ2luX2VjEXAMPLE{:016x}{:016x}", rng.next(), rng.next()),
                "expiration": expiration
            },
            "assumedRoleUser": {
                "assumedRoleId": format!("AROAEXAMPLE{:08X}:{}", task.service, task.id),
                "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{}", task.id)
            }
        }),
        read_only: false,
    }
}

/// A person or pipeline looking at the cluster, some naming tasks by ARN.
fn person_call(plan: &Plan, rng: &mut Rng, ms: i64) -> Call {
    let (user, key) = *rng.pick(&PEOPLE);
    let (source, name, names_tasks) = *rng.pick(&PEOPLE_CALLS);
    let request = if names_tasks {
        let tasks: Vec<String> = (0..1 + rng.below(3))
            .map(|_| plan.task_alive_at(rng, ms).arn())
            .collect();
        json!({"cluster": CLUSTER, "tasks": tasks, "include": ["TAGS"]})
    } else if source == "ecs.amazonaws.com" {
        json!({"cluster": CLUSTER})
    } else {
        Value::Null
    };
    Call {
        identity: Identity {
            kind: "IAMUser",
            principal_id: Some(format!("AIDAEXAMPLE{}", user.to_ascii_uppercase().replace('-', ""))),
            arn: Some(format!("arn:aws:iam::{ACCOUNT}:user/{user}")),
            account_id: Some(ACCOUNT),
            access_key_id: Some(key.to_string()),
            user_name: Some(user),
            invoked_by: None,
            session_context: None,
        },
        source,
        name,
        ip: format!("203.0.113.{}", 20 + user.len()),
        agent: "aws-cli/2.27.41 md/awscrt#0.26.1 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.13.7",
        request,
        response: Value::Null,
        read_only: true,
    }
}

/// An AWS service acting for the account.
fn service_call(rng: &mut Rng) -> Call {
    let (invoker, source, name) = *rng.pick(&SERVICE_CALLS);
    Call {
        identity: service_identity(invoker),
        source,
        name,
        ip: invoker.to_string(),
        agent: invoker,
        request: Value::Null,
        response: Value::Null,
        read_only: name.starts_with("Describe"),
    }
}

/// Record number `index` of the plan, at `ms`: 60% task roles, 15% ECS
/// assuming task roles, 15% people, 10% AWS services.
fn record(plan: &Plan, rng: &mut Rng, index: u64, ms: i64) -> Record {
    let call = match rng.below(100) {
        0..60 => task_call(plan, rng, ms),
        60..75 => assume_task_role(plan, rng, ms),
        75..90 => person_call(plan, rng, ms),
        _ => service_call(rng),
    };
    let data = is_data_event(call.name);
    Record {
        event_version: "1.10",
        user_identity: call.identity,
        event_time: time(ms).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        event_source: call.source,
        event_name: call.name,
        aws_region: REGION,
        source_ip_address: call.ip,
        user_agent: call.agent,
        request_parameters: call.request,
        response_elements: call.response,
        request_id: format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            rng.next() >> 32,
            rng.below(1 << 16),
            rng.below(1 << 12),
            rng.below(1 << 12),
            rng.next() >> 16
        ),
        // Unique: the record's index is the last group.
        event_id: format!(
            "{:08x}-{:04x}-5{:03x}-8000-{index:012x}",
            plan.seed as u32,
            rng.below(1 << 16),
            rng.below(1 << 12)
        ),
        read_only: call.read_only,
        event_type: "AwsApiCall",
        management_event: !data,
        recipient_account_id: ACCOUNT,
        event_category: if data { "Data" } else { "Management" },
    }
}

/// Writes the CloudTrail records of the plan, [`RECORDS_PER_FILE`] per file.
pub(super) fn write(plan: &Plan, out: &mut Output) -> anyhow::Result<()> {
    let mut rng = Rng::stream(plan.seed, 1);
    let total = plan.counts.cloudtrail;
    let mut index = 0;
    let mut file_number = 0;
    while index < total {
        let count = RECORDS_PER_FILE.min(total - index);
        let mut body = Vec::with_capacity(count as usize * 1_400 + 16);
        body.extend_from_slice(b"{\"Records\":[");
        let mut first_ms = None;
        for i in 0..count {
            let ms = Plan::spread(index + i, total, 1_000, &mut rng);
            first_ms.get_or_insert(ms);
            if i > 0 {
                body.push(b',');
            }
            serde_json::to_writer(&mut body, &record(plan, &mut rng, index + i, ms))?;
        }
        body.extend_from_slice(b"]}");
        let start = time(first_ms.unwrap_or_default());
        let name = format!(
            "cloudtrail/AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{}/{ACCOUNT}_CloudTrail_{REGION}_{}_{:016X}.json.gz",
            start.format("%Y/%m/%d"),
            start.format("%Y%m%dT%H%MZ"),
            super::mix(plan.seed.wrapping_add(file_number)),
        );
        out.write_gzip(&name, &body, Source::Cloudtrail, count)?;
        index += count;
        file_number += 1;
    }
    Ok(())
}
