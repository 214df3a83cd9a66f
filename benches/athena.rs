//! Reading and importing Athena result pages: rows per second through
//! `import` (parse the GetQueryResults page, read rows by column name,
//! rebuild each CloudTrail record, import it), and the process's peak
//! resident memory, over 20,000 and then 200,000 rows in pages of 1,000
//! rows shaped as Athena returns them (struct columns as JSON text with
//! lowercased field names, a header row on each query's first page).
//! Targets: at least 20,000 rows a second; the peak after 200,000 rows
//! about the peak after 20,000 (memory flat in the number of rows).
//!
//! Run: `cargo bench --bench athena` (ATHENA_BENCH_ROWS=20000,1000000 to
//! change the sizes).

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use taskscope::import::athena::columns::COLUMNS;
use taskscope::import::import_bytes;

const ROWS_PER_PAGE: usize = 1_000;

/// One row's values by column name: a task role's S3 GetObject.
fn values(n: usize) -> Vec<(&'static str, String)> {
    let task = format!("{:032x}", n % 500);
    let minute = n % 1_440;
    vec![
        ("eventversion", "1.09".into()),
        ("useridentity", format!(
            r#"{{"type":"AssumedRole","principalid":"AROAEXAMPLEROLE:{task}","arn":"arn:aws:sts::111122223333:assumed-role/web-task-role/{task}","accountid":"111122223333","invokedby":null,"accesskeyid":"ASIAEXAMPLE{n:08}","username":null,"onbehalfof":null,"sessioncontext":{{"attributes":{{"mfaauthenticated":"false","creationdate":"2026-11-20T00:00:00Z"}},"sessionissuer":{{"type":"Role","principalid":"AROAEXAMPLEROLE","arn":"arn:aws:iam::111122223333:role/web-task-role","accountid":"111122223333","username":"web-task-role"}},"ec2roledelivery":null,"webidfederationdata":null}}}}"#
        )),
        ("eventtime", format!("2026-11-20T{:02}:{:02}:00Z", minute / 60, minute % 60)),
        ("eventsource", "s3.amazonaws.com".into()),
        ("eventname", "GetObject".into()),
        ("awsregion", "us-east-1".into()),
        ("sourceipaddress", "10.0.1.17".into()),
        ("useragent", "[aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2]".into()),
        ("requestparameters", format!(r#"{{"bucketName":"customer-exports","Host":"customer-exports.s3.us-east-1.amazonaws.com","key":"exports/{n}.csv"}}"#)),
        ("responseelements", String::new()),
        ("additionaleventdata", r#"{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"example","bytesTransferredOut":52311}"#.into()),
        ("requestid", format!("REQ{n:016X}")),
        ("eventid", format!("{n:08x}-0000-4000-8000-000000000000")),
        ("readonly", "true".into()),
        ("resources", format!(r#"[{{"arn":"arn:aws:s3:::customer-exports/exports/{n}.csv","accountid":null,"type":"AWS::S3::Object"}},{{"arn":"arn:aws:s3:::customer-exports","accountid":"111122223333","type":"AWS::S3::Bucket"}}]"#)),
        ("eventtype", "AwsApiCall".into()),
        ("recipientaccountid", "111122223333".into()),
        ("eventcategory", "Data".into()),
        ("tlsdetails", r#"{"tlsversion":"TLSv1.3","ciphersuite":"TLS_AES_128_GCM_SHA256","clientprovidedhostheader":"customer-exports.s3.us-east-1.amazonaws.com"}"#.into()),
    ]
}

/// Page `index` of a result: rows `index * ROWS_PER_PAGE..`, with the
/// header row first on the first page.
fn page(index: usize) -> Vec<u8> {
    let info: Vec<Value> = COLUMNS
        .iter()
        .map(|c| json!({"CatalogName": "hive", "Name": c.name, "Label": c.name, "Type": "varchar", "Nullable": "UNKNOWN", "CaseSensitive": true}))
        .collect();
    let mut rows = Vec::with_capacity(ROWS_PER_PAGE + 1);
    if index == 0 {
        let header: Vec<Value> = COLUMNS
            .iter()
            .map(|c| json!({"VarCharValue": c.name}))
            .collect();
        rows.push(json!({"Data": header}));
    }
    for n in index * ROWS_PER_PAGE..(index + 1) * ROWS_PER_PAGE {
        let values = values(n);
        let data: Vec<Value> = COLUMNS
            .iter()
            .map(|c| {
                match values
                    .iter()
                    .find(|(name, v)| *name == c.name && !v.is_empty())
                {
                    Some((_, v)) => json!({"VarCharValue": v}),
                    None => json!({}),
                }
            })
            .collect();
        rows.push(json!({"Data": data}));
    }
    json!({"UpdateCount": 0, "ResultSet": {"Rows": rows, "ResultSetMetadata": {"ColumnInfo": info}}, "NextToken": "t"})
        .to_string()
        .into_bytes()
}

/// Peak resident memory of this process so far, in KiB.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Imports `rows` rows page by page; returns the time spent importing.
fn run(rows: usize) -> Duration {
    let mut spent = Duration::ZERO;
    let mut records = 0;
    for index in 0..rows.div_ceil(ROWS_PER_PAGE) {
        let bytes = page(index);
        let start = Instant::now();
        let imported = import_bytes(&bytes, index);
        spent += start.elapsed();
        assert!(imported.errors.is_empty(), "{:?}", imported.errors);
        records += imported.records;
    }
    assert_eq!(records, rows.div_ceil(ROWS_PER_PAGE) * ROWS_PER_PAGE);
    spent
}

fn main() {
    let sizes: Vec<usize> = std::env::var("ATHENA_BENCH_ROWS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![20_000, 200_000]);
    println!("rows       seconds  rows/s     peak RSS");
    for rows in sizes {
        let spent = run(rows);
        println!(
            "{rows:<10} {:<8.2} {:<10.0} {} MiB",
            spent.as_secs_f64(),
            rows as f64 / spent.as_secs_f64(),
            peak_kib() / 1024
        );
    }
}
