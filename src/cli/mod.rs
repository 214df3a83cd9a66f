//! Command-line interface: the headless subcommands, documented in docs/cli.md.
//! [`args`] defines the command line; each subcommand's arguments and code
//! live in a module of their own, and [`run`] dispatches to them.

mod annotate;
mod args;
#[cfg(feature = "aws")]
mod athena_ddl;
#[cfg(feature = "aws")]
mod collect;
#[cfg(feature = "aws")]
mod connection_args;
mod demo;
mod export;
mod gen;
mod handoff;
mod import;
mod import_output;
#[cfg(feature = "aws")]
mod live;
mod load;
mod look_args;
mod manual;
mod notes;
mod open;
mod report;
#[cfg(feature = "aws")]
mod respond;
#[cfg(feature = "aws")]
mod scope_args;
mod seal;
mod tasks;
mod terminal;
mod timeline;
mod verify;
mod verify_journals;
mod verify_seal;
#[cfg(feature = "aws")]
mod watch;

pub use args::{Cli, Command};

use crate::output::UsageError;
use std::process::ExitCode;

/// Something failed; the message says what.
pub const EXIT_FAILURE: u8 = 1;
/// The command line names something that is not there, or a value not
/// among the choices: a usage error, as the argument parser reports them.
pub const EXIT_USAGE: u8 = 2;
/// Import finished, but some inputs were rejected or only partly read.
pub const EXIT_PARTIAL: u8 = 3;
/// `verify` found missing, altered or unexpected artifacts, a broken chain,
/// or a seal that does not hold.
pub const EXIT_VERIFY_FAILED: u8 = 4;
/// An action was refused: actions off, not confirmed, or a rollback to a
/// digest under suspicion.
pub const EXIT_REFUSED: u8 = 5;

/// Longest import error or warning line written to stderr, in characters:
/// such lines can quote evidence (docs/hardening.md).
pub const LOG_LINE_CHARS: usize = 300;
/// Longest error message written to stderr, in characters.
pub const LOG_ERROR_CHARS: usize = 2000;

/// The exit status for an error `run` returned: [`EXIT_USAGE`] for a
/// [`UsageError`], else [`EXIT_FAILURE`].
pub fn exit_status(error: &anyhow::Error) -> u8 {
    if error.is::<UsageError>() {
        EXIT_USAGE
    } else {
        EXIT_FAILURE
    }
}

/// Runs a parsed command line and returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Import(args) => import::run(&args),
        Command::Tasks(args) => tasks::run(&args),
        Command::Timeline(args) => timeline::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Seal(args) => seal::run(&args),
        Command::Handoff(args) => handoff::run(&args),
        Command::Annotate(args) => annotate::run(&args),
        Command::Notes(args) => notes::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Open(args) => open::run(&args),
        #[cfg(feature = "aws")]
        Command::Collect(args) => collect::run(&args),
        #[cfg(feature = "aws")]
        Command::Watch(args) => watch::run(&args),
        #[cfg(feature = "aws")]
        Command::Isolate {
            aws,
            act,
            args,
            seal,
        } => {
            let code = respond::isolate(&aws, &act, &args)?;
            if let Some(bundle) = act.bundle.as_deref().filter(|_| !act.switches.dry_run) {
                seal.seal(bundle, act.switches.config.as_deref())?;
            }
            Ok(code)
        }
        #[cfg(feature = "aws")]
        Command::Rollback { aws, act, args } => respond::rollback(&aws, &act, &args),
        #[cfg(feature = "aws")]
        Command::Undo { args, aws, act } => respond::undo(&aws, &act, &args),
        #[cfg(feature = "aws")]
        Command::Live(args) => live::run(&args),
        Command::Gen(args) => gen::run(&args),
        #[cfg(feature = "aws")]
        Command::AthenaDdl(args) => athena_ddl::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Completions(args) => manual::run_completions(&args),
        Command::Man(args) => manual::run_man(&args),
    }
}
