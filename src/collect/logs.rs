//! CloudWatch Logs: the tasks' awslogs streams (group and stream prefix from
//! their task definitions, up to 100 streams per FilterLogEvents call), and
//! whole log groups over the window: sidecars such as Falco, and an archive
//! of "ECS Task State Change" events for tasks ECS has forgotten.

use super::aws::{describe_error, region_name};
use super::ecs::EcsSeen;
use super::limits::CONCURRENCY;
use super::pages::all_pages;
use super::scope::Scope;
use super::tracker::Tracker;
use aws_sdk_cloudwatchlogs::Client;
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeMap;

/// Stream names per FilterLogEvents call (the API's maximum).
pub const STREAMS_PER_CALL: usize = 100;

/// Reads the sidecar and archive groups named in the scope over the window.
pub async fn collect_groups(client: &Client, scope: &Scope, tracker: &Tracker) {
    let groups = scope.log_groups.iter().chain(&scope.archive_log_group);
    let reads = groups.map(|group| filter(client, scope, group, None, tracker));
    stream::iter(reads)
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
}

/// Reads the awslogs streams of the tasks ECS described.
pub async fn collect_task_streams(
    client: &Client,
    scope: &Scope,
    seen: &EcsSeen,
    tracker: &Tracker,
) {
    let mut by_group: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for stream in &seen.log_streams {
        by_group
            .entry(&stream.group)
            .or_default()
            .push(stream.stream.clone());
    }
    let reads = by_group.iter().flat_map(|(group, streams)| {
        streams
            .chunks(STREAMS_PER_CALL)
            .map(|batch| filter(client, scope, group, Some(batch.to_vec()), tracker))
    });
    stream::iter(reads)
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
}

/// FilterLogEvents over the window, every page (pages may be empty while
/// more remain).
async fn filter(
    client: &Client,
    scope: &Scope,
    group: &str,
    streams: Option<Vec<String>>,
    tracker: &Tracker,
) {
    let region = region_name(client.config().region());
    let _: Vec<()> = all_pages(tracker, |token| {
        let streams = streams.clone();
        let region = &region;
        async move {
            client
                .filter_log_events()
                .log_group_name(group)
                .set_log_stream_names(streams)
                .start_time(scope.from.timestamp_millis())
                .end_time(scope.to.timestamp_millis())
                .set_next_token(token)
                .send()
                .await
                .map(|out| (Vec::new(), out.next_token().map(str::to_string)))
                .map_err(|e| {
                    format!(
                        "{} (log group {group})",
                        describe_error("logs:FilterLogEvents", region, &e)
                    )
                })
        }
    })
    .await;
}
