//! CloudTrail and Security Lake through Athena (docs/athena.md).

pub mod ddl;
pub mod table;
