//! Container logs as `aws logs filter-log-events` output: pages of up to
//! 10,000 events (the API's page size) from awslogs streams
//! `ecs/app/<task-id>`, plain text lines (access logs and application
//! messages) from tasks alive at the time.

use super::output::Output;
use super::plan::{time, Plan, TaskPlan};
use super::Rng;
use crate::model::Source;
use serde::Serialize;
use std::collections::BTreeSet;

/// Events per page.
const EVENTS_PER_FILE: u64 = 10_000;

const PATHS: [&str; 6] = [
    "/v1/checkout",
    "/v1/orders",
    "/v1/catalog/items",
    "/v1/payments/authorize",
    "/healthz",
    "/v1/receipts/preview",
];

const MESSAGES: [&str; 5] = [
    "INFO  request completed",
    "INFO  cache refreshed",
    "WARN  upstream slow, retrying",
    "ERROR database timeout after 5000ms",
    "INFO  worker heartbeat",
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogEvent {
    log_stream_name: String,
    timestamp: i64,
    message: String,
    ingestion_time: i64,
    event_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchedStream {
    log_stream_name: String,
    searched_completely: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    events: Vec<LogEvent>,
    searched_log_streams: Vec<SearchedStream>,
}

fn message(task: &TaskPlan, rng: &mut Rng, ms: i64) -> String {
    let when = time(ms);
    if rng.below(2) == 0 {
        let status = [200, 200, 200, 201, 304, 404, 500][rng.below(7) as usize];
        format!(
            "10.0.{}.{} - - [{}] \"{} {} HTTP/1.1\" {status} {} \"-\" \"okhttp/4.12.0\" rt=0.{:03}",
            rng.below(8),
            rng.below(250) + 2,
            when.format("%d/%b/%Y:%H:%M:%S +0000"),
            if rng.below(3) == 0 { "POST" } else { "GET" },
            rng.pick(&PATHS),
            rng.below(4_000),
            rng.below(1_000)
        )
    } else {
        format!(
            "{} {} {} pid=1",
            when.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            rng.pick(&MESSAGES),
            task.service_name()
        )
    }
}

/// Writes `cloudwatch-logs/filter-log-events-NNNN.json`, in time order.
pub(super) fn write(plan: &Plan, out: &mut Output) -> anyhow::Result<()> {
    let total = plan.counts.logs;
    let mut rng = Rng::stream(plan.seed, 4);
    let mut index = 0;
    while index < total {
        let count = EVENTS_PER_FILE.min(total - index);
        let mut events = Vec::with_capacity(count as usize);
        let mut streams = BTreeSet::new();
        for i in index..index + count {
            let ms = Plan::spread(i, total, 1, &mut rng);
            let task = plan.task_alive_at(&mut rng, ms);
            let stream = format!("ecs/app/{}", task.id);
            streams.insert(stream.clone());
            events.push(LogEvent {
                log_stream_name: stream,
                timestamp: ms,
                message: message(task, &mut rng, ms),
                ingestion_time: ms + 300 + rng.below(500) as i64,
                // 56 digits, unique: the event's index is the last part.
                event_id: format!("{:020}{:020}{i:016}", ms, rng.below(u64::MAX / 10)),
            });
        }
        let page = Page {
            events,
            searched_log_streams: streams
                .into_iter()
                .map(|name| SearchedStream {
                    log_stream_name: name,
                    searched_completely: true,
                })
                .collect(),
        };
        let text = serde_json::to_vec_pretty(&page)?;
        let name = format!(
            "cloudwatch-logs/filter-log-events-{:04}.json",
            index / EVENTS_PER_FILE
        );
        out.write(&name, &text, Source::Logs, count)?;
        index += count;
    }
    Ok(())
}
