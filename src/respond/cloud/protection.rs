//! A task's scale-in protection as ECS reports it (`ecs:GetTaskProtection`):
//! the prior state of the protect step, and what undo compares with it.

use super::Cloud;
use crate::collect::aws::describe_error;
use aws_smithy_types::date_time::Format;
use serde_json::{json, Value};

/// A task's protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// Whether the task is protected.
    pub enabled: bool,
    /// When the protection ends, RFC 3339 UTC, when ECS says.
    pub expires: Option<String>,
}

impl Protection {
    /// The protection as a call's `prior`:
    /// `{"protectionEnabled": bool, "expirationDate": string|null}`.
    pub fn to_prior(&self) -> Value {
        json!({"protectionEnabled": self.enabled, "expirationDate": self.expires})
    }

    /// Reads a `prior` written by [`Protection::to_prior`]; None when it is
    /// not one.
    pub fn from_prior(prior: &Value) -> Option<Protection> {
        Some(Protection {
            enabled: prior["protectionEnabled"].as_bool()?,
            expires: prior["expirationDate"].as_str().map(str::to_string),
        })
    }
}

impl Cloud {
    /// Reads the protection of `task` in `cluster`. The error is one line:
    /// the call's failure, or ECS's reason for the task.
    pub async fn task_protection(&self, cluster: &str, task: &str) -> Result<Protection, String> {
        let action = "ecs:GetTaskProtection";
        let out = self
            .ecs
            .get_task_protection()
            .cluster(cluster)
            .tasks(task)
            .send()
            .await
            .map_err(|e| describe_error(action, &self.region, &e))?;
        if let Some(failure) = out.failures().first() {
            return Err(format!(
                "{action} refused for {}: {}",
                failure.arn().unwrap_or(task),
                failure.reason().unwrap_or("no reason")
            ));
        }
        let protected = out
            .protected_tasks()
            .first()
            .ok_or_else(|| format!("{action} did not report {task}"))?;
        Ok(Protection {
            enabled: protected.protection_enabled(),
            expires: protected
                .expiration_date()
                .and_then(|date| date.fmt(Format::DateTime).ok()),
        })
    }
}
