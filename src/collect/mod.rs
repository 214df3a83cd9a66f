//! Live collection from AWS (docs/collect.md): GuardDuty findings, ECS
//! clusters, services, tasks, task definitions and deployments, CloudTrail
//! events of each task's role session and of ECS itself, and CloudWatch Logs
//! (the tasks' awslogs streams, sidecar groups, an archive of task-state
//! events), and the tasks' ECR images ([`images`]: Inspector or ECR basic
//! scan findings, tags, signatures). Every response is stored raw, as it
//! arrives, by the [`recorder::Recorder`] on each client; sources run
//! concurrently, and one that fails is reported while the others carry on. [`watch`] records one
//! cluster's tasks round after round into rolling bundles.

pub mod accounts;
pub mod athena;
pub mod aws;
pub mod cloudtrail;
pub mod ecs;
pub mod guardduty;
pub mod headless;
pub mod images;
pub mod logs;
pub mod members;
pub mod rate;
pub mod recorder;
pub mod run;
pub mod sink;
pub mod watch;

mod collection;
mod duration;
mod failure;
mod limits;
mod pages;
mod region_clients;
mod scope;
mod task_ref;
mod tracker;

pub use collection::Collection;
pub use duration::parse_duration;
pub use failure::Failure;
pub use limits::{ACCOUNT_REGIONS_AT_ONCE, CONCURRENCY, MAX_PAGES};
pub use pages::all_pages;
pub use scope::Scope;
pub use task_ref::TaskRef;
pub use tracker::{Tracker, ASSUME_ROLE_SOURCE};
