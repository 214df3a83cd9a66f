//! Command-line interface: the headless subcommands, documented in docs/cli.md.

use crate::bundle::annotations::{self, Annotation, AnnotationAction, Annotations, Target};
use crate::bundle::manifest::{CollectionState, Manifest};
use crate::bundle::{build, verify, Bundle};
use crate::collect::run::Ending;
use crate::correlate::Incident;
use crate::export::incident::ReportFormat;
use crate::export::redact::log_text;
use crate::export::{self, ExportFormat, ExportOptions};
use crate::render::{self, sanitize::escape, Format};
use crate::{collect, demo, generate, tui};
use anyhow::{bail, Context};
use clap::{ArgGroup, Parser, Subcommand};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod handoff;
mod import_output;
mod manual;
mod respond;
pub mod seal;
mod verify_journals;
mod verify_seal;

pub use respond::EXIT_REFUSED;

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

/// Longest import error or warning line written to stderr, in characters:
/// such lines can quote evidence (docs/hardening.md).
pub const LOG_LINE_CHARS: usize = 300;
/// Longest error message written to stderr, in characters.
pub const LOG_ERROR_CHARS: usize = 2000;

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
    Import {
        /// Files or directories to import.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The bundle directory to create (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Print one line per file, and name the files that held no evidence.
        #[arg(long)]
        verbose: bool,
        #[command(flatten)]
        seal: seal::SealOnCompletion,
    },
    /// List the tasks in a bundle with their facts and evidence counts.
    Tasks {
        /// The bundle directory.
        bundle: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print the timeline of one task, or of the whole bundle.
    Timeline {
        /// The bundle directory.
        bundle: PathBuf,
        /// Task ID, task ARN (either format), or a unique ID prefix of 6+ characters.
        #[arg(long)]
        task: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check every artifact of a bundle against its manifest, the hash
    /// chains of its annotations, audit log and custody log, and its seal;
    /// print its root digest.
    Verify {
        /// The bundle directory.
        bundle: PathBuf,
        #[command(flatten)]
        seal: verify_seal::VerifySealArgs,
    },
    /// Seal a bundle: sign what it holds and its journals' heads with an
    /// SSH key (docs/custody.md); a later seal replaces the earlier one.
    Seal(seal::SealArgs),
    /// Record that the bundle passes to someone else, in its custody log.
    Handoff(handoff::HandoffArgs),
    /// Record a note, mark or tag on a task or an event, in the bundle.
    #[command(
        group(ArgGroup::new("target").required(true).args(["task", "event", "bundle_wide"])),
        group(ArgGroup::new("action").required(true).args(["note", "mark", "unmark", "tag", "untag"]))
    )]
    Annotate {
        /// The bundle directory.
        bundle: PathBuf,
        /// Task ID, task ARN (either format), or a unique ID prefix of 6+ characters.
        #[arg(long)]
        task: Option<String>,
        /// Event anchor: the `anchor` field of `taskscope export --format json`;
        /// an ECS task event's ends in @MILESTONE (@PROVISIONING, @RUNNING,
        /// @STOPPING or @STOPPED).
        #[arg(long)]
        event: Option<String>,
        /// Annotate the incident as a whole: notes on the bundle are the
        /// incident report's summary, its tags the incident's IDs.
        #[arg(long)]
        bundle_wide: bool,
        /// Attach a note.
        #[arg(long)]
        note: Option<String>,
        /// Mark as important.
        #[arg(long)]
        mark: bool,
        /// Remove a mark.
        #[arg(long)]
        unmark: bool,
        /// Add a tag (no whitespace, `,` or `;`; at most 64 characters).
        #[arg(long)]
        tag: Option<String>,
        /// Remove a tag.
        #[arg(long)]
        untag: Option<String>,
        /// Who is annotating (default: $TASKSCOPE_AUTHOR, else $USER@hostname).
        #[arg(long)]
        author: Option<String>,
        /// Seal the bundle again with this OpenSSH private key after the
        /// annotation, so that the seal covers it (docs/custody.md).
        #[arg(long, value_name = "PATH")]
        sign_key: Option<PathBuf>,
    },
    /// List the annotations recorded in a bundle, oldest first.
    Notes {
        /// The bundle directory.
        bundle: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Export a task's report (Markdown) or timeline (CSV, JSON, Timesketch).
    Export {
        /// The bundle directory.
        bundle: PathBuf,
        /// Task ID, task ARN (either format), or a unique ID prefix of 6+ characters.
        #[arg(long)]
        task: Option<String>,
        /// Export every event (csv, json, timesketch); the default without --task.
        #[arg(long, conflicts_with = "task")]
        all: bool,
        /// Export format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace --out if it exists.
        #[arg(long, requires = "out")]
        force: bool,
        /// Replace secret values (credentials, tokens, passwords, environment
        /// variable values) with [REDACTED]; the bundle is not changed.
        #[arg(long)]
        redact: bool,
        /// Include each event's raw record (redacted too with --redact).
        #[arg(long)]
        raw: bool,
    },
    /// Write the incident report of a whole bundle, Markdown or one
    /// self-contained HTML file (docs/exports.md#incident-report-taskscope-report).
    Report {
        /// The bundle directory.
        bundle: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace --out if it exists.
        #[arg(long, requires = "out")]
        force: bool,
        /// The responder's summary, from this text file (default: the notes
        /// on the bundle, see annotate --bundle-wide).
        #[arg(long)]
        summary: Option<PathBuf>,
    },
    /// Open a bundle in the investigation console (docs/keys.md).
    Open {
        /// The bundle directory.
        bundle: PathBuf,
        /// Open straight on this task's timeline (task ID, ARN, or unique ID
        /// prefix of 6+ characters).
        #[arg(long)]
        task: Option<String>,
        #[command(flatten)]
        look: Look,
        /// Credentials and region for response actions (used only with
        /// actions allowed, when the first one is asked for).
        #[command(flatten)]
        aws: OneRegionAwsArgs,
        #[command(flatten)]
        actions: ConsoleActions,
    },
    /// Collect an incident from AWS into a new bundle, with progress on the
    /// terminal (docs/collect.md). Exits 3 when the collection is partial.
    Collect {
        #[command(flatten)]
        aws: AwsArgs,
        #[command(flatten)]
        scope: ScopeArgs,
        /// The bundle directory to create (must not exist).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        seal: seal::SealOnCompletion,
    },
    /// Record a cluster's tasks and their state changes, round after round,
    /// into rolling bundles in a store directory, so that no stopped task is
    /// lost (docs/watch.md). Runs until a signal, or one round with --once.
    Watch {
        #[command(flatten)]
        aws: OneRegionAwsArgs,
        /// The cluster to watch (name or ARN).
        #[arg(long)]
        cluster: String,
        /// Time between the starts of two rounds: 90s, 5m, ...
        #[arg(long, default_value = "30s")]
        interval: String,
        /// The store directory: rolling bundles and the watcher's state
        /// (created if needed; one watcher at a time).
        #[arg(long)]
        store: PathBuf,
        /// Finish the current bundle and start a new one once it is this old.
        #[arg(long, default_value = "1h")]
        rotate: String,
        /// Run one round, then exit (for cron); exits 3 when a call failed.
        #[arg(long)]
        once: bool,
    },
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
        seal: seal::SealOnCompletion,
    },
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
    /// Collect from AWS with the console open at once: evidence streams in
    /// as it is stored (docs/collect.md). Quitting stops the collection and
    /// keeps what was received. Exits 3 when the bundle is partial.
    Live {
        #[command(flatten)]
        aws: AwsArgs,
        #[command(flatten)]
        scope: ScopeArgs,
        /// The bundle directory to create (must not exist; default:
        /// taskscope-live-<UTC time> in the current directory).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        look: Look,
        #[command(flatten)]
        actions: ConsoleActions,
        #[command(flatten)]
        seal: seal::SealOnCompletion,
    },
    /// Generate a large synthetic incident for benchmarks and tests: gzip
    /// CloudTrail delivery files, ECS describe-tasks, GuardDuty findings,
    /// Falco alerts and CloudWatch Logs, about the same tasks.
    Gen {
        /// Events in total (90% CloudTrail), at least 100.
        #[arg(long)]
        events: u64,
        /// The directory to write (new or empty).
        #[arg(long)]
        out: PathBuf,
        /// Number of tasks (default: one per 500 events, 1 to 2000).
        #[arg(long)]
        tasks: Option<u64>,
        /// Seed; the same seed and sizes write the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Print the CREATE EXTERNAL TABLE, with partition projection, for a
    /// trail's logs in S3, to run in Athena (docs/athena.md).
    AthenaDdl {
        /// The S3 bucket the trail delivers to.
        #[arg(long)]
        bucket: String,
        /// The trail's S3 key prefix, if it has one.
        #[arg(long)]
        prefix: Option<String>,
        /// The organization ID, for an organization trail (o-...).
        #[arg(long)]
        org_id: Option<String>,
        /// The table name (default: cloudtrail_logs).
        #[arg(long)]
        table: Option<String>,
    },
    /// Explore the built-in sample incident (synthetic; no AWS account needed):
    /// the console on a terminal, a printed summary otherwise or with --print.
    Demo {
        /// Write the sample bundle here (default: a new folder in the temp directory).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the task list and the timeline of the compromised task (or
        /// --task) instead.
        #[arg(long)]
        print: bool,
        /// Open straight on this task's timeline (task ID, ARN, or unique ID
        /// prefix of 6+ characters).
        #[arg(long)]
        task: Option<String>,
        #[command(flatten)]
        look: Look,
        // With --out, the bundle written is sealed.
        #[command(flatten)]
        seal: seal::SealOnCompletion,
    },
    /// Print a shell completion script (docs/cli.md#completions).
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page of taskscope or of one subcommand (roff), or write
    /// every page into a directory.
    Man {
        /// The subcommand whose page to print (default: taskscope's own).
        #[arg(conflicts_with = "out")]
        subcommand: Option<String>,
        /// Write taskscope.1 and one taskscope-<subcommand>.1 per subcommand
        /// into this directory (created if missing) instead of printing.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Credentials and endpoint (aws-config's standard chain: environment,
/// profiles, SSO, web identity, container and instance metadata).
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// The named profile to use.
    #[arg(long)]
    pub profile: Option<String>,
    /// A region to collect from (repeatable; default: the profile's or AWS_REGION).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Send every call to this endpoint (as AWS_ENDPOINT_URL does).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Collect from these accounts (ID,ID) or every active account of the
    /// organization (all), through --role-name in each member account.
    #[arg(long, requires = "role_name")]
    pub accounts: Option<collect::members::AccountSelection>,
    /// The role to assume in each member account named by --accounts.
    #[arg(long, requires = "accounts")]
    pub role_name: Option<String>,
}

impl AwsArgs {
    /// The connection settings.
    pub fn connection(&self) -> collect::aws::Connection {
        collect::aws::Connection {
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            endpoint_url: self.endpoint_url.clone(),
            members: self.accounts.clone().zip(self.role_name.clone()).map(
                |(selection, role_name)| collect::members::MemberAccounts {
                    selection,
                    role_name,
                },
            ),
        }
    }
}

/// Credentials, one region and the endpoint, for commands that watch one
/// region (aws-config's standard chain, as for [`AwsArgs`]).
#[derive(Debug, Clone, clap::Args)]
pub struct OneRegionAwsArgs {
    /// The named profile to use.
    #[arg(long)]
    pub profile: Option<String>,
    /// The region (default: the profile's or AWS_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// Send every call to this endpoint (as AWS_ENDPOINT_URL does).
    #[arg(long)]
    pub endpoint_url: Option<String>,
}

impl OneRegionAwsArgs {
    /// The connection settings.
    pub fn connection(&self) -> collect::aws::Connection {
        collect::aws::Connection {
            profile: self.profile.clone(),
            regions: self.region.iter().cloned().collect(),
            endpoint_url: self.endpoint_url.clone(),
            members: None,
        }
    }
}

/// What to collect, and over which time window.
#[derive(Debug, Clone, clap::Args)]
pub struct ScopeArgs {
    /// One cluster (name or ARN); all clusters when absent.
    #[arg(long)]
    pub cluster: Option<String>,
    /// One service of the cluster.
    #[arg(long, requires = "cluster")]
    pub service: Option<String>,
    /// One task (ID or ARN).
    #[arg(long)]
    pub task: Option<String>,
    /// How far back to look: 90s, 30m, 6h, 2d (default 24h).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub since: Option<String>,
    /// Start of the window (RFC 3339, e.g. 2026-11-20T13:00:00Z).
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// End of the window (RFC 3339).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// A log group to read whole over the window, such as a Falco sidecar's (repeatable).
    #[arg(long = "log-group")]
    pub log_groups: Vec<String>,
    /// A log group of archived "ECS Task State Change" events.
    #[arg(long)]
    pub archive_log_group: Option<String>,
    #[command(flatten)]
    pub athena: AthenaArgs,
}

/// CloudTrail through Athena instead of LookupEvents (docs/collect.md):
/// from a table of the trail's logs, or from Security Lake's tables.
#[derive(Debug, Clone, clap::Args)]
#[command(group(
    clap::ArgGroup::new("athena_tables").args(["athena_table", "security_lake"])
))]
pub struct AthenaArgs {
    /// Read CloudTrail through Athena from this table of the organization
    /// trail (DATABASE.TABLE) instead of LookupEvents.
    #[arg(long, value_name = "DB.TABLE")]
    pub athena_table: Option<String>,
    /// Read CloudTrail through Athena from Amazon Security Lake's
    /// CloudTrail tables of each region (docs/athena.md) instead of
    /// LookupEvents.
    #[arg(long, conflicts_with = "athena_table")]
    pub security_lake: bool,
    /// The Athena workgroup that runs the queries.
    #[arg(
        long,
        value_name = "WG",
        default_value = "primary",
        requires = "athena_tables"
    )]
    pub athena_workgroup: String,
    /// Where Athena writes the results (s3://BUCKET/PREFIX/), when the
    /// workgroup sets no output location.
    #[arg(long, value_name = "S3_URL", requires = "athena_tables")]
    pub athena_output: Option<String>,
    /// The data catalog that holds the table.
    #[arg(
        long,
        value_name = "CATALOG",
        default_value = "AwsDataCatalog",
        requires = "athena_tables"
    )]
    pub athena_catalog: String,
}

