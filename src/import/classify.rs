//! Recognizes what a JSON document is from its shape and routes it to its importer.

use super::decode::{Document, ParseError};
use super::image::{ecr, inspector};
use super::{athena, cloudtrail, cwlogs, ecs, eventbridge, falco, guardduty, ocsf, Sink};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;

/// The top-level keys that tell formats apart; values are skipped, not built.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Probe<'a> {
    #[serde(rename = "Records")]
    records: Option<IgnoredAny>,
    #[serde(rename = "Findings", alias = "findings")]
    findings: Option<IgnoredAny>,
    #[serde(rename = "Events")]
    lookup_events: Option<IgnoredAny>,
    events: Option<IgnoredAny>,
    tasks: Option<IgnoredAny>,
    task: Option<IgnoredAny>,
    services: Option<IgnoredAny>,
    service: Option<IgnoredAny>,
    #[serde(rename = "taskDefinition")]
    task_definition: Option<IgnoredAny>,
    #[serde(rename = "detail-type")]
    detail_type: Option<IgnoredAny>,
    #[serde(rename = "eventVersion")]
    event_version: Option<IgnoredAny>,
    #[serde(rename = "eventName")]
    event_name: Option<IgnoredAny>,
    rule: Option<IgnoredAny>,
    priority: Option<IgnoredAny>,
    output: Option<IgnoredAny>,
    status_code: Option<IgnoredAny>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(rename = "schemaVersion", alias = "SchemaVersion")]
    schema_version: Option<IgnoredAny>,
    #[serde(rename = "resource", alias = "Resource")]
    resource: Option<IgnoredAny>,
    #[serde(rename = "ProductArn")]
    product_arn: Option<IgnoredAny>,
    #[serde(rename = "taskArn")]
    task_arn: Option<IgnoredAny>,
    #[serde(rename = "serviceDeployments")]
    service_deployments: Option<IgnoredAny>,
    class_uid: Option<IgnoredAny>,
    metadata: Option<IgnoredAny>,
    #[serde(rename = "ResultSet")]
    result_set: Option<IgnoredAny>,
    #[serde(rename = "imageDetails")]
    image_details: Option<IgnoredAny>,
    #[serde(rename = "imageScanFindings")]
    image_scan_findings: Option<IgnoredAny>,
    #[serde(rename = "imageScanStatus")]
    image_scan_status: Option<IgnoredAny>,
    #[serde(rename = "signingStatuses")]
    signing_statuses: Option<IgnoredAny>,
    #[serde(rename = "failedAccounts")]
    failed_accounts: Option<IgnoredAny>,
}

/// The keys of API listings (ListClusters, ListTasks, ListFindings...), which
/// name resources without holding records, and of the Athena answers that
/// start and follow a query (StartQueryExecution, GetQueryExecution): such
/// a response is recognized and imported with no records, not rejected.
const LISTING_KEYS: [&str; 9] = [
    "clusterArns",
    "serviceArns",
    "taskArns",
    "findingIds",
    "detectorIds",
    "nextToken",
    "NextToken",
    "QueryExecutionId",
    "QueryExecution",
];

/// The format name of API listings.
pub const LISTING: &str = "aws-listing";

/// How many arrays and cloud-custodian `data` wrappers may enclose a
/// document. Real files use one or two; a hostile file nests thousands,
/// which would otherwise recurse once per level.
pub const MAX_WRAPPING_DEPTH: usize = 8;

/// Routes one document (or each element of a top-level array) to its importer.
pub fn dispatch(document: &Document<'_>, sink: &mut Sink) {
    dispatch_raw(document.raw, &document.locator, document.line, 0, sink);
}

