//! The `CREATE EXTERNAL TABLE` for a trail's S3 logs with partition
//! projection (`taskscope athena-ddl`, docs/athena.md): the columns of the
//! AWS-documented CloudTrail table, partitioned by `account`, `region` and
//! `timestamp` as CloudTrail lays its keys out
//! (`AWSLogs/[o-…/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`).
//! The partition names and the projection properties come from
//! [`super::table`], the definitions the layout reader recognizes.

use super::sql::{literal, Refused};
use super::table::{
    projection_property, TableColumn, TableDefinition, ACCOUNT_COLUMN, DAY_COLUMN, DAY_FORMAT,
    PROJECTION_ENABLED, REGION_COLUMN, STORAGE_LOCATION_TEMPLATE,
};
use crate::import::athena::columns::{Column, Shape, COLUMNS};

/// The table name used when none is given.
pub const DEFAULT_TABLE: &str = "cloudtrail_logs";
/// The first day projected: CloudTrail's launch month.
const RANGE_START: &str = "2013/11/01";

/// A column's type in the DDL. The column names and their order are the
/// import's ([`COLUMNS`], the one list both sides read); what only the DDL
/// needs is the type of each struct column. Every other column is a string.
fn ddl_type(column: &Column) -> &'static str {
    match (column.shape, column.name) {
        (Shape::Struct, "useridentity") => {
            "STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, \
             invokedby: STRING, accesskeyid: STRING, username: STRING, \
             onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>, \
             sessioncontext: STRUCT<attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>, \
             sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, \
             username: STRING>, ec2roledelivery: STRING, \
             webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING, STRING>>>>"
        }
        (Shape::Struct, "resources") => "ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>",
        (Shape::Struct, "addendum") => {
            "STRUCT<reason: STRING, updatedfields: STRING, originalrequestid: STRING, \
             originaleventid: STRING>"
        }
        (Shape::Struct, "tlsdetails") => {
            "STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>"
        }
        _ => "STRING",
    }
}

/// The partition columns, in the order of the S3 keys.
pub const PARTITION_KEYS: [&str; 3] = [ACCOUNT_COLUMN, REGION_COLUMN, DAY_COLUMN];

/// Where a trail delivers, and what to call its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailTable {
    bucket: String,
    prefix: Option<String>,
    org_id: Option<String>,
    table: String,
}

impl TrailTable {
    /// Checks the names: an S3 bucket name, a key prefix of plain
    /// characters, an organization ID (`o-` and 10 to 32 lowercase letters
    /// or digits), a table name of lowercase letters, digits and `_`.
    pub fn new(
        bucket: &str,
        prefix: Option<&str>,
        org_id: Option<&str>,
        table: Option<&str>,
    ) -> Result<TrailTable, String> {
        check_bucket(bucket)?;
        let prefix = prefix.map(check_prefix).transpose()?.flatten();
        if let Some(org) = org_id {
            check_org_id(org)?;
        }
        let table = table.unwrap_or(DEFAULT_TABLE);
        check_table(table)?;
        Ok(TrailTable {
            bucket: bucket.to_string(),
            prefix,
            org_id: org_id.map(str::to_string),
            table: table.to_string(),
        })
    }

    /// `s3://bucket/[prefix/]AWSLogs/[o-…/]`: where every account's logs start.
    fn location(&self) -> String {
        let mut location = format!("s3://{}/", self.bucket);
        if let Some(prefix) = &self.prefix {
            location.push_str(prefix);
            location.push('/');
        }
        location.push_str("AWSLogs/");
        if let Some(org) = &self.org_id {
            location.push_str(org);
            location.push('/');
        }
        location
    }

    /// The table properties: projection of the three partitions, `account`
    /// and `region` injected (every query names them), `timestamp` a date.
    pub fn properties(&self) -> Vec<(String, String)> {
        let template = format!(
            "{}${{{ACCOUNT_COLUMN}}}/CloudTrail/${{{REGION_COLUMN}}}/${{{DAY_COLUMN}}}",
            self.location()
        );
        let day = |property: &str, value: &str| {
            (projection_property(DAY_COLUMN, property), value.to_string())
        };
        vec![
            (PROJECTION_ENABLED.to_string(), "true".to_string()),
            (
                projection_property(ACCOUNT_COLUMN, "type"),
                "injected".to_string(),
            ),
            (
                projection_property(REGION_COLUMN, "type"),
                "injected".to_string(),
            ),
            day("type", "date"),
            day("format", DAY_FORMAT),
            day("range", &format!("{RANGE_START},NOW")),
            day("interval", "1"),
            day("interval.unit", "DAYS"),
            (STORAGE_LOCATION_TEMPLATE.to_string(), template),
        ]
    }

