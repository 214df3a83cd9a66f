//! Where things are on the screen: laying it out before drawing (the
//! areas, which rows of the list each line shows, the scrolls), and the
//! mouse, which acts on what is under it.

use super::App;
use crate::tui::screens::histogram::HISTOGRAM_BUCKETS;
use crate::tui::screens::table::line_owners;
use crate::tui::screens::{task_context, Areas, Pane, View};
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

impl App {
    /// Works out where everything goes on a screen of `area` before it is
    /// drawn: the areas (kept for mouse hits), the scroll of the list in
    /// view and of the side pane.
    pub fn layout(&mut self, area: Rect) {
        let mut areas = Areas::of(self.view, area);
        let Some(data) = self.data.clone() else {
            self.areas = areas;
            return;
        };
        let height = areas.list_pane.height.saturating_sub(3) as usize;
        let rows = self.current_list_mut().window(height);
        let separated: Vec<bool> = match self.view {
            View::Tasks => self
                .tasks
                .headings(&data, rows.clone())
                .iter()
                .map(Option::is_some)
                .collect(),
            View::Timeline => rows
                .clone()
                .map(|row| self.timeline.gap_before(&data, row).is_some())
                .collect(),
            View::Findings => self
                .findings
                .severity_heads(&data, rows.clone())
                .iter()
                .map(Option::is_some)
                .collect(),
        };
        let selected = self.current_list().selected.checked_sub(rows.start);
        areas.list_rows = line_owners(&separated, rows.start, selected, areas.list.height as usize);
        self.areas = areas;
        let scene = self.scene(&data);
        let scroll = match self.view {
            View::Tasks => {
                task_context::scroll_for(&scene, self.selected_task(), self.detail.scroll)
            }
            View::Timeline | View::Findings => {
                let (lines, tree_start) = self.detail.lines(&scene);
                let height = self.areas.detail_height();
                self.detail
                    .scroll_for(tree_start, lines.len(), height, self.focus)
            }
        };
        self.detail.scroll = scroll;
    }

    /// Handles the mouse: the wheel scrolls the pane under it, a click selects.
    pub fn on_mouse(&mut self, mouse: MouseEvent) {
        if self.popup.is_some() || self.data.is_none() {
            return;
        }
        let at = Position::new(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let step = if mouse.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                if self.areas.detail.contains(at) {
                    self.focus = Pane::Detail;
                } else if self.areas.list.contains(at) {
                    self.focus = Pane::List;
                }
                self.move_selection(step);
            }
            MouseEventKind::Down(MouseButton::Left) => self.click(at),
            _ => {}
        }
    }

    /// A left click at `at`: a tab switches screens, a list line selects
    /// its row, the histogram moves its cursor, any pane takes the focus.
    fn click(&mut self, at: Position) {
        if let Some((Some(view), _)) = self.areas.tabs.iter().find(|(_, r)| r.contains(at)) {
            self.switch(*view);
        } else if self.areas.list.contains(at) {
            self.focus = Pane::List;
            let line = (at.y - self.areas.list.y) as usize;
            if let Some(&Some(row)) = self.areas.list_rows.get(line) {
                self.current_list_mut().select(row);
                self.refresh_side();
            }
        } else if self.areas.histogram.contains(at) && self.view == View::Timeline {
            self.focus = Pane::Histogram;
            let x = (at.x - self.areas.histogram.x) as usize;
            let width = self.areas.histogram.width.max(1) as usize;
            self.timeline.cursor = x * HISTOGRAM_BUCKETS / width;
        } else if self.areas.detail.contains(at) {
            self.focus = Pane::Detail;
        }
    }
}
