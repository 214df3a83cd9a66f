//! Athena GetQueryResults pages (`{"ResultSet": {"Rows": [...],
//! "ResultSetMetadata": {"ColumnInfo": [...]}}}`), as `collect` stores them.
//!
//! Rows are read by column name from the page's metadata, so the order of
//! the SELECT list does not matter. The header row a SELECT's first page
//! carries (its values are the column labels) is skipped. A page of the
//! CloudTrail table ([`columns::COLUMNS`]) has each row rebuilt into the
//! CloudTrail record it came from and imported as one, so a record also
//! read through LookupEvents or another query is the same fact
//! (`cloudtrail:<eventID>`). A page of a Security Lake OCSF table
//! (`class_uid`...) has each row imported as the OCSF record it holds. A
//! row that cannot be read is skipped and
//! counted; the page's other rows carry on.

pub mod columns;
pub mod rebuild;

use super::decode::ParseError;
use super::{cloudtrail, ocsf, Sink};
use columns::Column;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(rename = "ResultSet", borrow)]
    result_set: ResultSet<'a>,
}

#[derive(Deserialize)]
struct ResultSet<'a> {
    #[serde(rename = "Rows", default, borrow)]
    rows: Vec<&'a RawValue>,
    #[serde(rename = "ResultSetMetadata")]
    metadata: Metadata<'a>,
}

#[derive(Deserialize)]
struct Metadata<'a> {
    #[serde(rename = "ColumnInfo", borrow)]
    columns: Vec<ColumnInfo<'a>>,
}

#[derive(Deserialize)]
struct ColumnInfo<'a> {
    #[serde(rename = "Name", borrow)]
    name: Cow<'a, str>,
    #[serde(rename = "Label", default, borrow)]
    label: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Row<'a> {
    #[serde(rename = "Data", borrow)]
    data: Vec<Datum<'a>>,
}

#[derive(Deserialize)]
struct Datum<'a> {
    #[serde(rename = "VarCharValue", default, borrow)]
    value: Option<Cow<'a, str>>,
}

/// Imports one GetQueryResults page.
pub fn import_result_page(raw: &RawValue, locator: &str, line: usize, sink: &mut Sink) {
    let page = match serde_json::from_str::<Page<'_>>(raw.get()) {
        Ok(page) => page,
        Err(error) => {
            let mut problem = ParseError::from_json(&error, line);
            problem.message = format!("Athena result page: {}", problem.message);
            return sink.problem(problem);
        }
    };
    let result = &page.result_set;
    let names: Vec<&str> = result.metadata.columns.iter().map(|c| &*c.name).collect();
    let cloudtrail = is_cloudtrail_table(&names);
    if !cloudtrail && !is_ocsf_table(&names) {
        return not_a_known_table(&names, line, sink);
    }
    let positions: Vec<Option<&'static Column>> =
        names.iter().map(|name| columns::named(name)).collect();
    let labels: Vec<&str> = result
        .metadata
        .columns
        .iter()
        .map(|c| c.label.as_deref().unwrap_or(&c.name))
        .collect();
    let mut skipped = Skipped::default();
    for (index, row) in result.rows.iter().enumerate() {
        let row = match serde_json::from_str::<Row<'_>>(row.get()) {
            Ok(row) => row,
            Err(error) => {
                skipped.note(format!("row {index}: {error}"));
                continue;
            }
        };
        if row.data.len() != names.len() {
            skipped.note(format!(
                "row {index} has {} values for {} columns",
                row.data.len(),
                names.len()
            ));
            continue;
        }
        if is_header(&row, &labels) {
            continue;
        }
        let at = sink.raw(format!("{locator}/ResultSet/Rows/{index}"));
        if cloudtrail {
            let fields = positions
                .iter()
                .zip(&row.data)
                .filter_map(|(column, datum)| Some((((*column)?), datum.value.as_deref())));
            let record = rebuild::rebuild(fields);
            cloudtrail::import_record_text(&record, at, line, sink);
        } else {
            ocsf::import_record(&ocsf_row(&names, &row), at, sink);
        }
    }
    if let Some(problem) = skipped.problem(line) {
        sink.problem(problem);
    }
}

