//! CloudTrail through Athena (`--athena-table`, docs/athena.md): instead of LookupEvents,
//! a few queries over the organization trail's table find the sessions of
//! each task's role and the ECS calls that name the tasks, their services
//! or their task definitions, over the scope's window ([`sql`]), in the
//! partitions of that window, region and accounts as the table's layout
//! says ([`table`]). Each runs
//! to its end ([`runner`]); its result pages are stored raw by the client's
//! recorder and imported as the CloudTrail records they hold
//! (`import::athena`). The bytes scanned and the estimated cost are noted
//! in the summary and the manifest. A stopped collection stops the queries
//! still running ([`AthenaClients::stop_running`]).

pub mod ddl;
pub mod lake;
pub mod runner;
pub mod sql;
pub mod table;

use super::ecs::EcsSeen;
use super::recorder::Recorder;
use super::scope::Scope;
use super::task_ref::TaskRef;
use super::tracker::Tracker;
use crate::trail_tables::{AthenaSource, TableName, TrailTables};
use aws_config::SdkConfig;
use runner::{human_bytes, Outcome};
use sql::Schema;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Athena's listed price, in US dollars per terabyte scanned.
pub const DOLLARS_PER_TB: f64 = 5.0;
/// The least a query is billed for: 10 MB, whatever it scanned.
pub const MIN_BILLED_BYTES: u64 = 10_000_000;
/// How long stopping the running queries may take when a collection stops.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Queries running now, by ID, so that a stopped collection can stop them.
#[derive(Debug, Default, Clone)]
pub struct RunningQueries(Arc<Mutex<BTreeSet<String>>>);

impl RunningQueries {
    /// Notes a query that started.
    pub fn add(&self, id: &str) {
        if let Ok(mut ids) = self.0.lock() {
            ids.insert(id.to_string());
        }
    }

    /// Notes a query that ended.
    pub fn remove(&self, id: &str) {
        if let Ok(mut ids) = self.0.lock() {
            ids.remove(id);
        }
    }

    /// The queries still running, forgotten here.
    fn take(&self) -> BTreeSet<String> {
        self.0
            .lock()
            .map(|mut ids| std::mem::take(&mut *ids))
            .unwrap_or_default()
    }
}

/// The Athena clients of one region.
pub struct AthenaClients {
    /// Every query's calls, stored raw by the recorder.
    recorded: aws_sdk_athena::Client,
    /// StopQueryExecution and GetTableMetadata, without the recorder: their
    /// answers hold no evidence.
    control: aws_sdk_athena::Client,
    /// Glue GetTable (the table's partition layout), without the recorder
    /// for the same reason.
    glue: aws_sdk_glue::Client,
    running: RunningQueries,
}

impl AthenaClients {
    /// The clients for `config`, the recorded one with `recorder`.
    pub fn new(config: &SdkConfig, recorder: Recorder) -> AthenaClients {
        AthenaClients {
            recorded: aws_sdk_athena::Client::from_conf(
                aws_sdk_athena::config::Builder::from(config)
                    .interceptor(recorder)
                    .build(),
            ),
            control: aws_sdk_athena::Client::new(config),
            glue: aws_sdk_glue::Client::new(config),
            running: RunningQueries::default(),
        }
    }

    /// The definition of `table` in `catalog` ([`table::read_definition`]).
    async fn definition(
        &self,
        catalog: &str,
        table: &TableName,
    ) -> Result<table::TableDefinition, String> {
        table::read_definition(
            &self.glue,
            &self.control,
            catalog,
            &table.database,
            &table.table,
        )
        .await
    }

