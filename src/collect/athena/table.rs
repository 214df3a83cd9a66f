//! The partition layout of the table CloudTrail is queried from, and the
//! SQL predicate that keeps one incident's queries to the partitions of its
//! window, regions and accounts (docs/athena.md, "Partition pruning").
//!
//! The layout is read from the catalog: the table's partition keys and its
//! partition-projection parameters (Glue GetTable, or Athena
//! GetTableMetadata for a catalog that is not Glue). Three layouts are
//! recognized: a partition-projection table (`timestamp` as `yyyy/MM/dd`,
//! with `region` and `account` columns or not, an organization trail's
//! `o-…` in its location template), the classic `region/year/month/day`
//! table, and Security Lake's tables (`region`, `accountid`, `eventday`
//! as `yyyyMMdd`). The projection names and formats below are the ones
//! `taskscope athena-ddl` writes, so the table it creates reads back as
//! the layout it means.

use super::sql::{literal, Refused};
use crate::collect::aws::describe_error;
use chrono::{DateTime, Datelike, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The table property that turns partition projection on.
pub const PROJECTION_ENABLED: &str = "projection.enabled";
/// The table property naming each partition's S3 location.
pub const STORAGE_LOCATION_TEMPLATE: &str = "storage.location.template";
/// The day partition of the documented CloudTrail table.
pub const DAY_COLUMN: &str = "timestamp";
/// How the day partition is written: CloudTrail's `YYYY/MM/DD` key prefix,
/// in Athena's (Java) date format.
pub const DAY_FORMAT: &str = "yyyy/MM/dd";
/// The region partition (the `CloudTrail/<region>/` key part).
pub const REGION_COLUMN: &str = "region";
/// The account partition (the `AWSLogs/[o-…/]<account>/` key part).
pub const ACCOUNT_COLUMN: &str = "account";
/// The catalog name under which Athena reads the Glue Data Catalog.
pub const GLUE_CATALOG: &str = "AwsDataCatalog";

/// Security Lake's partition columns and the format of its day.
const LAKE_REGION: &str = "region";
const LAKE_ACCOUNT: &str = "accountid";
const LAKE_DAY: &str = "eventday";
const LAKE_DAY_FORMAT: &str = "yyyyMMdd";
/// How Security Lake names its tables (`amazon_security_lake_table_<region>_…`).
const LAKE_TABLE_PREFIX: &str = "amazon_security_lake_table_";
/// Account column names other tables use.
const ACCOUNT_ALIASES: [&str; 3] = [ACCOUNT_COLUMN, "accountid", "account_id"];
/// Longest window, in days, the classic layout prunes day by day; a longer
/// one is pruned by year.
const MAX_LISTED_DAYS: i64 = 400;

/// The name of a projection property of one column: `projection.<column>.<property>`.
pub fn projection_property(column: &str, property: &str) -> String {
    format!("projection.{column}.{property}")
}

/// How a table is partitioned, as far as pruning is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Partition projection: a day column written in a date format, and
    /// optionally region and account columns (`injected` or `enum`).
    Projection {
        /// The date-typed projected column, when its format can be written.
        day: Option<DayPartition>,
        /// The region column, when the table has one.
        region: Option<String>,
        /// The account column, when the table has one.
        account: Option<String>,
        /// The organization ID in the location template (organization trail).
        org_id: Option<String>,
    },
    /// The classic `region/year/month/day` partitions (manual or projected).
    Classic {
        /// The region column, when the table has one.
        region: Option<String>,
        /// The account column, when the table has one.
        account: Option<String>,
    },
    /// A Security Lake table: `region`, `accountid`, `eventday` (yyyyMMdd).
    SecurityLake {
        /// The `eventday` column and its format.
        day: DayPartition,
    },
    /// Partition keys taskscope does not recognize (or none): nothing prunes.
    Unpruned {
        /// The table's partition keys, for the note that says so.
        partition_keys: Vec<String>,
    },
}

/// A partition column holding a date written in a fixed format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPartition {
    /// The column's name.
    pub column: String,
    /// The format, as the table states it (Java style: `yyyy/MM/dd`).
    pub format: String,
    /// The same format for chrono (`%Y/%m/%d`).
    strftime: String,
}

impl DayPartition {
    /// A day column in `format`, when taskscope can write that format and
    /// its text sorts as its dates do (years, then months, days, hours):
    /// only then does a range of strings select a range of days.
    pub fn new(column: &str, format: &str) -> Option<DayPartition> {
        Some(DayPartition {
            column: column.to_string(),
            format: format.to_string(),
            strftime: ordered_strftime(format)?,
        })
    }

