//! What `collect` and `live` gather, over which window, and CloudTrail
//! through Athena or Security Lake.

use crate::collect;
use crate::render::sanitize::escape;
use crate::trail_tables::{AthenaSource, TableName, TrailTables};
use anyhow::{bail, Context};

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
    pub fn source(&self) -> anyhow::Result<Option<AthenaSource>> {
        let tables = match (&self.athena_table, self.security_lake) {
            (Some(table), _) => {
                TrailTables::Named(TableName::parse(table).map_err(anyhow::Error::msg)?)
            }
            (None, true) => TrailTables::SecurityLake,
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
        Ok(Some(AthenaSource {
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
                let now = crate::model::time::now();
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn scope_of(args: &[&str]) -> anyhow::Result<collect::Scope> {
        let cli = Cli::try_parse_from(["taskscope", "collect", "--out", "x"].iter().chain(args))?;
        match cli.command {
            Command::Collect(collect) => collect.scope.scope(),
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
            TrailTables::Named(TableName::parse("security.cloudtrail_logs_pp").unwrap())
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
        assert_eq!(athena.tables, TrailTables::SecurityLake);
        assert_eq!(athena.workgroup, "ir");
        let both = scope_of(&["--security-lake", "--athena-table", "db.t"]).unwrap_err();
        let both = both.downcast::<clap::Error>().expect("a usage error");
        assert_eq!(both.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}