    /// Stops the queries still running (a collection that was stopped),
    /// noting each on the tracker; gives up after [`STOP_TIMEOUT`].
    pub async fn stop_running(&self, tracker: &Tracker) {
        let stops = self.running.take().into_iter().map(|id| async move {
            match self
                .control
                .stop_query_execution()
                .query_execution_id(&id)
                .send()
                .await
            {
                Ok(_) => tracker.noted(format!(
                    "athena query {id} stopped (StopQueryExecution) when the collection stopped"
                )),
                Err(error) => tracker.failed(format!(
                    "athena query {id} may still be running: {}",
                    crate::collect::aws::describe_error(
                        "athena:StopQueryExecution",
                        &tracker.region,
                        &error
                    )
                )),
            }
        });
        let all = futures_util::future::join_all(stops);
        if tokio::time::timeout(STOP_TIMEOUT, all).await.is_err() {
            tracker.failed("stopping the running Athena queries timed out".into());
        }
    }
}

/// One table to query: its name, how its columns are named, and the
/// predicate that prunes its partitions to the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queried {
    /// The table.
    pub table: TableName,
    /// Its columns: the CloudTrail table's or an OCSF table's.
    pub schema: Schema,
    /// The predicate on its partitions.
    pub partition: String,
}

/// The predicate that prunes a table of `layout` to the scope's window,
/// this region and `accounts`. `None` (a failure noted on `tracker`) when
/// a region or account cannot be put into SQL.
pub fn prune(
    layout: &table::Layout,
    scope: &Scope,
    accounts: &BTreeSet<String>,
    tracker: &Tracker,
) -> Option<String> {
    let regions = [tracker.region.clone()];
    let accounts: Vec<String> = accounts.iter().cloned().collect();
    match table::partition_predicate(layout, scope.from, scope.to, &regions, &accounts) {
        Ok(predicate) => Some(predicate),
        Err(refused) => {
            tracker.failed(format!(
                "athena: no query run: a region or account holds a control character ({})",
                crate::render::sanitize::escape(&refused.0)
            ));
            None
        }
    }
}

/// The trail's own `table`, pruned as its layout in the catalog says
/// ([`table::layout_or_documented`]); what the layout reader has to say (a
/// fallback, nothing to prune by) is noted on `tracker`.
async fn trail_table(
    clients: &AthenaClients,
    source: &AthenaSource,
    table: &TableName,
    scope: &Scope,
    accounts: &BTreeSet<String>,
    tracker: &Tracker,
) -> Vec<Queried> {
    let definition = clients.definition(&source.catalog, table).await;
    let (layout, note) = table::layout_or_documented(definition, &source.qualified(table));
    if let Some(note) = note {
        tracker.noted(format!("athena: {note}"));
    }
    prune(&layout, scope, accounts, tracker)
        .map(|partition| Queried {
            table: table.clone(),
            schema: Schema::CloudTrail,
            partition,
        })
        .into_iter()
        .collect()
}

/// Queries CloudTrail for the tasks in `tasks` and the services and task
/// definitions ECS collection saw, in the partitions of this region and
/// `accounts`: from the trail's table, or from Security Lake's tables of
/// this region ([`lake`]), one query after the other. The first query that
/// fails ends the source (the others would fail the same way).
pub async fn collect(
    clients: &AthenaClients,
    source: &AthenaSource,
    scope: &Scope,
    accounts: &BTreeSet<String>,
    tasks: &BTreeSet<TaskRef>,
    ecs_seen: &EcsSeen,
    tracker: &Tracker,
) {
    let tables = match &source.tables {
        TrailTables::Named(table) => {
            trail_table(clients, source, table, scope, accounts, tracker).await
        }
        TrailTables::SecurityLake => lake::tables(clients, source, scope, accounts, tracker).await,
    };
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    let needles = sql::ecs_needles(
        ids.iter().map(String::as_str),
        ecs_seen.services.iter().map(String::as_str),
        ecs_seen.definitions.iter().map(String::as_str),
    );
    let mut queries = Vec::new();
    let mut refused = BTreeSet::new();
    for queried in &tables {
        let batches = sql::queries(
            &queried.schema,
            &queried.table,
            &queried.partition,
            &scope.from,
            &scope.to,
            &ids,
            &needles,
        );
        refused.extend(batches.refused.into_iter().map(|r| r.0));
        queries.extend(batches.queries);
    }
    if !refused.is_empty() {
        tracker.failed(format!(
            "{} names with control characters were left out of the Athena queries",
            refused.len()
        ));
    }
    let total = queries.len();
    if total == 0 && !tables.is_empty() {
        tracker
            .noted("athena: no task, service or task definition to look for: no query run".into());
    }
    let mut outcomes = Vec::new();
    for (n, query) in queries.iter().enumerate() {
        match runner::run(&clients.recorded, source, query, &clients.running, tracker).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(line) => {
                tracker.failed(line);
                if n + 1 < total {
                    tracker.failed(format!(
                        "{} more Athena queries were not run after that failure",
                        total - n - 1
                    ));
                }
                break;
            }
        }
    }
    if !outcomes.is_empty() {
        tracker.noted(cost_line(&outcomes));
    }
    tracker.show(String::new());
}

