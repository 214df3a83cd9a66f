//! The three screens: tasks, timeline, findings (state; drawing is in `ui`).

pub mod tasks;
pub mod timeline;
