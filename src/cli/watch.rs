//! `taskscope watch`: a cluster's tasks recorded round after round into
//! rolling bundles (docs/watch.md).

use super::connection_args::OneRegionAwsArgs;
use super::EXIT_PARTIAL;
use crate::collect::{self, watch};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope watch`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub aws: OneRegionAwsArgs,
    /// The cluster to watch (name or ARN).
    #[arg(long)]
    pub cluster: String,
    /// Time between the starts of two rounds: 90s, 5m, ...
    #[arg(long, default_value = "30s")]
    pub interval: String,
    /// The store directory: rolling bundles and the watcher's state
    /// (created if needed; one watcher at a time).
    #[arg(long)]
    pub store: PathBuf,
    /// Finish the current bundle and start a new one once it is this old.
    #[arg(long, default_value = "1h")]
    pub rotate: String,
    /// Run one round, then exit (for cron); exits 3 when a call failed.
    #[arg(long)]
    pub once: bool,
}

/// Watches until a signal, or for one round with `--once`.
pub fn run(args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let options = watch::WatchOptions {
        cluster: args.cluster.clone(),
        interval: collect::parse_duration(&args.interval)?
            .to_std()
            .context("--interval")?,
        rotate: collect::parse_duration(&args.rotate)?,
        store: args.store.clone(),
        once: args.once,
    };
    Ok(match watch::watch(&args.aws.connection(), &options)? {
        watch::WatchEnd::Once { failed: true } => ExitCode::from(EXIT_PARTIAL),
        _ => ExitCode::SUCCESS,
    })
}