impl AthenaArgs {
    /// Where to query CloudTrail, when a table or Security Lake is given.
    pub fn source(&self) -> anyhow::Result<Option<collect::athena::AthenaSource>> {
        let tables = match (&self.athena_table, self.security_lake) {
            (Some(table), _) => collect::athena::TrailTables::Named(
                collect::athena::sql::TableName::parse(table).map_err(anyhow::Error::msg)?,
            ),
            (None, true) => collect::athena::TrailTables::SecurityLake,
            (None, false) => return Ok(None),
        };
        if let Some(output) = &self.athena_output {
            if !output.starts_with("s3://") || output.chars().any(char::is_control) {
                bail!(
                    "--athena-output {}: expected s3://BUCKET/PREFIX/",
                    escape(output)
                );
            }
        }
        for (flag, value) in [
            ("--athena-workgroup", &self.athena_workgroup),
            ("--athena-catalog", &self.athena_catalog),
        ] {
            if value.is_empty() || value.chars().any(char::is_control) {
                bail!("{flag} {}: not a name", escape(value));
            }
        }
        Ok(Some(collect::athena::AthenaSource {
            tables,
            workgroup: self.athena_workgroup.clone(),
            output: self.athena_output.clone(),
            catalog: self.athena_catalog.clone(),
        }))
    }
}

