//! Durations written as a number and a unit (`90s`, `30m`, `6h`, `2d`).

/// Parses a duration such as `90s`, `30m`, `6h` or `2d`.
pub fn parse_duration(text: &str) -> anyhow::Result<chrono::TimeDelta> {
    let bad = || {
        anyhow::anyhow!(
            "{}: not a duration (use a number and s, m, h or d, e.g. 6h)",
            crate::render::sanitize::escape(text)
        )
    };
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    if !text.is_char_boundary(split) {
        return Err(bad());
    }
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    number
        .checked_mul(seconds)
        .filter(|s| *s > 0 && *s <= 400 * 86_400)
        .map(chrono::TimeDelta::seconds)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_their_unit() {
        assert_eq!(
            parse_duration("90s").unwrap(),
            chrono::TimeDelta::seconds(90)
        );
        assert_eq!(parse_duration("6h").unwrap(), chrono::TimeDelta::hours(6));
        assert_eq!(parse_duration("2d").unwrap(), chrono::TimeDelta::days(2));
        for bad in ["", "h", "6", "6w", "-1h", "0m", "99999999999999d", "é"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
