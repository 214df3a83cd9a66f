//! OCSF documents written for these tests from the OCSF 1.1 schema (API
//! Activity, Detection Finding) and Security Lake's CloudTrail mapping.
//! Everything is synthetic.

use super::*;
use crate::correlate::Incident;
use crate::import::{import_bytes, FileImport, FileStatus};
use crate::model::{Key, Severity, TaskFacts};
use serde_json::json;

const TASK: &str = "0123456789abcdef0123456789abcdef";
const TASK_ARN: &str =
    "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef";
const EVENT_ID: &str = "6f1c1f7e-94a5-4a8a-9d35-3c0f0d6b2a11";

/// An S3 GetObject by the task's role session, as Security Lake writes it.
fn api_activity() -> Value {
    json!({
        "class_uid": 6003,
        "class_name": "API Activity",
        "category_uid": 6,
        "activity_id": 2,
        "type_uid": 600302,
        "severity_id": 1,
        "time": 1_795_179_900_000_i64,
        "time_dt": "2026-11-20T13:05:00.000Z",
        "metadata": {
            "uid": EVENT_ID,
            "version": "1.1.0",
            "product": {"name": "CloudTrail", "vendor_name": "AWS", "version": "1.09"},
            "profiles": ["cloud", "datetime"]
        },
        "api": {
            "operation": "GetObject",
            "service": {"name": "s3.amazonaws.com"},
            "request": {"uid": "R1", "data": "{\"bucketName\":\"payroll\",\"key\":\"2026/salaries.csv\"}"},
            "response": {}
        },
        "actor": {
            "user": {
                "type": "AssumedRole",
                "uid": format!("arn:aws:sts::123456789012:assumed-role/app-task/{TASK}"),
                "uid_alt": format!("AROAEXAMPLEROLEID0001:{TASK}"),
                "credential_uid": "ASIAEXAMPLETASKKEY01",
                "account": {"uid": "123456789012"}
            },
            "session": {"issuer": "arn:aws:iam::123456789012:role/app-task"}
        },
        "src_endpoint": {"ip": "10.0.1.23"},
        "cloud": {"provider": "AWS", "region": "us-east-1", "account": {"uid": "123456789012"}},
        "status": "Success",
        "status_id": 1
    })
}

/// The same call as CloudTrail delivers it.
fn cloudtrail_record() -> Value {
    json!({
        "eventVersion": "1.09",
        "eventTime": "2026-11-20T13:05:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "10.0.1.23",
        "eventID": EVENT_ID,
        "userIdentity": {
            "type": "AssumedRole",
            "arn": format!("arn:aws:sts::123456789012:assumed-role/app-task/{TASK}"),
            "principalId": format!("AROAEXAMPLEROLEID0001:{TASK}"),
            "accessKeyId": "ASIAEXAMPLETASKKEY01"
        },
        "requestParameters": {"bucketName": "payroll", "key": "2026/salaries.csv"},
        "recipientAccountId": "123456789012"
    })
}

/// A GuardDuty finding on the task, forwarded by Security Hub in OCSF.
fn detection_finding() -> Value {
    json!({
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "category_uid": 2,
        "activity_id": 1,
        "severity_id": 4,
        "severity": "High",
        "time": 1_795_180_200_000_i64,
        "metadata": {
            "version": "1.1.0",
            "product": {"name": "GuardDuty", "vendor_name": "AWS"}
        },
        "finding_info": {
            "uid": "arn:aws:guardduty:us-east-1:123456789012:detector/d1/finding/f00d",
            "title": "A new binary was executed in the task's container",
            "types": ["Execution:Runtime/NewBinaryExecuted"],
            "first_seen_time_dt": "2026-11-20T13:10:00Z"
        },
        "resources": [
            {"uid": "arn:aws:ecs:us-east-1:123456789012:cluster/prod", "type": "AwsEcsCluster"},
            {"uid": TASK_ARN, "type": "AwsEcsTask"}
        ],
        "cloud": {"provider": "AWS", "region": "us-east-1", "account": {"uid": "123456789012"}}
    })
}

fn imported(documents: &[Value]) -> FileImport {
    let lines: Vec<String> = documents.iter().map(Value::to_string).collect();
    import_bytes(lines.join("\n").as_bytes(), 0)
}

fn incident(import: FileImport) -> Incident {
    Incident::build(import.events, vec![TaskFacts::new(TASK)])
}

#[test]
fn an_api_activity_of_the_task_role_session_lands_on_the_task_timeline() {
    let import = imported(&[api_activity()]);
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    assert!(import.formats.contains(FORMAT));
    let event = &import.events[0];
    assert_eq!(event.kind, "GetObject");
    assert_eq!(
        event.fact_id.as_deref(),
        Some(&*format!("cloudtrail:{EVENT_ID}"))
    );
    assert!(
        event.keys.contains(&Key::RoleSession(TASK.into())),
        "{:?}",
        event.keys
    );
    assert!(event
        .keys
        .contains(&Key::AccessKey("ASIAEXAMPLETASKKEY01".into())));
    assert!(
        event.summary.contains("from 10.0.1.23"),
        "{}",
        event.summary
    );
    let incident = incident(import);
    assert_eq!(incident.timelines[0].len(), 1);
}

