//! The correlated index as the store of an incident's events: what lets
//! the console hold an incident whose events are read when shown.

use super::CorrelatedIndex;
use crate::correlate::EventStore;
use crate::model::{Event, Source, TaskSummary, Timestamp};

impl EventStore for CorrelatedIndex {
    fn count(&self) -> usize {
        CorrelatedIndex::len(self)
    }

    fn event(&self, number: usize) -> Result<Event, String> {
        CorrelatedIndex::event(self, number).map_err(|e| e.to_string())
    }

    fn time(&self, number: usize) -> Result<Timestamp, String> {
        CorrelatedIndex::time(self, number).map_err(|e| e.to_string())
    }

    fn source(&self, number: usize) -> Result<Source, String> {
        CorrelatedIndex::source(self, number).map_err(|e| e.to_string())
    }

    fn findings(&self) -> Result<Vec<u32>, String> {
        CorrelatedIndex::findings(self).map_err(|e| e.to_string())
    }

    fn summary(&self, task: usize) -> Option<TaskSummary> {
        self.summaries().get(task).cloned()
    }

    fn each(&self, each: &mut dyn FnMut(usize, &Event)) -> Result<(), String> {
        let mut number = 0;
        self.each_event(|event| {
            each(number, &event);
            number += 1;
        })
        .map_err(|e| e.to_string())
    }
}
