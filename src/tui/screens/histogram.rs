//! The timeline's activity histogram: event counts over the scope's span,
//! with the cursor, the range being picked and the range in force, and the
//! time axis under it.

use super::{Pane, Scene};
use crate::model::Timestamp;
use crate::tui::text::{absolute, clock, short_duration};
use crate::tui::widgets::{pane_block, sparkline};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Fine buckets of the histogram; resampled to the screen width when drawn.
pub const HISTOGRAM_BUCKETS: usize = 512;

/// The time at fine bucket `index` of `span` (its end, when `end`).
pub fn bucket_time(
    span: Option<(Timestamp, Timestamp)>,
    index: usize,
    end: bool,
) -> Option<Timestamp> {
    let (from, to) = span?;
    let width = (to - from) / HISTOGRAM_BUCKETS as i32;
    let start = from + width * index as i32;
    Some(if end { (start + width).min(to) } else { start })
}

/// What the histogram shows: a timeline's counts, span, range and cursor.
pub struct Histogram<'a> {
    /// Event counts per fine bucket.
    pub counts: &'a [u64],
    /// The time span the buckets cover.
    pub span: Option<(Timestamp, Timestamp)>,
    /// The time range in force, when one is.
    pub range: Option<(Timestamp, Timestamp)>,
    /// The cursor, in fine buckets.
    pub cursor: usize,
    /// First end of a range being picked, in fine buckets.
    pub anchor: Option<usize>,
}

/// Draws `timeline`'s histogram into its pane, as laid out.
pub fn draw(frame: &mut Frame, timeline: &Histogram, scene: &Scene) {
    let theme = scene.theme;
    let focused = scene.focus == Pane::Histogram;
    let block = pane_block(" Activity ", focused, theme);
    let inner = scene.areas.histogram;
    frame.render_widget(block, scene.areas.histogram_pane);
    let width = inner.width as usize;
    if width == 0 || inner.height == 0 {
        return;
    }
    let buckets = HISTOGRAM_BUCKETS;
    let to_column = |fine: usize| fine * width / buckets;
    let bars: Vec<char> = sparkline(timeline.counts, width).chars().collect();
    let selected = |column: usize| -> bool {
        let in_range = timeline.range.is_some_and(|(from, to)| {
            let column_time = bucket_time(timeline.span, column * buckets / width, false);
            column_time.is_some_and(|t| t >= from - (to - from) / width as i32 && t <= to)
        });
        let in_anchor = timeline.anchor.is_some_and(|a| {
            let (lo, hi) = (
                to_column(a.min(timeline.cursor)),
                to_column(a.max(timeline.cursor)),
            );
            (lo..=hi).contains(&column)
        });
        in_range || in_anchor
    };
    let cursor = to_column(timeline.cursor);
    let spans: Vec<Span> = bars
        .iter()
        .enumerate()
        .map(|(column, bar)| {
            let style = if focused && column == cursor {
                theme.selected
            } else if selected(column) {
                theme.chart_selected
            } else {
                theme.chart
            };
            Span::styled(bar.to_string(), style)
        })
        .collect();
    let axis = match timeline.span {
        Some((from, to)) => {
            let left = absolute(from);
            let right = absolute(to);
            let middle = if focused {
                bucket_time(timeline.span, timeline.cursor, false)
                    .map(|t| format!("cursor {} UTC", clock(t)))
                    .unwrap_or_default()
            } else {
                format!("span {}", short_duration(to - from))
            };
            let pad = width.saturating_sub(left.len() + right.len() + middle.len()) / 2;
            format!(
                "{left}{}{middle}{}{right}",
                " ".repeat(pad),
                " ".repeat(pad)
            )
        }
        None => "no events".into(),
    };
    let lines = vec![Line::from(spans), Line::from(Span::styled(axis, theme.dim))];
    frame.render_widget(Paragraph::new(lines), inner);
}
