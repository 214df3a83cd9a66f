//! The task context's sections in the tasks screen's side pane: posture
//! (task definition, roles, containers), the deployment that started the
//! task, its blast radius and the bundle's coverage of it. Every evidence
//! string goes through `clip`, which escapes control characters.

use crate::inspect::context::{CoverageState, Shared, TaskContext};
use crate::theme::Theme;
use crate::tui::data::Data;
use crate::tui::text::{absolute, arn_tail, clip, short_id};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// Longest value shown on one line of the context's sections.
const CONTEXT_VALUE_CHARS: usize = 300;

/// Most blast-radius tasks listed.
const BLAST_ROWS: usize = 12;

/// The context's lines, evidence escaped.
pub fn lines(context: &TaskContext, data: &Data, theme: &Theme) -> Vec<Line<'static>> {
    let heading = |text: &str| {
        Line::from(Span::styled(
            text.to_string(),
            theme.header.add_modifier(Modifier::BOLD),
        ))
    };
    let label = |text: &str| Span::styled(format!("{text}: "), theme.dim);
    let flag = |text: String, risky: bool| {
        Span::styled(text, if risky { theme.sev_high } else { theme.base })
    };
    // The images first: a flagged image is the first thing to see.
    let mut lines = super::task_image::image_lines(&context.images, theme);
    lines.push(Line::from(""));
    lines.push(heading("Posture"));
    match (&context.posture, &context.posture_unavailable) {
        (Some(posture), _) => {
            lines.push(Line::from(vec![
                label("definition"),
                Span::raw(clip(&posture.task_definition, CONTEXT_VALUE_CHARS)),
            ]));
            lines.push(Line::from(vec![
                label("task role"),
                Span::raw(clip(
                    posture.task_role_arn.as_deref().unwrap_or("-"),
                    CONTEXT_VALUE_CHARS,
                )),
            ]));
            lines.push(Line::from(vec![
                label("execution role"),
                Span::raw(clip(
                    posture.execution_role_arn.as_deref().unwrap_or("-"),
                    CONTEXT_VALUE_CHARS,
                )),
            ]));
            for container in &posture.containers {
                let writable = container.readonly_root_filesystem != Some(true);
                let root = container
                    .user
                    .as_deref()
                    .is_none_or(|u| u == "root" || u == "0" || u.starts_with("0:"));
                lines.push(Line::from(vec![
                    Span::styled(format!("  {} ", clip(&container.name, 60)), theme.title),
                    Span::styled(
                        clip(
                            container.image.as_deref().unwrap_or("-"),
                            CONTEXT_VALUE_CHARS,
                        ),
                        theme.dim,
                    ),
                ]));
                let mut flags = vec![
                    Span::raw("    "),
                    flag(
                        format!(
                            "user {}",
                            clip(container.user.as_deref().unwrap_or("(image default)"), 40)
                        ),
                        root,
                    ),
                    Span::raw("  "),
                    flag(
                        if writable {
                            "root fs writable".into()
                        } else {
                            "root fs read-only".into()
                        },
                        writable,
                    ),
                ];
                if container.privileged == Some(true) {
                    flags.push(Span::raw("  "));
                    flags.push(flag("PRIVILEGED".into(), true));
                }
                if !container.capabilities_added.is_empty() {
                    flags.push(Span::raw("  "));
                    flags.push(flag(
                        format!(
                            "caps +{}",
                            clip(&container.capabilities_added.join(","), 80)
                        ),
                        true,
                    ));
                }
                lines.push(Line::from(flags));
                if !container.environment_names.is_empty() {
                    lines.push(Line::from(vec![
                        Span::raw("    "),
                        label("env"),
                        Span::raw(clip(
                            &container.environment_names.join(" "),
                            CONTEXT_VALUE_CHARS,
                        )),
                    ]));
                }
                if !container.secret_names.is_empty() {
                    lines.push(Line::from(vec![
                        Span::raw("    "),
                        label("secrets"),
                        Span::raw(clip(&container.secret_names.join(" "), CONTEXT_VALUE_CHARS)),
                    ]));
                }
                if let Some(log) = &container.log {
                    let target = [log.group.as_deref(), log.stream_prefix.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" prefix ");
                    lines.push(Line::from(vec![
                        Span::raw("    "),
                        label("logs"),
                        Span::raw(clip(
                            &format!("{} {target}", log.driver),
                            CONTEXT_VALUE_CHARS,
                        )),
                    ]));
                }
            }
        }
        (None, Some(reason)) => lines.push(Line::from(Span::styled(
            clip(reason, CONTEXT_VALUE_CHARS),
            theme.dim,
        ))),
        (None, None) => lines.push(Line::from(Span::styled(
            "task definition unknown",
            theme.dim,
        ))),
    }
    lines.push(Line::from(""));
    lines.push(heading("Deployment"));
    match &context.deployment {
        Some(deployment) => {
            let state = [
                deployment.status.as_deref(),
                deployment.rollout_state.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            lines.push(Line::from(vec![
                Span::raw(clip(&deployment.id, 80)),
                Span::styled(format!("  {}", clip(&state, 60)), theme.dim),
            ]));
            if let Some(definition) = &deployment.task_definition {
                lines.push(Line::from(vec![
                    label("rolled out"),
                    Span::raw(clip(definition, CONTEXT_VALUE_CHARS)),
                ]));
            }
            if let Some(created) = deployment.created_at {
                lines.push(Line::from(vec![
                    label("created"),
                    Span::raw(absolute(created)),
                ]));
            }
            if let Some(notice) = &deployment.latest_notice {
                lines.push(Line::from(vec![
                    label("latest"),
                    Span::raw(clip(notice, CONTEXT_VALUE_CHARS)),
                ]));
            }
            if let Some(previous) = &deployment.previous {
                let definition = previous.task_definition.as_deref().unwrap_or("?");
                lines.push(Line::from(vec![
                    label("replaced"),
                    Span::raw(clip(
                        &format!("{} ({definition})", previous.id),
                        CONTEXT_VALUE_CHARS,
                    )),
                ]));
            }
        }
        None => lines.push(Line::from(Span::styled(
            "not started by a service deployment (or unknown)",
            theme.dim,
        ))),
    }
    lines.push(Line::from(""));
    lines.push(heading(&format!(
        "Blast radius ({} tasks)",
        context.blast_radius.len()
    )));
    for link in context.blast_radius.iter().take(BLAST_ROWS) {
        let other = &data.incident.tasks[link.task];
        let shared: Vec<String> = link
            .shared
            .iter()
            .map(|s| match s {
                Shared::ImageDigest(d) => format!("image {}", clip(d.get(..19).unwrap_or(d), 19)),
                Shared::TaskRole(r) => format!("role {}", clip(arn_tail(r), 40)),
                Shared::SecurityGroup(g) => format!("sg {}", clip(g, 30)),
            })
            .collect();
        lines.push(Line::from(vec![
            Span::raw(format!("  {} ", short_id(&other.id))),
            Span::styled(
                clip(
                    other.service().or(other.group.as_deref()).unwrap_or("-"),
                    30,
                ),
                theme.dim,
            ),
            Span::raw(format!("  {}", shared.join(", "))),
        ]));
    }
    if context.blast_radius.len() > BLAST_ROWS {
        lines.push(Line::from(Span::styled(
            format!("  … {} more", context.blast_radius.len() - BLAST_ROWS),
            theme.dim,
        )));
    }
    lines.push(Line::from(""));
    lines.push(heading("Coverage"));
    for entry in &context.coverage.entries {
        let style = match entry.state {
            CoverageState::Data => theme.running,
            CoverageState::NoEvidence => theme.base,
            CoverageState::Partial => theme.status_warning,
            CoverageState::NoData => theme.sev_high,
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<16}", entry.source), theme.base),
            Span::styled(format!("{:<8}", entry.state.word()), style),
            Span::styled(clip(&entry.detail, CONTEXT_VALUE_CHARS), theme.dim),
        ]));
    }
    lines
}
