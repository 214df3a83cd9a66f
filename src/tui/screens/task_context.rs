//! The tasks screen's side pane: the selected task's facts and containers,
//! its context (its images, task-definition posture, the deployment that
//! started it, blast radius, coverage: drawn by `context_sections`), its notes and the
//! bundle's custody log. Every evidence string goes through `clip`, which
//! escapes control characters.

use super::context_sections;
use super::detail::{note_line, VALUE_CHARS};
use super::{Pane, Scene};
use crate::bundle::annotations::Target;
use crate::tui::text::{absolute, clip, relative};
use crate::tui::widgets::pane_block;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// The first line in view of the pane for `task` (None: no task
/// selected): `scroll`, kept within the pane's lines.
pub fn scroll_for(scene: &Scene, task: Option<usize>, scroll: usize) -> usize {
    match task {
        Some(task) => scroll.min(lines(scene, task).len().saturating_sub(1)),
        None => scroll,
    }
}

/// Draws the pane for `task` into the side area, scrolled by `scroll`.
pub fn draw(frame: &mut Frame, scene: &Scene, task: Option<usize>, scroll: usize) {
    let theme = scene.theme;
    let area = scene.areas.detail;
    let block = pane_block(" Task context ", scene.focus == Pane::Detail, theme);
    let Some(task) = task else {
        frame.render_widget(
            Paragraph::new("no task selected")
                .style(theme.dim)
                .block(block),
            area,
        );
        return;
    };
    let paragraph = Paragraph::new(lines(scene, task))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll as u16, 0));
    frame.render_widget(paragraph, area);
}

/// The pane's lines for `task`: its facts, then its context (when
/// `context` is that task's), its notes, and the bundle's custody log.
fn lines(scene: &Scene, task: usize) -> Vec<Line<'static>> {
    let (data, theme) = (scene.data, scene.theme);
    let facts = &data.incident.tasks[task];
    let label = |text: &str| Span::styled(format!("{text}: "), theme.dim);
    let heading = |text: &str| {
        Line::from(Span::styled(
            text.to_string(),
            theme.header.add_modifier(Modifier::BOLD),
        ))
    };
    let value = |text: Option<&str>| Span::raw(clip(text.unwrap_or("-"), VALUE_CHARS));
    let when = |t: Option<crate::model::Timestamp>| match t {
        Some(t) => format!("{} ({})", absolute(t), relative(t, scene.now)),
        None => "-".into(),
    };
    let mut lines = vec![
        Line::from(vec![
            label("task"),
            Span::styled(clip(facts.display_ref(), VALUE_CHARS), theme.title),
        ]),
        Line::from(vec![label("cluster"), value(facts.cluster.as_deref())]),
        Line::from(vec![label("group"), value(facts.group.as_deref())]),
        Line::from(vec![
            label("task definition"),
            value(facts.task_definition_arn.as_deref()),
        ]),
        Line::from(vec![
            label("started by"),
            value(facts.started_by.as_deref()),
        ]),
        Line::from(vec![
            label("status"),
            value(facts.last_status.as_deref()),
            Span::raw("  "),
            label("stop code"),
            value(facts.stop_code.as_deref()),
        ]),
        Line::from(vec![
            label("stopped reason"),
            value(facts.stopped_reason.as_deref()),
        ]),
        Line::from(vec![label("created"), Span::raw(when(facts.created_at))]),
        Line::from(vec![label("started"), Span::raw(when(facts.started_at))]),
        Line::from(vec![label("stopped"), Span::raw(when(facts.stopped_at))]),
    ];
    if !facts.ips.is_empty() || !facts.enis.is_empty() {
        let network: Vec<String> = facts
            .enis
            .iter()
            .chain(facts.ips.iter())
            .map(|s| clip(s, 64))
            .collect();
        lines.push(Line::from(vec![
            label("network"),
            Span::raw(network.join(" ")),
        ]));
    }
    for container in &facts.containers {
        let exit = container
            .exit_code
            .map_or(String::new(), |c| format!(" exit {c}"));
        lines.push(Line::from(vec![
            label("container"),
            Span::raw(format!(
                "{} {}{exit}",
                clip(&container.name, 60),
                clip(
                    container
                        .image_digest
                        .as_deref()
                        .or(container.image.as_deref())
                        .unwrap_or("-"),
                    90
                )
            )),
        ]));
    }
    if let Some((t, context)) = scene.context {
        if *t == task {
            lines.push(Line::from(""));
            lines.extend(context_sections::lines(context, data, theme));
        }
    }
    let notes = scene.annotations.notes(&Target::Task {
        id: facts.id.clone(),
    });
    if !notes.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Notes"));
        for note in notes {
            lines.push(note_line(note, scene));
        }
    }
    if !data.custody.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Custody of the bundle"));
        for handoff in &data.custody {
            lines.push(Line::from(Span::styled(
                clip(&handoff.summary(), VALUE_CHARS),
                theme.dim,
            )));
        }
    }
    lines
}
