//! CloudTrail LookupEvents: each task's role-session calls (Username = the
//! task ID), and the ECS API calls of the window (ExecuteCommand,
//! UpdateService, RunTask, StopTask...). LookupEvents allows two requests per
//! second per account and region, so every page waits for a token.

use super::aws::{describe_error, region_name};
use super::pages::all_pages;
use super::rate::TokenBucket;
use super::scope::Scope;
use super::task_ref::TaskRef;
use super::tracker::Tracker;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_sdk_cloudtrail::Client;
use aws_smithy_types::DateTime;
use std::collections::BTreeSet;

/// LookupEvents requests per second per account and region (the API's limit).
pub const LOOKUPS_PER_SECOND: f64 = 2.0;
/// Events per page (the API's maximum).
pub const EVENTS_PER_PAGE: i32 = 50;

/// Looks up the events of every task, then ECS's own events, in the window.
pub async fn collect(client: &Client, scope: &Scope, tasks: &BTreeSet<TaskRef>, tracker: &Tracker) {
    let region = region_name(client.config().region());
    let bucket = TokenBucket::new(LOOKUPS_PER_SECOND, LOOKUPS_PER_SECOND);
    let mut lookups: Vec<(LookupAttributeKey, String)> = tasks
        .iter()
        .map(|task| (LookupAttributeKey::Username, task.id.clone()))
        .collect();
    let mut unique = BTreeSet::new();
    lookups.retain(|(_, value)| unique.insert(value.clone()));
    lookups.push((LookupAttributeKey::EventSource, "ecs.amazonaws.com".into()));
    let from = DateTime::from_millis(scope.from.timestamp_millis());
    let to = DateTime::from_millis(scope.to.timestamp_millis());
    for (key, value) in lookups {
        let attribute = match LookupAttribute::builder()
            .attribute_key(key)
            .attribute_value(&value)
            .build()
        {
            Ok(attribute) => attribute,
            Err(error) => {
                tracker.failed(format!("cloudtrail:LookupEvents for {value}: {error}"));
                continue;
            }
        };
        let _: Vec<()> = all_pages(tracker, |token| {
            let attribute = attribute.clone();
            let (bucket, region) = (&bucket, &region);
            async move {
                bucket.take().await;
                client
                    .lookup_events()
                    .lookup_attributes(attribute)
                    .start_time(from)
                    .end_time(to)
                    .max_results(EVENTS_PER_PAGE)
                    .set_next_token(token)
                    .send()
                    .await
                    .map(|out| (Vec::new(), out.next_token().map(str::to_string)))
                    .map_err(|e| describe_error("cloudtrail:LookupEvents", region, &e))
            }
        })
        .await;
    }
}
