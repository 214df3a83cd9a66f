#![allow(dead_code)] // shared by several test binaries; each uses a part

//! Helpers for the response tests against moto: the SDK configuration for
//! a server, a responder over it, a plan's steps, and a bundle's audit
//! records. The including binary declares `mod moto` (tests/aws/moto.rs).

use crate::moto::Moto;
use aws_config::retry::RetryConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_ecs::config::Credentials;
use std::path::Path;
use taskscope::bundle::audit::{self, Record};
use taskscope::bundle::{verify, Bundle};
use taskscope::collect::aws::Connection;
use taskscope::respond::plan::{Step, StepId};
use taskscope::respond::{AwsResponder, Plan};

/// The configuration for `moto`: region us-east-1, test credentials, and
/// one attempt per call (moto's missing APIs fail at once).
pub fn moto_config(moto: &Moto) -> SdkConfig {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(
        taskscope::collect::aws::defaults()
            .region(Region::new("us-east-1"))
            .endpoint_url(&moto.url)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .load(),
    )
}

/// A responder for `moto` with `config` (made from [`moto_config`]).
pub fn moto_responder(moto: &Moto, config: SdkConfig) -> AwsResponder {
    let connection = Connection {
        profile: None,
        regions: vec!["us-east-1".into()],
        endpoint_url: Some(moto.url.clone()),
        members: None,
    };
    AwsResponder::from_config(config, &connection, "tester@host".into())
        .expect("the responder connects to moto")
}

/// The step `id` of `plan`.
pub fn step(plan: &Plan, id: StepId) -> &Step {
    plan.steps
        .iter()
        .find(|s| s.id == id)
        .expect("the plan has the step")
}

/// The audit records of a bundle, which must verify.
pub fn audit_records(root: &Path) -> Vec<Record> {
    let bundle = Bundle::open(root).expect("the bundle opens");
    let problems = verify::verify(&bundle);
    assert!(problems.is_empty(), "verify: {problems:?}");
    let (records, problems) = audit::load(&bundle);
    assert!(problems.is_empty(), "{problems:?}");
    records.into_iter().map(|(_, record)| record).collect()
}
