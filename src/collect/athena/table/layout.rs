//! The partition layouts taskscope recognizes, and the day partitions
//! whose text sorts as their dates do. The projection names and formats
//! here are the ones `taskscope athena-ddl` writes.

use chrono::{DateTime, Utc};

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

/// Security Lake's partition columns and the format of its day.
pub(super) const LAKE_REGION: &str = "region";
pub(super) const LAKE_ACCOUNT: &str = "accountid";
pub(super) const LAKE_DAY: &str = "eventday";
pub(super) const LAKE_DAY_FORMAT: &str = "yyyyMMdd";

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

    pub(super) fn value(&self, time: DateTime<Utc>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
