//! The normalized evidence model shared by importers, correlation, bundles and views.

pub mod attack;
pub mod ecr_reference;
pub mod event;
pub mod image;
pub mod keys;
pub mod provenance;
pub mod source;
pub mod summary;
pub mod task;
pub mod time;

pub use attack::{Attack, Tactic, Technique};
pub use ecr_reference::EcrReference;
pub use event::{Doubt, Event, Link, LinkReason, RawRef, Severity};
pub use image::{
    CveSeverity, ImageFacts, ImageFlag, Package, ScanSource, Signature, SignerStatus, Vulnerability,
};
pub use keys::Key;
pub use provenance::Provenance;
pub use source::Source;
pub use summary::TaskSummary;
pub use task::{Container, RunState, TaskFacts};
pub use time::Timestamp;
