//! What the executor needs besides the plan: the clients, the connection
//! and configuration, the audit bundle, who acts, and how to retry, poll
//! and stop.

use super::retry::Retry;
use crate::bundle::audit::Actor;
use crate::collect::aws::Connection;
use crate::respond::cloud::Cloud;
use crate::respond::interrupt::Interrupt;
use std::path::Path;
use std::time::Duration;

/// Everything the executor needs besides the plan.
pub struct Context<'a> {
    /// The clients.
    pub cloud: &'a Cloud,
    /// Credentials and endpoint, named in a preserved bundle's manifest.
    pub connection: &'a Connection,
    /// The configuration the clients were made from, with its account: the
    /// preserve step collects with it.
    pub config: &'a (aws_config::SdkConfig, String),
    /// The bundle that receives the audit record; created when missing.
    pub bundle: &'a Path,
    /// Who acts.
    pub actor: Actor,
    /// How the plan was confirmed.
    pub confirmed_by: String,
    /// How often a deployment is polled while following it.
    pub poll_interval: Duration,
    /// How transient failures are attempted again.
    pub retry: Retry,
    /// Raised to stop the plan after the call in flight.
    pub interrupt: Interrupt,
}
