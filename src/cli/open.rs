//! `taskscope open`: a bundle in the investigation console.

#[cfg(feature = "aws")]
use super::connection_args::OneRegionAwsArgs;
#[cfg(feature = "aws")]
use super::look_args::ConsoleActions;
use super::look_args::Look;
use super::terminal::require_terminal;
use crate::bundle::Bundle;
use crate::tui;
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope open`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct OpenArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Open straight on this task's timeline (task ID, ARN, or unique ID
    /// prefix of 6+ characters).
    #[arg(long)]
    pub task: Option<String>,
    #[command(flatten)]
    pub look: Look,
    /// Credentials and region for response actions (used only with
    /// actions allowed, when the first one is asked for).
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub aws: OneRegionAwsArgs,
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub actions: ConsoleActions,
}

impl OpenArgs {
    /// The console's access to response actions: none without the AWS side.
    fn actions(&self) -> anyhow::Result<Option<tui::respond::ActionAccess>> {
        #[cfg(feature = "aws")]
        return super::respond::console_actions(
            self.actions.allow_actions,
            self.look.config.as_deref(),
            self.aws.connection(),
        );
        #[cfg(not(feature = "aws"))]
        Ok(None)
    }
}

/// Runs the console until the user quits.
pub fn run(args: &OpenArgs) -> anyhow::Result<ExitCode> {
    Bundle::open(&args.bundle)?;
    // The config, keys and theme are checked before the terminal.
    let console = tui::Console::new(&tui::Options {
        bundle: args.bundle.clone(),
        task: args.task.clone(),
        actions: args.actions()?,
        theme: args.look.theme.clone(),
        config: args.look.config.clone(),
        no_color: args.look.no_color,
    })?;
    require_terminal(
        "open",
        "taskscope tasks, timeline or export to read the bundle without the console",
    )?;
    console.run()?;
    Ok(ExitCode::SUCCESS)
}
