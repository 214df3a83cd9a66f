//! `taskscope collect`: an incident from AWS into a new bundle, with
//! progress on the terminal.

use super::connection_args::AwsArgs;
use super::scope_args::ScopeArgs;
use super::seal::SealOnCompletion;
use super::EXIT_PARTIAL;
use crate::bundle::manifest::Manifest;
use crate::collect::{self, run::Ending};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `taskscope collect`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// The bundle directory to create (must not exist).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub seal: SealOnCompletion,
}

/// Collects, prints the summary, then seals the bundle when asked.
pub fn run(args: &CollectArgs) -> anyhow::Result<ExitCode> {
    let scope = args.scope.scope()?;
    let (manifest, ending) = collect::headless::collect(&args.aws.connection(), scope, &args.out)?;
    let code = collected(&manifest, &args.out, ending)?;
    args.seal.seal(&args.out, None)?;
    Ok(code)
}

/// Prints a collection's summary; exit status 3 when the bundle is partial.
pub fn collected(manifest: &Manifest, out: &Path, ending: Ending) -> anyhow::Result<ExitCode> {
    eprint!("{}", collect::headless::summary(manifest, out, ending));
    Ok(if manifest.collection.partial {
        ExitCode::from(EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}
