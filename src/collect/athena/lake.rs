//! CloudTrail from Amazon Security Lake (`--security-lake`, docs/athena.md,
//! "Security Lake"): each region's lake keeps CloudTrail management events
//! in `amazon_security_lake_glue_db_<region>`.`amazon_security_lake_table_<region>_cloud_trail_mgmt_2_0`
//! (the region with `_` for `-`; source version 2, OCSF 1.1 API Activity),
//! and S3 data events in the `..._s3_data_2_0` table of the same database
//! when the lake collects them. Both are queried with the same queries as
//! a trail's table, over their OCSF columns ([`Schema::Ocsf`]); their rows
//! import as the CloudTrail records they were mapped from.
//!
//! The columns selected are the ones the OCSF import reads, as far as the
//! catalog lists them; struct columns (by their catalog type) come back as
//! JSON text. When the catalog cannot be read, Security Lake's documented
//! layout and columns are assumed, and a note says so.

use super::sql::Schema;
use super::table::{self, Layout, TableDefinition};
use super::{prune, AthenaClients, Queried};
use crate::collect::scope::Scope;
use crate::collect::tracker::Tracker;
use crate::import::athena::columns::json_text;
use crate::trail_tables::{AthenaSource, TableName};
use std::collections::BTreeSet;

/// The source (version) suffix of the tables queried: source version 2.
const SOURCE_VERSION: &str = "2_0";
/// The management events table's source name.
const MANAGEMENT: &str = "cloud_trail_mgmt";
/// The S3 data events table's source name.
const S3_DATA: &str = "s3_data";

/// The OCSF columns the import reads, and whether each is a struct
/// (selected as JSON text) when the catalog does not say.
const COLUMNS: [(&str, bool); 8] = [
    ("class_uid", false),
    ("time", false),
    ("time_dt", false),
    ("metadata", true),
    ("api", true),
    ("actor", true),
    ("cloud", true),
    ("src_endpoint", true),
];

/// Security Lake's table of `source` (`cloud_trail_mgmt`, `s3_data`) in
/// `region`; `Err` when the region is not a region's name.
pub fn table_name(region: &str, source: &str) -> Result<TableName, String> {
    let valid = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(format!(
            "{} is not a region name",
            crate::render::sanitize::escape(region)
        ));
    }
    let region = region.replace('-', "_");
    TableName::parse(&format!(
        "amazon_security_lake_glue_db_{region}.amazon_security_lake_table_{region}_{source}_{SOURCE_VERSION}"
    ))
}

/// The SELECT list of an OCSF table: [`COLUMNS`] the table has, each
/// struct (by its catalog type) as JSON text under its own name; all of
/// them, as documented, without a definition.
pub fn select_list(definition: Option<&TableDefinition>) -> String {
    let listed = definition.filter(|d| !d.columns.is_empty());
    COLUMNS
        .iter()
        .filter_map(|&(name, nested)| {
            let nested = match listed {
                Some(definition) => definition
                    .columns
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(name))?
                    .is_nested(),
                None => nested,
            };
            Some(if nested {
                json_text(name)
            } else {
                name.to_string()
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tables to query in this region: the management events table
/// always (Security Lake's layout assumed, and noted, when the catalog
/// cannot be read), the S3 data events table when the catalog has it (a
/// note says why when not). What the catalog has to say is noted on
/// `tracker`.
pub async fn tables(
    clients: &AthenaClients,
    source: &AthenaSource,
    scope: &Scope,
    accounts: &BTreeSet<String>,
    tracker: &Tracker,
) -> Vec<Queried> {
    let mut queried = Vec::new();
    for (kind, required) in [(MANAGEMENT, true), (S3_DATA, false)] {
        let table = match table_name(&tracker.region, kind) {
            Ok(table) => table,
            Err(reason) => {
                tracker.failed(format!("athena: Security Lake not queried: {reason}"));
                return Vec::new();
            }
        };
        let definition = clients.definition(&source.catalog, &table).await;
        let qualified = source.qualified(&table);
        let (layout, note, definition) = match definition {
            Ok(definition) => {
                let (layout, note) = table::recognize(&definition);
                (layout, note, Some(definition))
            }
            Err(reason) if required => (
                Layout::security_lake(),
                Some(format!(
                    "{qualified} could not be read ({reason}); assuming Security Lake's \
                     partitions (region, accountid, eventday) and OCSF columns"
                )),
                None,
            ),
            Err(reason) => {
                tracker.noted(format!(
                    "athena: Security Lake's S3 data events table {qualified} is not \
                     queried: {reason}"
                ));
                continue;
            }
        };
        if let Some(note) = note {
            tracker.noted(format!("athena: {note}"));
        }
        let Some(partition) = prune(&layout, scope, accounts, tracker) else {
            return Vec::new();
        };
        queried.push(Queried {
            table,
            schema: Schema::Ocsf {
                select: select_list(definition.as_ref()),
            },
            partition,
        });
    }
    queried
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::athena::table::TableColumn;

    #[test]
    fn tables_are_named_by_region_as_security_lake_names_them() {
        assert_eq!(
            table_name("us-east-1", MANAGEMENT).unwrap().to_string(),
            "amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0"
        );
        assert_eq!(
            table_name("eu-west-2", S3_DATA).unwrap().table,
            "amazon_security_lake_table_eu_west_2_s3_data_2_0"
        );
        for bad in ["", "us-east-1\"; DROP", "US_EAST_1", "us east"] {
            assert!(table_name(bad, MANAGEMENT).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_select_list_follows_the_catalog_and_falls_back_to_the_documented_columns() {
        assert_eq!(
            select_list(None),
            "class_uid, time, time_dt, json_format(CAST(metadata AS JSON)) AS metadata, \
             json_format(CAST(api AS JSON)) AS api, json_format(CAST(actor AS JSON)) AS actor, \
             json_format(CAST(cloud AS JSON)) AS cloud, \
             json_format(CAST(src_endpoint AS JSON)) AS src_endpoint"
        );
        let definition = TableDefinition {
            name: "t".into(),
            columns: vec![
                TableColumn::new("CLASS_UID", Some("int")),
                TableColumn::new("time_dt", Some("timestamp")),
                TableColumn::new("api", Some("struct<operation:string>")),
                TableColumn::new("actor", Some("string")),
                TableColumn::new("unmapped", Some("map<string,string>")),
            ],
            ..TableDefinition::default()
        };
        assert_eq!(
            select_list(Some(&definition)),
            "class_uid, time_dt, json_format(CAST(api AS JSON)) AS api, actor"
        );
    }
}
