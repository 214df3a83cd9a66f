//! The text of the progress and result screens. Request IDs, errors,
//! service events and the state read afterwards come from AWS and go
//! through `clip`.

use super::plan_view::VALUE_CHARS;
use super::run::{Run, StepState};
use crate::bundle::audit::AUDIT_FILE;
use crate::bundle::audit::{CallStatus, ResultStatus, StepStatus};
use crate::respond::outcome::Outcome;
use crate::theme::Theme;
use crate::tui::text::clip;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::ops::Range;

/// Longest state-after JSON shown, in characters.
const STATE_CHARS: usize = 4000;

/// The mark and style of a step's state.
fn state_mark(state: StepState, theme: &Theme) -> (&'static str, Style) {
    match state {
        StepState::Pending => ("[ ]", theme.dim),
        StepState::Running => ("[…]", theme.key_hint),
        StepState::Ended(status) => {
            let mark = match status {
                StepStatus::Done => "[✓]",
                StepStatus::Failed => "[✗]",
                StepStatus::NotRun | StepStatus::Interrupted => "[!]",
                StepStatus::Skipped => "[-]",
            };
            (mark, status_style(status, theme))
        }
    }
}

/// The style of a step's status word.
fn status_style(status: StepStatus, theme: &Theme) -> Style {
    match status {
        StepStatus::Done => theme.running,
        StepStatus::Failed => theme.status_error,
        StepStatus::NotRun | StepStatus::Interrupted => theme.status_warning,
        StepStatus::Skipped => theme.dim,
    }
}

/// The line under a step saying why it failed, did not run or was skipped.
fn reason_line(reason: &str, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw("      "),
        Span::styled(clip(reason, VALUE_CHARS * 2), theme.dim),
    ])
}

/// The progress screen's steps: each selected step with its state and the
/// calls that returned. Returns the lines and the range of the step that
/// ran last, to keep in view.
pub fn progress_lines(run: &Run, theme: &Theme) -> (Vec<Line<'static>>, Range<usize>) {
    let mut lines = vec![Line::from(vec![
        Span::styled("running ", theme.title),
        Span::raw(clip(&run.plan.id, VALUE_CHARS)),
        Span::styled(
            format!(" · confirmed: {}", clip(&run.confirmed_by, 100)),
            theme.dim,
        ),
    ])];
    let current = run.current();
    let mut kept = 0..0;
    for (index, step) in run.steps.iter().enumerate() {
        let start = lines.len();
        let (mark, style) = state_mark(step.state, theme);
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} {:<13} ", step.id.name()), style),
            Span::styled(step.state.name(), style),
        ]));
        for call in &step.calls {
            let (status, style) = match call.status {
                CallStatus::Ok => ("ok", theme.running),
                CallStatus::Failed => ("FAILED", theme.status_error),
            };
            lines.push(Line::from(vec![
                Span::raw("      "),
                Span::styled(clip(&call.operation, 80), theme.key_hint),
                Span::raw(" "),
                Span::styled(status, style),
                Span::raw(" "),
                Span::styled(clip(&call.detail, VALUE_CHARS), theme.dim),
            ]));
        }
        if let Some(reason) = &step.reason {
            lines.push(reason_line(reason, theme));
        }
        if index == current {
            kept = start..lines.len();
        }
    }
    (lines, kept)
}

/// The latest `count` service events, one line each.
pub fn event_lines(run: &Run, count: usize, theme: &Theme) -> Vec<Line<'static>> {
    if run.events.is_empty() || count == 0 {
        return Vec::new();
    }
    let mut lines = vec![Line::from(Span::styled(
        format!("service events ({})", run.events.len()),
        theme.header,
    ))];
    let first = run.events.len().saturating_sub(count.saturating_sub(1));
    for event in &run.events[first..] {
        lines.push(Line::from(format!("  {}", clip(event, VALUE_CHARS))));
    }
    lines
}

/// The result screen: completed or FAILED, each step's status, the error,
/// the state read afterwards (compact JSON) and where it is recorded.
pub fn result_lines(run: &Run, outcome: &Outcome, theme: &Theme) -> Vec<Line<'static>> {
    let (badge, style) = match outcome.status {
        ResultStatus::Completed => (
            " COMPLETED ",
            theme
                .running
                .add_modifier(ratatui::style::Modifier::REVERSED),
        ),
        ResultStatus::Failed => (" FAILED ", theme.status_error),
        ResultStatus::Interrupted => (" INTERRUPTED ", theme.status_warning),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(badge, style),
            Span::raw(" "),
            Span::styled(run.plan.action.name(), theme.title),
            Span::raw(" "),
            Span::raw(clip(&run.plan.id, VALUE_CHARS)),
        ]),
        Line::from(Span::styled(
            format!("confirmed: {}", clip(&run.confirmed_by, 100)),
            theme.dim,
        )),
        Line::from(Span::styled("steps", theme.header)),
    ];
    for step in &outcome.steps {
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<13} ", clip(&step.step, 40))),
            Span::styled(step.status.name(), status_style(step.status, theme)),
        ]));
        if let Some(reason) = &step.reason {
            lines.push(reason_line(reason, theme));
        }
    }
    if let Some(error) = &outcome.error {
        lines.push(Line::from(vec![
            Span::styled("error ", theme.status_error),
            Span::raw(" "),
            Span::raw(clip(error, VALUE_CHARS * 4)),
        ]));
    }
    let after = serde_json::to_string(&outcome.after).unwrap_or_default();
    lines.push(Line::from(Span::styled("state after", theme.header)));
    lines.push(Line::from(Span::raw(clip(&after, STATE_CHARS))));
    lines.push(Line::from(vec![
        Span::styled("recorded in ", theme.dim),
        Span::raw(clip(
            &format!("{}/{AUDIT_FILE}", outcome.bundle.display()),
            VALUE_CHARS,
        )),
    ]));
    lines
}
