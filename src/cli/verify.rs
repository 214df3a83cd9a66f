//! `taskscope verify`: every artifact against the manifest, the hash
//! chains of the annotation, audit and custody logs, and the seal.

use super::{verify_journals, verify_seal, EXIT_VERIFY_FAILED};
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
    #[command(flatten)]
    pub seal: verify_seal::VerifySealArgs,
}

/// Prints each problem, a verdict and the bundle's root digest; exit status
/// 4 on any failure.
pub fn run(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let bundle = Bundle::open(&args.bundle)?;
    let problems = verify::verify(&bundle);
    let sealed = verify_seal::report(&bundle, &args.seal)?;
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
