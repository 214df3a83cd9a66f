//! `taskscope demo`: the built-in sample incident, in the console or
//! printed.

use super::look_args::Look;
use super::seal::SealOnCompletion;
use crate::{demo, tui};
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope demo`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Write the sample bundle here (default: a new folder in the temp directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the task list and the timeline of the compromised task (or
    /// --task) instead.
    #[arg(long)]
    pub print: bool,
    /// Open straight on this task's timeline (task ID, ARN, or unique ID
    /// prefix of 6+ characters).
    #[arg(long)]
    pub task: Option<String>,
    #[command(flatten)]
    pub look: Look,
    // With --out, the bundle written is sealed.
    #[command(flatten)]
    pub seal: SealOnCompletion,
}

/// Writes the sample bundle (sealed, with `--out` and a seal key), then
/// opens it, or prints it without a terminal.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let task = args.task.as_deref();
    demo::check_options(task, args.look.theme.as_deref())?;
    let config = args.look.config.as_deref();
    if args.print || !io::stdout().is_terminal() {
        let code = demo::run(args.out.as_deref(), task)?;
        if let Some(out) = &args.out {
            args.seal.seal(out, config)?;
        }
        return Ok(code);
    }
    let bundle = demo::write_bundle(args.out.as_deref())?;
    if args.out.is_some() {
        args.seal.seal(&bundle, config)?;
    }
    tui::run(tui::Options {
        bundle: bundle.clone(),
        task: Some(task.unwrap_or(demo::COMPROMISED_TASK).to_string()),
        actions: None,
        theme: args.look.theme.clone(),
        config: args.look.config.clone(),
        no_color: args.look.no_color,
    })?;
    eprintln!(
        "the sample bundle, with any notes you added, is at {}",
        bundle.display()
    );
    Ok(ExitCode::SUCCESS)
}
