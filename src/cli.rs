//! Command-line interface: the headless subcommands, documented in docs/cli.md.

use crate::bundle::{build, verify, Bundle};
use crate::correlate::Incident;
use crate::render::{self, sanitize::escape, Format};
use crate::{demo, import::FileStatus};
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Something failed; the message says what.
pub const EXIT_FAILURE: u8 = 1;
/// Import finished, but some inputs were rejected or only partly read.
pub const EXIT_PARTIAL: u8 = 3;
/// `verify` found missing, altered or unexpected artifacts.
pub const EXIT_VERIFY_FAILED: u8 = 4;

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
        /// Task ID or ARN (either ARN format).
        #[arg(long)]
        task: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Check every artifact of a bundle against its manifest.
    Verify {
        /// The bundle directory.
        bundle: PathBuf,
    },
    /// Show the built-in sample incident (synthetic; no AWS account needed).
    Demo {
        /// Also write the sample incident as a bundle here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a parsed command line and returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Import { paths, out } => import(&paths, &out),
        Command::Tasks { bundle, format } => {
            let (incident, _) = load(&bundle)?;
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
            let task = match task {
                Some(reference) => Some(find_task(&incident, &reference)?),
                None => None,
            };
            let rows = render::timeline::rows(&incident, &bundle.manifest, task);
            print(&render::timeline::render(&rows, format)?)
        }
        Command::Verify { bundle } => verify_bundle(&bundle),
        Command::Demo { out } => demo::run(out.as_deref()),
    }
}

fn import(paths: &[PathBuf], out: &Path) -> anyhow::Result<ExitCode> {
    let inputs = build::read_inputs(paths);
    if inputs.is_empty() {
        bail!("no files found under the given paths");
    }
    let report = build::import_to_bundle(inputs, out)
        .with_context(|| format!("cannot write bundle {}", out.display()))?;
    let mut stderr = io::stderr().lock();
    for input in &report.manifest.inputs {
        let formats = input.formats.join("+");
        let line = match input.status {
            FileStatus::Imported => format!(
                "imported  {} ({formats}, {} records)",
                input.source_path, input.records
            ),
            FileStatus::Partial => format!(
                "PARTIAL   {} ({formats}, {} records)",
                input.source_path, input.records
            ),
            FileStatus::Rejected => format!("REJECTED  {}", input.source_path),
        };
        writeln!(stderr, "{}", escape(&line))?;
        for error in &input.errors {
            writeln!(stderr, "          {}", escape(error))?;
        }
    }
    let collection = &report.manifest.collection;
    writeln!(
        stderr,
        "bundle {}: {} imported, {} partial, {} rejected",
        out.display(),
        collection.files_imported,
        collection.files_partial,
        collection.files_rejected
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
        eprintln!("taskscope: warning: {}", escape(&problem));
    }
    Ok((incident, bundle))
}

fn find_task(incident: &Incident, reference: &str) -> anyhow::Result<usize> {
    incident
        .find_task(reference)
        .with_context(|| format!("no task {} in this bundle", escape(reference)))
}

fn verify_bundle(path: &Path) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(path)?;
    let problems = verify::verify(&bundle);
    let mut stdout = io::stdout().lock();
    if problems.is_empty() {
        writeln!(
            stdout,
            "ok: {} artifacts match the manifest",
            bundle.manifest.artifacts.len()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        writeln!(stdout, "{}", escape(&problem.to_string()))?;
    }
    writeln!(stdout, "FAILED: {} problem(s)", problems.len())?;
    Ok(ExitCode::from(EXIT_VERIFY_FAILED))
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<ExitCode> {
    match io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.map(|_| ExitCode::SUCCESS).map_err(Into::into),
    }
}
