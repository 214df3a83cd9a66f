//! The SQL predicate that keeps a query to the partitions of its window,
//! regions and accounts, as the table's layout names them.

use super::super::sql::{literal, Refused};
use super::layout::{DayPartition, Layout, LAKE_ACCOUNT, LAKE_REGION};
use chrono::{DateTime, Datelike, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Longest window, in days, the classic layout prunes day by day; a longer
/// one is pruned by year.
const MAX_LISTED_DAYS: i64 = 400;

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
    use super::super::fixtures::{at, org_projection, strings};
    use super::*;

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
}
