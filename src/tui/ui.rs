//! Drawing: the title bar, the three views, side panes, popups and the
//! status line. Only rows in view are built, whatever the list's length.

use super::app::{App, Level, Pane, View};
use super::data::Data;
use super::keys::Action;
use super::popups::{Popup, EXPORT_FORMATS};
use super::text::{absolute, clip, clock, highlighted, list_time, short_duration, short_id};
use super::views::timeline::TimeMode;
use crate::model::{Event, RunState, Severity, Source};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// At least this many columns put side panes beside the list instead of below.
const WIDE: u16 = 140;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base), area);
    let [title, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(frame, app, title);
    match app.data.clone() {
        None => {
            let text = Paragraph::new(clip(&app.loading, 500))
                .style(app.theme.dim)
                .wrap(Wrap { trim: false });
            frame.render_widget(text, body.inner(ratatui::layout::Margin::new(2, 1)));
        }
        Some(data) => match app.view {
            View::Tasks => draw_tasks(frame, app, &data, body),
            View::Timeline => draw_timeline(frame, app, &data, body),
            View::Findings => draw_findings(frame, app, &data, body),
        },
    }
    draw_status(frame, app, status);
    draw_popup(frame, app, area);
}

fn draw_title(frame: &mut Frame, app: &mut App, area: Rect) {
    let theme = &app.theme;
    let mut spans = vec![Span::styled(" taskscope ", theme.title)];
    let mut x = area.x + 11;
    let tabs = [
        (View::Tasks, "1 Tasks"),
        (View::Timeline, "2 Timeline"),
        (View::Findings, "3 Findings"),
    ];
    for (i, (view, label)) in tabs.iter().enumerate() {
        let style = if app.view == *view {
            theme.selected
        } else {
            theme.dim
        };
        let text = format!(" {label} ");
        let width = text.chars().count() as u16;
        app.areas.tabs[i] = (Some(*view), Rect::new(x, area.y, width, 1));
        x += width + 1;
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    if app.actions_enabled() {
        spans.push(Span::styled(" ACTIONS ON ", theme.actions_on));
    } else {
        spans.push(Span::styled(" READ-ONLY ", theme.read_only));
    }
    spans.push(Span::raw(" "));
    if let Some(live) = &app.live {
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
    if let Some(live) = &app.live {
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

/// Splits a body into the list and the side pane.
fn split_side(area: Rect, list_share: u16) -> (Rect, Rect) {
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

/// A line drawn above a table row: cells in the table's columns, or a
/// heading across the whole width.
enum Separator {
    /// Cells laid out in the table's columns (silent gaps, severity groups).
    Cells(Row<'static>),
    /// One line across every column (task group headings).
    Heading(Line<'static>),
}

/// A table of the rows in view, ready to draw.
struct TableSpec<'a> {
    title: String,
    header: Vec<&'a str>,
    widths: Vec<Constraint>,
    rows: Vec<(Option<Separator>, Row<'static>)>,
    /// The list row of the first entry of `rows`.
    first: usize,
    /// The selected row's position among `rows`.
    selected: Option<usize>,
    /// Shown when there are no rows.
    empty: &'static str,
}

/// Draws a table of the rows in view; a row may bring a separator row drawn
/// above it (group headers, silent gaps). Returns the row area and, per
/// screen line of it, the list row drawn there (for mouse clicks).
fn draw_table(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    table: TableSpec,
) -> (Rect, Vec<Option<usize>>) {
    let TableSpec {
        title,
        header,
        widths,
        rows,
        first,
        selected,
        empty,
    } = table;
    let theme = &app.theme;
    let focused = app.focus == Pane::List;
    let block = pane_block(title, focused, theme);
    let header = Row::new(header).style(theme.header);
    let selected_style = if focused {
        theme.selected
    } else {
        theme.selected_unfocused
    };
    let empty = Line::from(Span::styled(empty, theme.dim));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if rows.is_empty() {
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(
            Table::new(Vec::<Row>::new(), widths)
                .header(header)
                .column_spacing(1),
            head,
        );
        frame.render_widget(Paragraph::new(empty).wrap(Wrap { trim: false }), body);
        return (body, Vec::new());
    }
    let height = inner.height.saturating_sub(1) as usize;
    let mut lines: Vec<Row> = Vec::new();
    let mut owners: Vec<Option<usize>> = Vec::new();
    // Per line, the heading drawn over it once the table is drawn.
    let mut headings: Vec<Option<Line>> = Vec::new();
    let mut selected_line = None;
    for (i, (separator, row)) in rows.into_iter().enumerate() {
        match separator {
            Some(Separator::Cells(cells)) => {
                lines.push(cells);
                headings.push(None);
                owners.push(None);
            }
            Some(Separator::Heading(heading)) => {
                lines.push(Row::new(Vec::<Cell>::new()));
                headings.push(Some(heading));
                owners.push(None);
            }
            None => {}
        }
        headings.push(None);
        owners.push(Some(first + i));
        if Some(i) == selected {
            selected_line = Some(lines.len());
            lines.push(row.style(selected_style));
        } else {
            lines.push(row);
        }
    }
    if let Some(line) = selected_line {
        if line >= height {
            lines.drain(..=line - height);
            owners.drain(..=line - height);
            headings.drain(..=line - height);
        }
    }
    lines.truncate(height);
    owners.truncate(height);
    headings.truncate(height);
    let table = Table::new(lines, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
    let rows_area = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    for (offset, heading) in headings.into_iter().enumerate() {
        if let Some(heading) = heading {
            let line = Rect::new(rows_area.x, rows_area.y + offset as u16, rows_area.width, 1);
            frame.render_widget(Paragraph::new(heading), line);
        }
    }
    (rows_area, owners)
}

fn severity_badge(severity: Severity, theme: &Theme) -> Span<'static> {
    let text = match severity {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "MED",
        Severity::Low => "LOW",
        Severity::Info => "·",
    };
    Span::styled(text, theme.severity(severity))
}

fn source_badge(source: Source, theme: &Theme) -> Span<'static> {
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

fn sparkline(counts: &[u64], width: usize) -> String {
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

fn draw_tasks(frame: &mut Frame, app: &mut App, data: &Data, area: Rect) {
    let (list_area, side) = split_side(area, 64);
    let theme = app.theme.clone();
    // The account column, when shown, takes its room from the wide times.
    let account_width = if data.multi_account { 13 } else { 0 };
    let wide = list_area.width >= 100 + account_width;
    let show_stop_code = list_area.width >= 118 + account_width;
    let range = app
        .tasks
        .list
        .window(list_area.height.saturating_sub(3) as usize);
    let query = app.tasks.list.query().to_string();
    let mut rows = Vec::new();
    let mut previous_group: Option<String> = None;
    for row in range.clone() {
        let Some(task) = app.tasks.list.item(row) else {
            continue;
        };
        let task = task as usize;
        let facts = &data.incident.tasks[task];
        let stats = &data.stats[task];
        let group = app.tasks.grouping.key(data, task);
        let separator = (app.tasks.grouping != super::views::tasks::Grouping::None
            && previous_group.as_ref() != Some(&group))
        .then(|| {
            // Drawn across the whole row, so that long names are not cut
            // to the width of one column.
            Separator::Heading(Line::from(Span::styled(
                format!("▸ {}", clip(&group, 200)),
                theme.header,
            )))
        });
        previous_group = Some(group);
        let status = match facts.run_state() {
            RunState::Running => Span::styled("● RUN", theme.running),
            RunState::Stopped => Span::styled("■ STOP", theme.stopped),
            RunState::Unknown => Span::styled("?", theme.dim),
        };
        let started = facts.started_at.or(facts.created_at);
        let time_cell = |t: Option<crate::model::Timestamp>| {
            t.map_or_else(|| "-".into(), |t| list_time(t, app.now, wide))
        };
        // The evidence columns: the response actions are on the timeline.
        let counts: Vec<String> = Source::EVIDENCE
            .iter()
            .map(|&source| stats.summary.count(source).to_string())
            .collect();
        let service = facts.service().or(facts.group.as_deref()).unwrap_or("-");
        let mut cells = vec![
            Cell::from(status),
            Cell::from(highlighted(
                short_id(&facts.id),
                &query,
                8,
                theme.base,
                theme.match_highlight,
            )),
        ];
        if data.multi_account {
            let account = data.places[task].as_ref().map_or("-", |(a, _)| a.as_str());
            cells.push(Cell::from(highlighted(
                account,
                &query,
                12,
                theme.base,
                theme.match_highlight,
            )));
        }
        cells.extend([
            Cell::from(highlighted(
                service,
                &query,
                24,
                theme.base,
                theme.match_highlight,
            )),
            Cell::from(time_cell(started)),
            Cell::from(time_cell(facts.stopped_at)),
        ]);
        if show_stop_code {
            cells.push(Cell::from(clip(
                facts.stop_code.as_deref().unwrap_or("-"),
                24,
            )));
        }
        cells.push(Cell::from(match stats.summary.severity {
            Some(severity) => severity_badge(severity, &theme),
            None => Span::styled("-", theme.dim),
        }));
        cells.push(Cell::from(counts.join("/")));
        cells.push(Cell::from(Span::styled(
            sparkline(&stats.activity, 10),
            theme.chart,
        )));
        rows.push((separator, Row::new(cells)));
    }
    let time_width = if wide { 18 } else { 10 };
    let mut widths = vec![Constraint::Length(6), Constraint::Length(8)];
    let mut header = vec!["STATUS", "TASK"];
    if data.multi_account {
        widths.push(Constraint::Length(12));
        header.push("ACCOUNT");
    }
    widths.extend([
        Constraint::Min(10),
        Constraint::Length(time_width),
        Constraint::Length(time_width),
    ]);
    // Wide, the times are absolute (UTC) with the relative time beside them.
    let (started, stopped) = if wide {
        ("STARTED (UTC)", "STOPPED (UTC)")
    } else {
        ("STARTED", "STOPPED")
    };
    header.extend(["SERVICE", started, stopped]);
    if show_stop_code {
        widths.push(Constraint::Length(18));
        header.push("STOP CODE");
    }
    widths.extend([
        Constraint::Length(4),
        Constraint::Length(if wide { 15 } else { 11 }),
        Constraint::Length(10),
    ]);
    let counts_header = if wide {
        "GD/ECS/CT/F/L/S"
    } else {
        "G/E/C/F/L/S"
    };
    header.extend(["SEV", counts_header, "ACTIVITY"]);
    let title = format!(
        " Tasks ({}) sort:{} group:{} ",
        app.tasks.list.len(),
        app.tasks.sort.name(),
        app.tasks.grouping.name()
    );
    let selected = app.tasks.list.selected.checked_sub(range.start);
    let table = TableSpec {
        title,
        header,
        widths,
        rows,
        first: range.start,
        selected,
        empty: "no tasks: nothing in this bundle names an ECS task (or the filter hides them)",
    };
    (app.areas.list, app.areas.list_rows) = draw_table(frame, list_area, app, table);
    app.areas.histogram = Rect::default();
    draw_context(frame, app, data, side);
}

fn draw_context(frame: &mut Frame, app: &mut App, data: &Data, area: Rect) {
    let theme = app.theme.clone();
    let block = pane_block(" Task context ", app.focus == Pane::Detail, &theme);
    app.areas.detail = area;
    let Some(task) = app.selected_task() else {
        frame.render_widget(
            Paragraph::new("no task selected")
                .style(theme.dim)
                .block(block),
            area,
        );
        return;
    };
    let lines = super::side::context_lines(app, data, task);
    let max_scroll = lines.len().saturating_sub(1);
    app.detail.scroll = app.detail.scroll.min(max_scroll);
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.detail.scroll as u16, 0));
    frame.render_widget(paragraph, area);
}

fn draw_timeline(frame: &mut Frame, app: &mut App, data: &Data, area: Rect) {
    let theme = app.theme.clone();
    let [header, coverage, histogram, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Min(4),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(timeline_header(app, data)), header);
    let coverage_line = match (app.timeline.task, &app.context) {
        (Some(task), Some((t, context))) if *t == task => Line::from(vec![
            Span::styled(" coverage: ", theme.dim),
            Span::raw(clip(
                &crate::inspect::context::summarize_coverage(context),
                300,
            )),
        ]),
        (None, _) => Line::from(Span::styled(
            " every event in the bundle (no task selected)",
            theme.dim,
        )),
        _ => Line::from(""),
    };
    frame.render_widget(Paragraph::new(coverage_line), coverage);
    draw_histogram(frame, app, histogram);
    let (list_area, side) = split_side(rest, 60);
    draw_timeline_table(frame, app, data, list_area);
    draw_detail(frame, app, data, side);
}

fn timeline_header(app: &App, data: &Data) -> Line<'static> {
    let theme = &app.theme;
    let mut spans = vec![Span::styled(" ", theme.base)];
    match app.timeline.task {
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
    if let Some(source) = app.timeline.source {
        spans.push(Span::styled(
            format!("  source:{}", source.name()),
            theme.key_hint,
        ));
    }
    if let Some((from, to)) = app.timeline.range {
        spans.push(Span::styled(
            format!("  range:{}–{} UTC", clock(from), clock(to)),
            theme.key_hint,
        ));
    }
    Line::from(spans)
}

fn draw_histogram(frame: &mut Frame, app: &mut App, area: Rect) {
    let theme = app.theme.clone();
    let focused = app.focus == Pane::Histogram;
    let block = pane_block(" Activity ", focused, &theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    app.areas.histogram = inner;
    let width = inner.width as usize;
    if width == 0 || inner.height == 0 {
        return;
    }
    let buckets = super::views::timeline::HISTOGRAM_BUCKETS;
    let to_column = |fine: usize| fine * width / buckets;
    let bars: Vec<char> = sparkline(&app.timeline.histogram, width).chars().collect();
    let selected = |column: usize| -> bool {
        let in_range = app.timeline.range.is_some_and(|(from, to)| {
            let column_time = app.timeline.bucket_time(column * buckets / width, false);
            column_time.is_some_and(|t| t >= from - (to - from) / width as i32 && t <= to)
        });
        let in_anchor = app.timeline.anchor.is_some_and(|a| {
            let (lo, hi) = (
                to_column(a.min(app.timeline.cursor)),
                to_column(a.max(app.timeline.cursor)),
            );
            (lo..=hi).contains(&column)
        });
        in_range || in_anchor
    };
    let cursor = to_column(app.timeline.cursor);
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
    let axis = match app.timeline.span {
        Some((from, to)) => {
            let left = absolute(from);
            let right = absolute(to);
            let middle = if focused {
                app.timeline
                    .bucket_time(app.timeline.cursor, false)
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

fn time_text(app: &App, data: &Data, event: &Event, previous: Option<&Event>) -> String {
    match app.timeline.time_mode {
        TimeMode::Absolute => clock(event.time),
        TimeMode::SinceStart => match app.timeline.start_time(data) {
            Some(start) if event.time >= start => {
                format!("+{}", short_duration(event.time - start))
            }
            Some(start) => format!("-{}", short_duration(start - event.time)),
            None => clock(event.time),
        },
        TimeMode::Delta => match previous {
            Some(previous) => format!("+{}", short_duration(event.time - previous.time)),
            None => "0".into(),
        },
    }
}

fn draw_timeline_table(frame: &mut Frame, app: &mut App, data: &Data, area: Rect) {
    let theme = app.theme.clone();
    let show_link = area.width >= 90;
    let range = app
        .timeline
        .list
        .window(area.height.saturating_sub(3) as usize);
    let query = app.timeline.list.query().to_string();
    let summary_width = area.width.saturating_sub(if show_link { 62 } else { 46 }) as usize;
    let manifest = &data.bundle.manifest;
    let mut rows = Vec::new();
    for row in range.clone() {
        let Some(index) = app.timeline.list.item(row) else {
            continue;
        };
        let event = &data.incident.events[index as usize];
        let previous = row
            .checked_sub(1)
            .and_then(|r| app.timeline.list.item(r))
            .map(|p| &data.incident.events[p as usize]);
        let separator = previous.and_then(|p| {
            let gap = event.time - p.time;
            (gap >= app.timeline.gap_threshold
                && app.timeline.gap_threshold > chrono::TimeDelta::zero())
            .then(|| {
                let fill = Cell::from(Span::styled("┄".repeat(12), theme.gap));
                let text = Cell::from(Span::styled(
                    format!("┄┄ {} silent ┄┄", short_duration(gap)),
                    theme.gap,
                ));
                Separator::Cells(Row::new(vec![
                    Cell::from(""),
                    fill,
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(""),
                    text,
                ]))
            })
        });
        let anchor = crate::bundle::annotations::event_anchor(event, manifest);
        let mark = if app.annotations.is_marked(&anchor) {
            Span::styled("★", theme.mark)
        } else if !app
            .annotations
            .notes(&crate::bundle::annotations::Target::Event { anchor })
            .is_empty()
        {
            Span::styled("✎", theme.note)
        } else {
            Span::raw(" ")
        };
        let link = app.timeline.task.and_then(|t| event.link_to(t));
        let mut cells = vec![
            Cell::from(mark),
            Cell::from(Span::styled(
                time_text(app, data, event, previous),
                theme.dim,
            )),
            Cell::from(source_badge(event.source, &theme)),
            Cell::from(severity_badge(event.severity, &theme)),
            Cell::from(highlighted(
                &event.kind,
                &query,
                24,
                theme.base,
                theme.match_highlight,
            )),
            Cell::from(highlighted(
                &event.summary,
                &query,
                summary_width.max(10),
                theme.base,
                theme.match_highlight,
            )),
        ];
        if show_link {
            let (text, style) = match link {
                Some(link) if !link.ambiguous_with.is_empty() => {
                    (format!("{}??", link.reason.name()), theme.weak_link)
                }
                Some(link) if link.is_weak() => {
                    (format!("{}?", link.reason.name()), theme.weak_link)
                }
                Some(link) => (link.reason.name().to_string(), theme.dim),
                None => ("-".into(), theme.dim),
            };
            cells.push(Cell::from(Span::styled(text, style)));
        }
        rows.push((separator, Row::new(cells)));
    }
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(12),
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Length(20),
        Constraint::Min(10),
    ];
    let mut header = vec![
        "",
        app.timeline.time_mode.header(),
        "SRC",
        "SEV",
        "KIND",
        "SUMMARY",
    ];
    if show_link {
        widths.push(Constraint::Length(15));
        header.push("LINK");
    }
    let filtered = match &app.timeline.list.filter {
        Some(filter) => format!(" {}/{}", filter.matches.len(), filter.total),
        None => String::new(),
    };
    let title = format!(" Timeline ({}){filtered} ", app.timeline.list.len());
    let selected = app.timeline.list.selected.checked_sub(range.start);
    let table = TableSpec {
        title,
        header,
        widths,
        rows,
        first: range.start,
        selected,
        empty: "no events here (check the source filter, time range or text filter: Esc clears)",
    };
    (app.areas.list, app.areas.list_rows) = draw_table(frame, area, app, table);
}

fn draw_detail(frame: &mut Frame, app: &mut App, data: &Data, area: Rect) {
    let theme = app.theme.clone();
    let block = pane_block(" Detail ", app.focus == Pane::Detail, &theme);
    app.areas.detail = area;
    let inner_height = block.inner(area).height as usize;
    let (lines, tree_start) = super::side::detail_lines(app, data);
    let mut scroll = app.detail.scroll;
    if app.focus == Pane::Detail {
        let at = tree_start + app.detail.selected;
        if at < scroll {
            scroll = at;
        } else if at >= scroll + inner_height {
            scroll = at + 1 - inner_height;
        }
    }
    app.detail.scroll = scroll.min(lines.len().saturating_sub(1));
    let paragraph = Paragraph::new(lines)
        .block(block)
        .scroll((app.detail.scroll as u16, 0));
    frame.render_widget(paragraph, area);
}

fn draw_findings(frame: &mut Frame, app: &mut App, data: &Data, area: Rect) {
    let theme = app.theme.clone();
    let [summary, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    let mut counts = [0usize; 5];
    for &f in data.findings.iter() {
        counts[data.incident.events[f as usize].severity as usize] += 1;
    }
    let mut spans = vec![Span::styled(" findings by severity: ", theme.dim)];
    for severity in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        spans.push(Span::styled(
            format!("{} {}", severity.name(), counts[severity as usize]),
            theme.severity(severity),
        ));
        spans.push(Span::raw("  "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), summary);
    let (list_area, side) = split_side(rest, 58);
    let range = app
        .findings
        .window(list_area.height.saturating_sub(3) as usize);
    let query = app.findings.query().to_string();
    let summary_width = list_area
        .width
        .saturating_sub(if list_area.width >= 120 { 72 } else { 58 })
        as usize;
    let mut rows = Vec::new();
    let mut previous_severity: Option<Severity> = None;
    for row in range.clone() {
        let Some(index) = app.findings.item(row) else {
            continue;
        };
        let event = &data.incident.events[index as usize];
        let separator = (previous_severity != Some(event.severity)).then(|| {
            let style = theme.severity(event.severity);
            Separator::Cells(Row::new(vec![
                Cell::from(Span::styled("▸", style)),
                Cell::from(""),
                Cell::from(Span::styled(event.severity.name().to_uppercase(), style)),
            ]))
        });
        previous_severity = Some(event.severity);
        let task = event
            .links
            .first()
            .map(|l| short_id(&data.incident.tasks[l.task].id).to_string())
            .unwrap_or_else(|| "-".into());
        rows.push((
            separator,
            Row::new(vec![
                Cell::from(severity_badge(event.severity, &theme)),
                Cell::from(source_badge(event.source, &theme)),
                Cell::from(highlighted(
                    &event.kind,
                    &query,
                    30,
                    theme.base,
                    theme.match_highlight,
                )),
                Cell::from(task),
                Cell::from(Span::styled(absolute(event.time), theme.dim)),
                Cell::from(highlighted(
                    &event.summary,
                    &query,
                    summary_width.max(10),
                    theme.base,
                    theme.match_highlight,
                )),
            ]),
        ));
    }
    let type_width = if list_area.width >= 120 { 38 } else { 24 };
    let widths = [
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Length(type_width),
        Constraint::Length(8),
        Constraint::Length(19),
        Constraint::Min(10),
    ];
    let selected = app.findings.selected.checked_sub(range.start);
    let table = TableSpec {
        title: format!(" Findings ({}) ", app.findings.len()),
        header: vec!["SEV", "SRC", "TYPE", "TASK", "TIME (UTC)", "SUMMARY"],
        widths: widths.to_vec(),
        rows,
        first: range.start,
        selected,
        empty: "no findings: no GuardDuty finding or Falco alert in this bundle (or the filter hides them)",
    };
    (app.areas.list, app.areas.list_rows) = draw_table(frame, list_area, app, table);
    app.areas.histogram = Rect::default();
    draw_detail(frame, app, data, side);
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

fn draw_popup(frame: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(popup) = &app.popup else { return };
    match popup {
        Popup::Help { scroll } => {
            let rect = centered(area, 76, area.height.saturating_sub(2));
            frame.render_widget(Clear, rect);
            let lines = super::side::help_lines(app);
            let block = pane_block(" Keys (config: docs/config.md) — Esc closes ", true, theme);
            let paragraph = Paragraph::new(lines)
                .block(block)
                .style(theme.base)
                .wrap(Wrap { trim: false })
                .scroll((*scroll as u16, 0));
            frame.render_widget(paragraph, rect);
        }
        Popup::Prompt(prompt) => {
            let rect = Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1);
            frame.render_widget(Clear, rect);
            let line = Line::from(vec![
                Span::styled(prompt.kind.label(), theme.key_hint),
                Span::styled(clip(&prompt.input, 400), theme.base),
                Span::styled("█", theme.dim),
            ]);
            frame.render_widget(Paragraph::new(line).style(theme.base), rect);
        }
        Popup::Palette(palette) => {
            let rect = centered(area, 70, 16);
            frame.render_widget(Clear, rect);
            let block = pane_block(" : command or task ", true, theme);
            let inner = block.inner(rect);
            frame.render_widget(block, rect);
            let mut lines = vec![Line::from(vec![
                Span::styled(": ", theme.key_hint),
                Span::styled(clip(&palette.prompt.input, 200), theme.base),
                Span::styled("█", theme.dim),
            ])];
            let rows = inner.height.saturating_sub(1) as usize;
            let first = palette.selected.saturating_sub(rows.saturating_sub(1));
            for (i, label) in palette.labels().enumerate().skip(first).take(rows) {
                let style = if i == palette.selected {
                    theme.selected
                } else {
                    theme.base
                };
                lines.push(highlighted(
                    label,
                    &palette.prompt.input,
                    inner.width as usize,
                    style,
                    theme.match_highlight,
                ));
            }
            frame.render_widget(Paragraph::new(lines).style(theme.base), inner);
        }
        Popup::Export { selected } => {
            let rect = centered(area, 50, EXPORT_FORMATS.len() as u16 + 4);
            frame.render_widget(Clear, rect);
            let mut lines: Vec<Line> = EXPORT_FORMATS
                .iter()
                .enumerate()
                .map(|(i, (_, label))| {
                    let style = if i == *selected {
                        theme.selected
                    } else {
                        theme.base
                    };
                    Line::from(Span::styled(format!(" {label}"), style))
                })
                .collect();
            lines.push(Line::from(Span::styled(
                " written to the current directory",
                theme.dim,
            )));
            let block = pane_block(" Export task — Enter writes ", true, theme);
            frame.render_widget(Paragraph::new(lines).block(block).style(theme.base), rect);
        }
        Popup::Action(flow) => super::respond::view::draw(frame, flow, theme, area),
    }
}
