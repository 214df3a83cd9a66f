//! The command line: every subcommand and the arguments it takes, each
//! defined beside the code that runs it.

use super::annotate::AnnotateArgs;
#[cfg(feature = "aws")]
use super::athena_ddl::AthenaDdlArgs;
#[cfg(feature = "aws")]
use super::collect::CollectArgs;
#[cfg(feature = "aws")]
use super::connection_args::OneRegionAwsArgs;
use super::demo::DemoArgs;
use super::export::ExportArgs;
use super::gen::GenArgs;
use super::handoff::HandoffArgs;
use super::import::ImportArgs;
#[cfg(feature = "aws")]
use super::live::LiveArgs;
use super::manual::{CompletionsArgs, ManArgs};
use super::notes::NotesArgs;
use super::open::OpenArgs;
use super::report::ReportArgs;
#[cfg(feature = "aws")]
use super::respond;
use super::seal::SealArgs;
#[cfg(feature = "aws")]
use super::seal::SealOnCompletion;
use super::tasks::TasksArgs;
use super::timeline::TimelineArgs;
use super::verify::VerifyArgs;
#[cfg(feature = "aws")]
use super::watch::WatchArgs;
use clap::{Parser, Subcommand};

/// taskscope: what happened to an ECS Fargate task, from the evidence you have.
#[derive(Debug, Parser)]
#[command(name = "taskscope", version, about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import evidence files (GuardDuty, ECS, CloudTrail, CloudWatch Logs, Falco;
    /// plain, gzip, JSON or JSON lines; directories recursively) into a new bundle.
    Import(ImportArgs),
    /// List the tasks in a bundle with their facts and evidence counts.
    Tasks(TasksArgs),
    /// Print the timeline of one task, or of the whole bundle.
    Timeline(TimelineArgs),
    /// Check every artifact of a bundle against its manifest, the hash
    /// chains of its annotations, audit log and custody log, and its seal;
    /// print its root digest.
    Verify(VerifyArgs),
    /// Seal a bundle: sign what it holds and its journals' heads with an
    /// SSH key (docs/custody.md); a later seal replaces the earlier one.
    Seal(SealArgs),
    /// Record that the bundle passes to someone else, in its custody log.
    Handoff(HandoffArgs),
    /// Record a note, mark or tag on a task or an event, in the bundle.
    Annotate(AnnotateArgs),
    /// List the annotations recorded in a bundle, oldest first.
    Notes(NotesArgs),
    /// Export a task's report (Markdown) or timeline (CSV, JSON, Timesketch).
    Export(ExportArgs),
    /// Write the incident report of a whole bundle, Markdown or one
    /// self-contained HTML file (docs/exports.md#incident-report-taskscope-report).
    Report(ReportArgs),
    /// Open a bundle in the investigation console (docs/keys.md).
    Open(OpenArgs),
    #[cfg(feature = "aws")]
    /// Collect an incident from AWS into a new bundle, with progress on the
    /// terminal (docs/collect.md). Exits 3 when the collection is partial.
    Collect(CollectArgs),
    #[cfg(feature = "aws")]
    /// Record a cluster's tasks and their state changes, round after round,
    /// into rolling bundles in a store directory, so that no stopped task is
    /// lost (docs/watch.md). Runs until a signal, or one round with --once.
    Watch(WatchArgs),
    #[cfg(feature = "aws")]
    /// Isolate a task (docs/response.md): preserve its evidence, protect it
    /// from scale-in, detach it from load balancers, deny its IP in the
    /// network ACLs of its VPC's other subnets, revoke its role's sessions,
    /// stop it. Shows the plan first; exits 5 when refused or not confirmed,
    /// 1 when a step failed.
    Isolate {
        #[command(flatten)]
        aws: OneRegionAwsArgs,
        #[command(flatten)]
        act: respond::ActArgs,
        #[command(flatten)]
        args: respond::IsolateArgs,
        #[command(flatten)]
        seal: SealOnCompletion,
    },
    #[cfg(feature = "aws")]
    /// Roll a service back to an earlier task definition (docs/response.md),
    /// refusing one that runs the image digest under suspicion, and follow
    /// the deployment. Exits 5 when refused or not confirmed, 1 when it failed.
    Rollback {
        #[command(flatten)]
        aws: OneRegionAwsArgs,
        #[command(flatten)]
        act: respond::ActArgs,
        #[command(flatten)]
        args: respond::RollbackArgs,
    },
    #[cfg(feature = "aws")]
    /// Reverse an action recorded in BUNDLE's audit log (docs/response.md):
    /// each call it made, newest first, from what AWS says now; what is
    /// already as it was is left alone, and what cannot be undone (a stopped
    /// task, a rollback) is said. Shows the plan first; exits 5 when refused
    /// or not confirmed, 1 when a step failed.
    Undo {
        #[command(flatten)]
        args: respond::UndoArgs,
        #[command(flatten)]
        aws: OneRegionAwsArgs,
        #[command(flatten)]
        act: respond::Switches,
    },
    #[cfg(feature = "aws")]
    /// Collect from AWS with the console open at once: evidence streams in
    /// as it is stored (docs/collect.md). Quitting stops the collection and
    /// keeps what was received. Exits 3 when the bundle is partial.
    Live(LiveArgs),
    /// Generate a large synthetic incident for benchmarks and tests: gzip
    /// CloudTrail delivery files, ECS describe-tasks, GuardDuty findings,
    /// Falco alerts and CloudWatch Logs, about the same tasks.
    Gen(GenArgs),
    #[cfg(feature = "aws")]
    /// Print the CREATE EXTERNAL TABLE, with partition projection, for a
    /// trail's logs in S3, to run in Athena (docs/athena.md).
    AthenaDdl(AthenaDdlArgs),
    /// Explore the built-in sample incident (synthetic; no AWS account needed):
    /// the console on a terminal, a printed summary otherwise or with --print.
    Demo(DemoArgs),
    /// Print a shell completion script (docs/cli.md#completions).
    Completions(CompletionsArgs),
    /// Print the man page of taskscope or of one subcommand (roff), or write
    /// every page into a directory.
    Man(ManArgs),
}
