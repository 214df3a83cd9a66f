//! Timestamps as they appear in AWS evidence, normalized to UTC.
//!
//! AWS tools print the same instant in at least five forms: RFC 3339 with `Z`,
//! RFC 3339 with a numeric offset and microseconds, epoch seconds (possibly
//! fractional), epoch milliseconds, and boto3 `datetime` objects recorded by
//! cloud-custodian. Falco adds offsets without a colon (`+0000`) and epoch
//! nanoseconds. [`parse_time`] accepts all of them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde_json::Value;

/// An instant in UTC with sub-second precision.
pub type Timestamp = DateTime<Utc>;

/// The system clock's time now, in UTC. The one place taskscope reads the
/// clock: chrono's own clock support brings the local time zone machinery,
/// which nothing here uses.
pub fn now() -> Timestamp {
    DateTime::from(std::time::SystemTime::now())
}

/// The units of an epoch number, told apart by magnitude, with the
/// nanoseconds in one unit. 1e11 seconds is the year 5138 and 1e11
/// milliseconds March 1973; milliseconds pass the year 9999 at 2.5e14, and
/// nanoseconds reach March 1973 only at 1e17, so numbers in between are no
/// time.
const EPOCH_UNITS: [(f64, i64); 3] = [
    (1e11, 1_000_000_000), // seconds
    (1e17, 1_000_000),     // milliseconds
    (f64::INFINITY, 1),    // nanoseconds
];

/// The last instant accepted from an epoch number: 9999-12-31T23:59:59.999999999Z.
const EPOCH_MAX_NANOS: i128 = 253_402_300_799_999_999_999;

/// Parses any timestamp form found in AWS evidence; `None` when the value is
/// not a timestamp or lies outside the representable range.
pub fn parse_time(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(text) => parse_time_str(text),
        Value::Number(number) => match number.as_i64() {
            Some(whole) => parse_epoch_integer(whole),
            None => parse_epoch(number.as_f64()?),
        },
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
/// with an offset without a colon (`+0000`), the same without a zone (taken
/// as UTC), or an epoch number (see [`EPOCH_UNITS`]).
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
    for format in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(parsed) = DateTime::parse_from_str(text, format) {
            return Some(parsed.with_timezone(&Utc));
        }
    }
    // Whole numbers exactly (nanoseconds exceed what an f64 holds), others as f64.
    match text.parse::<i64>() {
        Ok(whole) => parse_epoch_integer(whole),
        Err(_) => text.parse::<f64>().ok().and_then(parse_epoch),
    }
}

/// The nanoseconds in one unit of an epoch number of this size.
fn epoch_unit_nanos(magnitude: f64) -> i64 {
    EPOCH_UNITS
        .iter()
        .find(|(bound, _)| magnitude < *bound)
        .map_or(1, |&(_, nanos)| nanos)
}

/// Converts a fractional epoch number in the unit its size gives (see
/// [`EPOCH_UNITS`]); `None` when negative, not finite or after year 9999.
/// An f64 holds about 16 digits, so the result is rounded to the
/// microsecond rather than showing float noise as nanoseconds.
pub fn parse_epoch(value: f64) -> Option<Timestamp> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let micros = (value * (epoch_unit_nanos(value) as f64 / 1000.0)).round();
    // Range-checked first, so the cast below cannot saturate.
    if micros > (EPOCH_MAX_NANOS / 1000) as f64 {
        return None;
    }
    from_epoch_nanos(micros as i128 * 1000)
}

/// Converts a whole epoch number exactly, in the unit its size gives.
pub fn parse_epoch_integer(value: i64) -> Option<Timestamp> {
    if value < 0 {
        return None;
    }
    from_epoch_nanos(i128::from(value) * i128::from(epoch_unit_nanos(value as f64)))
}

/// The instant `nanos` after the epoch, up to [`EPOCH_MAX_NANOS`].
pub fn from_epoch_nanos(nanos: i128) -> Option<Timestamp> {
    if !(0..=EPOCH_MAX_NANOS).contains(&nanos) {
        return None;
    }
    let seconds = i64::try_from(nanos / 1_000_000_000).ok()?;
    let fraction = u32::try_from(nanos % 1_000_000_000).ok()?;
    DateTime::from_timestamp(seconds, fraction)
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
    fn reads_falco_offsets_and_epoch_nanoseconds() {
        assert_eq!(
            iso(json!("2016-08-04T16:17:57.881781397+0000")),
            "2016-08-04T16:17:57.881781397Z"
        );
        assert_eq!(
            iso(json!("2016-08-04T18:17:57.5+0200")),
            "2016-08-04T16:17:57.500Z"
        );
        // Nanoseconds, exactly, as a number or a numeric string.
        assert_eq!(
            iso(json!(1_470_327_477_881_781_397_u64)),
            "2016-08-04T16:17:57.881781397Z"
        );
        assert_eq!(
            iso(json!("1470327477881781397")),
            "2016-08-04T16:17:57.881781397Z"
        );
        assert_eq!(iso(json!("1470327477")), "2016-08-04T16:17:57Z");
        assert_eq!(iso(json!("1470327477.25")), "2016-08-04T16:17:57.250Z");
        assert_eq!(
            iso(json!(1.5e18)),
            "2017-07-14T02:40:00Z",
            "f64 nanoseconds"
        );
        assert_eq!(
            iso(json!(1_557_128_640.123)),
            "2019-05-06T07:44:00.123Z",
            "no float noise"
        );
    }

    #[test]
    fn rejects_out_of_range_and_garbage() {
        assert_eq!(parse_time(&json!(1e21)), None, "nanoseconds after 9999");
        assert_eq!(
            parse_time(&json!(253_402_300_800_000_u64)),
            None,
            "milliseconds after 9999"
        );
        assert_eq!(parse_time(&json!(1_470_327_477_881_781_u64)), None);
        assert_eq!(parse_time(&json!("99999999999999999999999")), None);
        assert_eq!(parse_time(&json!(-1_470_327_477_881_781_397_i64)), None);
        assert_eq!(parse_time(&json!("2016-08-04T16:17:57+99999")), None);
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
