//! The built-in sample incident (src/demo/incident, documented in its README)
//! must correlate exactly as its "Expected correlation" table says: every
//! event on the right tasks, once, with the strongest link reason.

use std::collections::BTreeMap;
use taskscope::bundle::build::import_in_memory;
use taskscope::bundle::manifest::Manifest;
use taskscope::correlate::Incident;
use taskscope::demo;
use taskscope::model::Event;

const T0: &str = "c41b7a9e2d5f4e80b3a6c9d1e7f20b58";
const T1: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
const T2: &str = "8d2e6f1a0b9c47d3a5e2f8c1b6d4a790";
const T3: &str = "e25a7c0f9b3d4e61a8c2f0d7b5e9a134";
const T9: &str = "7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e";

fn sample() -> (Manifest, Incident) {
    import_in_memory(demo::inputs())
}

/// The event holding the raw record `file#locator` (as primary or as a copy).
fn event_at<'a>(
    manifest: &Manifest,
    incident: &'a Incident,
    file: &str,
    locator: &str,
) -> &'a Event {
    let matches: Vec<&Event> = incident
        .events
        .iter()
        .filter(|event| {
            event.raw.iter().any(|raw| {
                manifest.artifacts[raw.artifact].path.ends_with(file) && raw.locator == locator
            })
        })
        .collect();
    assert_eq!(
        matches.len(),
        1,
        "{file}#{locator}: expected exactly one event"
    );
    matches[0]
}

/// Task ID → link reason of an event.
fn links(incident: &Incident, event: &Event) -> BTreeMap<String, &'static str> {
    event
        .links
        .iter()
        .map(|link| (incident.tasks[link.task].id.clone(), link.reason.name()))
        .collect()
}