/// True when the page's columns are the CloudTrail table's: it has the
/// columns a record cannot do without.
fn is_cloudtrail_table(names: &[&str]) -> bool {
    ["eventid", "eventtime", "eventname"]
        .iter()
        .all(|needed| names.iter().any(|name| name.eq_ignore_ascii_case(needed)))
}

/// True when the page's columns are an OCSF table's (Security Lake's): each
/// row is a record of the class its `class_uid` names.
fn is_ocsf_table(names: &[&str]) -> bool {
    names
        .iter()
        .any(|name| name.eq_ignore_ascii_case("class_uid"))
}

/// One row of an OCSF table as the record it holds: each column's value
/// by the column's name (OCSF's names are lowercase already), a null as
/// JSON null. Struct columns stay JSON text: [`ocsf::import_record`]
/// reads either form.
fn ocsf_row(names: &[&str], row: &Row<'_>) -> Value {
    let record: Map<String, Value> = names
        .iter()
        .zip(&row.data)
        .map(|(name, datum)| {
            let value = datum
                .value
                .as_deref()
                .map_or(Value::Null, |text| Value::String(text.to_string()));
            (name.to_string(), value)
        })
        .collect();
    Value::Object(record)
}

/// A result page of a table that is neither CloudTrail's nor OCSF: not read.
fn not_a_known_table(names: &[&str], line: usize, sink: &mut Sink) {
    let shown: Vec<&str> = names.iter().copied().take(8).collect();
    sink.problem(ParseError {
        message: format!(
            "an Athena result page whose columns are neither the CloudTrail table's nor an \
             OCSF table's ({}): not read",
            crate::render::sanitize::escape(&shown.join(", "))
        ),
        line: Some(line),
        column: None,
    });
}

/// The header row of a SELECT's first page: every value is its column's label.
fn is_header(row: &Row<'_>, labels: &[&str]) -> bool {
    row.data
        .iter()
        .zip(labels)
        .all(|(datum, label)| datum.value.as_deref() == Some(*label))
}

/// Rows skipped: how many, and why the first one was.
#[derive(Default)]
struct Skipped {
    count: usize,
    first: Option<String>,
}

impl Skipped {
    fn note(&mut self, reason: String) {
        self.count += 1;
        self.first.get_or_insert(reason);
    }

