//! The text of the plan and confirmation screens. Every value of a plan
//! comes from AWS (names, tags, image references, reasons) and goes through
//! `clip`, which escapes control characters and bidi overrides.

use super::flow::Review;
use crate::respond::plan::Step;
use crate::respond::Plan;
use crate::theme::Theme;
use crate::tui::text::{arn_tail, clip};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::ops::Range;

/// Longest text of one value on a line (the popup cuts what does not fit).
pub const VALUE_CHARS: usize = 400;

/// The `REFUSED` banner of a refused plan.
pub fn refusal(plan: &Plan, theme: &Theme) -> Option<Line<'static>> {
    let reason = plan.refused.as_ref()?;
    Some(Line::from(vec![
        Span::styled(" REFUSED ", theme.status_error),
        Span::styled(
            format!(" {} (this plan cannot run)", clip(reason, VALUE_CHARS)),
            theme.status_warning,
        ),
    ]))
}

/// Most lines one wrapped value takes.
const WRAPPED_LINES: usize = 6;

/// `value` (raw) escaped and cut into lines of `width` columns, the first
/// after `first` and the others after as many spaces; at most
/// [`WRAPPED_LINES`] lines.
fn wrapped(first: Span<'static>, value: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let indent = first.width();
    let room = width.saturating_sub(indent).max(16);
    let escaped: Vec<char> = clip(value, room * WRAPPED_LINES).chars().collect();
    let mut lines = Vec::new();
    for (i, piece) in escaped.chunks(room).enumerate() {
        let lead = if i == 0 {
            first.clone()
        } else {
            Span::raw(" ".repeat(indent))
        };
        lines.push(Line::from(vec![
            lead,
            Span::styled(piece.iter().collect::<String>(), style),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::from(first));
    }
    lines
}

/// A label and a value from AWS, wrapped to `width`.
fn labelled(label: &str, value: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let label = Span::styled(format!("{label:<9}"), theme.dim);
    wrapped(label, value, width, theme.base)
}

/// The action, the account and the region.
fn heading(plan: &Plan, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(plan.action.name(), theme.title),
        Span::styled(" in account ", theme.dim),
        Span::raw(clip(&plan.target.account, 40)),
        Span::styled(" · ", theme.dim),
        Span::raw(clip(&plan.target.region, 40)),
    ])
}

/// How many calls the selected steps make, and how many change AWS.
pub fn call_counts(plan: &Plan) -> (usize, usize) {
    let calls = plan
        .steps
        .iter()
        .filter(|step| step.will_run())
        .map(|step| step.calls.len())
        .sum();
    (calls, plan.mutating_calls())
}

/// The plan screen's scrolling part: who acts, target, warnings, the task definition
/// comparison, then every step with its calls, blast radius or the reason it
/// will not run. Returns the lines and the range of lines of the step under
/// the cursor.
pub fn plan_lines(
    review: &Review,
    width: usize,
    theme: &Theme,
) -> (Vec<Line<'static>>, Range<usize>) {
    let plan = &review.plan;
    let target = &plan.target;
    let mut lines = vec![heading(plan, theme)];
    lines.extend(labelled("as", &target.caller, width, theme));
    lines.extend(labelled("cluster", &target.cluster, width, theme));
    if let Some(task) = &target.task_arn {
        lines.extend(labelled("task", task, width, theme));
    }
    if let Some(service) = &target.service {
        lines.extend(labelled("service", service, width, theme));
    }
    lines.extend(labelled("plan", &plan.id, width, theme));
    for warning in &plan.warnings {
        let label = Span::styled("warning  ", theme.status_warning);
        lines.extend(wrapped(label, warning, width, theme.base));
    }
    if !plan.diff.is_empty() {
        let changed = plan.diff.iter().filter(|line| line.changed()).count();
        lines.push(Line::from(Span::styled(
            format!(
                "task definition: current → target ({changed} of {} changed)",
                plan.diff.len()
            ),
            theme.header,
        )));
        for line in &plan.diff {
            if line.changed() {
                lines.push(Line::from(Span::styled(
                    format!("  ~ {}", clip(&line.field, 60)),
                    theme.diff_changed,
                )));
                for (label, value) in [("now     ", &line.current), ("target  ", &line.target)] {
                    let label = Span::styled(format!("      {label}"), theme.dim);
                    lines.extend(wrapped(label, value, width, theme.diff_changed));
                }
            } else {
                lines.push(Line::from(Span::styled(
                    format!(
                        "    {}: {} (same)",
                        clip(&line.field, 60),
                        clip(&line.current, VALUE_CHARS)
                    ),
                    theme.dim,
                )));
            }
        }
    }
    let (calls, mutating) = call_counts(plan);
    let selected = plan.steps.iter().filter(|s| s.will_run()).count();
    lines.push(Line::from(Span::styled(
        format!("steps: {selected} selected, {calls} calls ({mutating} change AWS)"),
        theme.header,
    )));
    let mut cursor = lines.len()..lines.len();
    for (index, step) in plan.steps.iter().enumerate() {
        let start = lines.len();
        step_lines(step, index == review.cursor, width, theme, &mut lines);
        if index == review.cursor {
            cursor = start..lines.len();
        }
    }
    (lines, cursor)
}

