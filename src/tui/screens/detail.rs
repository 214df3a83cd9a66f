//! The detail pane of the timeline and findings screens: the selected
//! event's key facts, links, marks, tags and notes, where its record sits in
//! the bundle, and the raw record as a JSON tree that folds. Every evidence
//! string goes through `clip`, which escapes control characters.

use super::{Pane, Scene};
use crate::bundle::annotations::{event_anchor, Annotation, AnnotationAction, Target};
use crate::inspect::facts::Fact;
use crate::inspect::tree::{JsonTree, TreeKind};
use crate::tui::text::{absolute, clip, relative, short_id};
use crate::tui::widgets::pane_block;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Longest value shown on one detail line.
pub const VALUE_CHARS: usize = 600;

/// The detail pane's content for the selected event.
#[derive(Default)]
pub struct Detail {
    /// The event shown.
    pub event: Option<u32>,
    /// Key facts from its raw record.
    pub facts: Vec<Fact>,
    /// The raw record as a collapsible tree.
    pub tree: Option<JsonTree>,
    /// Why the raw record could not be shown.
    pub error: Option<String>,
    /// Selected line of the tree.
    pub selected: usize,
    /// First line of the pane in view.
    pub scroll: usize,
}

impl Detail {
    /// The pane's lines, and the index of the first JSON tree line.
    pub fn lines(&self, scene: &Scene) -> (Vec<Line<'static>>, usize) {
        let (data, theme) = (scene.data, scene.theme);
        let Some(index) = self.event else {
            return (
                vec![Line::from(Span::styled("no event selected", theme.dim))],
                0,
            );
        };
        let event = data.event(index);
        let label = |text: &str| Span::styled(format!("{text}: "), theme.dim);
        let mut lines = vec![
            Line::from(Span::styled(clip(&event.kind, VALUE_CHARS), theme.title)),
            Line::from(vec![
                Span::styled(absolute(event.time), theme.base),
                Span::styled(
                    format!("  ({})", relative(event.time, scene.now)),
                    theme.dim,
                ),
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
        for fact in &self.facts {
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
        if scene.annotations.is_marked(&anchor) {
            lines.push(Line::from(Span::styled("★ marked", theme.mark)));
        }
        let tags = scene.annotations.tags(&anchor);
        if !tags.is_empty() {
            let tags: Vec<String> = tags.iter().map(|t| clip(t, 40)).collect();
            lines.push(Line::from(vec![
                label("tags"),
                Span::styled(tags.join(", "), theme.note),
            ]));
        }
        for note in scene.annotations.notes(&Target::Event {
            anchor: anchor.clone(),
        }) {
            lines.push(note_line(note, scene));
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
        if let Some(error) = &self.error {
            lines.push(Line::from(Span::styled(
                format!("raw record unavailable: {}", clip(error, 300)),
                theme.status_error,
            )));
        }
        if let Some(tree) = &self.tree {
            for (i, line) in tree.lines().iter().enumerate() {
                let selected = scene.focus == Pane::Detail && i == self.selected;
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

    /// The first line in view: the scroll as it was, moved (with the detail
    /// pane in focus) so that the selected tree line is in a pane of
    /// `height` lines, and kept within the pane's `lines`.
    pub fn scroll_for(&self, tree_start: usize, lines: usize, height: usize, focus: Pane) -> usize {
        let mut scroll = self.scroll;
        if focus == Pane::Detail {
            let at = tree_start + self.selected;
            if at < scroll {
                scroll = at;
            } else if at >= scroll + height {
                scroll = at + 1 - height;
            }
        }
        scroll.min(lines.saturating_sub(1))
    }

    /// Draws the pane into the side area, as laid out and scrolled.
    pub fn draw(&self, frame: &mut Frame, scene: &Scene) {
        let block = pane_block(" Detail ", scene.focus == Pane::Detail, scene.theme);
        let (lines, _) = self.lines(scene);
        let paragraph = Paragraph::new(lines)
            .block(block)
            .scroll((self.scroll as u16, 0));
        frame.render_widget(paragraph, scene.areas.detail);
    }
}

/// A note as one line: its text, author and time.
pub fn note_line(note: &Annotation, scene: &Scene) -> Line<'static> {
    let theme = scene.theme;
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