    fn problem(self, line: usize) -> Option<ParseError> {
        let first = self.first?;
        Some(ParseError {
            message: format!(
                "{} rows of an Athena result page could not be read and were skipped (first: {})",
                self.count,
                crate::render::sanitize::escape(&first)
            ),
            line: Some(line),
            column: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::import::import_bytes;
    use crate::model::Key;
    use serde_json::{json, Value};

    fn page(columns: &[&str], rows: &[Vec<Option<&str>>]) -> Vec<u8> {
        let info: Vec<Value> = columns
            .iter()
            .map(|c| json!({"Name": c, "Label": c, "Type": "varchar"}))
            .collect();
        let header: Vec<Value> = columns.iter().map(|c| json!({"VarCharValue": c})).collect();
        let mut all = vec![json!({"Data": header})];
        for row in rows {
            let data: Vec<Value> = row
                .iter()
                .map(|v| match v {
                    Some(v) => json!({"VarCharValue": v}),
                    None => json!({}),
                })
                .collect();
            all.push(json!({"Data": data}));
        }
        json!({"UpdateCount": 0, "ResultSet": {"Rows": all, "ResultSetMetadata": {"ColumnInfo": info}}})
            .to_string()
            .into_bytes()
    }

    const COLUMNS: [&str; 5] = [
        "eventtime",
        "eventname",
        "eventsource",
        "eventid",
        "useridentity",
    ];
    const IDENTITY: &str = r#"{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/web/0123456789abcdef0123456789abcdef","principalid":"AROAEXAMPLE:0123456789abcdef0123456789abcdef","accountid":"111122223333"}"#;

    #[test]
    fn rows_are_read_by_name_and_the_header_is_skipped() {
        let bytes = page(
            &COLUMNS,
            &[vec![
                Some("2026-11-20T14:05:00Z"),
                Some("GetObject"),
                Some("s3.amazonaws.com"),
                Some("e-1"),
                Some(IDENTITY),
            ]],
        );
        let imported = import_bytes(&bytes, 3);
        assert!(imported.errors.is_empty(), "{:?}", imported.errors);
        assert_eq!(imported.records, 1);
        let event = &imported.events[0];
        assert_eq!(event.fact_id.as_deref(), Some("cloudtrail:e-1"));
        assert_eq!(event.raw[0].locator, "/ResultSet/Rows/1");
        assert_eq!(event.raw[0].artifact, 3);
        assert!(
            event.keys.iter().any(
                |k| matches!(k, Key::RoleSession(id) if id == "0123456789abcdef0123456789abcdef")
            ),
            "{:?}",
            event.keys
        );
    }

    #[test]
    fn bad_rows_are_skipped_and_counted_without_losing_the_others() {
        let good = vec![
            Some("2026-11-20T14:05:00Z"),
            Some("GetObject"),
            Some("s3.amazonaws.com"),
            Some("e-2"),
            None,
        ];
        let mut bytes: Value = serde_json::from_slice(&page(&COLUMNS, &[good])).unwrap();
        let rows = bytes["ResultSet"]["Rows"].as_array_mut().unwrap();
        rows.push(json!({"Data": [{"VarCharValue": 7}]}));
        rows.push(json!({"Data": "no"}));
        rows.push(json!({"Data": [{}]}));
        rows.push(json!(null));
        let imported = import_bytes(bytes.to_string().as_bytes(), 0);
        assert_eq!(imported.records, 1);
        assert_eq!(imported.errors.len(), 1, "{:?}", imported.errors);
        assert!(imported.errors[0]
            .message
            .starts_with("4 rows of an Athena result page"));
    }

    #[test]
    fn truncated_or_foreign_pages_are_problems_not_panics() {
        let bytes = page(&COLUMNS, &[]);
        for cut in [1, bytes.len() / 2, bytes.len() - 1] {
            let imported = import_bytes(&bytes[..cut], 0);
            assert_eq!(imported.records, 0);
            assert!(!imported.errors.is_empty());
        }
        let foreign = page(&["dt", "bytes"], &[vec![Some("2026"), Some("1")]]);
        let imported = import_bytes(&foreign, 0);
        assert_eq!(imported.records, 0);
        assert!(imported.errors[0]
            .message
            .contains("neither the CloudTrail table's nor an OCSF table's (dt, bytes)"));
    }

    #[test]
    fn a_security_lake_api_activity_row_lands_on_the_tasks_timeline() {
        let task = "0123456789abcdef0123456789abcdef";
        let actor = json!({
            "user": {
                "type": "AssumedRole",
                "uid": format!("arn:aws:sts::123456789012:assumed-role/app-task/{task}"),
                "uid_alt": format!("AROAEXAMPLEROLEID0001:{task}"),
                "credential_uid": "ASIAEXAMPLETASKKEY01",
                "account": {"uid": "123456789012"}
            },
            "session": {"issuer": "arn:aws:iam::123456789012:role/app-task"}
        })
        .to_string();
        let api = json!({
            "operation": "GetObject",
            "service": {"name": "s3.amazonaws.com"},
            "request": {"uid": "R1", "data": "{\"bucketName\":\"payroll\"}"}
        })
        .to_string();
        let metadata = json!({"uid": "lake-event-1", "version": "1.1.0",
            "product": {"name": "CloudTrail", "vendor_name": "AWS"}})
        .to_string();
        let columns = [
            "metadata",
            "time",
            "class_uid",
            "api",
            "actor",
            "unmapped",
            "accountid",
        ];
        let bytes = page(
            &columns,
            &[vec![
                Some(&metadata),
                Some("2026-11-20 13:05:00.000"),
                Some("6003"),
                Some(&api),
                Some(&actor),
                None,
                Some("123456789012"),
            ]],
        );
        let imported = import_bytes(&bytes, 0);
        assert!(imported.errors.is_empty(), "{:?}", imported.errors);
        assert_eq!(imported.events.len(), 1);
        let event = &imported.events[0];
        assert_eq!(event.kind, "GetObject");
        assert_eq!(event.fact_id.as_deref(), Some("cloudtrail:lake-event-1"));
        assert_eq!(event.raw[0].locator, "/ResultSet/Rows/1");
        let incident = crate::correlate::Incident::build(
            imported.events,
            vec![crate::model::TaskFacts::new(task)],
        );
        assert_eq!(incident.timelines[0].len(), 1);
        assert!(incident.events[0]
            .keys
            .contains(&Key::RoleSession(task.into())));
    }
}
