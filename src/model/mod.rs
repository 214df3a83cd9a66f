//! The normalized evidence model shared by importers, correlation, bundles and views.

pub mod event;
pub mod keys;
pub mod provenance;
pub mod summary;
pub mod task;
pub mod time;

pub use event::{Doubt, Event, Link, LinkReason, RawRef, Severity, Source};
pub use keys::Key;
pub use provenance::Provenance;
pub use summary::TaskSummary;
pub use task::{Container, RunState, TaskFacts};
pub use time::Timestamp;
