//! Response actions: isolate a task, roll back a service.
//!
//! Every action is a [`Plan`] first: the exact API calls, step by step, read
//! from what AWS says now. Nothing changes until the plan is confirmed; then
//! [`execute::run`] sends the selected calls in order, writing each to the
//! bundle's audit log ([`crate::bundle::audit`]) before it is sent and as it
//! returns; a failed step holds back only the steps that need it, and an
//! [`Interrupt`] stops the plan after the call in flight. Actions are off
//! unless allowed ([`check_allowed`]). The console
//! reaches AWS only through the [`Responder`] trait, so tests and offline
//! sessions swap it. docs/response.md is the user's guide.

pub mod cloud;
pub mod diff;
pub mod execute;
pub mod fresh;
pub mod interrupt;
pub mod isolate;
pub mod nacl;
pub mod plan;
pub mod rollback;
pub mod unfinished;

use crate::bundle::audit::Actor;
use crate::collect::aws::{caller_identity, Connection};
use cloud::Cloud;
use execute::{Context, Outcome, Progress, Retry};
pub use interrupt::Interrupt;
use isolate::{IsolateRequest, Planning};
pub use plan::Plan;
use rollback::RollbackRequest;
use std::path::Path;
use std::time::Duration;

/// An action to plan.
#[derive(Debug, Clone)]
pub enum ActionRequest {
    /// Isolate a task.
    Isolate(IsolateRequest),
    /// Roll back a service.
    Rollback(RollbackRequest),
}

/// Plans and applies actions. The console holds one when actions are
/// allowed; [`AwsResponder`] is the real one.
pub trait Responder: Send {
    /// Reads AWS and makes the plan. Makes no mutating call.
    fn plan(&mut self, request: &ActionRequest) -> anyhow::Result<Plan>;

    /// Runs a confirmed plan, writing its audit record into `bundle`.
    /// `confirmed_by` says how it was confirmed; raising `interrupt` stops
    /// it after the call in flight, with an `interrupted` result record.
    fn apply(
        &mut self,
        plan: &Plan,
        bundle: &Path,
        confirmed_by: &str,
        interrupt: &Interrupt,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Outcome;
}

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
            user: self.actor.user.clone(),
            now: chrono::Utc::now(),
        };
        self.runtime.block_on(async {
            match request {
                ActionRequest::Isolate(request) => {
                    isolate::plan(&self.cloud, &planning, request).await
                }
                ActionRequest::Rollback(request) => {
                    rollback::plan(&self.cloud, &planning, request).await
                }
            }
        })
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

/// Whether actions may run: `--allow-actions` was given, or the AWS profile
/// in use is listed under `[actions] allow_profiles` in the config. The
/// error says how to enable them, and that `--dry-run` needs neither.
pub fn check_allowed(
    flag: bool,
    allowed_profiles: &[String],
    profile: Option<&str>,
) -> Result<(), String> {
    let profile = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".to_string());
    if flag || allowed_profiles.contains(&profile) {
        return Ok(());
    }
    Err(format!(
        "actions are off (read-only): pass --allow-actions, or list profile {profile:?} under \
         [actions] allow_profiles in the config; --dry-run shows the plan without either"
    ))
}

#[cfg(test)]
mod tests {
    use super::check_allowed;

    #[test]
    fn actions_need_the_flag_or_an_allowed_profile() {
        let allowed = vec!["ir".to_string()];
        assert!(check_allowed(true, &[], Some("prod")).is_ok());
        assert!(check_allowed(false, &allowed, Some("ir")).is_ok());
        let refusal = check_allowed(false, &allowed, Some("prod")).unwrap_err();
        assert!(refusal.contains("read-only"), "{refusal}");
        assert!(refusal.contains("\"prod\""), "{refusal}");
    }
}
