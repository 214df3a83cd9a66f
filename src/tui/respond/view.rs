//! Drawing an action's popup, stage by stage: a small box while planning
//! or after a failure, a large one for the plan, progress and result, a
//! medium one for the confirmation. Long screens scroll to keep the step
//! in question in view; the keys are always shown at the bottom.

use super::flow::{ActionFlow, Stage};
use super::{plan_view, run_view};
use crate::theme::Theme;
use crate::tui::keymap::Keymap;
use crate::tui::keys::{Action, Layer};
use crate::tui::text::clip;
use crate::tui::widgets::{centered, pane_block};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;
use std::ops::Range;

/// Service events shown at most under the progress.
const EVENTS_SHOWN: usize = 6;

/// Draws the popup of `flow` over `area`, with hints for the keys in force.
pub fn draw(frame: &mut Frame, flow: &ActionFlow, theme: &Theme, keymap: &Keymap, area: Rect) {
    let title = clip(&flow.title, 60);
    let keys = |hints: &[(&[Action], &str)]| keys(hints, keymap, theme);
    match &flow.stage {
        Stage::Planning => {
            let inner = open(frame, centered(area, 64, 6), format!(" {title} "), theme);
            let lines = vec![
                Line::from("reading AWS… (planning changes nothing)"),
                Line::from(""),
                keys(&[(&[Action::Cancel], "cancel")]),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Stage::Failed {
            error,
            after_confirming,
        } => {
            let heading = if *after_confirming {
                "failed"
            } else {
                "could not plan"
            };
            let rect = centered(area, 76, 12);
            let inner = open(frame, rect, format!(" {title} · {heading} "), theme);
            let lines = vec![
                Line::from(vec![
                    Span::styled("error ", theme.status_error),
                    Span::raw(" "),
                    Span::raw(clip(error, 2000)),
                ]),
                Line::from(""),
                keys(&[(&[Action::Submit, Action::Cancel], "close")]),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Stage::Plan(review) => {
            let inner = open(frame, large(area), format!(" {title} · plan "), theme);
            let banner = plan_view::refusal(&review.plan, theme);
            let (lines, cursor) = plan_view::plan_lines(review, inner.width as usize, theme);
            let mut footer: Vec<Line> = review
                .notice
                .iter()
                .map(|notice| {
                    Line::from(Span::styled(
                        clip(notice, plan_view::VALUE_CHARS),
                        theme.status_warning,
                    ))
                })
                .collect();
            footer.push(keys(&[
                (&[Action::NextItem, Action::PrevItem], "move"),
                (&[Action::Toggle], "select"),
                (&[Action::Submit], "confirm"),
                (&[Action::Cancel], "cancel"),
            ]));
            framed_body(frame, inner, banner, (lines, cursor), footer);
        }
        Stage::Confirm {
            review,
            typed,
            notice,
        } => {
            let rect = centered(area, 76, 14);
            let inner = open(frame, rect, format!(" {title} · confirm "), theme);
            let width = inner.width as usize;
            let mut lines =
                plan_view::confirm_lines(review, typed, notice.as_deref(), width, theme);
            lines.push(Line::from(""));
            lines.push(keys(&[
                (&[Action::Submit], "run"),
                (&[Action::Cancel], "back to the plan"),
            ]));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Stage::Running(run) => {
            let inner = open(frame, large(area), format!(" {title} · running "), theme);
            let mut footer = run_view::event_lines(run, EVENTS_SHOWN, theme);
            footer.push(Line::from(Span::styled(
                "the plan runs to its end; a failed step holds back only the steps that need it",
                theme.dim,
            )));
            framed_body(
                frame,
                inner,
                None,
                run_view::progress_lines(run, theme),
                footer,
            );
        }
        Stage::Finished {
            run,
            outcome,
            scroll,
        } => {
            let inner = open(frame, large(area), format!(" {title} · result "), theme);
            let [body, footer] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            let lines = run_view::result_lines(run, outcome, theme);
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((*scroll, 0)),
                body,
            );
            let hint = keys(&[
                (&[Action::Submit, Action::Cancel], "close and reload"),
                (&[Action::NextItem, Action::PrevItem], "scroll"),
            ]);
            frame.render_widget(Paragraph::new(hint), footer);
        }
    }
}

/// Clears `rect`, draws a focused box titled `title` and returns its inside.
fn open(frame: &mut Frame, rect: Rect, title: String, theme: &Theme) -> Rect {
    frame.render_widget(Clear, rect);
    let block = pane_block(title, true, theme).style(theme.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// The screen between the title bar and the status line, at most 120
/// columns wide.
fn large(area: Rect) -> Rect {
    centered(area, area.width.min(120), area.height.saturating_sub(2))
}

/// A banner on top (wrapped, at most 3 lines), the body scrolled so that
/// the lines in `keep` are in view (their start first), and the footer.
fn framed_body(
    frame: &mut Frame,
    inner: Rect,
    banner: Option<Line<'static>>,
    (lines, keep): (Vec<Line<'static>>, Range<usize>),
    footer: Vec<Line<'static>>,
) {
    let width = inner.width.max(1) as usize;
    let banner_height = banner
        .as_ref()
        .map_or(0, |line| line.width().div_ceil(width).clamp(1, 3)) as u16;
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(banner_height),
        Constraint::Min(1),
        Constraint::Length(footer.len() as u16),
    ])
    .areas(inner);
    if let Some(banner) = banner {
        frame.render_widget(Paragraph::new(banner).wrap(Wrap { trim: false }), top);
    }
    let height = body.height as usize;
    let scroll = keep.start.min(keep.end.saturating_sub(height));
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), body);
    frame.render_widget(Paragraph::new(footer), bottom);
}

/// A line of key hints, `j/k move · esc cancel`: per hint, the first key
/// of each of its confirm-layer actions in force (an action without a key
/// is left out, a hint without any key too), then what it does.
fn keys(hints: &[(&[Action], &str)], keymap: &Keymap, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (actions, what) in hints {
        let keys: Vec<String> = actions
            .iter()
            .filter_map(|&action| keymap.keys_in(Layer::Confirm, action).into_iter().next())
            .collect();
        if keys.is_empty() {
            continue;
        }
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.dim));
        }
        spans.push(Span::styled(keys.join("/"), theme.key_hint));
        spans.push(Span::styled(format!(" {what}"), theme.dim));
    }
    Line::from(spans)
}
