//! The text of the side panes: event detail (key facts, links, notes, the raw
//! record as a JSON tree), task context (with the bundle's custody log), and
//! the help overlay. Every evidence string goes through `clip`, which
//! escapes control characters.

use super::app::{App, Pane};
use super::data::Data;
use super::keys::{Section, DEFAULT_BINDINGS};
use super::text::{absolute, clip, relative, short_id};
use crate::bundle::annotations::{event_anchor, Annotation, AnnotationAction, Target};
use crate::inspect::tree::TreeKind;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// Longest value shown on one detail line.
const VALUE_CHARS: usize = 600;

/// The detail pane's lines, and the index of the first JSON tree line.
pub fn detail_lines(app: &App, data: &Data) -> (Vec<Line<'static>>, usize) {
    let theme = &app.theme;
    let Some(index) = app.detail.event else {
        return (
            vec![Line::from(Span::styled("no event selected", theme.dim))],
            0,
        );
    };
    let event = &data.incident.events[index as usize];
    let label = |text: &str| Span::styled(format!("{text}: "), theme.dim);
    let mut lines = vec![
        Line::from(Span::styled(clip(&event.kind, VALUE_CHARS), theme.title)),
        Line::from(vec![
            Span::styled(absolute(event.time), theme.base),
            Span::styled(format!("  ({})", relative(event.time, app.now)), theme.dim),
            Span::raw("  "),
            Span::styled(event.source.name(), theme.source(event.source)),
            Span::raw(" "),
            Span::styled(event.severity.name(), theme.severity(event.severity)),
        ]),
        Line::from(Span::raw(clip(&event.summary, VALUE_CHARS))),
    ];
    if let Some(actor) = &event.actor {
        lines.push(Line::from(vec![
            label("actor"),
            Span::raw(clip(actor, VALUE_CHARS)),
        ]));
    }
    let provenance = event.provenance();
    lines.push(Line::from(vec![
        label("provenance"),
        Span::raw(provenance.name()),
        Span::styled(format!(" ({})", provenance.description()), theme.dim),
    ]));
    for fact in &app.detail.facts {
        lines.push(Line::from(vec![
            label(&fact.label),
            Span::raw(clip(&fact.value, VALUE_CHARS)),
        ]));
    }
    let tasks = &data.incident.tasks;
    for link in &event.links {
        let style = if link.is_weak() {
            theme.weak_link
        } else {
            theme.dim
        };
        let weak = match link.doubt {
            Some(doubt) => format!(" (weak: {})", doubt.explanation()),
            None => String::new(),
        };
        lines.push(Line::from(vec![
            label("task"),
            Span::raw(short_id(&tasks[link.task].id).to_string()),
            Span::styled(format!(" via {}{weak}", link.reason.name()), style),
        ]));
        if !link.ambiguous_with.is_empty() {
            let others: Vec<&str> = link
                .ambiguous_with
                .iter()
                .map(|&t| short_id(&tasks[t].id))
                .collect();
            lines.push(Line::from(Span::styled(
                format!(
                    "  ambiguous: the IP was held by {} too at that time",
                    others.join(", ")
                ),
                theme.weak_link,
            )));
        }
    }
    let manifest = &data.bundle.manifest;
    let anchor = event_anchor(event, manifest);
    if app.annotations.is_marked(&anchor) {
        lines.push(Line::from(Span::styled("★ marked", theme.mark)));
    }
    let tags = app.annotations.tags(&anchor);
    if !tags.is_empty() {
        let tags: Vec<String> = tags.iter().map(|t| clip(t, 40)).collect();
        lines.push(Line::from(vec![
            label("tags"),
            Span::styled(tags.join(", "), theme.note),
        ]));
    }
    for note in app.annotations.notes(&Target::Event {
        anchor: anchor.clone(),
    }) {
        lines.push(note_line(note, app));
    }
    lines.push(Line::from(vec![
        label("evidence"),
        Span::styled(clip(&anchor, VALUE_CHARS), theme.dim),
    ]));
    if event.raw.len() > 1 {
        lines.push(Line::from(Span::styled(
            format!("also seen in {} other record(s)", event.raw.len() - 1),
            theme.dim,
        )));
    }
    lines.push(Line::from(Span::styled(
        "── raw record (Enter/←/→ fold) ──",
        theme.dim,
    )));
    let tree_start = lines.len();
    if let Some(error) = &app.detail.error {
        lines.push(Line::from(Span::styled(
            format!("raw record unavailable: {}", clip(error, 300)),
            theme.status_error,
        )));
    }
    if let Some(tree) = &app.detail.tree {
        for (i, line) in tree.lines().iter().enumerate() {
            let selected = app.focus == Pane::Detail && i == app.detail.selected;
            let mut spans = vec![Span::raw("  ".repeat(line.depth))];
            spans.push(Span::raw(match (line.expandable, line.expanded) {
                (true, true) => "▾ ",
                (true, false) => "▸ ",
                _ => "  ",
            }));
            if let Some(key) = &line.key {
                spans.push(Span::styled(format!("{}: ", clip(key, 80)), theme.json_key));
            }
            let style = match line.kind {
                TreeKind::String => theme.json_string,
                TreeKind::Number => theme.json_number,
                TreeKind::Bool | TreeKind::Null => theme.json_literal,
                _ => theme.base,
            };
            spans.push(Span::styled(clip(&line.text, VALUE_CHARS), style));
            let mut rendered = Line::from(spans);
            if selected {
                rendered = rendered.style(theme.selected);
            }
            lines.push(rendered);
        }
    }
    (lines, tree_start)
}

fn note_line(note: &Annotation, app: &App) -> Line<'static> {
    let theme = &app.theme;
    let text = match &note.action {
        AnnotationAction::Note { text } => text.as_str(),
        _ => "",
    };
    Line::from(vec![
        Span::styled("✎ ", theme.note),
        Span::styled(clip(text, VALUE_CHARS), theme.note),
        Span::styled(
            format!("  — {}, {}", clip(&note.author, 60), absolute(note.time)),
            theme.dim,
        ),
    ])
}

/// The task context pane's lines.
pub fn context_lines(app: &App, data: &Data, task: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
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
        Some(t) => format!("{} ({})", absolute(t), relative(t, app.now)),
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
    if let Some((t, context)) = &app.context {
        if *t == task {
            lines.push(Line::from(""));
            lines.extend(super::context_view::lines(context, data, theme));
        }
    }
    let notes = app.annotations.notes(&Target::Task {
        id: facts.id.clone(),
    });
    if !notes.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Notes"));
        for note in notes {
            lines.push(note_line(note, app));
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

/// The help overlay: every action with its current keys, by section.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for section in [
        Section::Movement,
        Section::Navigate,
        Section::Annotate,
        Section::General,
    ] {
        lines.push(Line::from(Span::styled(
            section.title(),
            theme.header.add_modifier(Modifier::BOLD),
        )));
        for binding in DEFAULT_BINDINGS.iter().filter(|b| b.section == section) {
            let keys = app.keymap.keys_for(binding.action).join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<18}"), theme.key_hint),
                Span::raw(binding.help),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        "Mouse: wheel scrolls the pane under it, click selects a row, a tab or a histogram bucket.",
        theme.dim,
    )));
    lines
}
