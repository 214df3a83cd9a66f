//! Response actions: isolate a task, roll back a service, undo either.
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
pub mod identity;
pub mod interrupt;
pub mod isolate;
pub mod plan;
pub mod rollback;
pub mod undo;
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
use undo::UndoRequest;

/// An action to plan.
#[derive(Debug, Clone)]
pub enum ActionRequest {
    /// Isolate a task.
    Isolate(IsolateRequest),
    /// Roll back a service.
    Rollback(RollbackRequest),
    /// Reverse an action recorded in a bundle's audit log.
    Undo(UndoRequest),
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
            caller: self.actor.caller.clone(),
            user: self.actor.user.clone(),
            now: chrono::Utc::now(),
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

/// Whether actions may run: `--allow-actions` was given, or the AWS profile
/// in use is listed under `[actions] allow_profiles` in the config and no
/// environment credentials override it. The error says how to enable them,
/// and that `--dry-run` needs neither.
pub fn check_allowed(
    flag: bool,
    allowed_profiles: &[String],
    profile: Option<&str>,
) -> Result<(), String> {
    check_allowed_in(
        flag,
        allowed_profiles,
        profile,
        &identity::process_environment,
    )
}

/// [`check_allowed`] in the environment `env`.
fn check_allowed_in(
    flag: bool,
    allowed_profiles: &[String],
    profile: Option<&str>,
    env: identity::Environment<'_>,
) -> Result<(), String> {
    let profile = identity::named_profile(profile, env).unwrap_or_else(|| "default".to_string());
    if flag {
        return Ok(());
    }
    let dry_run = "--dry-run shows the plan without either";
    if !allowed_profiles.contains(&profile) {
        return Err(format!(
            "actions are off (read-only): pass --allow-actions, or list profile {profile:?} under \
             [actions] allow_profiles in the config; {dry_run}"
        ));
    }
    let variables = identity::credential_variables(env);
    if variables.is_empty() {
        return Ok(());
    }
    Err(format!(
        "actions are off (read-only): profile {profile:?} is listed under [actions] \
         allow_profiles, but environment credentials ({}) are set, and the SDK's credential \
         chain uses them before any profile: the calls would not be made as {profile:?}. Unset \
         them to act as the profile, or pass --allow-actions to act as whoever they are; \
         {dry_run} (and who would act)",
        variables.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::check_allowed_in;

    fn no_keys(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn actions_need_the_flag_or_an_allowed_profile() {
        let allowed = vec!["ir".to_string()];
        assert!(check_allowed_in(true, &[], Some("prod"), &no_keys).is_ok());
        assert!(check_allowed_in(false, &allowed, Some("ir"), &no_keys).is_ok());
        let refusal = check_allowed_in(false, &allowed, Some("prod"), &no_keys).unwrap_err();
        assert!(refusal.contains("read-only"), "{refusal}");
        assert!(refusal.contains("\"prod\""), "{refusal}");
    }

    #[test]
    fn an_allowed_profile_does_not_allow_environment_credentials() {
        let allowed = vec!["ir".to_string()];
        let keys = |name: &str| (name == "AWS_ACCESS_KEY_ID").then(|| "AKIA".to_string());
        let refusal = check_allowed_in(false, &allowed, Some("ir"), &keys).unwrap_err();
        assert!(refusal.contains("AWS_ACCESS_KEY_ID"), "{refusal}");
        assert!(refusal.contains("before any profile"), "{refusal}");
        assert!(
            check_allowed_in(true, &allowed, Some("ir"), &keys).is_ok(),
            "the flag allows whoever acts"
        );
    }
}
