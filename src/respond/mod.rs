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

// Plain data, the console's part: built with or without the AWS side.
pub mod identity;
pub mod interrupt;
pub mod outcome;
pub mod plan;
pub mod request;
pub mod suspects;
pub mod unfinished;

// The AWS side: reading AWS, planning and running the calls.
#[cfg(feature = "aws")]
mod aws_responder;
#[cfg(feature = "aws")]
pub mod cloud;
#[cfg(feature = "aws")]
pub mod diff;
#[cfg(feature = "aws")]
pub mod execute;
#[cfg(feature = "aws")]
pub mod fresh;
#[cfg(feature = "aws")]
pub mod isolate;
#[cfg(feature = "aws")]
pub mod rollback;
#[cfg(feature = "aws")]
pub mod undo;

#[cfg(feature = "aws")]
pub use aws_responder::AwsResponder;
pub use interrupt::Interrupt;
use outcome::{Outcome, Progress};
pub use plan::Plan;
use request::ActionRequest;
use std::path::Path;

/// Plans and applies actions. The console holds one when actions are
/// allowed; `AwsResponder` (with the `aws` feature) is the real one.
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
