//! The findings screen: every GuardDuty finding and Falco alert across
//! tasks, grouped by severity, with a count by severity above it.

use super::table::{draw_table, Separator, TableSpec};
use super::Scene;
use crate::model::Severity;
use crate::tui::data::Data;
use crate::tui::list::List;
use crate::tui::text::{absolute, highlighted, short_id};
use crate::tui::widgets::{severity_badge, source_badge};
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};
use ratatui::Frame;
use std::ops::Range;

/// State of the findings screen.
#[derive(Debug, Clone, Default)]
pub struct FindingsView {
    /// The rows: finding event indices, most severe first.
    pub list: List,
}

impl FindingsView {
    /// Per row of `rows`, the severity heading drawn above it: the first
    /// row in view and every row whose severity differs from the row above.
    pub fn severity_heads(&self, data: &Data, rows: Range<usize>) -> Vec<Option<Severity>> {
        let mut previous: Option<Severity> = None;
        rows.map(|row| {
            let severity = data.event(self.list.item(row)?).severity;
            let starts = previous != Some(severity);
            previous = Some(severity);
            starts.then_some(severity)
        })
        .collect()
    }

    /// Draws the screen but its side pane: the count by severity and the
    /// findings table, as laid out.
    pub fn draw(&self, frame: &mut Frame, scene: &Scene) {
        let (data, theme) = (scene.data, scene.theme);
        let [summary, _] = scene.areas.above;
        let mut counts = [0usize; 5];
        for &f in data.findings.iter() {
            counts[data.event(f).severity as usize] += 1;
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
        let list_area = scene.areas.list_pane;
        let range = self
            .list
            .visible(list_area.height.saturating_sub(3) as usize);
        let query = self.list.query().to_string();
        let summary_width =
            list_area
                .width
                .saturating_sub(if list_area.width >= 120 { 72 } else { 58 }) as usize;
        let mut rows = Vec::new();
        let heads = self.severity_heads(data, range.clone());
        for (row, head) in range.clone().zip(heads) {
            let Some(index) = self.list.item(row) else {
                continue;
            };
            let event = data.event(index);
            let separator = head.map(|severity| {
                let style = theme.severity(severity);
                Separator::Cells(Row::new(vec![
                    Cell::from(Span::styled("▸", style)),
                    Cell::from(""),
                    Cell::from(Span::styled(severity.name().to_uppercase(), style)),
                ]))
            });
            let task = event
                .links
                .first()
                .map(|l| short_id(&data.incident.tasks[l.task].id).to_string())
                .unwrap_or_else(|| "-".into());
            rows.push((
                separator,
                Row::new(vec![
                    Cell::from(severity_badge(event.severity, theme)),
                    Cell::from(source_badge(event.source, theme)),
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
        let selected = self.list.selected.checked_sub(range.start);
        let table = TableSpec {
            title: format!(" Findings ({}) ", self.list.len()),
            header: vec!["SEV", "SRC", "TYPE", "TASK", "TIME (UTC)", "SUMMARY"],
            widths: widths.to_vec(),
            rows,
            selected,
            empty: "no findings: no GuardDuty finding or Falco alert in this bundle (or the filter hides them)",
        };
        draw_table(frame, list_area, scene, table);
    }
}
