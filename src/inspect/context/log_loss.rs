//! Log completeness: whether a task's awslogs output may have lost lines.
//!
//! In `non-blocking` mode the awslogs driver buffers a container's output in
//! memory (`max-buffer-size`) and drops lines when the buffer is full, so the
//! absence of a log line proves nothing. A container definition states the
//! mode in `logConfiguration.options.mode`; left unset, ECS has used
//! non-blocking since 25 June 2025 unless the account's
//! `defaultLogDriverMode` setting says blocking (a setting the bundle does
//! not hold). docs/console-context.md describes the flag.

use super::coverage::CoverageEntry;
use super::posture::Posture;
use crate::model::{TaskFacts, Timestamp};
use chrono::{TimeZone, Utc};

/// The words the coverage line shows for a flagged task.
pub const DROPPED_LINES: &str = "log lines may have been dropped";

/// The day ECS made non-blocking the default mode, 2025-06-25 (UTC).
pub fn non_blocking_default_since() -> Timestamp {
    Utc.with_ymd_and_hms(2025, 6, 25, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Why the task's awslogs lines may be incomplete, or `None` when every
/// awslogs container logs in blocking mode (stated, or the default when
/// the task started). `started` is when the task was created or started,
/// if known; unknown counts as after the change.
pub fn dropped_lines_reason(posture: &Posture, started: Option<Timestamp>) -> Option<String> {
    let mut stated = Vec::new();
    let mut by_default = Vec::new();
    for container in &posture.containers {
        let Some(log) = container.log.as_ref().filter(|log| log.driver == "awslogs") else {
            continue;
        };
        match log.mode.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("non-blocking") => stated.push(container.name.as_str()),
            None if started.is_none_or(|time| time >= non_blocking_default_since()) => {
                by_default.push(container.name.as_str())
            }
            _ => {}
        }
    }
    let mut reasons = Vec::new();
    if !stated.is_empty() {
        reasons.push(format!(
            "awslogs runs in non-blocking mode for {}",
            stated.join(", ")
        ));
    }
    if !by_default.is_empty() {
        reasons.push(format!(
            "{} set no awslogs mode, and non-blocking is the ECS default since 2025-06-25 \
             unless the account's defaultLogDriverMode says blocking",
            by_default.join(", ")
        ));
    }
    (!reasons.is_empty()).then(|| {
        format!(
            "{DROPPED_LINES}: {}; a full buffer drops lines",
            reasons.join("; ")
        )
    })
}

/// Adds the flag to the task's awslogs coverage entry when its lines may
/// have been dropped: the reason to the detail, [`DROPPED_LINES`] to the
/// few words of the coverage line.
pub fn flag_dropped_lines(
    mut entry: CoverageEntry,
    posture: Option<&Posture>,
    facts: &TaskFacts,
) -> CoverageEntry {
    let started = facts.created_at.or(facts.started_at);
    let Some(reason) = posture.and_then(|p| dropped_lines_reason(p, started)) else {
        return entry;
    };
    entry.detail = format!("{}; {reason}", entry.detail);
    entry.short = if entry.short.is_empty() {
        DROPPED_LINES.to_string()
    } else {
        format!("{}; {DROPPED_LINES}", entry.short)
    };
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::context::{ContainerPosture, CoverageState, LogSetup};
    use crate::model::time::parse_time_str;

    fn posture(logs: &[(&str, &str, Option<&str>)]) -> Posture {
        Posture {
            task_definition: "checkout-api:41".into(),
            arn: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout-api:41".into(),
            network_mode: Some("awsvpc".into()),
            task_role_arn: None,
            execution_role_arn: None,
            containers: logs
                .iter()
                .map(|&(name, driver, mode)| ContainerPosture {
                    name: name.into(),
                    image: None,
                    privileged: None,
                    readonly_root_filesystem: None,
                    user: None,
                    essential: None,
                    capabilities_added: Vec::new(),
                    environment_names: Vec::new(),
                    secret_names: Vec::new(),
                    log: Some(LogSetup {
                        driver: driver.into(),
                        group: Some("/ecs/checkout-api".into()),
                        stream_prefix: Some("ecs".into()),
                        mode: mode.map(str::to_string),
                    }),
                })
                .collect(),
        }
    }

    fn at(text: &str) -> Option<Timestamp> {
        Some(parse_time_str(text).expect("a time"))
    }

    #[test]
    fn a_stated_non_blocking_mode_is_flagged_whenever_the_task_ran() {
        let posture = posture(&[("app", "awslogs", Some("non-blocking"))]);
        let reason = dropped_lines_reason(&posture, at("2024-01-01T00:00:00Z")).expect("flagged");
        assert!(reason.starts_with(DROPPED_LINES), "{reason}");
        assert!(reason.contains("non-blocking mode for app"), "{reason}");
    }

    #[test]
    fn blocking_mode_and_other_drivers_are_not_flagged() {
        let posture = posture(&[
            ("app", "awslogs", Some("blocking")),
            ("router", "awsfirelens", Some("non-blocking")),
        ]);
        assert_eq!(
            dropped_lines_reason(&posture, at("2026-11-20T13:00:00Z")),
            None
        );
    }

    #[test]
    fn an_unset_mode_is_flagged_only_from_the_day_the_default_changed() {
        let posture = posture(&[("app", "awslogs", None)]);
        assert_eq!(
            dropped_lines_reason(&posture, at("2025-06-24T23:59:59Z")),
            None
        );
        let after = dropped_lines_reason(&posture, at("2025-06-25T00:00:00Z")).expect("flagged");
        assert!(after.contains("app set no awslogs mode"), "{after}");
        assert!(after.contains("defaultLogDriverMode"), "{after}");
        assert!(
            dropped_lines_reason(&posture, None).is_some(),
            "start unknown"
        );
    }

    #[test]
    fn the_flag_joins_the_coverage_entry_words_and_detail() {
        let posture = posture(&[("app", "awslogs", Some("NON-BLOCKING"))]);
        let entry = CoverageEntry {
            source: "awslogs",
            state: CoverageState::Data,
            detail: "12 log records from the task's awslogs streams".into(),
            short: "12 log records".into(),
        };
        let facts = TaskFacts::new("3f9c");
        let flagged = flag_dropped_lines(entry.clone(), Some(&posture), &facts);
        assert_eq!(
            flagged.short,
            "12 log records; log lines may have been dropped"
        );
        assert!(
            flagged.detail.starts_with("12 log records"),
            "{}",
            flagged.detail
        );
        assert!(flagged.detail.contains(DROPPED_LINES), "{}", flagged.detail);
        assert_eq!(flagged.state, CoverageState::Data);
        assert_eq!(flag_dropped_lines(entry.clone(), None, &facts), entry);
    }
}
