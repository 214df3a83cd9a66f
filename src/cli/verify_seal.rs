//! `taskscope verify`'s seal options and report: the seal's signer and
//! sealed entries checked, and the bundle's root digest.

use crate::bundle::seal::allowed_signers::AllowedSigners;
use crate::bundle::seal::check::{check, Expectations, SealReport};
use crate::bundle::Bundle;
use crate::render::sanitize::escape;
use std::path::PathBuf;

/// `verify`'s seal options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VerifySealArgs {
    /// An OpenSSH allowed signers file (ssh-keygen(1)): the seal must be
    /// signed by a key it lists for the seal's identity, and a bundle
    /// without a seal fails.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// The root digest the bundle must have (sha256:HEX, as verify and
    /// seal print it), from a record kept outside the bundle.
    #[arg(long, value_name = "DIGEST")]
    pub expect: Option<String>,
}

/// Checks the seal of `bundle` as `args` ask; every string escaped.
pub fn report(bundle: &Bundle, args: &VerifySealArgs) -> anyhow::Result<SealReport> {
    let allowed = args
        .allowed_signers
        .as_deref()
        .map(AllowedSigners::load)
        .transpose()
        .map_err(|error| anyhow::anyhow!("{}", escape(&error)))?;
    let expect = Expectations {
        allowed: allowed.as_ref(),
        root_digest: args.expect.as_deref(),
    };
    let mut report = check(bundle, &expect);
    for text in report.lines.iter_mut().chain(report.problems.iter_mut()) {
        *text = escape(text).into_owned();
    }
    Ok(report)
}
