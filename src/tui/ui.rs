//! Drawing the whole screen: the title bar, the screen in view (each screen
//! draws itself, in `screens`), the status line and the open popup. Where
//! everything goes is worked out first ([`App::layout`]); drawing reads the
//! console's state and changes nothing. Only rows in view are built,
//! whatever the list's length.

use super::app::App;
use super::keys::Action;
use super::popups::Look;
use super::screens::{tab_text, task_context, View, TABS};
use super::status::Level;
use super::text::clip;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

/// Lays the screen out for the frame's size, then draws it.
pub fn render(frame: &mut Frame, app: &mut App) {
    app.layout(frame.area());
    draw(frame, app);
}

/// Draws the whole screen as laid out by [`App::layout`].
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base), area);
    draw_title(frame, app, app.areas.title);
    match &app.data {
        None => {
            let text = Paragraph::new(clip(&app.session.loading, 500))
                .style(app.theme.dim)
                .wrap(Wrap { trim: false });
            frame.render_widget(text, app.areas.body.inner(Margin::new(2, 1)));
        }
        Some(data) => {
            let scene = app.scene(data);
            match app.view {
                View::Tasks => {
                    app.tasks.draw(frame, &scene);
                    task_context::draw(frame, &scene, app.selected_task(), app.detail.scroll);
                }
                View::Timeline => {
                    app.timeline.draw(frame, &scene);
                    app.detail.draw(frame, &scene);
                }
                View::Findings => {
                    app.findings.draw(frame, &scene);
                    app.detail.draw(frame, &scene);
                }
            }
        }
    }
    draw_status(frame, app, app.areas.status);
    draw_popup(frame, app, area);
}

fn draw_title(frame: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let mut spans = vec![Span::styled(" taskscope ", theme.title)];
    for (view, label) in TABS {
        let style = if app.view == view {
            theme.selected
        } else {
            theme.dim
        };
        spans.push(Span::styled(tab_text(label), style));
        spans.push(Span::raw(" "));
    }
    if app.actions_enabled() {
        spans.push(Span::styled(" ACTIONS ON ", theme.actions_on));
    } else {
        spans.push(Span::styled(" READ-ONLY ", theme.read_only));
    }
    spans.push(Span::raw(" "));
    if let Some(live) = &app.session.live {
        let (badge, style) = if live.finished {
            (" COLLECTED ", theme.dim.add_modifier(Modifier::REVERSED))
        } else {
            (
                " LIVE ",
                theme
                    .running
                    .add_modifier(Modifier::REVERSED | Modifier::BOLD),
            )
        };
        spans.push(Span::styled(badge, style));
        spans.push(Span::raw(" "));
    }
    if app.shows_partial() {
        spans.push(Span::styled(" PARTIAL ", theme.status_warning));
        spans.push(Span::raw(" "));
    }
    if let Some(live) = &app.session.live {
        spans.push(Span::styled(
            format!("{} │ ", clip(&live.summary(), 100)),
            theme.dim,
        ));
    }
    if let Some(data) = &app.data {
        spans.push(Span::styled(
            format!(
                "{} │ {} tasks · {} events · {} findings",
                clip(&data.bundle_name(), 40),
                data.incident.tasks.len(),
                data.incident.events.len(),
                data.findings.len()
            ),
            theme.dim,
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.status_bar),
        area,
    );
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let line = if let Some((message, level)) = &app.status {
        let style = match level {
            Level::Info => theme.status_bar,
            Level::Warning => theme.status_warning,
            Level::Error => theme.status_error,
        };
        Line::from(Span::styled(format!(" {}", clip(message, 400)), style))
    } else if let Some(filter) = &app.current_list().filter {
        let progress = if filter.done {
            String::new()
        } else {
            format!(
                " (scanning {}%)",
                filter.scanned * 100 / filter.total.max(1)
            )
        };
        let mut spans = vec![
            Span::styled(format!(" /{}", clip(&filter.query, 60)), theme.key_hint),
            Span::styled(
                format!(
                    "  {} of {} match{progress}  ",
                    filter.matches.len(),
                    filter.total
                ),
                theme.status_bar,
            ),
        ];
        spans.extend(key_hints(
            app,
            &[
                (Action::NextMatch, "next"),
                (Action::PrevMatch, "prev"),
                (Action::Back, "clear"),
            ],
        ));
        Line::from(spans)
    } else {
        let mut spans = vec![Span::raw(" ")];
        spans.extend(key_hints(
            app,
            &[
                (Action::Help, "help"),
                (Action::Filter, "filter"),
                (Action::Open, "open"),
                (Action::NextPane, "pane"),
                (Action::Palette, "palette"),
                (Action::Mark, "mark"),
                (Action::Note, "note"),
                (Action::Export, "export"),
                (Action::Quit, "quit"),
            ],
        ));
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line).style(theme.status_bar), area);
}

/// Status-bar hints: each action's first key in the keymap in force, then
/// what it does; an action without a key is left out.
fn key_hints(app: &App, hints: &[(Action, &str)]) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (action, what) in hints {
        if let Some(key) = app.keymap.keys_for(*action).into_iter().next() {
            spans.push(Span::styled(key, app.theme.key_hint));
            spans.push(Span::styled(format!(" {what}  "), app.theme.status_bar));
        }
    }
    spans
}

fn draw_popup(frame: &mut Frame, app: &App, area: Rect) {
    if let Some(popup) = &app.popup {
        let look = Look {
            theme: &app.theme,
            keymap: &app.keymap,
        };
        popup.part().draw(frame, area, &look);
    }
}
