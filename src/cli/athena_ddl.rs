//! `taskscope athena-ddl`: the Athena table over a trail's logs in S3.

use crate::collect::athena::ddl::TrailTable;
use crate::output::print;
use crate::render::sanitize::escape;
use std::process::ExitCode;

/// `taskscope athena-ddl`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct AthenaDdlArgs {
    /// The S3 bucket the trail delivers to.
    #[arg(long)]
    pub bucket: String,
    /// The trail's S3 key prefix, if it has one.
    #[arg(long)]
    pub prefix: Option<String>,
    /// The organization ID, for an organization trail (o-...).
    #[arg(long)]
    pub org_id: Option<String>,
    /// The table name (default: cloudtrail_logs).
    #[arg(long)]
    pub table: Option<String>,
}

/// Prints the CREATE EXTERNAL TABLE statement.
pub fn run(args: &AthenaDdlArgs) -> anyhow::Result<ExitCode> {
    let trail = TrailTable::new(
        &args.bucket,
        args.prefix.as_deref(),
        args.org_id.as_deref(),
        args.table.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let statement = trail.create_statement().map_err(|refused| {
        anyhow::anyhow!(
            "a table property holds a control character: {}",
            escape(&refused.0)
        )
    })?;
    print(&statement)
}