fn expect(pairs: &[(&str, &'static str)]) -> BTreeMap<String, &'static str> {
    pairs.iter().map(|(t, r)| (t.to_string(), *r)).collect()
}

/// A raw record (file, locator) and the (task, reason) links its event must have.
type Expectation = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn every_record_lands_on_the_expected_tasks_with_its_reason() {
    let (manifest, incident) = sample();
    let table: &[Expectation] = &[
        (
            "ecs_describe_task_definition_41.json",
            "/taskDefinition",
            &[(T1, "task-definition"), (T2, "task-definition")],
        ),
        (
            "ecs_describe_task_definition_40.json",
            "/taskDefinition",
            &[(T0, "task-definition")],
        ),
        (
            "ecs_describe_services.json",
            "/services/0/deployments/0",
            &[(T1, "deployment"), (T2, "deployment")],
        ),
        ("ecs_describe_services.json", "/services/0/events/0", &[]),
        (
            "ecs_describe_services.json",
            "/services/0/events/1",
            &[(T3, "task-id")],
        ),
        (
            "ecs_describe_services.json",
            "/services/0/events/3",
            &[(T1, "deployment"), (T2, "deployment")],
        ),
        (
            "ecs_describe_services.json",
            "/services/0/events/5",
            &[(T1, "task-id"), (T2, "task-id")],
        ),
        (
            "ecs_describe_services.json",
            "/services/0/events/6",
            &[(T0, "task-id")],
        ),
        (
            "guardduty_get_findings.json",
            "/Findings/0",
            &[(T1, "task-arn")],
        ),
        (
            "guardduty_get_findings.json",
            "/Findings/1",
            &[(T1, "task-arn")],
        ),
        (
            "guardduty_eventbridge.jsonl",
            "L2/detail",
            &[(T2, "task-arn")],
        ),
        (
            "guardduty_eventbridge.jsonl",
            "L3/detail",
            &[(T1, "task-arn"), (T2, "task-arn")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/0",
            &[(T0, "ip-in-lifetime")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/1",
            &[(T1, "task-definition"), (T2, "task-definition")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/2",
            &[(T1, "deployment"), (T2, "deployment")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/3",
            &[(T1, "role-session")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/4",
            &[(T9, "task-arn")],
        ),
        ("cloudtrail_s3_delivery.json", "/Records/5", &[]),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/6",
            &[(T1, "task-arn")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/7",
            &[(T1, "role-session")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/9",
            &[(T1, "role-session")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/10",
            &[(T1, "role-session")],
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/11",
            &[(T1, "ip-in-lifetime")],
        ),
        ("cloudtrail_s3_delivery.json", "/Records/12", &[]),
        ("cloudtrail_s3_delivery.json", "/Records/13", &[(T1, "eni")]),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/14",
            &[(T1, "task-arn")],
        ),
        (
            "cloudtrail_lookup_events.json",
            "/Events/1/CloudTrailEvent",
            &[(T2, "role-session")],
        ),
        (
            "cloudtrail_lookup_events.json",
            "/Events/2/CloudTrailEvent",
            &[(T2, "role-session")],
        ),
        ("cwlogs_filter_app.json", "/events/0", &[(T1, "log-stream")]),
        ("cwlogs_filter_app.json", "/events/2", &[(T2, "log-stream")]),
        (
            "cwlogs_filter_app.json",
            "/events/6/message",
            &[(T1, "log-stream")],
        ),
        ("cwlogs_filter_app.json", "/events/9", &[(T1, "log-stream")]),
        (
            "ecs_deployment_events.jsonl",
            "L1/detail",
            &[(T1, "deployment"), (T2, "deployment")],
        ),
        ("ecs_deployment_events.jsonl", "L3/detail", &[]),
        ("falco_alerts.ndjson", "L1", &[(T2, "runtime-id")]),
        ("falco_alerts.ndjson", "L2", &[(T2, "runtime-id")]),
    ];
    for (file, locator, expected) in table {
        let event = event_at(&manifest, &incident, file, locator);
        assert_eq!(
            links(&incident, event),
            expect(expected),
            "{file}#{locator}"
        );
    }
}

#[test]
fn ip_reuse_follows_task_lifetimes() {
    let (manifest, incident) = sample();
    let before = event_at(
        &manifest,
        &incident,
        "cloudtrail_s3_delivery.json",
        "/Records/0",
    );
    let during = event_at(
        &manifest,
        &incident,
        "cloudtrail_s3_delivery.json",
        "/Records/11",
    );
    assert_eq!(links(&incident, before), expect(&[(T0, "ip-in-lifetime")]));
    assert_eq!(links(&incident, during), expect(&[(T1, "ip-in-lifetime")]));
    assert!(during.links[0].is_weak());
}

#[test]
fn cross_source_duplicates_appear_once_with_every_raw_copy() {
    let (manifest, incident) = sample();
    let duplicates = [
        (
            "guardduty_get_findings.json",
            "/Findings/0",
            "guardduty_eventbridge.jsonl",
            "L1/detail",
        ),
        (
            "cloudtrail_s3_delivery.json",
            "/Records/6",
            "cloudtrail_lookup_events.json",
            "/Events/0/CloudTrailEvent",
        ),
    ];
    for (file_a, at_a, file_b, at_b) in duplicates {
        let a = event_at(&manifest, &incident, file_a, at_a);
        let b = event_at(&manifest, &incident, file_b, at_b);
        assert!(
            std::ptr::eq(a, b),
            "{file_b}#{at_b} is not merged into {file_a}#{at_a}"
        );
        assert_eq!(a.raw.len(), 2, "{file_a}#{at_a} keeps both raw copies");
    }
    // A stop seen in describe-tasks and in an archived state change is one
    // STOPPED event per task, holding both records.
    for (task, archive_at) in [
        (T1, "/events/2/message/detail"),
        (T0, "/events/0/message/detail"),
    ] {
        let index = incident.find_task(task).unwrap();
        let stops: Vec<&Event> = incident.timelines[index]
            .iter()
            .map(|&e| &incident.events[e])
            .filter(|e| e.kind == "STOPPED")
            .collect();
        assert_eq!(stops.len(), 1, "{task}");
        let from: Vec<String> = stops[0]
            .raw
            .iter()
            .map(|r| format!("{}#{}", manifest.artifacts[r.artifact].path, r.locator))
            .collect();
        assert!(
            from.iter()
                .any(|f| f.ends_with("ecs_describe_tasks.json#/tasks/0")
                    || f.ends_with("ecs_describe_tasks.json#/tasks/2")),
            "{from:?}"
        );
        assert!(
            from.iter()
                .any(|f| f.ends_with(&format!("cwlogs_task_state_archive.json#{archive_at}"))),
            "{from:?}"
        );
    }
}

#[test]
fn each_event_sits_on_a_task_timeline_at_most_once_and_in_time_order() {
    let (_, incident) = sample();
    for timeline in &incident.timelines {
        let mut seen = timeline.clone();
        seen.dedup();
        assert_eq!(&seen, timeline);
        assert!(timeline
            .windows(2)
            .all(|w| incident.events[w[0]].time <= incident.events[w[1]].time));
    }
}

#[test]
fn task_facts_merge_describe_output_with_other_sources() {
    let (_, incident) = sample();
    let t1 = &incident.tasks[incident.find_task(T1).unwrap()];
    assert_eq!(t1.stop_code.as_deref(), Some("UserInitiated"));
    assert_eq!(t1.last_status.as_deref(), Some("STOPPED"));
    assert!(t1.ips.contains("10.0.12.47"));
    assert!(t1.enis.contains("eni-0a1b2c3d4e5f60718"));
    assert_eq!(t1.service(), Some("checkout-api"));
    let t9 = incident
        .find_task(&format!("arn:aws:ecs:us-east-1:111122223333:task/{T9}"))
        .unwrap();
    assert_eq!(
        incident.tasks[t9]
            .cluster
            .as_deref()
            .map(|c| c.ends_with("payments-prod")),
        Some(true)
    );
    // Found by either ARN format and by the bare ID.
    assert_eq!(
        incident.find_task(&format!(
            "arn:aws:ecs:us-east-1:111122223333:task/payments-prod/{T1}"
        )),
        incident.find_task(T1)
    );
}
