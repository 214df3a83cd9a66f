//! Times, lists and a layout the table tests share.

use super::layout::{DayPartition, Layout};
use chrono::{DateTime, TimeZone, Utc};

pub(super) fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub(super) fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

pub(super) fn org_projection() -> Layout {
    Layout::Projection {
        day: DayPartition::new("timestamp", "yyyy/MM/dd"),
        region: Some("region".into()),
        account: Some("account".into()),
        org_id: Some("o-a1b2c3d4e5".into()),
    }
}
