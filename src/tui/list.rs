//! A selectable list of item IDs (events or tasks) with an optional fuzzy
//! filter on top. Views draw only the rows in view, so a list of a million
//! events costs no more per frame than a list of ten.

use super::filter::Progress;
use std::sync::Arc;

/// The fuzzy filter applied to a list.
#[derive(Debug, Clone, Default)]
pub struct ActiveFilter {
    /// What the user typed.
    pub query: String,
    /// The filter request whose results are shown.
    pub generation: u64,
    /// Positions in the base list that match, ascending.
    pub matches: Vec<u32>,
    /// Items looked at so far, and in all.
    pub scanned: usize,
    /// Items in the base list.
    pub total: usize,
    /// Every item has been looked at.
    pub done: bool,
}

/// A list with a selection and a scroll offset.
#[derive(Debug, Clone, Default)]
pub struct List {
    /// All items in order (event or task indices).
    pub base: Arc<Vec<u32>>,
    /// The filter, when one is set.
    pub filter: Option<ActiveFilter>,
    /// Selected row among the shown rows.
    pub selected: usize,
    /// First row in view.
    pub offset: usize,
    /// An item to select once the filter shows it (the selection kept
    /// across a reload or a new filter run); dropped when the user moves.
    pub wanted: Option<u32>,
}

impl List {
    /// A list over `items`, nothing filtered, first row selected.
    pub fn new(items: Vec<u32>) -> List {
        List {
            base: Arc::new(items),
            ..List::default()
        }
    }

    /// Rows shown (after the filter).
    pub fn len(&self) -> usize {
        match &self.filter {
            Some(filter) => filter.matches.len(),
            None => self.base.len(),
        }
    }

    /// True when no row is shown.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The item shown at `row`.
    pub fn item(&self, row: usize) -> Option<u32> {
        let position = match &self.filter {
            Some(filter) => *filter.matches.get(row)? as usize,
            None => row,
        };
        self.base.get(position).copied()
    }

    /// The selected item.
    pub fn selected_item(&self) -> Option<u32> {
        self.item(self.selected)
    }

    /// The filter query, or "" when unfiltered.
    pub fn query(&self) -> &str {
        self.filter.as_ref().map_or("", |f| f.query.as_str())
    }

    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_by(&mut self, delta: isize) {
        self.wanted = None;
        let last = self.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Selects a row, clamped to the list.
    pub fn select(&mut self, row: usize) {
        self.wanted = None;
        self.selected = row.min(self.len().saturating_sub(1));
    }

    /// Selects the row showing `item`, if it is shown. Returns whether it was.
    pub fn select_item(&mut self, item: u32) -> bool {
        let found = match &self.filter {
            None => self.base.iter().position(|&i| i == item),
            Some(filter) => filter
                .matches
                .iter()
                .position(|&p| self.base.get(p as usize) == Some(&item)),
        };
        if let Some(row) = found {
            self.selected = row;
            self.wanted = None;
        }
        found.is_some()
    }

    /// The first shown row after (or before, with `forward` false) the
    /// selection whose item satisfies `wanted`, wrapping around.
    pub fn find_from_selection(
        &self,
        forward: bool,
        wanted: impl Fn(u32) -> bool,
    ) -> Option<usize> {
        let len = self.len();
        (1..=len)
            .map(|step| {
                if forward {
                    (self.selected + step) % len
                } else {
                    (self.selected + len * 2 - step) % len
                }
            })
            .find(|&row| self.item(row).is_some_and(&wanted))
    }

    /// Starts filtering with `query` under request `generation`.
    pub fn start_filter(&mut self, query: String, generation: u64) {
        let total = self.base.len();
        self.filter = Some(ActiveFilter {
            query,
            generation,
            total,
            ..ActiveFilter::default()
        });
        self.selected = 0;
        self.offset = 0;
    }

    /// Takes in the worker's progress if it answers this list's request.
    /// Returns whether anything changed.
    pub fn accept(&mut self, progress: &Progress) -> bool {
        let Some(filter) = &mut self.filter else {
            return false;
        };
        let unchanged = filter.scanned == progress.scanned && filter.done == progress.done;
        if filter.generation != progress.generation || unchanged {
            return false;
        }
        filter.matches.clone_from(&progress.matches);
        filter.scanned = progress.scanned;
        filter.done = progress.done;
        let done = filter.done;
        self.selected = self.selected.min(self.len().saturating_sub(1));
        if let Some(item) = self.wanted {
            if self.select_item(item) || done {
                self.wanted = None;
            }
        }
        true
    }

    /// Removes the filter, keeping the selected item selected.
    pub fn clear_filter(&mut self) {
        let item = self.selected_item();
        self.filter = None;
        if let Some(item) = item {
            self.select_item(item);
        }
    }

    /// Adjusts the scroll offset so the selection is in a view of `height`
    /// rows, and returns the range of rows to draw.
    pub fn window(&mut self, height: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.len().saturating_sub(1));
        self.visible(height)
    }

    /// The rows a view of `height` rows shows from the scroll offset, as
    /// [`List::window`] last left it.
    pub fn visible(&self, height: usize) -> std::ops::Range<usize> {
        self.offset..(self.offset + height.max(1)).min(self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filtering_maps_rows_to_items_and_keeps_the_selection_on_clear() {
        let mut list = List::new(vec![10, 11, 12, 13]);
        list.start_filter("x".into(), 7);
        let progress = Progress {
            generation: 7,
            matches: vec![1, 3],
            scanned: 4,
            total: 4,
            done: true,
        };
        assert!(list.accept(&progress));
        assert_eq!((list.len(), list.item(1)), (2, Some(13)));
        list.move_by(1);
        list.clear_filter();
        assert_eq!(list.selected_item(), Some(13));
    }

    #[test]
    fn a_wanted_item_is_selected_when_the_filter_reaches_it() {
        let mut list = List::new(vec![10, 11, 12, 13]);
        list.start_filter("x".into(), 5);
        list.wanted = Some(13);
        let mut progress = Progress {
            generation: 5,
            matches: vec![0],
            scanned: 2,
            total: 4,
            done: false,
        };
        assert!(list.accept(&progress));
        assert_eq!(list.selected_item(), Some(10), "not reached yet");
        assert_eq!(list.wanted, Some(13));
        progress.matches = vec![0, 3];
        progress.scanned = 4;
        progress.done = true;
        assert!(list.accept(&progress));
        assert_eq!(list.selected_item(), Some(13));
        assert_eq!(list.wanted, None);

        list.start_filter("y".into(), 6);
        list.wanted = Some(12);
        list.move_by(1);
        assert_eq!(list.wanted, None, "moving drops the wish");
    }

    #[test]
    fn a_filter_over_an_empty_list_finishes() {
        let mut list = List::new(Vec::new());
        list.start_filter("x".into(), 3);
        let progress = Progress {
            generation: 3,
            done: true,
            ..Progress::default()
        };
        assert!(list.accept(&progress));
        assert!(list.filter.as_ref().is_some_and(|f| f.done));
        assert!(
            !list.accept(&progress),
            "the same progress again changes nothing"
        );
    }

    #[test]
    fn the_window_follows_the_selection() {
        let mut list = List::new((0..100).collect());
        list.select(50);
        assert_eq!(list.window(10), 41..51);
        list.select(0);
        assert_eq!(list.window(10), 0..10);
        assert_eq!(list.find_from_selection(false, |i| i % 7 == 0), Some(98));
    }
}
