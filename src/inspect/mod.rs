//! What the console shows about one event or one task, without drawing it:
//! the key facts of a raw record ([`facts`]), a collapsible JSON tree of it
//! ([`tree`]), and a task's surroundings ([`context`]).
//!
//! Strings returned here are raw evidence: the caller escapes them
//! (`render::sanitize`) before they reach a terminal.

pub mod context;
pub mod facts;
pub mod tree;

pub use context::{summarize_coverage, task_context, ContextIndex, TaskContext};
pub use facts::{key_facts, Fact};
pub use tree::{JsonTree, TreeKind, TreeLine};

/// The demo incident and its raw records, for this module's tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::bundle::build::import_in_memory;
    use crate::correlate::Incident;
    use crate::model::{Event, RawRef};
    use serde_json::Value;

    /// The demo incident, correlated in memory (artifact `i` is `demo::FILES[i]`).
    pub fn demo() -> Incident {
        import_in_memory(crate::demo::inputs()).1
    }

    /// The raw record a demo reference points at.
    pub fn demo_record_at(raw: &RawRef) -> Value {
        let bytes = crate::demo::FILES[raw.artifact].1;
        crate::raw::resolve(bytes, &raw.locator).expect("demo records resolve")
    }

    /// The record a demo event's fields came from.
    pub fn demo_record(event: &Event) -> Value {
        demo_record_at(&event.raw[0])
    }

    /// The events of a shared fixture file with their first raw record.
    pub fn fixture_events(relative: &str) -> Vec<(Event, Value)> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures")
            .join(relative);
        let bytes = std::fs::read(&path).expect("shared fixture");
        crate::import::import_bytes(&bytes, 0)
            .events
            .into_iter()
            .map(|event| {
                let record = crate::raw::resolve(&bytes, &event.raw[0].locator)
                    .expect("fixture records resolve");
                (event, record)
            })
            .collect()
    }
}
