//! The list tables the screens draw: the rows in view, each with an
//! optional separator line above it (group headings, silent gaps, severity
//! groups), scrolled to keep the selected row in view. Which list row each
//! screen line shows is worked out before drawing, for mouse clicks.

use super::Pane;
use super::Scene;
use crate::tui::widgets::pane_block;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// A line drawn above a table row: cells in the table's columns, or a
/// heading across the whole width.
pub enum Separator {
    /// Cells laid out in the table's columns (silent gaps, severity groups).
    Cells(Row<'static>),
    /// One line across every column (task group headings).
    Heading(Line<'static>),
}

/// A table of the rows in view, ready to draw.
pub struct TableSpec<'a> {
    /// The pane's title.
    pub title: String,
    /// Column headings.
    pub header: Vec<&'a str>,
    /// Column widths.
    pub widths: Vec<Constraint>,
    /// The rows in view, each with the separator drawn above it.
    pub rows: Vec<(Option<Separator>, Row<'static>)>,
    /// The selected row's position among `rows`.
    pub selected: Option<usize>,
    /// Shown when there are no rows.
    pub empty: &'static str,
}

/// The rows of a table pane's inside: all but its border and header line.
pub fn rows_area(pane: Rect) -> Rect {
    let inner = Block::default().borders(Borders::ALL).inner(pane);
    Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    )
}

/// Lines scrolled off the top so that the selected row's line (when there
/// is one) is the last of `height` lines at most.
fn lines_skipped(selected_line: Option<usize>, height: usize) -> usize {
    match selected_line {
        Some(line) if line >= height => line + 1 - height,
        _ => 0,
    }
}

/// Per screen line of a table's rows, the list row drawn there (None: a
/// separator). `separated[i]` says whether row `first + i` has a separator
/// line above it; `selected` is the selected row's position among them.
pub fn line_owners(
    separated: &[bool],
    first: usize,
    selected: Option<usize>,
    height: usize,
) -> Vec<Option<usize>> {
    let mut owners = Vec::new();
    let mut selected_line = None;
    for (i, &separator) in separated.iter().enumerate() {
        if separator {
            owners.push(None);
        }
        if Some(i) == selected {
            selected_line = Some(owners.len());
        }
        owners.push(Some(first + i));
    }
    owners.drain(..lines_skipped(selected_line, height));
    owners.truncate(height);
    owners
}

/// Draws a table of the rows in view in `area`, the list's pane.
pub fn draw_table(frame: &mut Frame, area: Rect, scene: &Scene, table: TableSpec) {
    let TableSpec {
        title,
        header,
        widths,
        rows,
        selected,
        empty,
    } = table;
    let theme = scene.theme;
    let focused = scene.focus == Pane::List;
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
        return;
    }
    let height = inner.height.saturating_sub(1) as usize;
    let mut lines: Vec<Row> = Vec::new();
    // Per line, the heading drawn over it once the table is drawn.
    let mut headings: Vec<Option<Line>> = Vec::new();
    let mut selected_line = None;
    for (i, (separator, row)) in rows.into_iter().enumerate() {
        match separator {
            Some(Separator::Cells(cells)) => {
                lines.push(cells);
                headings.push(None);
            }
            Some(Separator::Heading(heading)) => {
                lines.push(Row::new(Vec::<Cell>::new()));
                headings.push(Some(heading));
            }
            None => {}
        }
        headings.push(None);
        if Some(i) == selected {
            selected_line = Some(lines.len());
            lines.push(row.style(selected_style));
        } else {
            lines.push(row);
        }
    }
    let skipped = lines_skipped(selected_line, height);
    lines.drain(..skipped);
    headings.drain(..skipped);
    lines.truncate(height);
    headings.truncate(height);
    let table = Table::new(lines, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
    let rows = rows_area(area);
    for (offset, heading) in headings.into_iter().enumerate() {
        if let Some(heading) = heading {
            let line = Rect::new(rows.x, rows.y + offset as u16, rows.width, 1);
            frame.render_widget(Paragraph::new(heading), line);
        }
    }
}
