//! Text for the screen. Every string that comes from evidence passes through
//! here: control characters, escape sequences and bidi overrides are shown as
//! visible escapes (`\x1b`), never sent to the terminal as themselves.

use super::filter::match_positions;
use crate::model::Timestamp;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Escapes evidence text and cuts it to `max` characters (with `…`).
pub use crate::render::sanitize::escape_truncated as clip;

/// A line of escaped evidence text with the filter's matched characters in
/// `highlight`. Matching runs on the escaped text, so highlights line up with
/// what is drawn.
pub fn highlighted(
    text: &str,
    query: &str,
    max: usize,
    style: Style,
    highlight: Style,
) -> Line<'static> {
    let shown = clip(text, max);
    if query.trim().is_empty() {
        return Line::from(Span::styled(shown, style));
    }
    let positions = match_positions(query, &shown);
    if positions.is_empty() {
        return Line::from(Span::styled(shown, style));
    }
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_is_match = false;
    let mut next = positions.iter().peekable();
    for (index, c) in shown.chars().enumerate() {
        let is_match = next.peek() == Some(&&index);
        if is_match {
            next.next();
        }
        if is_match != run_is_match && !run.is_empty() {
            let piece = std::mem::take(&mut run);
            spans.push(Span::styled(
                piece,
                if run_is_match { highlight } else { style },
            ));
        }
        run_is_match = is_match;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(
            run,
            if run_is_match { highlight } else { style },
        ));
    }
    Line::from(spans)
}

/// A duration in the shortest readable form: `850ms`, `42s`, `7m05s`, `3h12m`, `2d04h`.
pub fn short_duration(delta: chrono::TimeDelta) -> String {
    let millis = delta.num_milliseconds().unsigned_abs();
    let seconds = millis / 1000;
    match seconds {
        0 => format!("{millis}ms"),
        1..=59 => format!("{seconds}s"),
        60..=3599 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        3600..=86_399 => format!("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60),
        _ => format!("{}d{:02}h", seconds / 86_400, (seconds % 86_400) / 3600),
    }
}

/// `time` relative to `now`: `3h12m ago`, or `in 5m00s` for the future.
pub fn relative(time: Timestamp, now: Timestamp) -> String {
    let delta = now - time;
    if delta < chrono::TimeDelta::zero() {
        format!("in {}", short_duration(-delta))
    } else {
        format!("{} ago", short_duration(delta))
    }
}

/// A time in the task list. Wide: `HH:MM (2h ago)`. Narrow: `HH:MM UTC`
/// for a time of the last day, which the time of day names without doubt;
/// an older one, or one ahead of `now`, relative, which says its day.
pub fn list_time(time: Timestamp, now: Timestamp, wide: bool) -> String {
    if wide {
        format!("{} ({})", time.format("%H:%M"), relative(time, now))
    } else if time <= now && now - time < chrono::TimeDelta::days(1) {
        time.format("%H:%M UTC").to_string()
    } else {
        relative(time, now)
    }
}

/// UTC date and time to the second, labelled: `2026-11-20 14:31:05 UTC`.
pub fn absolute(time: Timestamp) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// UTC time of day with milliseconds: `14:31:05.331`.
pub fn clock(time: Timestamp) -> String {
    time.format("%H:%M:%S%.3f").to_string()
}

/// The ID at the end of an ARN, or the text itself.
pub fn arn_tail(text: &str) -> &str {
    text.rsplit(['/', ':']).next().unwrap_or(text)
}

pub use crate::model::keys::short_id;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_times_are_absolute_when_the_time_of_day_is_enough() {
        let now: Timestamp = "2026-11-20T15:00:00Z".parse().unwrap();
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        assert_eq!(
            list_time(at("2026-11-20T13:02:00Z"), now, false),
            "13:02 UTC"
        );
        assert_eq!(
            list_time(at("2026-11-19T15:30:00Z"), now, false),
            "15:30 UTC"
        );
        // A day or more ago, or ahead of the clock: the day matters.
        assert_eq!(
            list_time(at("2026-11-19T14:00:00Z"), now, false),
            "1d01h ago"
        );
        assert_eq!(
            list_time(at("2026-11-20T16:00:00Z"), now, false),
            "in 1h00m"
        );
        assert_eq!(
            list_time(at("2026-11-20T13:02:00Z"), now, true),
            "13:02 (1h58m ago)"
        );
    }

    #[test]
    fn escapes_before_clipping_and_highlighting() {
        let hostile = "curl http://x \u{1b}]52;c;ZXZpbA==\u{7}";
        let line = highlighted(hostile, "curl", 80, Style::default(), Style::default());
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("\\x1b]52"), "{text:?}");
        assert_eq!(line.spans[0].content, "curl");
        assert_eq!(clip("abcdef", 4), "abc…");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(
            short_duration(chrono::TimeDelta::milliseconds(850)),
            "850ms"
        );
        assert_eq!(short_duration(chrono::TimeDelta::seconds(425)), "7m05s");
        assert_eq!(short_duration(chrono::TimeDelta::seconds(11_520)), "3h12m");
        assert_eq!(arn_tail("arn:aws:ecs:us-east-1:1:task/c/abc"), "abc");
    }
}