fn dispatch_raw(raw: &RawValue, locator: &str, line: usize, depth: usize, sink: &mut Sink) {
    let text = raw.get();
    if depth > MAX_WRAPPING_DEPTH {
        return sink.problem(ParseError {
            message: format!(
                "documents wrapped in more than {MAX_WRAPPING_DEPTH} arrays or recordings \
                 (at {locator}): not read"
            ),
            line: Some(line),
            column: None,
        });
    }
    if text.starts_with('[') {
        match serde_json::from_str::<Vec<&RawValue>>(text) {
            Ok(items) => {
                for (index, item) in items.iter().enumerate() {
                    let locator = format!("{locator}/{index}");
                    dispatch_raw(item, &locator, line, depth + 1, sink);
                }
            }
            Err(error) => sink.problem(ParseError::from_json(&error, line)),
        }
        return;
    }
    let probe = match serde_json::from_str::<Probe<'_>>(text) {
        Ok(probe) => probe,
        Err(error) => {
            let message = if text.starts_with('{') {
                ParseError::from_json(&error, line)
            } else {
                ParseError {
                    message: format!("expected a JSON object, found `{}`", preview(text)),
                    line: Some(line),
                    column: None,
                }
            };
            sink.problem(message);
            return;
        }
    };
    let problem = |message: String| ParseError {
        message,
        line: Some(line),
        column: None,
    };
    if let (Some(_), Some(data)) = (&probe.status_code, probe.data) {
        // cloud-custodian (placebo) recording: {"status_code": 200, "data": <boto3 response>}
        return dispatch_raw(data, &format!("{locator}/data"), line, depth + 1, sink);
    }
    if probe.class_uid.is_some() && probe.metadata.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ocsf::import_record(value, sink.raw(locator.to_string()), sink)
        });
    }
    if probe.records.is_some() {
        return cloudtrail::import_records_document(raw, locator, line, sink);
    }
    if probe.result_set.is_some() {
        return athena::import_result_page(raw, locator, line, sink);
    }
    if probe.detail_type.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            eventbridge::import_envelope(value, locator, sink)
        });
    }
    if probe.lookup_events.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            cloudtrail::import_lookup_events(value, locator, line, sink)
        });
    }
    if probe.findings.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            if inspector::is_findings_listing(value) {
                inspector::import_findings(value, locator, sink)
            } else if inspector::is_empty_listing(value) {
                // An empty Inspector (or other) listing: nothing to tell apart.
                sink.out.formats.insert(LISTING);
            } else if ocsf::is_findings_listing(value) {
                ocsf::import_findings_listing(value, locator, sink)
            } else {
                guardduty::import_findings_list(value, locator, line, sink)
            }
        });
    }
    if probe.image_details.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ecr::import_images(value, locator, sink)
        });
    }
    if probe.image_scan_findings.is_some() || probe.image_scan_status.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ecr::import_scan_findings(value, sink)
        });
    }
    if probe.failed_accounts.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            inspector::import_account_status(value, sink)
        });
    }
    if probe.signing_statuses.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ecr::import_signing_status(value, sink)
        });
    }
    if probe.product_arn.is_some() {
        return sink.problem(problem(guardduty::ASFF_UNSUPPORTED.into()));
    }
    if probe.event_version.is_some() && probe.event_name.is_some() {
        return cloudtrail::import_single_record(raw, locator, line, sink);
    }
    if probe.resource.is_some() && probe.schema_version.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            guardduty::import_finding(value, sink.raw(locator.to_string()), sink)
        });
    }
    if probe.tasks.is_some() || probe.task.is_some() || probe.task_arn.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ecs::import_tasks_document(value, locator, sink)
        });
    }
    if probe.services.is_some() || probe.service.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ecs::import_services_document(value, locator, sink)
        });
    }
    if probe.service_deployments.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ecs::import_service_deployments(value, locator, sink)
        });
    }
    if probe.task_definition.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            ecs::import_task_definition_document(value, locator, sink)
        });
    }
    if probe.events.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            cwlogs::import_log_events(value, locator, line, sink)
        });
    }
    if probe.rule.is_some() && probe.priority.is_some() && probe.output.is_some() {
        return with_value(raw, line, sink, |value, sink| {
            falco::import_alert(value, sink.raw(locator.to_string()), None, sink)
        });
    }
    if is_listing(text) {
        sink.out.formats.insert(LISTING);
        return;
    }
    sink.problem(problem(format!(
        "unrecognized JSON shape (top-level keys: {})",
        top_level_keys(text)
    )));
}

fn with_value(
    raw: &RawValue,
    line: usize,
    sink: &mut Sink,
    import: impl FnOnce(&Value, &mut Sink),
) {
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(value) => import(&value, sink),
        Err(error) => sink.problem(ParseError::from_json(&error, line)),
    }
}

/// True for an object whose keys are all listing keys (at least one).
fn is_listing(text: &str) -> bool {
    match serde_json::from_str::<BTreeMap<String, IgnoredAny>>(text) {
        Ok(map) => !map.is_empty() && map.keys().all(|k| LISTING_KEYS.contains(&k.as_str())),
        Err(_) => false,
    }
}

fn top_level_keys(text: &str) -> String {
    match serde_json::from_str::<BTreeMap<String, IgnoredAny>>(text) {
        Ok(map) if map.is_empty() => "none".into(),
        Ok(map) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(8).collect();
            crate::render::sanitize::escape(&keys.join(", ")).into_owned()
        }
        Err(_) => "unreadable".into(),
    }
}

fn preview(text: &str) -> String {
    let head: String = text.chars().take(20).collect();
    crate::render::sanitize::escape(&head).into_owned()
}

#[cfg(test)]
mod tests {
    use crate::import::import_bytes;

    #[test]
    fn deeply_nested_arrays_are_refused_not_recursed() {
        let depth = 10_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let imported = import_bytes(text.as_bytes(), 0);
        assert_eq!(imported.records, 0);
        assert_eq!(imported.errors.len(), 1, "{:?}", imported.errors);
        assert!(imported.errors[0].message.contains("more than 8 arrays"));
    }

    #[test]
    fn api_listings_are_recognized_without_records() {
        let listing =
            br#"{"taskArns":["arn:aws:ecs:us-east-1:123456789012:task/c/abc"],"nextToken":"t"}"#;
        let imported = import_bytes(listing, 0);
        assert!(imported.errors.is_empty(), "{:?}", imported.errors);
        assert_eq!(imported.records, 0);
        assert!(imported.formats.contains(super::LISTING));
        // Any other key still makes it unrecognized.
        let other = import_bytes(br#"{"taskArns":[],"secret":1}"#, 0);
        assert_eq!(other.errors.len(), 1);
    }

    #[test]
    fn shallow_arrays_of_documents_still_import() {
        let record = r#"{"eventVersion":"1.08","eventName":"ListBuckets",
            "eventTime":"2026-11-20T13:00:00Z","eventSource":"s3.amazonaws.com"}"#;
        let text = format!("[[{record}]]");
        let imported = import_bytes(text.as_bytes(), 0);
        assert_eq!(imported.records, 1, "{:?}", imported.errors);
    }
}
