//! The action a key asks for, from what the bundle knows of the selected
//! task (its cluster, ARN, service and creation time). The console's
//! choices are fixed: two hours of protection, no incident ID, no
//! quarantine group and AWS's default network ACL rule quota for an
//! isolation; the default target, no digest override, ten minutes of
//! following and the open bundle's earlier rollbacks for a rollback.

use super::super::text::short_id;
use crate::model::task::TaskFacts;
use crate::respond::request::{
    preserve_path, ActionRequest, IsolateRequest, RollbackRequest, DEFAULT_FOLLOW_TIMEOUT,
    DEFAULT_PROTECT_MINUTES, DEFAULT_RULE_QUOTA,
};
use crate::respond::suspects::RollbackHistory;
use chrono::{DateTime, TimeDelta, Utc};
use std::path::Path;

/// An action ready to plan, and how the popup names it.
#[derive(Debug, Clone)]
pub struct Asked {
    /// The request for the responder.
    pub request: ActionRequest,
    /// What it acts on, for the popup's title (`isolate task 3f9c2d7e`);
    /// raw text from the bundle: escape before drawing.
    pub title: String,
}

/// The isolation of `task`, its evidence preserved beside the open bundle
/// (at `bundle_root`) from an hour before the task was created (or the
/// last 24 hours when that is unknown) to `now`. Fails, saying why, when
/// the bundle does not name the task's cluster. Messages are raw text from
/// the bundle: escape before drawing.
pub fn isolate(task: &TaskFacts, bundle_root: &Path, now: DateTime<Utc>) -> Result<Asked, String> {
    let cluster = cluster(task)?;
    let since = task
        .created_at
        .map_or(now - TimeDelta::hours(24), |created| {
            created - TimeDelta::hours(1)
        });
    Ok(Asked {
        request: ActionRequest::Isolate(IsolateRequest {
            cluster,
            task: task.display_ref().to_string(),
            incident: None,
            protect_minutes: DEFAULT_PROTECT_MINUTES,
            quarantine_group: None,
            nacl_rule_quota: DEFAULT_RULE_QUOTA,
            preserve_out: preserve_path(bundle_root, &task.id, &now),
            since,
            athena: None,
        }),
        title: format!("isolate task {}", short_id(&task.id)),
    })
}

/// The rollback of the service `task` belongs to, knowing the earlier
/// rollbacks `history` read from the audit log of the bundle where this
/// one's record goes. Fails, saying why, when the task is not part of a
/// service or its cluster is not known.
pub fn rollback(task: &TaskFacts, history: RollbackHistory) -> Result<Asked, String> {
    let Some(service) = task.service() else {
        return Err(format!(
            "task {} is not part of a service: there is no service to roll back",
            short_id(&task.id)
        ));
    };
    Ok(Asked {
        request: ActionRequest::Rollback(RollbackRequest {
            cluster: cluster(task)?,
            service: service.to_string(),
            to: None,
            allow_same_digest: false,
            follow_timeout: DEFAULT_FOLLOW_TIMEOUT,
            history,
        }),
        title: format!("roll back service {}", service),
    })
}

/// The task's cluster, from its facts.
fn cluster(task: &TaskFacts) -> Result<String, String> {
    task.cluster.clone().ok_or_else(|| {
        format!(
            "the bundle does not say which cluster task {} runs in: act with taskscope isolate or rollback --cluster",
            short_id(&task.id)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_time_str;

    fn task() -> TaskFacts {
        TaskFacts {
            arn: Some("arn:aws:ecs:us-east-1:111122223333:task/prod/3f9c2d7e5b1a".into()),
            cluster: Some("prod".into()),
            group: Some("service:checkout-api".into()),
            created_at: parse_time_str("2026-11-20T13:00:00Z"),
            ..TaskFacts::new("3f9c2d7e5b1a")
        }
    }

    #[test]
    fn an_isolation_preserves_beside_the_bundle_from_an_hour_before_creation() {
        let now = parse_time_str("2026-11-20T15:00:00Z").unwrap();
        let asked = isolate(&task(), Path::new("/cases/inc-7"), now).unwrap();
        let ActionRequest::Isolate(request) = asked.request else {
            panic!("not an isolation");
        };
        assert_eq!(request.cluster, "prod");
        assert_eq!(request.task, task().arn.unwrap());
        assert_eq!(request.protect_minutes, 120);
        assert_eq!(
            request.preserve_out,
            Path::new("/cases/inc-7.preserve-3f9c2d7e-20261120T150000Z")
        );
        assert_eq!(
            request.since,
            parse_time_str("2026-11-20T12:00:00Z").unwrap()
        );
        let unknown = TaskFacts {
            created_at: None,
            ..task()
        };
        let asked = isolate(&unknown, Path::new("/cases/inc-7"), now).unwrap();
        let ActionRequest::Isolate(request) = asked.request else {
            panic!("not an isolation");
        };
        assert_eq!(request.since, now - TimeDelta::hours(24));
    }

    #[test]
    fn a_rollback_needs_a_service_and_a_cluster() {
        let ActionRequest::Rollback(request) = rollback(&task(), RollbackHistory::default())
            .unwrap()
            .request
        else {
            panic!("not a rollback");
        };
        assert_eq!(
            (request.cluster.as_str(), request.service.as_str()),
            ("prod", "checkout-api")
        );
        assert_eq!(request.follow_timeout, DEFAULT_FOLLOW_TIMEOUT);
        let standalone = TaskFacts {
            group: Some("family:batch".into()),
            ..task()
        };
        assert!(rollback(&standalone, RollbackHistory::default())
            .unwrap_err()
            .contains("not part of a service"));
        let nowhere = TaskFacts {
            cluster: None,
            ..task()
        };
        assert!(rollback(&nowhere, RollbackHistory::default())
            .unwrap_err()
            .contains("which cluster"));
    }
}
