//! Recognizing a table's layout from its definition: a partition-projection
//! table (with `region` and `account` columns or not, an organization
//! trail's `o-…` in its location template), the classic
//! `region/year/month/day` table, or Security Lake's tables; the documented
//! layout when the definition could not be read.

use super::definition::TableDefinition;
use super::layout::{
    projection_property, DayPartition, Layout, ACCOUNT_COLUMN, DAY_COLUMN, DAY_FORMAT,
    LAKE_ACCOUNT, LAKE_DAY, LAKE_DAY_FORMAT, LAKE_REGION, PROJECTION_ENABLED, REGION_COLUMN,
    STORAGE_LOCATION_TEMPLATE,
};
use std::collections::BTreeSet;

/// How Security Lake names its tables (`amazon_security_lake_table_<region>_…`).
const LAKE_TABLE_PREFIX: &str = "amazon_security_lake_table_";
/// Account column names other tables use.
const ACCOUNT_ALIASES: [&str; 3] = [ACCOUNT_COLUMN, "accountid", "account_id"];

/// Recognizes a table's layout from its definition; with a note when
/// nothing in it prunes.
pub fn recognize(table: &TableDefinition) -> (Layout, Option<String>) {
    let keys: BTreeSet<String> = table
        .partition_keys
        .iter()
        .map(|k| k.to_ascii_lowercase())
        .collect();
    let has = |name: &str| keys.contains(name);
    let parameter = |name: &str| {
        table
            .parameters
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim())
    };
    let find_key = |names: &[&str]| {
        names
            .iter()
            .find(|name| keys.contains(**name))
            .map(|name| name.to_string())
    };

    if is_security_lake(table, &keys) {
        let format = parameter(&projection_property(LAKE_DAY, "format")).unwrap_or(LAKE_DAY_FORMAT);
        if let Some(day) = DayPartition::new(LAKE_DAY, format) {
            return (Layout::SecurityLake { day }, None);
        }
    }
    if has("year") && has("month") && has("day") {
        let layout = Layout::Classic {
            region: find_key(&[REGION_COLUMN]),
            account: find_key(&ACCOUNT_ALIASES),
        };
        return (layout, None);
    }
    if parameter(PROJECTION_ENABLED).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        let day = table.partition_keys.iter().find_map(|key| {
            let kind = parameter(&projection_property(key, "type"))?;
            if !kind.eq_ignore_ascii_case("date") {
                return None;
            }
            let format = parameter(&projection_property(key, "format"))?;
            DayPartition::new(&key.to_ascii_lowercase(), format)
        });
        let note = day.is_none().then(|| {
            format!(
                "table {}: no date-projected partition in a format taskscope can write \
                 (years, months, days in that order): queries are not pruned by day",
                table.name
            )
        });
        let layout = Layout::Projection {
            day,
            region: find_key(&[REGION_COLUMN]),
            account: find_key(&ACCOUNT_ALIASES),
            org_id: parameter(STORAGE_LOCATION_TEMPLATE).and_then(org_id_of_location),
        };
        return (layout, note);
    }
    let note = if keys.is_empty() {
        format!(
            "table {} has no partition keys: every query scans the whole table",
            table.name
        )
    } else {
        format!(
            "table {} is partitioned by {} without partition projection, a layout taskscope \
             does not recognize: every query scans every partition",
            table.name,
            table.partition_keys.join(", ")
        )
    };
    let layout = Layout::Unpruned {
        partition_keys: table.partition_keys.clone(),
    };
    (layout, Some(note))
}

/// Security Lake: its table name, or its three partition columns (an
/// Iceberg table may list them as columns rather than partition keys).
fn is_security_lake(table: &TableDefinition, keys: &BTreeSet<String>) -> bool {
    let named = |name: &str| {
        keys.contains(name)
            || table
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(name))
    };
    table
        .name
        .to_ascii_lowercase()
        .starts_with(LAKE_TABLE_PREFIX)
        || [LAKE_REGION, LAKE_ACCOUNT, LAKE_DAY]
            .iter()
            .all(|n| named(n))
}

/// The organization ID in an organization trail's location
/// (`s3://bucket/prefix/AWSLogs/o-abc123/${account}/…`).
fn org_id_of_location(location: &str) -> Option<String> {
    let mut parts = location.split('/');
    parts.find(|part| *part == "AWSLogs")?;
    parts
        .next()
        .filter(|part| part.starts_with("o-"))
        .map(str::to_string)
}

