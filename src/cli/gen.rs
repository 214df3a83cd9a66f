//! `taskscope gen`: a large synthetic incident for benchmarks and tests.

use crate::generate;
use crate::output::print;
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope gen`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct GenArgs {
    /// Events in total (90% CloudTrail), at least 100.
    #[arg(long)]
    pub events: u64,
    /// The directory to write (new or empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Number of tasks (default: one per 500 events, 1 to 2000).
    #[arg(long)]
    pub tasks: Option<u64>,
    /// Seed; the same seed and sizes write the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Writes the incident and prints what was written.
pub fn run(args: &GenArgs) -> anyhow::Result<ExitCode> {
    let options = generate::GenOptions {
        events: args.events,
        tasks: args.tasks,
        seed: args.seed,
    };
    print(&generate::generate_incident(&options, &args.out)?.render())
}
