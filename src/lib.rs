//! taskscope: a terminal incident console for AWS ECS on Fargate.
//!
//! Data flows one way: [`import`] reads evidence into the [`model`],
//! [`correlate`] builds one timeline per task, [`bundle`] preserves the raw
//! evidence with hashes (and the responders' annotations), [`render`] (later
//! the console) shows it, and [`export`] hands it to reports and other tools.

pub mod bundle;
pub mod cli;
pub mod correlate;
pub mod demo;
pub mod export;
pub mod generate;
pub mod import;
pub mod model;
pub mod render;