/// The layout of a table's `definition` as read from the catalog; when it
/// could not be read, the documented partition-projection layout with a
/// one-line note saying so, naming the table as `qualified`. The note also
/// says when nothing in the table prunes.
pub fn layout_or_documented(
    definition: Result<TableDefinition, String>,
    qualified: &str,
) -> (Layout, Option<String>) {
    match definition {
        Ok(definition) => recognize(&definition),
        Err(reason) => (
            Layout::documented(),
            Some(format!(
                "the partitions of {qualified} could not be read ({reason}); \
                 assuming the documented partition-projection layout \
                 ({DAY_COLUMN} as {DAY_FORMAT})"
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::definition::TableColumn;
    use super::super::fixtures::{at, org_projection, strings};
    use super::super::partition_sql::partition_predicate;
    use super::*;

    fn definition(name: &str, keys: &[&str], parameters: &[(&str, &str)]) -> TableDefinition {
        TableDefinition {
            name: name.into(),
            partition_keys: strings(keys),
            columns: ["eventversion", "useridentity", "eventtime"]
                .iter()
                .map(|name| TableColumn::new(name, Some("string")))
                .collect(),
            parameters: parameters
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_projection_table_with_region_and_injected_account_is_recognized() {
        let table = definition(
            "trail",
            &["account", "region", "timestamp"],
            &[
                ("projection.enabled", "true"),
                ("projection.timestamp.type", "date"),
                ("projection.timestamp.format", "yyyy/MM/dd"),
                ("projection.account.type", "injected"),
                ("projection.region.type", "injected"),
                (
                    "storage.location.template",
                    "s3://logs/p/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${timestamp}",
                ),
            ],
        );
        assert_eq!(recognize(&table), (org_projection(), None));
    }

    #[test]
    fn the_documented_projection_table_prunes_by_day_only() {
        let table = definition(
            "cloudtrail_logs_pp",
            &["timestamp"],
            &[
                ("projection.enabled", "TRUE"),
                ("projection.timestamp.type", "date"),
                ("projection.timestamp.format", "yyyy/MM/dd"),
            ],
        );
        let (layout, note) = recognize(&table);
        assert_eq!(layout, Layout::documented());
        assert_eq!(note, None);
        let predicate = partition_predicate(
            &layout,
            at(2026, 11, 20, 9, 0),
            at(2026, 11, 20, 17, 0),
            &strings(&["us-east-1"]),
            &strings(&["123456789012"]),
        )
        .unwrap();
        // A one-day window: one day, and no region or account column to name.
        assert_eq!(
            predicate,
            "\"timestamp\" BETWEEN '2026/11/20' AND '2026/11/20'"
        );
    }

    #[test]
    fn the_classic_layout_lists_the_days_of_each_month() {
        let table = definition("cloudtrail_logs", &["region", "year", "month", "day"], &[]);
        let (layout, note) = recognize(&table);
        assert_eq!(
            layout,
            Layout::Classic {
                region: Some("region".into()),
                account: None
            }
        );
        assert_eq!(note, None);
        let predicate = partition_predicate(
            &layout,
            at(2026, 2, 27, 12, 0),
            at(2026, 3, 2, 3, 0),
            &strings(&["us-east-1"]),
            &strings(&["123456789012"]),
        )
        .unwrap();
        assert_eq!(
            predicate,
            "((\"year\" = '2026' AND \"month\" = '02' AND \"day\" IN ('27', '28')) \
             OR (\"year\" = '2026' AND \"month\" = '03' AND \"day\" IN ('01', '02'))) \
             AND \"region\" IN ('us-east-1')"
        );
        let one_day = partition_predicate(
            &layout,
            at(2026, 12, 31, 0, 0),
            at(2026, 12, 31, 23, 59),
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(
            one_day,
            "((\"year\" = '2026' AND \"month\" = '12' AND \"day\" IN ('31')))"
        );
    }

    #[test]
    fn security_lake_is_recognized_by_name_or_columns() {
        let by_name = definition(
            "amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0",
            &[],
            &[],
        );
        let mut by_columns = definition("lake_copy", &["region", "accountid", "eventday"], &[]);
        by_columns.columns.clear();
        for table in [by_name, by_columns] {
            let (layout, note) = recognize(&table);
            assert_eq!(note, None);
            let predicate = partition_predicate(
                &layout,
                at(2026, 11, 30, 23, 0),
                at(2026, 12, 1, 0, 30),
                &strings(&["us-east-1"]),
                &strings(&["123456789012", "210987654321"]),
            )
            .unwrap();
            assert_eq!(
                predicate,
                "\"eventday\" BETWEEN '20261130' AND '20261201' \
                 AND \"region\" IN ('us-east-1') \
                 AND \"accountid\" IN ('123456789012', '210987654321')"
            );
        }
    }

    #[test]
    fn unknown_and_missing_partitions_prune_nothing_and_say_so() {
        for keys in [&["dt"][..], &[][..]] {
            let (layout, note) = recognize(&definition("odd", keys, &[]));
            assert!(matches!(layout, Layout::Unpruned { .. }));
            assert!(note.unwrap().contains("table odd"));
            let predicate = partition_predicate(
                &layout,
                at(2026, 1, 1, 0, 0),
                at(2026, 1, 2, 0, 0),
                &[],
                &[],
            )
            .unwrap();
            assert_eq!(predicate, "TRUE");
        }
    }

    #[test]
    fn a_projection_in_an_unordered_format_prunes_by_region_only_and_says_so() {
        let table = definition(
            "t",
            &["region", "dt"],
            &[
                ("projection.enabled", "true"),
                ("projection.dt.type", "date"),
                ("projection.dt.format", "dd-MM-yyyy"),
            ],
        );
        let (layout, note) = recognize(&table);
        assert!(note.unwrap().contains("not pruned by day"));
        let predicate = partition_predicate(
            &layout,
            at(2026, 1, 1, 0, 0),
            at(2026, 1, 2, 0, 0),
            &strings(&["us-east-1"]),
            &[],
        )
        .unwrap();
        assert_eq!(predicate, "\"region\" IN ('us-east-1')");
    }
}
