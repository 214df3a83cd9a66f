//! Timestamps as they appear in AWS evidence, normalized to UTC.
//!
//! AWS tools print the same instant in at least five forms: RFC 3339 with `Z`,
//! RFC 3339 with a numeric offset and microseconds, epoch seconds (possibly
//! fractional), epoch milliseconds, and boto3 `datetime` objects recorded by
//! cloud-custodian. [`parse_time`] accepts all of them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde_json::Value;

/// An instant in UTC with sub-second precision.
pub type Timestamp = DateTime<Utc>;

/// Epoch values above this are taken as milliseconds rather than seconds
/// (1e11 seconds is the year 5138; 1e11 milliseconds is March 1973).
const MILLIS_THRESHOLD: f64 = 1e11;

/// Parses any timestamp form found in AWS evidence; `None` when the value is
/// not a timestamp or lies outside the representable range.
pub fn parse_time(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(text) => parse_time_str(text),
        Value::Number(number) => parse_epoch(number.as_f64()?),
        Value::Object(map) if map.get("__class__").and_then(Value::as_str) == Some("datetime") => {
            let part = |key: &str| map.get(key).and_then(Value::as_i64);
            let date = NaiveDate::from_ymd_opt(
                i32::try_from(part("year")?).ok()?,
                u32::try_from(part("month")?).ok()?,
                u32::try_from(part("day")?).ok()?,
            )?;
            let time = date.and_hms_micro_opt(
                u32::try_from(part("hour").unwrap_or(0)).ok()?,
                u32::try_from(part("minute").unwrap_or(0)).ok()?,
                u32::try_from(part("second").unwrap_or(0)).ok()?,
                u32::try_from(part("microsecond").unwrap_or(0)).ok()?,
            )?;
            Some(Utc.from_utc_datetime(&time))
        }
        _ => None,
    }
}

/// Parses a textual timestamp: RFC 3339 (with `Z` or an offset), the same
/// without a zone (taken as UTC), or a number of epoch seconds/milliseconds.
pub fn parse_time_str(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    if let Ok(parsed) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(parsed.with_timezone(&Utc));
    }
    text.parse::<f64>().ok().and_then(parse_epoch)
}

/// Converts epoch seconds or milliseconds (see [`MILLIS_THRESHOLD`]).
pub fn parse_epoch(value: f64) -> Option<Timestamp> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let millis = if value > MILLIS_THRESHOLD {
        value
    } else {
        value * 1000.0
    };
    if millis > 253_402_300_799_999.0 {
        return None; // after 9999-12-31
    }
    let whole = millis.trunc() as i64;
    let nanos = ((millis - millis.trunc()) * 1e6).round() as i64;
    DateTime::from_timestamp_millis(whole).map(|t| t + chrono::Duration::nanoseconds(nanos))
}

/// Formats an instant as RFC 3339 UTC with as many sub-second digits as it has.
pub fn format_time(time: &Timestamp) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Formats an instant for tables: RFC 3339 UTC with milliseconds.
pub fn format_time_millis(time: &Timestamp) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Serde helper: writes a timestamp as [`format_time`] does.
pub fn serialize_rfc3339<S: serde::Serializer>(
    time: &Timestamp,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_time(time))
}

/// Serde helper: writes an optional timestamp as [`format_time`] does, or null.
pub fn serialize_rfc3339_opt<S: serde::Serializer>(
    time: &Option<Timestamp>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serializer.serialize_str(&format_time(time)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn iso(value: Value) -> String {
        format_time(&parse_time(&value).expect("parses"))
    }

    #[test]
    fn accepts_every_documented_form() {
        assert_eq!(iso(json!("2023-07-10T11:45:03Z")), "2023-07-10T11:45:03Z");
        assert_eq!(
            iso(json!("2021-12-20T12:13:20.226000-05:00")),
            "2021-12-20T17:13:20.226Z"
        );
        assert_eq!(iso(json!(1_557_128_640.5)), "2019-05-06T07:44:00.500Z");
        assert_eq!(
            iso(json!(1_433_190_184_356_u64)),
            "2015-06-01T20:23:04.356Z"
        );
        assert_eq!(
            iso(
                json!({"__class__":"datetime","year":2019,"month":3,"day":1,"hour":2,
                       "minute":3,"second":4,"microsecond":710000})
            ),
            "2019-03-01T02:03:04.710Z"
        );
        assert_eq!(
            iso(json!("2021-11-18T09:41:02-08:00")),
            "2021-11-18T17:41:02Z"
        );
    }

    #[test]
    fn rejects_out_of_range_and_garbage() {
        assert_eq!(parse_time(&json!(1e300)), None);
        assert_eq!(parse_time(&json!(-5)), None);
        assert_eq!(parse_time(&json!("yesterday")), None);
        assert_eq!(parse_time(&json!(true)), None);
        assert_eq!(
            parse_time(&json!({"__class__":"datetime","year":2019,"month":13,"day":1})),
            None
        );
    }
}
