//! Running one query: StartQueryExecution, GetQueryExecution polled with
//! backoff until the query ends, then every page of GetQueryResults (each
//! stored raw by the client's recorder). The query's state, rows and bytes
//! scanned show on the source's progress line; a query that fails says the
//! table, its ID and Athena's reason.

use super::sql::Query;
use super::RunningQueries;
use crate::collect::aws::{describe_error, region_name};
use crate::collect::failure::Failure;
use crate::collect::pages::all_pages;
use crate::collect::tracker::Tracker;
use crate::trail_tables::AthenaSource;
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use aws_sdk_athena::Client;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Rows per GetQueryResults page (the API's maximum).
pub const ROWS_PER_PAGE: i32 = 1_000;
/// The first wait between two polls of a query's state; it doubles up to
/// [`MAX_POLL_INTERVAL`].
pub const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// The longest wait between two polls.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// How long a query may run before it is stopped (Athena's own default
/// limit for DML queries is 30 minutes).
pub const MAX_QUERY_TIME: Duration = Duration::from_secs(30 * 60);

/// What a finished query yielded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Result rows read, without the header row.
    pub rows: u64,
    /// Bytes the query scanned.
    pub scanned: u64,
}

/// Runs `query` to its end and reads its results. `Err` is the line that
/// says why it failed; the query's ID is in `running` while it runs.
pub async fn run(
    client: &Client,
    source: &AthenaSource,
    query: &Query,
    running: &RunningQueries,
    tracker: &Tracker,
) -> Result<Outcome, String> {
    let region = region_name(client.config().region());
    let table = source.qualified(&query.table);
    let context = QueryExecutionContext::builder()
        .catalog(&source.catalog)
        .database(&query.table.database)
        .build();
    let output = source
        .output
        .as_ref()
        .map(|o| ResultConfiguration::builder().output_location(o).build());
    let started = client
        .start_query_execution()
        .query_string(&query.sql)
        .work_group(&source.workgroup)
        .query_execution_context(context)
        .set_result_configuration(output)
        .send()
        .await
        .map_err(|e| {
            format!(
                "{table}: {}",
                describe_error("athena:StartQueryExecution", &region, &e)
            )
        })?;
    tracker.succeeded();
    let id = started.query_execution_id().unwrap_or_default().to_string();
    if id.is_empty() {
        return Err(format!("{table}: Athena started a query without an ID"));
    }
    running.add(&id);
    let ended = wait(client, source, query, &id, tracker, &region).await;
    running.remove(&id);
    let scanned = ended?;
    let rows = AtomicU64::new(0);
    let show_rows = |rows: u64| {
        tracker.show(format!(
            "{}: SUCCEEDED, {} rows, {} scanned",
            query.label,
            rows,
            human_bytes(scanned)
        ))
    };
    let _: Vec<()> = all_pages(tracker, |token| {
        let (rows, id, region, table) = (&rows, &id, &region, &table);
        async move {
            let page = client
                .get_query_results()
                .query_execution_id(id)
                .max_results(ROWS_PER_PAGE)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| {
                    Failure::from(format!(
                        "{table}: query {id}: {}",
                        describe_error("athena:GetQueryResults", region, &e)
                    ))
                })?;
            let count = page.result_set().map_or(0, |r| r.rows().len()) as u64;
            let total = rows.fetch_add(count, Ordering::Relaxed) + count;
            show_rows(total.saturating_sub(1));
            Ok::<_, Failure>((Vec::new(), page.next_token().map(str::to_string)))
        }
    })
    .await;
    Ok(Outcome {
        // The first page's first row is the header.
        rows: rows.into_inner().saturating_sub(1),
        scanned,
    })
}

/// Polls the query until it ends; returns the bytes it scanned.
async fn wait(
    client: &Client,
    source: &AthenaSource,
    query: &Query,
    id: &str,
    tracker: &Tracker,
    region: &str,
) -> Result<u64, String> {
    let table = source.qualified(&query.table);
    let deadline = tokio::time::Instant::now() + MAX_QUERY_TIME;
    let mut interval = FIRST_POLL_INTERVAL;
    loop {
        let execution = client
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "{table}: query {id}: {}",
                    describe_error("athena:GetQueryExecution", region, &e)
                )
            })?;
        tracker.succeeded();
        let execution = execution.query_execution();
        let status = execution.and_then(|e| e.status());
        let scanned = execution
            .and_then(|e| e.statistics())
            .and_then(|s| s.data_scanned_in_bytes())
            .map_or(0, |b| b.max(0) as u64);
        let state = status.and_then(|s| s.state());
        let state_name = state.map_or("UNKNOWN", |s| s.as_str());
        tracker.show(format!(
            "{}: {state_name}, {} scanned",
            query.label,
            human_bytes(scanned)
        ));
        match state {
            Some(QueryExecutionState::Succeeded) => return Ok(scanned),
            Some(QueryExecutionState::Failed) | Some(QueryExecutionState::Cancelled) => {
                let reason = status
                    .and_then(|s| s.state_change_reason())
                    .unwrap_or("Athena gave no reason");
                return Err(format!(
                    "athena query {id} on {table} ({}) {state_name}: {reason}",
                    query.label
                ));
            }
            _ => {}
        }
        if tokio::time::Instant::now() >= deadline {
            let _ = client
                .stop_query_execution()
                .query_execution_id(id)
                .send()
                .await;
            return Err(format!(
                "athena query {id} on {table} ({}) still ran after {} minutes: stopped",
                query.label,
                MAX_QUERY_TIME.as_secs() / 60
            ));
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 2).min(MAX_POLL_INTERVAL);
    }
}

/// Bytes in the largest unit that keeps a number of at least 1: `1.5 GB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_shown_in_decimal_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
        assert_eq!(human_bytes(2_000_000_000_000_000), "2000.0 TB");
    }
}
