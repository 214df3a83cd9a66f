//! The responder that calls AWS: plans read what AWS says now, and
//! confirmed plans run through the executor, in one region.

use super::cloud::Cloud;
use super::execute::{self, Context, Retry};
use super::isolate::{self, Planning};
use super::outcome::{Outcome, Progress};
use super::request::ActionRequest;
use super::{identity, rollback, undo, Interrupt, Plan, Responder};
use crate::bundle::audit::Actor;
use crate::collect::aws::{caller_identity, Connection};
use std::path::Path;
use std::time::Duration;

/// The responder that calls AWS, through the SDK, in one region.
pub struct AwsResponder {
    runtime: tokio::runtime::Runtime,
    cloud: Cloud,
    config: (aws_config::SdkConfig, String),
    connection: Connection,
    account: String,
    actor: Actor,
    /// How often a followed deployment is polled.
    pub poll_interval: Duration,
    /// How a call that failed transiently is attempted again.
    pub retry: Retry,
}

impl AwsResponder {
    /// Loads the configuration (the first region given, else the chain's)
    /// and checks the credentials with STS GetCallerIdentity. `user` is
    /// the local user recorded with every action.
    pub fn connect(connection: &Connection, user: String) -> anyhow::Result<AwsResponder> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let config = runtime.block_on(connection.load())?.into_iter().next();
        let config = config.ok_or_else(|| anyhow::anyhow!("no AWS region configured"))?;
        AwsResponder::with_runtime(runtime, config, connection, user)
    }

    /// As [`AwsResponder::connect`], with a configuration made by the caller
    /// (tests give one whose HTTP client replays what moto lacks).
    pub fn from_config(
        config: aws_config::SdkConfig,
        connection: &Connection,
        user: String,
    ) -> anyhow::Result<AwsResponder> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        AwsResponder::with_runtime(runtime, config, connection, user)
    }

    fn with_runtime(
        runtime: tokio::runtime::Runtime,
        config: aws_config::SdkConfig,
        connection: &Connection,
        user: String,
    ) -> anyhow::Result<AwsResponder> {
        let identity = runtime.block_on(caller_identity(&config))?;
        Ok(AwsResponder {
            runtime,
            cloud: Cloud::new(&config),
            config: (config, identity.account.clone()),
            connection: connection.clone(),
            account: identity.account,
            actor: Actor {
                caller: identity.arn,
                user,
            },
            poll_interval: Duration::from_secs(5),
            retry: Retry::default(),
        })
    }

    /// The clients, for tests that check AWS state afterwards.
    pub fn cloud(&self) -> &Cloud {
        &self.cloud
    }
}

impl Responder for AwsResponder {
    fn plan(&mut self, request: &ActionRequest) -> anyhow::Result<Plan> {
        let planning = Planning {
            account: self.account.clone(),
            caller: self.actor.caller.clone(),
            user: self.actor.user.clone(),
            now: crate::model::time::now(),
        };
        let mut plan = self.runtime.block_on(async {
            match request {
                ActionRequest::Isolate(request) => {
                    isolate::plan(&self.cloud, &planning, request).await
                }
                ActionRequest::Rollback(request) => {
                    rollback::plan(&self.cloud, &planning, request).await
                }
                ActionRequest::Undo(request) => undo::plan(&self.cloud, &planning, request).await,
            }
        })?;
        plan.warnings.extend(identity::override_warning(
            self.connection.profile.as_deref(),
            &self.actor.caller,
            &identity::process_environment,
        ));
        Ok(plan)
    }

    fn apply(
        &mut self,
        plan: &Plan,
        bundle: &Path,
        confirmed_by: &str,
        interrupt: &Interrupt,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Outcome {
        let context = Context {
            cloud: &self.cloud,
            connection: &self.connection,
            config: &self.config,
            bundle,
            actor: self.actor.clone(),
            confirmed_by: confirmed_by.to_string(),
            poll_interval: self.poll_interval,
            retry: self.retry,
            interrupt: interrupt.clone(),
        };
        self.runtime.block_on(execute::run(plan, context, progress))
    }
}
