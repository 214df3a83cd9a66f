//! taskscope: a terminal incident console for AWS ECS on Fargate.
//!
//! Data flows one way: [`import`] reads evidence into the [`model`],
//! [`correlate`] builds one timeline per task, [`bundle`] preserves the raw
//! evidence with hashes (and the responders' annotations), [`render`] and
//! the [`tui`] console show it, and [`export`] hands it to reports and other
//! tools. The console's look and settings come from [`theme`] and [`config`];
//! [`raw`] reads a record back from a bundle, and [`inspect`] turns records
//! and the incident into what the console's detail and context panes show.
//! [`respond`] plans, confirms, applies and audits response actions.

pub mod bundle;
pub mod cli;
#[cfg(feature = "aws")]
pub mod collect;
pub mod config;
pub mod correlate;
pub mod demo;
pub mod export;
pub mod generate;
pub mod import;
pub mod inspect;
pub mod model;
pub mod output;
pub mod raw;
pub mod render;
pub mod respond;
pub mod small_text;
pub mod theme;
pub mod trail_tables;
pub mod tui;
