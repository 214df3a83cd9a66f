//! What a collection covers: a cluster, service or task, a time window,
//! extra log groups, and where CloudTrail is read from.

use chrono::{DateTime, Utc};

/// What to collect.
#[derive(Debug, Clone)]
pub struct Scope {
    /// One cluster (name or ARN); all clusters when absent.
    pub cluster: Option<String>,
    /// One service in that cluster.
    pub service: Option<String>,
    /// One task (ID or ARN).
    pub task: Option<String>,
    /// Start of the time window.
    pub from: DateTime<Utc>,
    /// End of the time window.
    pub to: DateTime<Utc>,
    /// Extra log groups to read whole over the window (sidecars such as Falco).
    pub log_groups: Vec<String>,
    /// A log group holding archived "ECS Task State Change" events.
    pub archive_log_group: Option<String>,
    /// Read CloudTrail through Athena from this table instead of LookupEvents.
    pub athena: Option<crate::trail_tables::AthenaSource>,
}
