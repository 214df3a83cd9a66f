#![allow(dead_code)] // shared by several test binaries; each uses a part

//! Helpers for the Athena tests against moto. moto runs no SQL: each query
//! execution takes the next result queued through
//! `POST /moto-api/static/athena/query-results`. These build such results
//! (the header row a SELECT's first page carries, then the records), queue
//! them, and read back the statements moto was sent. The including binary
//! declares `mod moto` (tests/aws/moto.rs).

use crate::moto::Moto;
use aws_config::SdkConfig;
use aws_sdk_athena::types::QueryExecution;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The account moto answers as.
pub const ACCOUNT: &str = "123456789012";

/// One queued query result with `columns` in this order: the header row,
/// then `records`, each a map of column to value (absent: null, a Data
/// entry without VarCharValue).
pub fn result(columns: &[&str], records: &[BTreeMap<&str, String>]) -> Value {
    let header: Vec<Value> = columns.iter().map(|c| json!({"VarCharValue": c})).collect();
    let mut rows = vec![json!({"Data": header})];
    for record in records {
        let data: Vec<Value> = columns
            .iter()
            .map(|c| match record.get(c) {
                Some(value) => json!({"VarCharValue": value}),
                None => json!({}),
            })
            .collect();
        rows.push(json!({"Data": data}));
    }
    let info: Vec<Value> = columns
        .iter()
        .map(|c| json!({"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c, "Label": c, "Type": "varchar", "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true}))
        .collect();
    json!({"rows": rows, "column_info": info})
}

/// Queues `results` for the next query executions, over plain HTTP.
pub fn queue(moto: &Moto, results: Vec<Value>) {
    let body = json!({"account_id": ACCOUNT, "region": "us-east-1", "results": results});
    post(moto, "/moto-api/static/athena/query-results", &body);
}

/// POSTs `body` as JSON to moto's `path`.
pub fn post(moto: &Moto, path: &str, body: &Value) {
    let code = "import sys, urllib.request\n\
        request = urllib.request.Request(sys.argv[1] + sys.argv[2], data=sys.argv[3].encode(), \
        headers={'Content-Type': 'application/json'}, method='POST')\n\
        print(urllib.request.urlopen(request).status)";
    moto.python(
        &[std::ffi::OsStr::new("-c"), std::ffi::OsStr::new(code)],
        &[path, &body.to_string()],
    );
}

/// Every query execution moto knows of.
pub fn executions(config: &SdkConfig) -> Vec<QueryExecution> {
    let athena = aws_sdk_athena::Client::new(config);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let ids = athena.list_query_executions().send().await.unwrap();
        let mut executions = Vec::new();
        for id in ids.query_execution_ids() {
            let execution = athena
                .get_query_execution()
                .query_execution_id(id)
                .send()
                .await
                .unwrap();
            executions.extend(execution.query_execution().cloned());
        }
        executions
    })
}

/// The text of every query moto was sent.
pub fn sent_queries(config: &SdkConfig) -> Vec<String> {
    executions(config)
        .iter()
        .filter_map(|e| e.query().map(str::to_string))
        .collect()
}

/// `minutes` ago, as CloudTrail writes a time.
pub fn time_ago(minutes: i64) -> String {
    (taskscope::model::time::now() - chrono::TimeDelta::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