impl ScopeArgs {
    /// The collection scope, with the window resolved against now.
    pub fn scope(&self) -> anyhow::Result<collect::Scope> {
        let (from, to) = match (&self.from, &self.to) {
            (Some(from), Some(to)) => (parse_instant(from)?, parse_instant(to)?),
            _ => {
                let since = collect::parse_duration(self.since.as_deref().unwrap_or("24h"))?;
                let now = chrono::Utc::now();
                (now - since, now)
            }
        };
        if from >= to {
            bail!("the window is empty: --from must be before --to");
        }
        Ok(collect::Scope {
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            task: self.task.clone(),
            from,
            to,
            log_groups: self.log_groups.clone(),
            archive_log_group: self.archive_log_group.clone(),
            athena: self.athena.source()?,
        })
    }
}

fn parse_instant(text: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    crate::model::time::parse_time_str(text).with_context(|| {
        format!(
            "{}: not a time (use RFC 3339, e.g. 2026-11-20T13:00:00Z)",
            escape(text)
        )
    })
}

/// Console appearance and configuration.
#[derive(Debug, Clone, clap::Args)]
pub struct Look {
    /// Theme: dark, light, high-contrast, colorblind, or a TOML file (docs/themes.md).
    #[arg(long)]
    pub theme: Option<String>,
    /// Config file (default: $XDG_CONFIG_HOME/taskscope/config.toml; docs/config.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// No colours (as with NO_COLOR set): selection and severity by bold, underline, reverse.
    #[arg(long)]
    pub no_color: bool,
}

