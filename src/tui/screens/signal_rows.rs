//! An attack sequence finding expanded on the timeline: its signals as
//! indented sub-rows under its row, a cursor among them, and for each
//! signal the event of its own finding when the bundle holds it.

use crate::import::guardduty::sequence::SequenceSignal;
use crate::model::{Event, Source};
use crate::theme::Theme;
use crate::tui::data::Data;
use crate::tui::text::{clip, clock};
use crate::tui::widgets::severity_badge;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};
use std::collections::HashMap;

/// True for a GuardDuty attack sequence finding, the events that can be
/// expanded into their signals.
pub fn is_sequence(event: &Event) -> bool {
    event.source == Source::Guardduty && event.kind.starts_with("AttackSequence:")
}

/// One signal shown as a sub-row.
#[derive(Debug, Clone)]
pub struct SignalRow {
    /// The signal as the sequence lists it.
    pub signal: SequenceSignal,
    /// The event of the signal's own finding, when the bundle holds it.
    pub event: Option<u32>,
}

/// The attack sequence shown expanded, and the sub-row selected under it.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// The sequence's event.
    pub event: u32,
    /// Its signals, in the order the finding lists them.
    pub rows: Vec<SignalRow>,
    /// The sub-row selected, or None when the sequence's own row is.
    pub cursor: Option<usize>,
}

impl Expansion {
    /// The expansion of the sequence `event` into `signals`, each matched
    /// to the event whose fact ID is its finding's.
    pub fn new(data: &Data, event: u32, signals: Vec<SequenceSignal>) -> Expansion {
        let mut wanted: HashMap<String, Option<u32>> = signals
            .iter()
            .filter_map(|signal| Some((signal.fact_id()?.to_string(), None)))
            .collect();
        // A signal's fact is a GuardDuty finding's: only findings are read.
        for &number in &data.findings {
            let fact = data.event(number).fact_id.as_deref();
            if let Some(slot @ None) = fact.and_then(|f| wanted.get_mut(f)) {
                *slot = Some(number);
            }
        }
        let rows = signals
            .into_iter()
            .map(|signal| {
                let event = signal
                    .fact_id()
                    .and_then(|fact| wanted.get(fact.as_str()).copied().flatten());
                SignalRow { signal, event }
            })
            .collect();
        Expansion {
            event,
            rows,
            cursor: None,
        }
    }

    /// Moves the cursor one step down (`delta` 1) or up (-1) among the
    /// sequence's row and its sub-rows. False when the step leaves them,
    /// for the list to take.
    pub fn step(&mut self, delta: isize) -> bool {
        let next = match (self.cursor, delta) {
            (None, 1) => (!self.rows.is_empty()).then_some(Some(0)),
            (Some(i), 1) => (i + 1 < self.rows.len()).then_some(Some(i + 1)),
            (Some(0), -1) => Some(None),
            (Some(i), -1) => Some(Some(i - 1)),
            _ => None,
        };
        match next {
            Some(cursor) => {
                self.cursor = cursor;
                true
            }
            None => {
                self.cursor = None;
                false
            }
        }
    }

    /// The sub-rows as table rows: the signal's first sighting (UTC), its
    /// severity, name (or type), count and description, and whether its
    /// finding is in the bundle. `width` is the summary column's.
    pub fn table_rows(&self, theme: &Theme, width: usize, show_link: bool) -> Vec<Row<'static>> {
        self.rows
            .iter()
            .map(|row| {
                let signal = &row.signal;
                let seen = signal.first_seen.map_or_else(|| "-".into(), clock);
                let count = signal.count.map(|c| format!("×{c} ")).unwrap_or_default();
                let description = signal.description.as_deref().unwrap_or("");
                let found = match row.event {
                    Some(_) => "in bundle",
                    None => "not in bundle",
                };
                let summary = if show_link {
                    format!("{count}{description}")
                } else {
                    format!("[{found}] {count}{description}")
                };
                let mut cells = vec![
                    Cell::from(""),
                    Cell::from(Span::styled(seen, theme.dim)),
                    Cell::from(Span::styled(" └─", theme.dim)),
                    Cell::from(severity_badge(signal.severity(), theme)),
                    Cell::from(Span::styled(clip(signal.title(), 24), theme.base)),
                    Cell::from(Span::styled(clip(&summary, width.max(10)), theme.base)),
                ];
                if show_link {
                    cells.push(Cell::from(Span::styled(found, theme.dim)));
                }
                Row::new(cells)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expansion(rows: usize) -> Expansion {
        let signal = SequenceSignal {
            kind: Some("FINDING".into()),
            ..SequenceSignal::default()
        };
        Expansion {
            event: 0,
            rows: vec![
                SignalRow {
                    signal,
                    event: None
                };
                rows
            ],
            cursor: None,
        }
    }

    #[test]
    fn steps_through_the_sub_rows_then_leaves() {
        let mut expanded = expansion(2);
        assert!(expanded.step(1));
        assert_eq!(expanded.cursor, Some(0));
        assert!(expanded.step(1));
        assert_eq!(expanded.cursor, Some(1));
        assert!(!expanded.step(1));
        assert_eq!(expanded.cursor, None);
        expanded.cursor = Some(1);
        assert!(expanded.step(-1));
        assert!(expanded.step(-1));
        assert_eq!(expanded.cursor, None);
        assert!(!expanded.step(-1));
        assert!(!expansion(0).step(1));
    }
}