#[test]
fn an_athena_row_with_struct_columns_as_json_text_reads_the_same() {
    let mut row = api_activity();
    for column in ["metadata", "api", "actor", "src_endpoint", "cloud"] {
        row[column] = Value::String(row[column].to_string());
    }
    row["class_uid"] = json!("6003");
    row["time"] = json!("1795179900000");
    row.as_object_mut().unwrap().remove("time_dt");
    let mut sink = Sink::new(0);
    import_record(&row, sink.raw("row/1".into()), &mut sink);
    let from_row = sink.out;
    let from_file = imported(&[api_activity()]);
    assert!(from_row.errors.is_empty(), "{:?}", from_row.errors);
    let (a, b) = (&from_row.events[0], &from_file.events[0]);
    assert_eq!((a.time, &a.keys, &a.fact_id), (b.time, &b.keys, &b.fact_id));
}

#[test]
fn a_security_hub_finding_naming_the_task_is_a_finding_on_it() {
    let import = imported(&[detection_finding()]);
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    let finding = &import.events[0];
    assert_eq!(finding.kind, "Execution:Runtime/NewBinaryExecuted");
    assert_eq!(finding.severity, Severity::High);
    assert_eq!(finding.original_severity.as_deref(), Some("High"));
    assert_eq!(finding.fact_id.as_deref(), Some("guardduty:f00d"));
    assert!(finding
        .summary
        .starts_with("[Security Hub: GuardDuty] A new binary"));
    let incident = incident(import);
    assert_eq!(incident.timelines[0].len(), 1);
    assert_eq!(import_severity(5), Severity::Critical);
    assert_eq!(import_severity(99), Severity::Info);
}

fn import_severity(id: i64) -> Severity {
    let mut finding = detection_finding();
    finding["severity_id"] = json!(id);
    imported(&[finding]).events[0].severity
}

#[test]
fn an_array_of_records_and_athena_timestamps_are_read() {
    let mut activity = api_activity();
    // Athena prints a timestamp column without a zone; a bad one falls back to `time`.
    activity["time_dt"] = json!("2026-11-20 13:05:00.000");
    let mut finding = detection_finding();
    finding["finding_info"]["first_seen_time_dt"] = json!("yesterday");
    let import = import_bytes(json!([activity, finding]).to_string().as_bytes(), 0);
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    let when: Vec<String> = import.events.iter().map(|e| e.time.to_rfc3339()).collect();
    assert_eq!(
        when,
        ["2026-11-20T13:05:00+00:00", "2026-11-20T13:10:00+00:00"]
    );
    let locators: Vec<&str> = import
        .events
        .iter()
        .map(|e| e.raw[0].locator.as_str())
        .collect();
    assert_eq!(locators, ["/0", "/1"]);
}

#[test]
fn a_get_findings_v2_listing_is_read_as_ocsf() {
    let listing = json!({"Findings": [detection_finding()], "NextToken": null});
    let import = imported(&[listing]);
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    assert_eq!(import.events.len(), 1);
    assert_eq!(import.events[0].raw[0].locator, "/Findings/0");
}

#[test]
fn the_same_event_id_from_cloudtrail_and_security_lake_appears_once() {
    let import = imported(&[cloudtrail_record(), api_activity()]);
    assert!(import.errors.is_empty(), "{:?}", import.errors);
    assert_eq!(import.events.len(), 2);
    let incident = incident(import);
    assert_eq!(incident.events.len(), 1);
    assert_eq!(incident.events[0].raw.len(), 2, "both copies are kept");
    assert_eq!(incident.timelines[0].len(), 1);
}

#[test]
fn hostile_and_truncated_records_are_reported_not_panicked_on() {
    let truncated = &api_activity().to_string()[..200];
    let imported_truncated = import_bytes(truncated.as_bytes(), 0);
    assert_eq!(imported_truncated.status(), FileStatus::Rejected);

    let wrong_types = [
        json!({"class_uid": "abc", "metadata": 5}),
        json!({"class_uid": 6003, "metadata": [], "actor": 5, "api": "{", "time": {}}),
        json!({"class_uid": 2004, "metadata": {}, "finding_info": "[1,2", "resources": "x"}),
        json!({"class_uid": 4001, "metadata": {}}),
        json!({"class_uid": 1e300, "metadata": {}, "time_dt": "2026-11-20T13:05:00Z"}),
    ];
    let import = imported(&wrong_types);
    assert_eq!(import.events.len(), 0);
    assert_eq!(
        import.errors.len(),
        wrong_types.len(),
        "{:?}",
        import.errors
    );
    assert!(import.errors[3]
        .message
        .contains("class 4001 is not imported"));

    let deep = format!(
        "{{\"class_uid\":6003,\"metadata\":{{}},\"api\":\"{}{}\"}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let import = import_bytes(deep.as_bytes(), 0);
    assert_eq!(import.events.len(), 0);
    assert_eq!(import.errors.len(), 1, "{:?}", import.errors);
}
