//! Building blocks every screen and popup draws with: a bordered pane, a
//! centred box, the list and side pane split, badges and sparklines.

use crate::model::{Severity, Source};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

/// At least this many columns put side panes beside the list instead of below.
const WIDE: u16 = 140;

/// A bordered pane or popup box, its border in the focus style when `focused`.
pub fn pane_block<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(title)
}

/// A centred rectangle of at most `width` x `height`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// Splits a body into the list and the side pane.
pub fn split_side(area: Rect, list_share: u16) -> (Rect, Rect) {
    let direction = if area.width >= WIDE {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let [list, side] = Layout::new(
        direction,
        [
            Constraint::Percentage(list_share),
            Constraint::Percentage(100 - list_share),
        ],
    )
    .areas(area);
    (list, side)
}

/// A finding severity as a short badge in its colour.
pub fn severity_badge(severity: Severity, theme: &Theme) -> Span<'static> {
    let text = match severity {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "MED",
        Severity::Low => "LOW",
        Severity::Info => "·",
    };
    Span::styled(text, theme.severity(severity))
}

/// An event source as a short badge in its colour.
pub fn source_badge(source: Source, theme: &Theme) -> Span<'static> {
    let text = match source {
        Source::Guardduty => "GD",
        Source::Ecs => "ECS",
        Source::Cloudtrail => "CT",
        Source::Falco => "FALCO",
        Source::Logs => "LOG",
        Source::Scap => "SYS",
        Source::Response => "ACT",
    };
    Span::styled(text, theme.source(source))
}

/// Counts as a bar chart of `width` block characters.
pub fn sparkline(counts: &[u64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let resampled = resample(counts, width);
    let max = resampled.iter().copied().max().unwrap_or(0).max(1);
    resampled
        .iter()
        .map(|&n| {
            if n == 0 {
                ' '
            } else {
                BARS[((n * 7) / max) as usize]
            }
        })
        .collect()
}

/// Sums `counts` into `width` buckets.
fn resample(counts: &[u64], width: usize) -> Vec<u64> {
    let width = width.max(1);
    let mut out = vec![0; width];
    for (i, &n) in counts.iter().enumerate() {
        out[i * width / counts.len().max(1)] += n;
    }
    out
}
