//! Generates realistic synthetic evidence.
//!
//! [`generate_incident`] (`taskscope gen`) writes a large incident to disk,
//! file by file with flat memory: gzip CloudTrail S3 delivery files, `ecs
//! describe-tasks` pages, GuardDuty runtime findings as EventBridge events,
//! Falco alerts and CloudWatch Logs `filter-log-events` pages, all about the
//! same tasks, deterministic per seed. The older in-memory helpers
//! ([`cloudtrail_delivery_files`], [`ecs_describe_tasks`]) feed the
//! benchmarks.

mod cloudtrail;
mod ecs;
mod falco;
mod guardduty;
mod logs;
mod output;
mod plan;

pub use output::{GenSummary, GeneratedFile, GENERATED_SOURCES};
pub use plan::GenOptions;

use flate2::{write::GzEncoder, Compression};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// A small deterministic generator (SplitMix64), so runs are repeatable.
struct Rng(u64);

/// The SplitMix64 output function: a bijection on `u64`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent stream per seed and purpose, so that one source's
    /// draws never shift another's.
    fn stream(seed: u64, purpose: u64) -> Rng {
        Rng(mix(seed ^ mix(purpose.wrapping_add(0x51ed))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// One of `items`, uniformly.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize % items.len()]
    }
}

/// Writes a synthetic incident of `options.events` events into the new or
/// empty directory `out` and returns what was written. Files are produced
/// one at a time, so memory stays flat however many events are asked for.
pub fn generate_incident(options: &GenOptions, out: &Path) -> anyhow::Result<GenSummary> {
    let plan = plan::Plan::new(options)?;
    let mut files = output::Output::create(out)?;
    cloudtrail::write(&plan, &mut files)?;
    ecs::write(&plan, &mut files)?;
    guardduty::write(&plan, &mut files)?;
    falco::write(&plan, &mut files)?;
    logs::write(&plan, &mut files)?;
    Ok(files.finish(&plan))
}

const CALLS: &[(&str, &str)] = &[
    ("s3.amazonaws.com", "GetObject"),
    ("s3.amazonaws.com", "ListBuckets"),
    ("sts.amazonaws.com", "GetCallerIdentity"),
    ("secretsmanager.amazonaws.com", "GetSecretValue"),
    ("kms.amazonaws.com", "Decrypt"),
    ("ecs.amazonaws.com", "DescribeTasks"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("dynamodb.amazonaws.com", "Query"),
];

/// One synthetic CloudTrail record; `index` makes its eventID unique.
fn record(rng: &mut Rng, index: u64, tasks: u64) -> Value {
    let (source, name) = CALLS[rng.below(CALLS.len() as u64) as usize];
    let task = task_id(rng.below(tasks));
    let second = 1_782_000_000 + index / 20;
    let time = chrono::DateTime::from_timestamp(second as i64, 0).unwrap_or_default();
    let identity = if rng.below(4) == 0 {
        json!({"type": "IAMUser", "principalId": "AIDAEXAMPLEUSER", "arn": "arn:aws:iam::111122223333:user/ops",
               "accountId": "111122223333", "accessKeyId": "AKIAEXAMPLE", "userName": "ops"})
    } else {
        json!({"type": "AssumedRole", "principalId": format!("AROAEXAMPLEROLE:{task}"),
               "arn": format!("arn:aws:sts::111122223333:assumed-role/app-task/{task}"),
               "accountId": "111122223333", "accessKeyId": "ASIAEXAMPLE",
               "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLE",
                   "arn": "arn:aws:iam::111122223333:role/app-task", "accountId": "111122223333", "userName": "app-task"},
                   "attributes": {"creationDate": time.to_rfc3339(), "mfaAuthenticated": "false"}}})
    };
    json!({
        "eventVersion": "1.10",
        "userIdentity": identity,
        "eventTime": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": format!("10.0.{}.{}", rng.below(32), rng.below(250) + 2),
        "userAgent": "aws-sdk-java/2.25.11 Linux/5.10.219 OpenJDK_64-Bit_Server_VM/17.0.11 exec-env/AWS_ECS_FARGATE",
        "requestParameters": {"bucketName": "app-data", "key": format!("objects/{}.json", rng.below(1_000_000))},
        "responseElements": null,
        "requestID": format!("{:016X}", rng.next()),
        "eventID": format!("{:08x}-0000-4000-8000-{:012x}", index >> 16, index),
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": format!("{}", source)}
    })
}

/// `records` CloudTrail records spread over gzip S3 delivery files of
/// `per_file` records each, as (file name, gzip bytes). Deterministic.
pub fn cloudtrail_delivery_files(
    records: u64,
    per_file: u64,
    tasks: u64,
) -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng(0x7a5c_5c09e);
    let mut files = Vec::new();
    let mut index = 0;
    while index < records {
        let count = per_file.min(records - index);
        let batch: Vec<Value> = (0..count)
            .map(|i| record(&mut rng, index + i, tasks.max(1)))
            .collect();
        let body = json!({ "Records": batch }).to_string();
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        let _ = encoder.write_all(body.as_bytes());
        let bytes = encoder.finish().unwrap_or_default();
        files.push((
            format!(
                "111122223333_CloudTrail_us-east-1_{:06}.json.gz",
                files.len()
            ),
            bytes,
        ));
        index += count;
    }
    files
}

/// The task ID the generator gives task number `n` (shared by every generator).
pub fn task_id(n: u64) -> String {
    format!("{:032x}", 0x5eed_0000_u128 + u128::from(n))
}

/// An `aws ecs describe-tasks` document for tasks `0..tasks`, so the role
/// sessions of the generated CloudTrail records link to known tasks. Every
/// task runs the same image for an hour around the CloudTrail window.
pub fn ecs_describe_tasks(tasks: u64) -> (String, Vec<u8>) {
    let described: Vec<Value> = (0..tasks)
        .map(|n| {
            let id = task_id(n);
            json!({
                "taskArn": format!("arn:aws:ecs:us-east-1:111122223333:task/bench/{id}"),
                "clusterArn": "arn:aws:ecs:us-east-1:111122223333:cluster/bench",
                "taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/app:7",
                "group": format!("service:app-{}", n % 8),
                "startedBy": format!("ecs-svc/{}", 1_000_000 + n % 8),
                "launchType": "FARGATE",
                "lastStatus": "RUNNING",
                "desiredStatus": "RUNNING",
                "createdAt": "2026-06-20T23:59:00Z",
                "startedAt": "2026-06-20T23:59:30Z",
                "version": 3,
                "containers": [{
                    "name": "app",
                    "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:7",
                    "imageDigest": "sha256:5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed",
                    "runtimeId": format!("{id}-1000000001"),
                    "lastStatus": "RUNNING"
                }]
            })
        })
        .collect();
    let body = json!({ "tasks": described, "failures": [] }).to_string();
    ("ecs_describe_tasks.json".to_string(), body.into_bytes())
}
