//! `taskscope verify`: every artifact against the manifest, and the hash
//! chains of the annotation, audit and custody logs.

use super::{verify_journals, EXIT_VERIFY_FAILED};
use crate::bundle::manifest::CollectionState;
use crate::bundle::{verify, Bundle};
use crate::render::sanitize::escape;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope verify`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
}

/// Prints each problem and a verdict; exit status 4 on any failure.
pub fn run(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&args.bundle)?;
    let problems = verify::verify(&bundle);
    let mut stdout = io::stdout().lock();
    for problem in &problems {
        writeln!(stdout, "{}", escape(&problem.to_string()))?;
    }
    let journals = verify_journals::check(&bundle);
    for problem in &journals.problems {
        writeln!(stdout, "{problem}")?;
    }
    let failures = problems.iter().filter(|p| p.is_failure()).count() + journals.problems.len();
    if failures > 0 {
        writeln!(stdout, "FAILED: {failures} problem(s)")?;
        return Ok(ExitCode::from(EXIT_VERIFY_FAILED));
    }
    writeln!(
        stdout,
        "ok: {} artifacts match the manifest",
        bundle.manifest.artifacts.len()
    )?;
    write!(stdout, "{}", journals.summary)?;
    if bundle.manifest.collection.state == Some(CollectionState::Collecting) {
        writeln!(
            stdout,
            "incomplete: the collection that writes this bundle has not finished \
             (it is still running, or it was killed)"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