    /// The documented table's `timestamp` column.
    fn documented() -> DayPartition {
        DayPartition::new(DAY_COLUMN, DAY_FORMAT).expect("the documented format is ordered")
    }

    fn value(&self, time: DateTime<Utc>) -> String {
        time.format(&self.strftime).to_string()
    }
}

/// Translates a Java date format made of `yyyy`, `MM`, `dd` and `HH` in
/// that order (each at most once, starting with the year) and separators
/// into chrono's; `None` for anything else.
fn ordered_strftime(format: &str) -> Option<String> {
    const FIELDS: [(&str, &str); 4] = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H")];
    let mut rest = format;
    let mut next_field = 0;
    let mut out = String::new();
    while let Some(c) = rest.chars().next() {
        if let Some(position) = FIELDS.iter().position(|(java, _)| rest.starts_with(java)) {
            if position != next_field {
                return None;
            }
            let (java, chrono) = FIELDS[position];
            out.push_str(chrono);
            rest = &rest[java.len()..];
            next_field += 1;
        } else if "/-_.: ".contains(c) {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        } else {
            return None;
        }
    }
    (next_field > 0).then_some(out)
}

impl Layout {
    /// The AWS-documented partition-projection table: a `timestamp` day
    /// column and nothing else. Assumed when the catalog cannot be read.
    pub fn documented() -> Layout {
        Layout::Projection {
            day: Some(DayPartition::documented()),
            region: None,
            account: None,
            org_id: None,
        }
    }

    /// Security Lake's layout: `region`, `accountid` and `eventday` as
    /// `yyyyMMdd`. Assumed for Security Lake's tables when the catalog
    /// cannot be read.
    pub fn security_lake() -> Layout {
        let day = DayPartition::new(LAKE_DAY, LAKE_DAY_FORMAT)
            .expect("Security Lake's format is ordered");
        Layout::SecurityLake { day }
    }
}

/// A column of a table, as the catalog states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    /// The column's name.
    pub name: String,
    /// Its type, as the catalog writes it (`string`, `struct<uid:string>`...).
    pub kind: String,
}

impl TableColumn {
    /// A column named `name` of type `kind` (empty when the catalog gives none).
    pub fn new(name: &str, kind: Option<&str>) -> TableColumn {
        TableColumn {
            name: name.to_string(),
            kind: kind.unwrap_or_default().to_string(),
        }
    }

    /// True for a struct, array or map column: Athena returns it as JSON
    /// text only when it is cast to JSON.
    pub fn is_nested(&self) -> bool {
        let kind = self.kind.trim_start().to_ascii_lowercase();
        ["struct", "array", "map", "row"]
            .iter()
            .any(|nested| kind.starts_with(nested))
    }
}

/// What the catalog says about a table's partitions.
#[derive(Debug, Clone, Default)]
pub struct TableDefinition {
    /// The table's name.
    pub name: String,
    /// Its partition keys, in order.
    pub partition_keys: Vec<String>,
    /// Its other columns.
    pub columns: Vec<TableColumn>,
    /// Its table properties (projection settings among them).
    pub parameters: HashMap<String, String>,
}

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