/// Response actions in the console (docs/response.md).
#[derive(Debug, Clone, clap::Args)]
pub struct ConsoleActions {
    /// Allow response actions in the console (i isolates a task, r rolls
    /// back its service); otherwise it is read-only unless the AWS profile
    /// is listed under [actions] allow_profiles in the config.
    #[arg(long)]
    pub allow_actions: bool,
}

/// A usage error found after parsing (a path that does not exist, a value
/// not among the choices): exit status [`EXIT_USAGE`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

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
        Command::Import {
            paths,
            out,
            verbose,
            seal,
        } => {
            let code = import(&paths, &out, verbose)?;
            seal.seal(&out, None)?;
            Ok(code)
        }
        Command::Tasks { bundle, format } => {
            let (incident, bundle) = load(&bundle)?;
            warn_if_partial(&bundle);
            print(&render::tasks::render(
                &render::tasks::rows(&incident),
                format,
            )?)
        }
        Command::Timeline {
            bundle,
            task,
            format,
        } => {
            let (incident, bundle) = load(&bundle)?;
            warn_if_partial(&bundle);
            let task = match task {
                Some(reference) => Some(find_task(&incident, &reference)?),
                None => None,
            };
            let rows = render::timeline::rows(&incident, &bundle.manifest, task);
            print(&render::timeline::render(&rows, format)?)
        }
        Command::Verify { bundle, seal } => verify_bundle(&bundle, &seal),
        Command::Seal(args) => seal::run(&args),
        Command::Handoff(args) => handoff::run(&args),
        Command::Annotate {
            bundle,
            task,
            event,
            bundle_wide,
            note,
            mark,
            unmark,
            tag,
            untag,
            author,
            sign_key,
        } => {
            let action = match (note, tag, untag) {
                (Some(text), _, _) => AnnotationAction::Note { text },
                (_, Some(tag), _) => AnnotationAction::Tag { tag },
                (_, _, Some(tag)) => AnnotationAction::Untag { tag },
                _ if mark => AnnotationAction::Mark,
                _ if unmark => AnnotationAction::Unmark,
                _ => bail!("give one of --note, --mark, --unmark, --tag, --untag"),
            };
            let code = annotate(
                &bundle,
                task.as_deref(),
                event.as_deref(),
                bundle_wide,
                action,
                author,
            )?;
            if let Some(key) = sign_key {
                seal::seal_with_file(&bundle, &key)?;
            }
            Ok(code)
        }
        Command::Notes { bundle, format } => {
            let bundle = Bundle::open(&bundle)?;
            let annotations = load_annotations(&bundle)?;
            print(&render_notes(annotations.all(), format)?)
        }
        Command::Export {
            bundle,
            task,
            all: _,
            format,
            out,
            force,
            redact,
            raw,
        } => {
            let (incident, bundle) = load(&bundle)?;
            let task = match task {
                Some(reference) => Some(find_task(&incident, &reference)?),
                None => None,
            };
            let annotations = load_annotations(&bundle)?;
            let options = ExportOptions { redact, raw };
            let text =
                export::export_with(&bundle, &incident, &annotations, task, format, options)?;
            match out {
                Some(path) => {
                    export::write_export(&path, &text, force)?;
                    Ok(ExitCode::SUCCESS)
                }
                None => print(&text),
            }
        }
        Command::Report {
            bundle,
            format,
            out,
            force,
            summary,
        } => report(&bundle, format, out.as_deref(), force, summary.as_deref()),
        Command::Collect {
            aws,
            scope,
            out,
            seal,
        } => {
            let scope = scope.scope()?;
            let (manifest, ending) = collect::headless::collect(&aws.connection(), scope, &out)?;
            let code = collected(&manifest, &out, ending)?;
            seal.seal(&out, None)?;
            Ok(code)
        }
        Command::Live {
            aws,
            scope,
            out,
            look,
            actions,
            seal,
        } => {
            require_terminal("live", "taskscope collect to collect without the console")?;
            let out = out.unwrap_or_else(|| collect::live::default_out(chrono::Utc::now()));
            let options = tui::Options {
                bundle: out.clone(),
                task: scope.task.clone(),
                actions: respond::console_actions(
                    actions.allow_actions,
                    look.config.as_deref(),
                    aws.connection(),
                )?,
                theme: look.theme,
                config: look.config,
                no_color: look.no_color,
            };
            let config = options.config.clone();
            let (manifest, ending) =
                collect::live::live(&aws.connection(), scope.scope()?, &options)?;
            let code = collected(&manifest, &out, ending)?;
            seal.seal(&out, config.as_deref())?;
            Ok(code)
        }
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
        Command::Rollback { aws, act, args } => respond::rollback(&aws, &act, &args),
        Command::Undo { args, aws, act } => respond::undo(&aws, &act, &args),
        Command::Watch {
            aws,
            cluster,
            interval,
            store,
            rotate,
            once,
        } => {
            let options = collect::watch::WatchOptions {
                cluster,
                interval: collect::parse_duration(&interval)?
                    .to_std()
                    .context("--interval")?,
                rotate: collect::parse_duration(&rotate)?,
                store,
                once,
            };
            Ok(match collect::watch::watch(&aws.connection(), &options)? {
                collect::watch::WatchEnd::Once { failed: true } => ExitCode::from(EXIT_PARTIAL),
                _ => ExitCode::SUCCESS,
            })
        }
        Command::AthenaDdl {
            bucket,
            prefix,
            org_id,
            table,
        } => {
            let trail = collect::athena::ddl::TrailTable::new(
                &bucket,
                prefix.as_deref(),
                org_id.as_deref(),
                table.as_deref(),
            )
            .map_err(anyhow::Error::msg)?;
            let statement = trail.create_statement().map_err(|refused| {
                anyhow::anyhow!(
                    "a table property holds a control character: {}",
                    escape(&refused.0)
                )
            })?;
            print!("{statement}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => print_bytes(&manual::completions(shell)),
        Command::Man {
            subcommand: _,
            out: Some(dir),
        } => {
            for path in manual::write_man_pages(&dir)? {
                eprintln!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Man {
            subcommand,
            out: None,
        } => print_bytes(&manual::man_page(subcommand.as_deref())?),
        Command::Gen {
            events,
            out,
            tasks,
            seed,
        } => {
            let options = generate::GenOptions {
                events,
                tasks,
                seed,
            };
            let summary = generate::generate_incident(&options, &out)?;
            print(&summary.render())
        }
        Command::Open {
            bundle,
            task,
            look,
            aws,
            actions,
        } => {
            Bundle::open(&bundle)?;
            // The config, keys and theme are checked before the terminal.
            let console = tui::Console::new(&tui::Options {
                bundle,
                task,
                actions: respond::console_actions(
                    actions.allow_actions,
                    look.config.as_deref(),
                    aws.connection(),
                )?,
                theme: look.theme,
                config: look.config,
                no_color: look.no_color,
            })?;
            require_terminal(
                "open",
                "taskscope tasks, timeline or export to read the bundle without the console",
            )?;
            console.run()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            out,
            print,
            task,
            look,
            seal,
        } => {
            demo::check_options(task.as_deref(), look.theme.as_deref())?;
            if print || !io::stdout().is_terminal() {
                let code = demo::run(out.as_deref(), task.as_deref())?;
                if let Some(out) = &out {
                    seal.seal(out, look.config.as_deref())?;
                }
                return Ok(code);
            }
            let bundle = demo::write_bundle(out.as_deref())?;
            if out.is_some() {
                seal.seal(&bundle, look.config.as_deref())?;
            }
            tui::run(tui::Options {
                bundle: bundle.clone(),
                task: task.or(Some(demo::COMPROMISED_TASK.to_string())),
                actions: None,
                theme: look.theme,
                config: look.config,
                no_color: look.no_color,
            })?;
            eprintln!(
                "the sample bundle, with any notes you added, is at {}",
                bundle.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Refuses to start the console of `command` when standard output is not a
/// terminal, naming `instead`, what to run without one.
fn require_terminal(command: &str, instead: &str) -> anyhow::Result<()> {
    if !io::stdout().is_terminal() {
        bail!("{command} needs a terminal (standard output is not one): use {instead}");
    }
    Ok(())
}

/// Prints a collection's summary; exit status 3 when the bundle is partial.
fn collected(manifest: &Manifest, out: &Path, ending: Ending) -> anyhow::Result<ExitCode> {
    eprint!("{}", collect::headless::summary(manifest, out, ending));
    Ok(if manifest.collection.partial {
        ExitCode::from(EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}

fn import(paths: &[PathBuf], out: &Path, verbose: bool) -> anyhow::Result<ExitCode> {
    if let Some(missing) = paths.iter().find(|path| !path.exists()) {
        return Err(UsageError(format!(
            "{}: no such file or directory; nothing was written",
            escape(&missing.display().to_string())
        ))
        .into());
    }
    let found = build::find_inputs(paths);
    if found.is_empty() {
        bail!("no files found under the given paths");
    }
    let progress = import_output::ImportProgress::new(found.len(), io::stderr().is_terminal());
    // The bundle is created only once an input has been read.
    let mut inputs = found.into_iter().map(|input| {
        progress.advance();
        build::read_input(input)
    });
    let mut unread = Vec::new();
    let first = loop {
        match inputs.next() {
            Some(Ok(file)) => break file,
            Some(Err(failure)) => unread.push(failure),
            None => {
                progress.finish();
                bail!(
                    "no input could be read; nothing was written: {}",
                    unread
                        .iter()
                        .map(|(path, error)| format!("{path}: {error}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        }
    };
    let inputs = unread.into_iter().map(Err).chain([Ok(first)]).chain(inputs);
    let report = build::import_to_bundle(inputs, out);
    progress.finish();
    let report = report.with_context(|| format!("cannot write bundle {}", out.display()))?;
    import_output::write_report(
        &mut io::stderr().lock(),
        &report.manifest.inputs,
        out,
        verbose,
    )?;
    Ok(if report.is_partial() {
        ExitCode::from(EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}

fn load(path: &Path) -> anyhow::Result<(Incident, Bundle)> {
    let bundle = Bundle::open(path)?;
    let (incident, problems) = bundle.incident();
    for problem in problems {
        eprintln!("taskscope: warning: {}", log_text(&problem, LOG_LINE_CHARS));
    }
    Ok((incident, bundle))
}

/// One line on stderr when the bundle is partial, saying why.
fn warn_if_partial(bundle: &Bundle) {
    if let Some(reason) = bundle.manifest.collection.partial_reason() {
        eprintln!(
            "taskscope: warning: the bundle is partial: {}",
            log_text(&reason, LOG_LINE_CHARS)
        );
    }
}

/// Resolves a `--task` reference (see [`Incident::resolve_task`]).
fn find_task(incident: &Incident, reference: &str) -> anyhow::Result<usize> {
    incident
        .resolve_task(reference)
        .map_err(|error| anyhow::anyhow!("{}", escape(&error.to_string())))
}

fn annotate(
    path: &Path,
    task: Option<&str>,
    event: Option<&str>,
    bundle_wide: bool,
    action: AnnotationAction,
    author: Option<String>,
) -> anyhow::Result<ExitCode> {
    let (incident, bundle) = load(path)?;
    let target = match (task, event) {
        _ if bundle_wide => Target::Bundle,
        (Some(reference), _) => Target::Task {
            id: incident.tasks[find_task(&incident, reference)?].id.clone(),
        },
        (None, Some(anchor)) => {
            if annotations::find_event(&incident, &bundle.manifest, anchor).is_none() {
                let meant = annotations::milestone_anchors(&incident, &bundle.manifest, anchor);
                let hint = if meant.is_empty() {
                    format!(
                        "anchors are the `anchor` field of `taskscope export --format json`; \
                         an ECS task event's ends in @MILESTONE ({})",
                        annotations::TASK_MILESTONES
                            .map(|m| format!("@{m}"))
                            .join(", ")
                    )
                } else {
                    format!(
                        "ECS task events need the @MILESTONE suffix: {}",
                        meant.join(", ")
                    )
                };
                bail!("no event {} in this bundle ({hint})", escape(anchor));
            }
            Target::Event {
                anchor: anchor.to_string(),
            }
        }
        (None, None) => bail!("give --task, --event or --bundle-wide"),
    };
    let named = author.is_some();
    let annotation = Annotation {
        time: chrono::Utc::now(),
        author: author.unwrap_or_else(annotations::default_author),
        target,
        action,
    };
    annotations::append(path, &annotation)?;
    eprintln!(
        "annotated {}: {} by {}",
        path.display(),
        escape(&describe_target(&annotation.target)),
        escape(&annotation.author)
    );
    if let Some(warning) = annotations::unknown_author_warning(&annotation.author) {
        if !named {
            eprintln!("taskscope: warning: {warning}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `taskscope report`: the incident report to `out` or stdout.
fn report(
    path: &Path,
    format: ReportFormat,
    out: Option<&Path>,
    force: bool,
    summary: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let summary = summary
        .map(|file| {
            let bytes = crate::bundle::paths::read_regular_file(file, &file.display().to_string())
                .with_context(|| {
                    format!(
                        "cannot read --summary {}",
                        escape(&file.display().to_string())
                    )
                })?;
            String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "--summary {} is not UTF-8 text",
                    escape(&file.display().to_string())
                )
            })
        })
        .transpose()?;
    let (incident, bundle) = load(path)?;
    let annotations = load_annotations(&bundle)?;
    let text = export::incident::incident_report(
        &bundle,
        &incident,
        &annotations,
        summary.as_deref(),
        chrono::Utc::now(),
        format,
    );
    match out {
        Some(file) => {
            export::write_export(file, &text, force)?;
            Ok(ExitCode::SUCCESS)
        }
        None => print(&text),
    }
}

/// Reads a bundle's annotations; unreadable lines are reported as warnings.
fn load_annotations(bundle: &Bundle) -> anyhow::Result<Annotations> {
    let annotations = Annotations::load(bundle)?;
    for problem in annotations.problems() {
        eprintln!("taskscope: warning: {}", log_text(problem, LOG_LINE_CHARS));
    }
    Ok(annotations)
}

fn describe_target(target: &Target) -> String {
    match target {
        Target::Event { anchor } => format!("event {anchor}"),
        Target::Task { id } => format!("task {id}"),
        Target::Bundle => "the bundle".to_string(),
    }
}

/// The action's name and its tag or text.
fn describe_action(action: &AnnotationAction) -> (&'static str, &str) {
    match action {
        AnnotationAction::Mark => ("mark", ""),
        AnnotationAction::Unmark => ("unmark", ""),
        AnnotationAction::Tag { tag } => ("tag", tag),
        AnnotationAction::Untag { tag } => ("untag", tag),
        AnnotationAction::Note { text } => ("note", text),
    }
}

/// `taskscope notes`: one row per annotation. JSON carries the stored lines'
/// objects; the other formats escape every string.
fn render_notes(all: &[Annotation], format: Format) -> anyhow::Result<String> {
    let cells = |annotation: &Annotation| {
        let (action, value) = describe_action(&annotation.action);
        let (kind, target) = match &annotation.target {
            Target::Event { anchor } => ("event", anchor.as_str()),
            Target::Task { id } => ("task", id.as_str()),
            Target::Bundle => ("bundle", ""),
        };
        [
            crate::model::time::format_time_millis(&annotation.time),
            annotation.author.clone(),
            kind.to_string(),
            target.to_string(),
            action.to_string(),
            value.to_string(),
        ]
    };
    let header = ["TIME", "AUTHOR", "ON", "TARGET", "ACTION", "TEXT"];
    Ok(match format {
        Format::Json => {
            let mut text = render::json_text(all)?;
            text.push('\n');
            text
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|a| cells(a).iter().map(|c| escape(c).into_owned()).collect())
                .collect();
            render::aligned(&header, &rows)
        }
        Format::Csv => render::safe_csv::write_csv(
            header.map(str::to_ascii_lowercase),
            all.iter()
                .map(|a| cells(a).map(|c| escape(&c).into_owned())),
        )?,
        Format::Md => {
            let mut text = String::from("| Time (UTC) | Author | On | Target | Action | Text |\n");
            text.push_str("|---|---|---|---|---|---|\n");
            for annotation in all {
                let row: Vec<String> = cells(annotation)
                    .iter()
                    .map(|c| render::markdown_cell(c))
                    .collect();
                text.push_str(&format!("| {} |\n", row.join(" | ")));
            }
            text
        }
    })
}

fn verify_bundle(path: &Path, seal: &verify_seal::VerifySealArgs) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(path)?;
    let problems = verify::verify(&bundle);
    let sealed = verify_seal::report(&bundle, seal)?;
    let mut stdout = io::stdout().lock();
    for problem in &problems {
        writeln!(stdout, "{}", escape(&problem.to_string()))?;
    }
    let journals = verify_journals::check(&bundle);
    for problem in journals.problems.iter().chain(&sealed.problems) {
        writeln!(stdout, "{problem}")?;
    }
    let root_digest = sealed.root_digest.as_deref().unwrap_or("unavailable");
    let failures = problems.iter().filter(|p| p.is_failure()).count()
        + journals.problems.len()
        + sealed.problems.len();
    if failures > 0 {
        writeln!(stdout, "root digest: {root_digest}")?;
        writeln!(stdout, "FAILED: {failures} problem(s)")?;
        return Ok(ExitCode::from(EXIT_VERIFY_FAILED));
    }
    writeln!(
        stdout,
        "ok: {} artifacts match the manifest",
        bundle.manifest.artifacts.len()
    )?;
    write!(stdout, "{}", journals.summary)?;
    for line in &sealed.lines {
        writeln!(stdout, "seal: {line}")?;
    }
    writeln!(stdout, "root digest: {root_digest}")?;
    if bundle.manifest.collection.state == Some(CollectionState::Collecting) {
        writeln!(
            stdout,
            "incomplete: the collection that writes this bundle has not finished \
             (it is still running, or it was killed)"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<ExitCode> {
    print_bytes(text.as_bytes())
}

/// [`print`] for bytes that need not be UTF-8.
fn print_bytes(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    match io::stdout().lock().write_all(bytes) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.map(|_| ExitCode::SUCCESS).map_err(Into::into),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_of(args: &[&str]) -> anyhow::Result<collect::Scope> {
        let cli = Cli::try_parse_from(["taskscope", "collect", "--out", "x"].iter().chain(args))?;
        match cli.command {
            Command::Collect { scope, .. } => scope.scope(),
            _ => bail!("not collect"),
        }
    }

    #[test]
    fn athena_flags_make_the_source_and_need_a_table() {
        assert_eq!(scope_of(&[]).unwrap().athena, None);
        let scope = scope_of(&["--athena-table", "security.cloudtrail_logs_pp"]).unwrap();
        let athena = scope.athena.expect("an Athena source");
        assert_eq!(
            athena.tables,
            collect::athena::TrailTables::Named(
                collect::athena::sql::TableName::parse("security.cloudtrail_logs_pp").unwrap()
            )
        );
        assert_eq!(
            (athena.workgroup.as_str(), athena.output),
            ("primary", None)
        );
        let scope = scope_of(&[
            "--athena-table",
            "db.t",
            "--athena-workgroup",
            "ir",
            "--athena-output",
            "s3://results/taskscope/",
            "--athena-catalog",
            "org",
        ])
        .unwrap();
        let athena = scope.athena.expect("an Athena source");
        assert_eq!(athena.catalog, "org");
        assert_eq!(athena.output.as_deref(), Some("s3://results/taskscope/"));
        assert!(scope_of(&["--athena-workgroup", "ir"]).is_err(), "no table");
        assert!(scope_of(&["--athena-table", "nodatabase"]).is_err());
        assert!(scope_of(&["--athena-table", "d.t", "--athena-output", "/tmp"]).is_err());
    }

    #[test]
    fn security_lake_shares_the_athena_flags_and_excludes_a_table() {
        let scope = scope_of(&["--security-lake", "--athena-workgroup", "ir"]).unwrap();
        let athena = scope.athena.expect("an Athena source");
        assert_eq!(athena.tables, collect::athena::TrailTables::SecurityLake);
        assert_eq!(athena.workgroup, "ir");
        let both = scope_of(&["--security-lake", "--athena-table", "db.t"]).unwrap_err();
        let both = both.downcast::<clap::Error>().expect("a usage error");
        assert_eq!(both.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}