    /// The table as the catalog will hold it once the statement has run.
    pub fn definition(&self) -> TableDefinition {
        TableDefinition {
            name: self.table.clone(),
            partition_keys: PARTITION_KEYS.iter().map(|k| k.to_string()).collect(),
            columns: COLUMNS
                .iter()
                .map(|c| TableColumn::new(c.name, Some(ddl_type(c))))
                .collect(),
            parameters: self.properties().into_iter().collect(),
        }
    }

    /// The `CREATE EXTERNAL TABLE` statement; refused if a property would
    /// hold a control character (the names checked in [`TrailTable::new`]
    /// leave none).
    pub fn create_statement(&self) -> Result<String, Refused> {
        let columns: Vec<String> = COLUMNS
            .iter()
            .map(|column| format!("  {} {}", column.name, ddl_type(column)))
            .collect();
        let partitions: Vec<String> = PARTITION_KEYS
            .iter()
            .map(|key| format!("`{key}` STRING"))
            .collect();
        let properties = self
            .properties()
            .iter()
            .map(|(key, value)| Ok(format!("  {}={}", literal(key)?, literal(value)?)))
            .collect::<Result<Vec<String>, Refused>>()?;
        let trail = match &self.org_id {
            Some(org) => format!("organization trail of {org}"),
            None => "account trails".to_string(),
        };
        Ok(format!(
            "-- CloudTrail logs ({trail}) in s3://{bucket}, with partition projection.\n\
             -- Queries must name the account and region partitions: \
             WHERE account IN (...) AND region IN (...).\n\
             CREATE EXTERNAL TABLE {table} (\n{columns}\n)\n\
             PARTITIONED BY ({partitions})\n\
             ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n\
             STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n\
             OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n\
             LOCATION {location}\n\
             TBLPROPERTIES (\n{properties}\n);\n",
            bucket = self.bucket,
            table = self.table,
            columns = columns.join(",\n"),
            partitions = partitions.join(", "),
            location = literal(&self.location())?,
            properties = properties.join(",\n"),
        ))
    }
}

/// S3 bucket naming rules: 3 to 63 lowercase letters, digits, `.` and `-`,
/// starting and ending with a letter or digit, no `..`, not an IPv4 address.
fn check_bucket(bucket: &str) -> Result<(), String> {
    let shown = crate::render::sanitize::escape(bucket);
    let allowed = bucket
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let ends_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !(3..=63).contains(&bucket.len())
        || !allowed
        || !ends_ok(bucket.as_bytes().first())
        || !ends_ok(bucket.as_bytes().last())
        || bucket.contains("..")
        || bucket.parse::<std::net::Ipv4Addr>().is_ok()
    {
        return Err(format!(
            "--bucket {shown}: not an S3 bucket name (3 to 63 lowercase letters, digits, \
             '.' and '-', starting and ending with a letter or digit)"
        ));
    }
    Ok(())
}

/// A key prefix: segments of letters, digits and `!-_.*()`, separated by
/// `/`; outer slashes are dropped; empty means none.
fn check_prefix(prefix: &str) -> Result<Option<String>, String> {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    let plain = trimmed.split('/').all(|segment| {
        !segment.is_empty()
            && segment != ".."
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!-_.*()".contains(c))
    });
    if !plain {
        return Err(format!(
            "--prefix {}: use letters, digits and !-_.*() in segments separated by '/'",
            crate::render::sanitize::escape(prefix)
        ));
    }
    Ok(Some(trimmed.to_string()))
}

/// An organization ID: `o-` and 10 to 32 lowercase letters or digits.
fn check_org_id(org: &str) -> Result<(), String> {
    let rest = org.strip_prefix("o-").unwrap_or("");
    if !(10..=32).contains(&rest.len())
        || !rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(format!(
            "--org-id {}: not an organization ID (o- and 10 to 32 lowercase letters or digits, \
             as `aws organizations describe-organization` prints it)",
            crate::render::sanitize::escape(org)
        ));
    }
    Ok(())
}