/// Reads the definition of `catalog.database.table`: from Glue for the
/// Glue catalog, from Athena's GetTableMetadata for any other. `Err` is the
/// reason it could not be read (denied, not found), one line.
pub async fn read_definition(
    glue: &aws_sdk_glue::Client,
    athena: &aws_sdk_athena::Client,
    catalog: &str,
    database: &str,
    table: &str,
) -> Result<TableDefinition, String> {
    if catalog.eq_ignore_ascii_case(GLUE_CATALOG) {
        read_glue(glue, database, table).await
    } else {
        read_athena(athena, catalog, database, table).await
    }
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

async fn read_glue(
    glue: &aws_sdk_glue::Client,
    database: &str,
    table: &str,
) -> Result<TableDefinition, String> {
    let region = crate::collect::aws::region_name(glue.config().region());
    let output = glue
        .get_table()
        .database_name(database)
        .name(table)
        .send()
        .await
        .map_err(|e| describe_error("glue:GetTable", &region, &e))?;
    let found = output
        .table()
        .ok_or_else(|| "glue:GetTable answered without a table".to_string())?;
    let columns = |columns: &[aws_sdk_glue::types::Column]| -> Vec<TableColumn> {
        columns
            .iter()
            .map(|c| TableColumn::new(c.name(), c.r#type()))
            .collect()
    };
    Ok(TableDefinition {
        name: found.name().to_string(),
        partition_keys: names_of(columns(found.partition_keys())),
        columns: found
            .storage_descriptor()
            .map(|s| columns(s.columns()))
            .unwrap_or_default(),
        parameters: found.parameters().cloned().unwrap_or_default(),
    })
}

async fn read_athena(
    athena: &aws_sdk_athena::Client,
    catalog: &str,
    database: &str,
    table: &str,
) -> Result<TableDefinition, String> {
    let region = crate::collect::aws::region_name(athena.config().region());
    let output = athena
        .get_table_metadata()
        .catalog_name(catalog)
        .database_name(database)
        .table_name(table)
        .send()
        .await
        .map_err(|e| describe_error("athena:GetTableMetadata", &region, &e))?;
    let found = output
        .table_metadata()
        .ok_or_else(|| "athena:GetTableMetadata answered without a table".to_string())?;
    let columns = |columns: &[aws_sdk_athena::types::Column]| -> Vec<TableColumn> {
        columns
            .iter()
            .map(|c| TableColumn::new(c.name(), c.r#type()))
            .collect()
    };
    Ok(TableDefinition {
        name: found.name().to_string(),
        partition_keys: names_of(columns(found.partition_keys())),
        columns: columns(found.columns()),
        parameters: found.parameters().cloned().unwrap_or_default(),
    })
}

fn names_of(columns: Vec<TableColumn>) -> Vec<String> {
    columns.into_iter().map(|c| c.name).collect()
}

/// A quoted SQL identifier (`"timestamp"` is a reserved word).
fn sql_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The predicate that keeps a query to the partitions of the window
/// `from`..`to` (either order), the `regions` and the `accounts` (when the
/// layout has those columns; an empty list does not prune). `TRUE` when
/// nothing prunes. A table whose region or account columns are `injected`
/// projections needs their values: pass the regions and accounts. A value
/// with a control character is refused ([`literal`]), not sent.
pub fn partition_predicate(
    layout: &Layout,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    regions: &[String],
    accounts: &[String],
) -> Result<String, Refused> {
    let (from, to) = (from.min(to), from.max(to));
    let mut clauses = Vec::new();
    match layout {
        Layout::Projection {
            day,
            region,
            account,
            ..
        } => {
            clauses.extend(
                day.as_ref()
                    .map(|day| day_range(day, from, to))
                    .transpose()?,
            );
            clauses.extend(in_list(region.as_deref(), regions)?);
            clauses.extend(in_list(account.as_deref(), accounts)?);
        }
        Layout::Classic { region, account } => {
            clauses.push(classic_days(from, to)?);
            clauses.extend(in_list(region.as_deref(), regions)?);
            clauses.extend(in_list(account.as_deref(), accounts)?);
        }
        Layout::SecurityLake { day } => {
            clauses.push(day_range(day, from, to)?);
            clauses.extend(in_list(Some(LAKE_REGION), regions)?);
            clauses.extend(in_list(Some(LAKE_ACCOUNT), accounts)?);
        }
        Layout::Unpruned { .. } => {}
    }
    Ok(if clauses.is_empty() {
        "TRUE".to_string()
    } else {
        clauses.join(" AND ")
    })
}

fn day_range(
    day: &DayPartition,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<String, Refused> {
    Ok(format!(
        "{} BETWEEN {} AND {}",
        sql_identifier(&day.column),
        literal(&day.value(from))?,
        literal(&day.value(to))?
    ))
}

fn in_list(column: Option<&str>, values: &[String]) -> Result<Option<String>, Refused> {
    let Some(column) = column else {
        return Ok(None);
    };
    let values: BTreeSet<&str> = values.iter().map(String::as_str).collect();
    if values.is_empty() {
        return Ok(None);
    }
    let listed = values
        .into_iter()
        .map(literal)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(format!(
        "{} IN ({})",
        sql_identifier(column),
        listed.join(", ")
    )))
}

/// The classic layout's days: per month of the window, its days listed;
/// a window longer than [`MAX_LISTED_DAYS`] by its years.
fn classic_days(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<String, Refused> {
    let (first, last) = (from.date_naive(), to.date_naive());
    if (last - first).num_days() > MAX_LISTED_DAYS {
        return Ok(format!(
            "{} BETWEEN {} AND {}",
            sql_identifier("year"),
            literal(&format!("{:04}", first.year()))?,
            literal(&format!("{:04}", last.year()))?
        ));
    }
    let mut months: BTreeMap<(i32, u32), Vec<String>> = BTreeMap::new();
    let days = first.iter_days().take_while(|d| *d <= last);
    for day in days {
        months
            .entry((day.year(), day.month()))
            .or_default()
            .push(literal(&format!("{:02}", day.day()))?);
    }
    let mut groups = Vec::new();
    for ((year, month), days) in months {
        groups.push(format!(
            "({} = {} AND {} = {} AND {} IN ({}))",
            sql_identifier("year"),
            literal(&format!("{year:04}"))?,
            sql_identifier("month"),
            literal(&format!("{month:02}"))?,
            sql_identifier("day"),
            days.join(", ")
        ));
    }
    Ok(format!("({})", groups.join(" OR ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

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

    fn org_projection() -> Layout {
        Layout::Projection {
            day: DayPartition::new("timestamp", "yyyy/MM/dd"),
            region: Some("region".into()),
            account: Some("account".into()),
            org_id: Some("o-a1b2c3d4e5".into()),
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
    fn a_window_across_midnight_and_a_month_end_names_both_days() {
        let predicate = partition_predicate(
            &org_projection(),
            at(2026, 11, 30, 22, 15),
            at(2026, 12, 1, 1, 0),
            &strings(&["us-east-1", "eu-west-1", "us-east-1"]),
            &strings(&["123456789012"]),
        )
        .unwrap();
        assert_eq!(
            predicate,
            "\"timestamp\" BETWEEN '2026/11/30' AND '2026/12/01' \
             AND \"region\" IN ('eu-west-1', 'us-east-1') \
             AND \"account\" IN ('123456789012')"
        );
    }

    #[test]
    fn a_reversed_window_prunes_as_the_ordered_one() {
        let (a, b) = (at(2026, 12, 31, 23, 0), at(2027, 1, 1, 2, 0));
        assert_eq!(
            partition_predicate(&org_projection(), b, a, &[], &[]).unwrap(),
            partition_predicate(&org_projection(), a, b, &[], &[]).unwrap()
        );
        assert_eq!(
            partition_predicate(&org_projection(), a, b, &[], &[]).unwrap(),
            "\"timestamp\" BETWEEN '2026/12/31' AND '2027/01/01'"
        );
    }

    #[test]
    fn values_are_escaped_in_sql() {
        let predicate = partition_predicate(
            &org_projection(),
            at(2026, 11, 20, 9, 0),
            at(2026, 11, 20, 10, 0),
            &strings(&["us-east-1') OR ('1'='1"]),
            &[],
        )
        .unwrap();
        assert!(
            predicate.ends_with("\"region\" IN ('us-east-1'') OR (''1''=''1')"),
            "{predicate}"
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
    fn a_long_classic_window_is_pruned_by_year() {
        let layout = Layout::Classic {
            region: None,
            account: None,
        };
        let predicate = partition_predicate(
            &layout,
            at(2020, 5, 1, 0, 0),
            at(2026, 1, 1, 0, 0),
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(predicate, "\"year\" BETWEEN '2020' AND '2026'");
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

    #[test]
    fn hourly_projection_formats_prune_by_hour() {
        let day = DayPartition::new("dt", "yyyy-MM-dd-HH").unwrap();
        let layout = Layout::Projection {
            day: Some(day),
            region: None,
            account: None,
            org_id: None,
        };
        let predicate = partition_predicate(
            &layout,
            at(2026, 1, 1, 23, 5),
            at(2026, 1, 2, 1, 0),
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(
            predicate,
            "\"dt\" BETWEEN '2026-01-01-23' AND '2026-01-02-01'"
        );
    }

    #[test]
    fn only_ordered_formats_are_accepted() {
        for bad in [
            "dd/MM/yyyy",
            "yyyy/dd/MM",
            "MM",
            "yyyy/MMM",
            "'y'yyyy",
            "yyyy%d",
            "",
        ] {
            assert_eq!(DayPartition::new("c", bad), None, "{bad}");
        }
        for good in ["yyyy/MM/dd", "yyyyMMdd", "yyyy-MM", "yyyy/MM/dd/HH"] {
            assert!(DayPartition::new("c", good).is_some(), "{good}");
        }
    }
}
