//! The partition layout of Athena tables read back from a Glue catalog on
//! moto: a table created with `taskscope athena-ddl`'s projection
//! properties and a classic region/year/month/day table are recognized; a
//! missing table falls back to the documented layout with a note. A catalog
//! other than Glue is read through Athena's GetTableMetadata, which moto
//! lacks: its answers are replayed (synthetic, in the API's JSON shape).

mod binary;
#[path = "aws/moto.rs"]
mod moto;
#[path = "aws/replay.rs"]
mod replay;

use aws_config::retry::RetryConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_glue::config::Credentials;
use moto::Moto;
use replay::{json_response, Replay};
use serde_json::json;
use std::path::PathBuf;
use taskscope::collect::athena::ddl::TrailTable;
use taskscope::collect::athena::table::{
    layout_or_documented, read_definition, DayPartition, Layout, GLUE_CATALOG,
};

fn config(moto: &Moto, runtime: &tokio::runtime::Runtime) -> SdkConfig {
    runtime.block_on(
        taskscope::collect::aws::defaults()
            .region(Region::new("us-east-1"))
            .endpoint_url(&moto.url)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .load(),
    )
}

#[test]
fn glue_tables_read_back_as_their_layouts_and_a_missing_one_falls_back() {
    let moto = Moto::start();
    let trail = TrailTable::new("org-trail-logs", None, Some("o-a1b2c3d4e5"), None).unwrap();
    let properties: serde_json::Map<String, serde_json::Value> = trail
        .properties()
        .into_iter()
        .map(|(key, value)| (key, value.into()))
        .collect();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_glue.py");
    moto.python(
        &[script.as_os_str()],
        &[&serde_json::Value::Object(properties).to_string()],
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = config(&moto, &runtime);
    let glue = aws_sdk_glue::Client::new(&config);
    let athena = aws_sdk_athena::Client::new(&config);
    let read = |table: &str| {
        let definition = runtime.block_on(read_definition(
            &glue,
            &athena,
            GLUE_CATALOG,
            "trails",
            table,
        ));
        layout_or_documented(definition, &format!("{GLUE_CATALOG}.trails.{table}"))
    };

    let (projection, note) = read("org_trail");
    assert_eq!(note, None);
    assert_eq!(
        projection,
        Layout::Projection {
            day: DayPartition::new("timestamp", "yyyy/MM/dd"),
            region: Some("region".into()),
            account: Some("account".into()),
            org_id: Some("o-a1b2c3d4e5".into()),
        }
    );

    let (classic, note) = read("classic_trail");
    assert_eq!(note, None);
    assert_eq!(
        classic,
        Layout::Classic {
            region: Some("region".into()),
            account: None,
        }
    );

    let (fallback, note) = read("no_such_table");
    assert_eq!(fallback, Layout::documented());
    let note = note.expect("a missing table is noted");
    assert!(
        note.starts_with("the partitions of AwsDataCatalog.trails.no_such_table could not be read")
            && note.contains("EntityNotFoundException")
            && note.ends_with(
                "assuming the documented partition-projection layout (timestamp as yyyy/MM/dd)"
            ),
        "{note}"
    );
    assert_eq!(note.lines().count(), 1, "{note}");
}

#[test]
fn another_catalog_is_read_through_athena_and_a_denied_one_falls_back() {
    let client = Replay::only(|request| {
        assert_eq!(replay::operation(request), "GetTableMetadata");
        let body = request.body().bytes().unwrap_or_default();
        let sent: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(sent["CatalogName"], "lake_catalog");
        let answer = match sent["TableName"].as_str() {
            Some("cloud_trail_mgmt") => json_response(
                200,
                &json!({"TableMetadata": {
                    "Name": "cloud_trail_mgmt",
                    "TableType": "EXTERNAL_TABLE",
                    "Columns": [
                        {"Name": "class_uid", "Type": "int"},
                        {"Name": "metadata", "Type": "struct<uid:string,version:string>"}
                    ],
                    "PartitionKeys": [
                        {"Name": "region", "Type": "string"},
                        {"Name": "accountid", "Type": "string"},
                        {"Name": "eventday", "Type": "string"}
                    ],
                    "Parameters": {"classification": "parquet"}
                }}),
            ),
            _ => json_response(
                400,
                &json!({"__type": "AccessDeniedException",
                        "message": "not authorized to perform athena:GetTableMetadata"}),
            ),
        };
        Some(answer)
    });
    let config = replay::config(client, 1);
    let glue = aws_sdk_glue::Client::new(&config);
    let athena = aws_sdk_athena::Client::new(&config);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let read = |table: &str| {
        let definition = runtime.block_on(read_definition(
            &glue,
            &athena,
            "lake_catalog",
            "lake",
            table,
        ));
        layout_or_documented(definition, &format!("lake_catalog.lake.{table}"))
    };

    let (lake, note) = read("cloud_trail_mgmt");
    assert_eq!(note, None);
    assert_eq!(
        lake,
        Layout::SecurityLake {
            day: DayPartition::new("eventday", "yyyyMMdd").unwrap()
        }
    );

    let (fallback, note) = read("secret_table");
    assert_eq!(fallback, Layout::documented());
    let note = note.expect("a denied read is noted");
    assert!(
        note.contains("missing permission athena:GetTableMetadata"),
        "{note}"
    );
}