/// An Athena table name: 1 to 255 lowercase letters, digits and `_`.
fn check_table(table: &str) -> Result<(), String> {
    let plain = table
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if table.is_empty() || table.len() > 255 || !plain {
        return Err(format!(
            "--table {}: use 1 to 255 lowercase letters, digits and '_'",
            crate::render::sanitize::escape(table)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::table::{partition_predicate, recognize, DayPartition, Layout};
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_ddl_properties_read_back_as_the_projection_layout() {
        let org = TrailTable::new("trail-logs", Some("/org/"), Some("o-a1b2c3d4e5"), None).unwrap();
        let (layout, note) = recognize(&org.definition());
        assert_eq!(note, None);
        assert_eq!(
            layout,
            Layout::Projection {
                day: DayPartition::new("timestamp", "yyyy/MM/dd"),
                region: Some("region".into()),
                account: Some("account".into()),
                org_id: Some("o-a1b2c3d4e5".into()),
            }
        );
        // The predicate names the partitions the template places in the keys.
        let from = chrono::Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        let predicate = partition_predicate(
            &layout,
            from,
            from,
            &["us-east-1".to_string()],
            &["123456789012".to_string()],
        )
        .unwrap();
        assert_eq!(
            predicate,
            "\"timestamp\" BETWEEN '2026/11/20' AND '2026/11/20' \
             AND \"region\" IN ('us-east-1') AND \"account\" IN ('123456789012')"
        );
        let account = TrailTable::new("trail-logs", None, None, Some("ct")).unwrap();
        let (layout, _) = recognize(&account.definition());
        assert!(matches!(layout, Layout::Projection { org_id: None, .. }));
    }

    #[test]
    fn the_statement_places_the_partitions_where_cloudtrail_writes() {
        let org = TrailTable::new("trail-logs", Some("org"), Some("o-a1b2c3d4e5"), None).unwrap();
        let ddl = org.create_statement().unwrap();
        assert!(
            ddl.contains("CREATE EXTERNAL TABLE cloudtrail_logs ("),
            "{ddl}"
        );
        assert!(
            ddl.contains("PARTITIONED BY (`account` STRING, `region` STRING, `timestamp` STRING)")
        );
        assert!(ddl.contains("LOCATION 's3://trail-logs/org/AWSLogs/o-a1b2c3d4e5/'"));
        assert!(ddl.contains(
            "'storage.location.template'=\
             's3://trail-logs/org/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${timestamp}'"
        ));
        assert!(ddl.contains("'projection.timestamp.format'='yyyy/MM/dd'"));
        assert!(ddl.trim_end().ends_with(");"));
        // The import's columns, in its order, with the DDL's types.
        assert!(ddl.contains("(\n  eventversion STRING,\n  useridentity STRUCT<type: STRING"));
        assert!(ddl.contains("  resources ARRAY<STRUCT<arn: STRING"));
        assert!(ddl.contains("  tlsdetails STRUCT<tlsversion: STRING"));
    }

    #[test]
    fn every_struct_column_the_import_reads_has_its_struct_type() {
        for column in COLUMNS {
            let struct_typed = ddl_type(&column) != "STRING";
            assert_eq!(
                struct_typed,
                column.shape == Shape::Struct,
                "{}",
                column.name
            );
        }
    }

    #[test]
    fn bad_names_are_refused_with_the_rule() {
        let refused = |b: &str, p: Option<&str>, o: Option<&str>, t: Option<&str>| {
            TrailTable::new(b, p, o, t).unwrap_err()
        };
        for bucket in [
            "ab",
            "Trail",
            "trail_logs",
            "-trail",
            "trail.",
            "a..b",
            "10.0.0.1",
            "x'y",
        ] {
            assert!(
                refused(bucket, None, None, None).starts_with("--bucket"),
                "{bucket}"
            );
        }
        assert!(refused("ok-bucket", Some("a//b"), None, None).starts_with("--prefix"));
        assert!(refused("ok-bucket", Some("a/../b"), None, None).starts_with("--prefix"));
        assert!(refused("ok-bucket", Some("it's"), None, None).starts_with("--prefix"));
        for org in ["o-short", "O-A1B2C3D4E5", "a1b2c3d4e5", "o-a1b2c3d4e5-"] {
            assert!(
                refused("ok-bucket", None, Some(org), None).starts_with("--org-id"),
                "{org}"
            );
        }
        for table in ["", "Trail", "db.table", "t; DROP"] {
            assert!(
                refused("ok-bucket", None, None, Some(table)).starts_with("--table"),
                "{table}"
            );
        }
        let control = refused("a\u{1b}[2Jb", None, None, None);
        assert!(!control.contains('\u{1b}'), "{control:?}");
    }
}
