//! The screens, one module each with its state, its drawing and its pane
//! text: tasks (with the task context beside it), timeline (with its
//! histogram) and findings; the detail pane beside the last two. Where
//! everything goes is worked out before drawing ([`Areas`]); drawing then
//! reads the state and changes nothing.

pub mod context_sections;
pub mod detail;
pub mod findings;
pub mod histogram;
pub mod signal_rows;
pub mod table;
pub mod task_context;
pub mod task_image;
pub mod tasks;
pub mod timeline;
pub mod timeline_header;

use super::data::Data;
use super::widgets::split_side;
use crate::bundle::annotations::Annotations;
use crate::inspect::context::TaskContext;
use crate::model::Timestamp;
use crate::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

/// The three screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Task list with task context.
    Tasks,
    /// One task's timeline with histogram and detail.
    Timeline,
    /// Findings across all tasks.
    Findings,
}

/// The screens' tabs in the title bar, in order, with their labels.
pub const TABS: [(View, &str); 3] = [
    (View::Tasks, "1 Tasks"),
    (View::Timeline, "2 Timeline"),
    (View::Findings, "3 Findings"),
];

/// Columns of the title bar before the first tab (` taskscope `).
pub const TABS_START: u16 = 11;

/// Which part of a screen has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The histogram (timeline view).
    Histogram,
    /// The main list.
    List,
    /// The detail or context pane.
    Detail,
}

/// What a screen reads to draw, besides its own state.
pub struct Scene<'a> {
    /// The loaded bundle.
    pub data: &'a Data,
    /// Colours and styles.
    pub theme: &'a Theme,
    /// The pane with the keyboard.
    pub focus: Pane,
    /// "Now", for relative times.
    pub now: Timestamp,
    /// Marks, tags and notes.
    pub annotations: &'a Annotations,
    /// The selected task's context, once worked out: (task, context).
    pub context: Option<&'a (usize, TaskContext)>,
    /// Where everything goes.
    pub areas: &'a Areas,
}

/// Where everything goes on the screen, worked out before drawing and kept
/// for mouse hits.
#[derive(Debug, Clone, Default)]
pub struct Areas {
    /// The title bar.
    pub title: Rect,
    /// The view tabs in the title bar: (view, area).
    pub tabs: [(Option<View>, Rect); 3],
    /// Between the title bar and the status line.
    pub body: Rect,
    /// The status line.
    pub status: Rect,
    /// One-line rows above the list: the timeline's header and coverage
    /// lines, the findings' count by severity.
    pub above: [Rect; 2],
    /// The histogram's pane (timeline).
    pub histogram_pane: Rect,
    /// The histogram inside its border.
    pub histogram: Rect,
    /// The main list's pane, with its border and header.
    pub list_pane: Rect,
    /// The main list's rows (without header).
    pub list: Rect,
    /// Per screen line of `list`, the list row drawn there (None: a separator).
    pub list_rows: Vec<Option<usize>>,
    /// The detail or context pane.
    pub detail: Rect,
}

impl Areas {
    /// The areas of a screen of `area` showing `view`; `list_rows` is left
    /// for the list in view to fill.
    pub fn of(view: View, area: Rect) -> Areas {
        let [title, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut areas = Areas {
            title,
            tabs: tab_areas(title),
            body,
            status,
            ..Areas::default()
        };
        let (rest, list_share) = match view {
            View::Tasks => (body, 64),
            View::Timeline => {
                let [header, coverage, histogram, rest] = Layout::vertical([
                    Constraint::Length(1),
                    Constraint::Length(1),
                    Constraint::Length(4),
                    Constraint::Min(4),
                ])
                .areas(body);
                areas.above = [header, coverage];
                areas.histogram_pane = histogram;
                areas.histogram = Block::default().borders(Borders::ALL).inner(histogram);
                (rest, 60)
            }
            View::Findings => {
                let [summary, rest] =
                    Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(body);
                areas.above = [summary, Rect::default()];
                (rest, 58)
            }
        };
        let (list, side) = split_side(rest, list_share);
        areas.list_pane = list;
        areas.list = table::rows_area(list);
        areas.detail = side;
        areas
    }

    /// The side pane's height inside its border.
    pub fn detail_height(&self) -> usize {
        Block::default()
            .borders(Borders::ALL)
            .inner(self.detail)
            .height as usize
    }
}

/// The tabs' places in the title bar: each label with a space either side,
/// one column apart.
fn tab_areas(title: Rect) -> [(Option<View>, Rect); 3] {
    let mut x = title.x + TABS_START;
    TABS.map(|(view, label)| {
        let width = tab_text(label).chars().count() as u16;
        let area = Rect::new(x, title.y, width, 1);
        x += width + 1;
        (Some(view), area)
    })
}

/// A tab's text in the title bar.
pub fn tab_text(label: &str) -> String {
    format!(" {label} ")
}
