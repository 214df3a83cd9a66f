//! `taskscope import`: evidence files into a new bundle.

use super::seal::SealOnCompletion;
use super::{import_output, EXIT_PARTIAL};
use crate::bundle::build;
use crate::output::UsageError;
use crate::render::sanitize::escape;
use anyhow::{bail, Context};
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope import`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Files or directories to import.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The bundle directory to create (must not exist).
    #[arg(long)]
    pub out: PathBuf,
    /// Print one line per file, and name the files that held no evidence.
    #[arg(long)]
    pub verbose: bool,
    #[command(flatten)]
    pub seal: SealOnCompletion,
}

/// Imports every file found under the paths, then seals the bundle when
/// asked; exit status 3 when an input was rejected or only partly read.
/// Nothing is written when no input can be read.
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let code = import(args)?;
    args.seal.seal(&args.out, None)?;
    Ok(code)
}

fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let (paths, out) = (&args.paths, &args.out);
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
        args.verbose,
    )?;
    Ok(if report.is_partial() {
        ExitCode::from(EXIT_PARTIAL)
    } else {
        ExitCode::SUCCESS
    })
}