/// The estimated cost of queries, in US dollars: each billed for what it
/// scanned, at least [`MIN_BILLED_BYTES`], at [`DOLLARS_PER_TB`].
pub fn estimated_cost(outcomes: &[Outcome]) -> f64 {
    let billed: u64 = outcomes
        .iter()
        .map(|o| o.scanned.max(MIN_BILLED_BYTES))
        .sum();
    billed as f64 / 1e12 * DOLLARS_PER_TB
}

/// The line the summary and the manifest show: queries, rows, bytes
/// scanned and the estimated cost.
pub fn cost_line(outcomes: &[Outcome]) -> String {
    let rows: u64 = outcomes.iter().map(|o| o.rows).sum();
    let scanned: u64 = outcomes.iter().map(|o| o.scanned).sum();
    format!(
        "athena: {} queries, {rows} rows, {} scanned ({scanned} bytes), estimated cost ${:.6} \
         (${DOLLARS_PER_TB} per TB, at least 10 MB a query)",
        outcomes.len(),
        human_bytes(scanned),
        estimated_cost(outcomes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_counts_every_query_at_least_ten_megabytes() {
        let small = Outcome {
            rows: 3,
            scanned: 1_000,
        };
        let large = Outcome {
            rows: 40,
            scanned: 2_000_000_000_000,
        };
        assert_eq!(estimated_cost(&[small]), 0.00005);
        assert_eq!(estimated_cost(&[large]), 10.0);
        let line = cost_line(&[small, large]);
        assert!(line.starts_with("athena: 2 queries, 43 rows, 2.0 TB scanned (2000000001000 bytes), estimated cost $10.000050 ($5 per TB, at least 10 MB a query)"), "{line}");
    }

    #[test]
    fn a_source_written_into_a_plan_reads_back_checked() {
        let source = AthenaSource {
            tables: TrailTables::Named(TableName::parse("security.trail").unwrap()),
            workgroup: "primary".into(),
            output: None,
            catalog: "AwsDataCatalog".into(),
        };
        let value = serde_json::to_value(&source).unwrap();
        assert_eq!(value["table"], "security.trail");
        let back: AthenaSource = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(back, source);
        let mut bad = value;
        bad["table"] = "security.trail\"; DROP".into();
        assert!(serde_json::from_value::<AthenaSource>(bad.clone()).is_err());
        bad["table"] = TrailTables::SECURITY_LAKE.into();
        let lake: AthenaSource = serde_json::from_value(bad).unwrap();
        assert_eq!(lake.tables, TrailTables::SecurityLake);
        assert_eq!(
            serde_json::to_value(&lake).unwrap()["table"],
            "security-lake"
        );
    }

    #[test]
    fn running_queries_are_taken_once() {
        let running = RunningQueries::default();
        running.add("a");
        running.add("b");
        running.remove("a");
        assert_eq!(running.take(), BTreeSet::from(["b".to_string()]));
        assert!(running.take().is_empty());
    }
}
