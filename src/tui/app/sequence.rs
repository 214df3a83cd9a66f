//! An attack sequence's signals on the timeline: expanding the selected
//! sequence into sub-rows, collapsing it, and jumping from a sub-row to the
//! signal's own finding.

use super::App;
use crate::import::guardduty::sequence::sequence_signals;
use crate::tui::data::Data;
use crate::tui::screens::signal_rows::{is_sequence, Expansion};
use crate::tui::screens::View;
use crate::tui::status::Level;
use crate::tui::text::clip;

impl App {
    /// Expands the selected attack sequence into its signals, or collapses
    /// the one expanded when it (or one of its sub-rows) is selected. On
    /// the findings board, opens the sequence on the timeline expanded.
    pub(super) fn toggle_signals(&mut self, data: &Data) {
        if self.view == View::Findings {
            let Some(index) = self.findings.list.selected_item() else {
                return;
            };
            if !is_sequence(data.event(index)) {
                self.tell("only an attack sequence finding has signals", Level::Info);
                return;
            }
            self.open(data);
            if self.timeline.list.selected_item() != Some(index) {
                return;
            }
            self.timeline.expanded = None;
        } else if self.view != View::Timeline {
            let line = "open a timeline or the findings board to show a sequence's signals";
            self.tell(line, Level::Info);
            return;
        }
        let Some(index) = self.timeline.list.selected_item() else {
            return;
        };
        if self.timeline.expanded.as_ref().map(|e| e.event) == Some(index) {
            self.timeline.expanded = None;
            return;
        }
        let event = data.event(index);
        if !is_sequence(event) {
            self.tell("only an attack sequence finding has signals", Level::Info);
            return;
        }
        let value = match self.side.record(event) {
            Some(Ok(value)) => value,
            Some(Err(error)) => {
                let line = format!("cannot read the sequence's record: {error}");
                self.tell(clip(&line, 200), Level::Error);
                return;
            }
            None => return,
        };
        let signals = sequence_signals(&value);
        if signals.is_empty() {
            self.tell("this attack sequence lists no signals", Level::Info);
            return;
        }
        self.timeline.expanded = Some(Expansion::new(data, index, signals));
    }

    /// Enter on a signal's sub-row: selects the event of the signal's own
    /// finding (opening the timeline it is on when this one does not show
    /// it), or says it is not in this bundle. False when no sub-row is
    /// selected.
    pub(super) fn open_signal(&mut self, data: &Data) -> bool {
        let Some(row) = self.timeline.selected_signal() else {
            return false;
        };
        let title = clip(row.signal.title(), 80);
        let Some(target) = row.event else {
            let line = format!("signal {title}: its finding is not in this bundle");
            self.tell(line, Level::Info);
            return true;
        };
        if let Some(expanded) = &mut self.timeline.expanded {
            expanded.cursor = None;
        }
        if !self.timeline.list.select_item(target) {
            let task = data.event(target).links.first().map(|l| l.task);
            self.show_timeline(task);
            if !self.timeline.list.select_item(target) {
                let line =
                    format!("signal {title}: its finding is hidden by the timeline's filters");
                self.tell(line, Level::Info);
            }
        }
        self.refresh_side();
        true
    }
}
