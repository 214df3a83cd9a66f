//! The "Image" section of the task context pane: per container, its
//! digest, tags and push time, the scanner whose findings are shown, the
//! vulnerabilities per severity, the top critical ones with package and
//! fix version, whether an exploit is known, the signature and the flags.
//! Every evidence string goes through `clip`, which escapes control
//! characters.

use crate::inspect::context::ContainerImage;
use crate::model::{CveSeverity, Signature};
use crate::theme::Theme;
use crate::tui::text::{absolute, clip};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// Longest value shown on one line of the section.
const VALUE_CHARS: usize = 200;

/// The section's lines.
pub fn image_lines(images: &[ContainerImage], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        "Image".to_string(),
        theme.header.add_modifier(Modifier::BOLD),
    ))];
    if images.is_empty() {
        lines.push(Line::from(Span::styled(
            "no container details in the evidence",
            theme.dim,
        )));
    }
    let label = |text: &str| Span::styled(format!("    {text}: "), theme.dim);
    for image in images {
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", clip(&image.container, 60)), theme.title),
            Span::styled(clip(image.digest.as_deref().unwrap_or("-"), 80), theme.base),
        ]));
        if let Some(ecr) = &image.ecr {
            let tags = if image.tags.is_empty() {
                "-".to_string()
            } else {
                image.tags.join(", ")
            };
            lines.push(Line::from(vec![
                label("ecr"),
                Span::raw(clip(
                    &format!("{} ({} {})", ecr.repository, ecr.account, ecr.region),
                    VALUE_CHARS,
                )),
            ]));
            lines.push(Line::from(vec![
                label("tags"),
                Span::raw(clip(&tags, VALUE_CHARS)),
                Span::raw("  "),
                Span::styled("pushed: ", theme.dim),
                Span::raw(image.pushed_at.map_or("-".to_string(), absolute)),
            ]));
        }
        match (&image.scan_source, &image.scan_unknown) {
            (Some(source), _) => {
                let counts = image.counts_text();
                let exploit = match image.exploit_known {
                    Some(true) => "exploit known",
                    Some(false) => "no known exploit",
                    None => "exploits not reported",
                };
                let critical = image
                    .severity_counts
                    .iter()
                    .any(|(s, n)| *s == CveSeverity::Critical && *n > 0);
                lines.push(Line::from(vec![
                    label(source.name()),
                    Span::styled(
                        counts,
                        if critical {
                            theme.sev_critical
                        } else {
                            theme.base
                        },
                    ),
                    Span::styled(format!("  {exploit}"), theme.dim),
                ]));
                for vulnerability in &image.top_critical {
                    let package = vulnerability.packages.first().map_or(String::new(), |p| {
                        format!(
                            " {} {} → {}",
                            p.name,
                            p.version.as_deref().unwrap_or("?"),
                            p.fixed_in.as_deref().unwrap_or("no fix")
                        )
                    });
                    let exploit = if vulnerability.exploit_available == Some(true) {
                        " EXPLOIT"
                    } else {
                        ""
                    };
                    lines.push(Line::from(vec![
                        Span::raw("      "),
                        Span::styled(clip(&vulnerability.id, 40), theme.sev_critical),
                        Span::raw(clip(&format!("{package}{exploit}"), VALUE_CHARS)),
                    ]));
                }
            }
            // Said once when the signature has the same reason.
            (None, Some(why)) if why == image.signature.detail() => {}
            (None, Some(why)) => lines.push(Line::from(vec![
                label("scan"),
                Span::styled(clip(why, VALUE_CHARS), theme.dim),
            ])),
            (None, None) => {}
        }
        let style = match image.signature {
            Signature::Signed(_) => theme.running,
            Signature::NoneFound(_) => theme.sev_high,
            Signature::Unknown(_) => theme.dim,
        };
        lines.push(Line::from(vec![
            label("signature"),
            Span::styled(image.signature.state().to_string(), style),
            Span::styled(
                format!("  {}", clip(image.signature.detail(), VALUE_CHARS)),
                theme.dim,
            ),
        ]));
        for flag in &image.flags {
            lines.push(Line::from(vec![
                Span::raw("    "),
                Span::styled(
                    format!("⚑ {}", clip(&flag.text(), VALUE_CHARS)),
                    theme.sev_high,
                ),
            ]));
        }
    }
    lines
}
