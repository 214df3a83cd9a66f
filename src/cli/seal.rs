//! `taskscope seal`, and sealing as part of other commands: `--seal-key` on
//! those that make a bundle (it is sealed once complete), `--sign-key` and
//! `--key` on those that add a line to one (it is sealed again after it).
//! docs/custody.md says what a seal proves.

use crate::bundle::annotations::default_author;
use crate::bundle::manifest::MANIFEST_FILE;
use crate::bundle::seal::signing_key::SigningKey;
use crate::bundle::seal::write::seal;
use crate::config::Config;
use crate::render::sanitize::escape;
use clap::ArgGroup;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `taskscope seal`'s arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(group(ArgGroup::new("signing_key").required(true).args(["key", "agent"])))]
pub struct SealArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// The OpenSSH private key to sign with, as ssh-keygen writes it
    /// (ed25519 recommended; ECDSA P-256 and P-384, and RSA, accepted).
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
    /// Sign with a key held by ssh-agent ($SSH_AUTH_SOCK), for a key
    /// protected by a passphrase.
    #[arg(long)]
    pub agent: bool,
    /// With --agent: the fingerprint (SHA256:...) of the agent's key to
    /// sign with, when it holds several.
    #[arg(long, requires = "agent", value_name = "FINGERPRINT")]
    pub agent_key: Option<String>,
    /// The identity to seal as: the principal the verifier's allowed
    /// signers file lists the key under (default: $TASKSCOPE_AUTHOR, else
    /// $USER@hostname).
    #[arg(long)]
    pub identity: Option<String>,
}

/// Seals `args.bundle` with the key named, replacing any earlier seal.
pub fn run(args: &SealArgs) -> anyhow::Result<ExitCode> {
    let mut key = match &args.key {
        Some(path) => SigningKey::from_file(path),
        None => SigningKey::from_agent(args.agent_key.as_deref()),
    }
    .map_err(|error| anyhow::anyhow!("{}", escape(&error)))?;
    let identity = args.identity.clone().unwrap_or_else(default_author);
    seal_with(&args.bundle, &mut key, &identity)?;
    Ok(ExitCode::SUCCESS)
}

/// Seals `bundle` with the private key file `key`, as the default identity
/// ($TASKSCOPE_AUTHOR, else $USER@hostname).
pub fn seal_with_file(bundle: &Path, key: &Path) -> anyhow::Result<()> {
    let mut key =
        SigningKey::from_file(key).map_err(|error| anyhow::anyhow!("{}", escape(&error)))?;
    seal_with(bundle, &mut key, &default_author())
}

/// Seals `bundle` with `key` as `identity` and says so on stderr.
fn seal_with(bundle: &Path, key: &mut SigningKey, identity: &str) -> anyhow::Result<()> {
    let document = seal(bundle, key, identity, crate::model::time::now())
        .map_err(|error| anyhow::anyhow!("not sealed: {}", escape(&error)))?;
    eprintln!(
        "sealed {}: {} artifact(s), root digest {}, by {} ({})",
        escape(&bundle.display().to_string()),
        document.artifacts,
        document.root_digest,
        escape(&document.signer.identity),
        document.signer.fingerprint
    );
    Ok(())
}

/// `--seal-key`, for the commands that make a bundle: seal it once it is
/// complete.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SealOnCompletion {
    /// Seal the bundle with this OpenSSH private key once it is complete
    /// (default: seal_key in the config file; docs/custody.md).
    #[arg(long, value_name = "PATH")]
    pub seal_key: Option<PathBuf>,
}

impl SealOnCompletion {
    /// Seals the complete bundle at `bundle` with `--seal-key`, else with
    /// the config's `seal_key` (from `config`, or the default config file);
    /// does nothing when neither names a key or the bundle was not made.
    /// A config file that cannot be read is a warning: the bundle is then
    /// left unsealed.
    pub fn seal(&self, bundle: &Path, config: Option<&Path>) -> anyhow::Result<()> {
        let key = match &self.seal_key {
            Some(key) => Some(key.clone()),
            None => match Config::load(config) {
                Ok(loaded) => loaded.config.seal_key,
                Err(error) => {
                    eprintln!(
                        "taskscope: warning: not sealed: the config file, which may name a \
                         seal_key, cannot be read: {}",
                        escape(&error.to_string())
                    );
                    None
                }
            },
        };
        match key {
            Some(key) if bundle.join(MANIFEST_FILE).is_file() => seal_with_file(bundle, &key),
            _ => Ok(()),
        }
    }
}
