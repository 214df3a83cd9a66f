//! Athena GetQueryResults pages (`{"ResultSet": {"Rows": [...],
//! "ResultSetMetadata": {"ColumnInfo": [...]}}}`), as `collect` stores them.
//!
//! Rows are read by column name from the page's metadata, so the order of
//! the SELECT list does not matter. The header row a SELECT's first page
//! carries (its values are the column labels) is skipped. A page of the
//! CloudTrail table ([`columns::COLUMNS`]) has each row rebuilt into the
//! CloudTrail record it came from and imported as one, so a record also
//! read through LookupEvents or another query is the same fact
//! (`cloudtrail:<eventID>`). A row that cannot be read is skipped and
//! counted; the page's other rows carry on.

pub mod columns;
pub mod rebuild;

use super::decode::ParseError;
use super::{cloudtrail, Sink};
use columns::Column;
use serde::Deserialize;
use serde_json::value::RawValue;
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
    if !is_cloudtrail_table(&names) {
        return not_a_cloudtrail_table(raw, &names, locator, line, sink);
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
        let fields = positions
            .iter()
            .zip(&row.data)
            .filter_map(|(column, datum)| Some((((*column)?), datum.value.as_deref())));
        let record = rebuild::rebuild(fields);
        let at = sink.raw(format!("{locator}/ResultSet/Rows/{index}"));
        cloudtrail::import_record_text(&record, at, line, sink);
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

/// The one place a result page of another table arrives (an OCSF table of
/// Security Lake has `class_uid`, `time`, `api`...): not a CloudTrail
/// table page, so not read here.
fn not_a_cloudtrail_table(
    _raw: &RawValue,
    names: &[&str],
    _locator: &str,
    line: usize,
    sink: &mut Sink,
) {
    let shown: Vec<&str> = names.iter().copied().take(8).collect();
    sink.problem(ParseError {
        message: format!(
            "an Athena result page whose columns are not the CloudTrail table's ({}): not read",
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
        let ocsf = page(
            &["class_uid", "time", "api"],
            &[vec![Some("6003"), Some("1"), None]],
        );
        let imported = import_bytes(&ocsf, 0);
        assert_eq!(imported.records, 0);
        assert!(imported.errors[0]
            .message
            .contains("not the CloudTrail table's"));
    }
}