/// `[x]` runs, `[ ]` offered but not selected, `[-]` will not run.
fn step_mark(step: &Step) -> &'static str {
    match (&step.unavailable, step.selected) {
        (Some(_), _) => "[-]",
        (None, true) => "[x]",
        (None, false) => "[ ]",
    }
}

/// A step's lines: its head, then its calls and blast radius, or why it
/// will not run.
fn step_lines(
    step: &Step,
    under_cursor: bool,
    width: usize,
    theme: &Theme,
    lines: &mut Vec<Line<'static>>,
) {
    let pointer = if under_cursor { "›" } else { " " };
    let head = Line::from(format!(
        "{pointer} {} {:<13} {}",
        step_mark(step),
        step.id.name(),
        clip(&step.title, VALUE_CHARS)
    ));
    lines.push(if under_cursor {
        head.style(theme.selected)
    } else if step.will_run() {
        head.style(theme.base)
    } else {
        head.style(theme.dim)
    });
    let indent = "        ";
    if let Some(why) = &step.unavailable {
        let label = Span::styled(format!("{indent}not run: "), theme.dim);
        lines.extend(wrapped(label, why, width, theme.dim));
        return;
    }
    for call in &step.calls {
        let parameters = serde_json::to_string(&call.parameters).unwrap_or_default();
        lines.push(Line::from(vec![
            Span::raw(indent),
            Span::styled(clip(&call.operation, 80), theme.key_hint),
            Span::raw(" "),
            Span::styled(clip(&parameters, VALUE_CHARS), theme.dim),
        ]));
    }
    if let Some(radius) = &step.blast_radius {
        let label = Span::styled(format!("{indent}blast radius: "), theme.dim);
        lines.extend(wrapped(label, radius, width, theme.base));
    }
}

/// The confirmation screen: who acts, what runs, and the prompt.
pub fn confirm_lines(
    review: &Review,
    typed: &str,
    notice: Option<&str>,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let plan = &review.plan;
    let target = &plan.target;
    let mut lines = vec![heading(plan, theme)];
    lines.extend(labelled("as", &target.caller, width, theme));
    lines.extend(labelled("cluster", arn_tail(&target.cluster), width, theme));
    if let Some(task) = &target.task_arn {
        lines.extend(labelled("task", arn_tail(task), width, theme));
    }
    if let Some(service) = &target.service {
        lines.extend(labelled("service", service, width, theme));
    }
    let steps: Vec<&str> = plan
        .steps
        .iter()
        .filter(|step| step.will_run())
        .map(|step| step.id.name())
        .collect();
    lines.push(Line::from(vec![
        Span::styled("runs     ", theme.dim),
        Span::raw(steps.join(", ")),
    ]));
    lines.push(Line::from(""));
    let (calls, mutating) = call_counts(plan);
    lines.push(Line::from(vec![
        Span::raw("type "),
        Span::styled(clip(&plan.confirm_with, 80), theme.key_hint),
        Span::raw(format!(" to run {calls} calls ({mutating} change AWS)")),
    ]));
    lines.push(Line::from(vec![
        Span::styled("> ", theme.key_hint),
        Span::styled(clip(typed, 200), theme.base),
        Span::styled("█", theme.dim),
    ]));
    if let Some(notice) = notice {
        lines.push(Line::from(Span::styled(
            clip(notice, VALUE_CHARS),
            theme.status_warning,
        )));
    }
    lines
}
