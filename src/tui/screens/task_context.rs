//! The tasks screen's side pane: the selected task's facts and containers,
//! its context (its images, task-definition posture, the deployment that
//! started it, blast radius, coverage) and its notes. Every evidence string goes
//! through `clip`, which escapes control characters.

use super::detail::{note_line, VALUE_CHARS};
use super::{Pane, Scene};
use crate::bundle::annotations::Target;
use crate::inspect::context::{CoverageState, Shared, TaskContext};
use crate::theme::Theme;
use crate::tui::data::Data;
use crate::tui::text::{absolute, arn_tail, clip, relative, short_id};
use crate::tui::widgets::pane_block;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// Longest value shown on one line of the context's sections.
const CONTEXT_VALUE_CHARS: usize = 300;

/// Most blast-radius tasks listed.
const BLAST_ROWS: usize = 12;

/// The first line in view of the pane for `task` (None: no task
/// selected): `scroll`, kept within the pane's lines.
pub fn scroll_for(scene: &Scene, task: Option<usize>, scroll: usize) -> usize {
    match task {
        Some(task) => scroll.min(lines(scene, task).len().saturating_sub(1)),
        None => scroll,
    }
}

/// Draws the pane for `task` into the side area, scrolled by `scroll`.
pub fn draw(frame: &mut Frame, scene: &Scene, task: Option<usize>, scroll: usize) {
    let theme = scene.theme;
    let area = scene.areas.detail;
    let block = pane_block(" Task context ", scene.focus == Pane::Detail, theme);
    let Some(task) = task else {
        frame.render_widget(
            Paragraph::new("no task selected")
                .style(theme.dim)
                .block(block),
            area,
        );
        return;
    };
    let paragraph = Paragraph::new(lines(scene, task))
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll as u16, 0));
    frame.render_widget(paragraph, area);
}

/// The pane's lines for `task`: its facts, then its context (when
/// `context` is that task's), its notes, and the bundle's custody log.
fn lines(scene: &Scene, task: usize) -> Vec<Line<'static>> {
    let (data, theme) = (scene.data, scene.theme);
    let facts = &data.incident.tasks[task];
    let label = |text: &str| Span::styled(format!("{text}: "), theme.dim);
    let heading = |text: &str| {
        Line::from(Span::styled(
            text.to_string(),
            theme.header.add_modifier(Modifier::BOLD),
        ))
    };
    let value = |text: Option<&str>| Span::raw(clip(text.unwrap_or("-"), VALUE_CHARS));
    let when = |t: Option<crate::model::Timestamp>| match t {
        Some(t) => format!("{} ({})", absolute(t), relative(t, scene.now)),
        None => "-".into(),
    };
    let mut lines = vec![
        Line::from(vec![
            label("task"),
            Span::styled(clip(facts.display_ref(), VALUE_CHARS), theme.title),
        ]),
        Line::from(vec![label("cluster"), value(facts.cluster.as_deref())]),
        Line::from(vec![label("group"), value(facts.group.as_deref())]),
        Line::from(vec![
            label("task definition"),
            value(facts.task_definition_arn.as_deref()),
        ]),
        Line::from(vec![
            label("started by"),
            value(facts.started_by.as_deref()),
        ]),
        Line::from(vec![
            label("status"),
            value(facts.last_status.as_deref()),
            Span::raw("  "),
            label("stop code"),
            value(facts.stop_code.as_deref()),
        ]),
        Line::from(vec![
            label("stopped reason"),
            value(facts.stopped_reason.as_deref()),
        ]),
        Line::from(vec![label("created"), Span::raw(when(facts.created_at))]),
        Line::from(vec![label("started"), Span::raw(when(facts.started_at))]),
        Line::from(vec![label("stopped"), Span::raw(when(facts.stopped_at))]),
    ];
    if !facts.ips.is_empty() || !facts.enis.is_empty() {
        let network: Vec<String> = facts
            .enis
            .iter()
            .chain(facts.ips.iter())
            .map(|s| clip(s, 64))
            .collect();
        lines.push(Line::from(vec![
            label("network"),
            Span::raw(network.join(" ")),
        ]));
    }
    for container in &facts.containers {
        let exit = container
            .exit_code
            .map_or(String::new(), |c| format!(" exit {c}"));
        lines.push(Line::from(vec![
            label("container"),
            Span::raw(format!(
                "{} {}{exit}",
                clip(&container.name, 60),
                clip(
                    container
                        .image_digest
                        .as_deref()
                        .or(container.image.as_deref())
                        .unwrap_or("-"),
                    90
                )
            )),
        ]));
    }
    if let Some((t, context)) = scene.context {
        if *t == task {
            lines.push(Line::from(""));
            lines.extend(context_lines(context, data, theme));
        }
    }
    let notes = scene.annotations.notes(&Target::Task {
        id: facts.id.clone(),
    });
    if !notes.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Notes"));
        for note in notes {
            lines.push(note_line(note, scene));
        }
    }
    if !data.custody.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("Custody of the bundle"));
        for handoff in &data.custody {
            lines.push(Line::from(Span::styled(
                clip(&handoff.summary(), VALUE_CHARS),
                theme.dim,
            )));
        }
    }
    lines
}

/// The context's lines, evidence escaped.
fn context_lines(context: &TaskContext, data: &Data, theme: &Theme) -> Vec<Line<'static>> {
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
