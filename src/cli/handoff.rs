//! `taskscope handoff`: records in the bundle's custody log that the bundle
//! passes from the current user to someone else.

use crate::bundle::annotations::default_author;
use crate::bundle::annotations::hostname;
use crate::bundle::custody::{self, Transfer, CUSTODY_FILE};
use crate::bundle::journal_head;
use crate::bundle::Bundle;
use crate::model::time::format_time;
use crate::render::sanitize::escape;
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope handoff`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct HandoffArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Who receives the bundle (a name, an e-mail address).
    #[arg(long)]
    pub to: String,
    /// Why, or what was agreed.
    #[arg(long)]
    pub note: Option<String>,
    /// Seal the bundle again with this OpenSSH private key after the
    /// handoff, so that the seal covers it (docs/custody.md).
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
}

/// Appends a handoff from the current user ($TASKSCOPE_AUTHOR, else
/// $USER@hostname) to `--to`, made now on this machine, and prints the
/// custody log's new length and head; with `--key`, seals the bundle again.
pub fn run(args: &HandoffArgs) -> anyhow::Result<ExitCode> {
    let transfer = Transfer {
        from: default_author(),
        to: args.to.clone(),
        host: hostname().unwrap_or_else(|| "unknown".to_string()),
        note: args.note.clone(),
    };
    let time = format_time(&crate::model::time::now());
    custody::append(&args.bundle, &transfer, &time)?;
    let shown = format!(
        "handed over {}: {} -> {}",
        escape(&args.bundle.display().to_string()),
        escape(&transfer.from),
        escape(&transfer.to)
    );
    match journal_head::head(&Bundle::open(&args.bundle)?, CUSTODY_FILE) {
        Ok(head) => eprintln!(
            "{shown} (custody record {}, chain head {})",
            head.lines, head.hash
        ),
        Err(error) => eprintln!(
            "{shown}\ntaskscope: warning: {}; run taskscope verify",
            escape(&error.to_string())
        ),
    }
    if let Some(key) = &args.key {
        super::seal::seal_with_file(&args.bundle, key)?;
    }
    Ok(ExitCode::SUCCESS)
}
