//! The two lines above the timeline's histogram: the task shown (its
//! service, account, state and lifetime) with the source and range in
//! force, and the bundle's coverage of that task. Evidence goes through
//! `clip`, which escapes control characters.

use super::Scene;
use crate::inspect::context::summarize_coverage;
use crate::model::{Source, Timestamp};
use crate::tui::text::{absolute, clip, clock};
use ratatui::text::{Line, Span};

/// What the timeline shows: one task or all, and the source and time range
/// it is narrowed to.
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    /// The task, or the whole incident.
    pub task: Option<usize>,
    /// The one source shown, if narrowed.
    pub source: Option<Source>,
    /// The time range picked on the histogram, if any.
    pub range: Option<(Timestamp, Timestamp)>,
}

/// The line above the histogram: the task, its service, account, state
/// and lifetime, and the source and range filters in force.
pub fn title_line(view: Shown, scene: &Scene) -> Line<'static> {
    let (data, theme) = (scene.data, scene.theme);
    let mut spans = vec![Span::styled(" ", theme.base)];
    match view.task {
        Some(task) => {
            let facts = &data.incident.tasks[task];
            spans.push(Span::styled(
                format!("task {}", clip(&facts.id, 40)),
                theme.title,
            ));
            if let Some(service) = facts.service().or(facts.group.as_deref()) {
                spans.push(Span::raw(format!("  {}", clip(service, 40))));
            }
            if let Some((account, region)) =
                data.places[task].as_ref().filter(|_| data.multi_account)
            {
                spans.push(Span::raw(format!(
                    "  {} {}",
                    clip(account, 16),
                    clip(region, 20)
                )));
            }
            let status = facts.last_status.as_deref().unwrap_or("?");
            let style = if status == "STOPPED" {
                theme.stopped
            } else {
                theme.running
            };
            spans.push(Span::styled(format!("  {}", clip(status, 20)), style));
            if let (Some(start), end) = (facts.created_at.or(facts.started_at), facts.stopped_at) {
                let end_text = end.map_or("now".to_string(), clock);
                spans.push(Span::styled(
                    format!("  {} → {}", absolute(start), end_text),
                    theme.dim,
                ));
            }
        }
        None => spans.push(Span::styled("all events", theme.title)),
    }
    if let Some(source) = view.source {
        spans.push(Span::styled(
            format!("  source:{}", source.name()),
            theme.key_hint,
        ));
    }
    if let Some((from, to)) = view.range {
        spans.push(Span::styled(
            format!("  range:{}–{} UTC", clock(from), clock(to)),
            theme.key_hint,
        ));
    }
    Line::from(spans)
}

/// The coverage line: how well the bundle covers the task shown, once its
/// context is worked out.
pub fn coverage_line(view: Shown, scene: &Scene) -> Line<'static> {
    let theme = scene.theme;
    match (view.task, scene.context) {
        (Some(task), Some((t, context))) if *t == task => Line::from(vec![
            Span::styled(" coverage: ", theme.dim),
            Span::raw(clip(&summarize_coverage(context), 300)),
        ]),
        (None, _) => Line::from(Span::styled(
            " every event in the bundle (no task selected)",
            theme.dim,
        )),
        _ => Line::from(""),
    }
}
