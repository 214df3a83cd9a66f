//! `taskscope annotate`: a note, mark or tag on a task, an event or the
//! bundle, appended to the bundle's chained annotation log.

use super::load::{find_task, load};
use crate::bundle::annotations::{self, Annotation, AnnotationAction, Target};
use crate::render::sanitize::escape;
use anyhow::bail;
use clap::ArgGroup;
use std::path::PathBuf;
use std::process::ExitCode;

/// `taskscope annotate`'s arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(
    group(ArgGroup::new("target").required(true).args(["task", "event", "bundle_wide"])),
    group(ArgGroup::new("action").required(true).args(["note", "mark", "unmark", "tag", "untag"]))
)]
pub struct AnnotateArgs {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// Task ID, task ARN (either format), or a unique ID prefix of 6+ characters.
    #[arg(long)]
    pub task: Option<String>,
    /// Event anchor: the `anchor` field of `taskscope export --format json`;
    /// an ECS task event's ends in @MILESTONE (@PROVISIONING, @RUNNING,
    /// @STOPPING or @STOPPED).
    #[arg(long)]
    pub event: Option<String>,
    /// Annotate the incident as a whole: notes on the bundle are the
    /// incident report's summary, its tags the incident's IDs.
    #[arg(long)]
    pub bundle_wide: bool,
    /// Attach a note.
    #[arg(long)]
    pub note: Option<String>,
    /// Mark as important.
    #[arg(long)]
    pub mark: bool,
    /// Remove a mark.
    #[arg(long)]
    pub unmark: bool,
    /// Add a tag (no whitespace, `,` or `;`; at most 64 characters).
    #[arg(long)]
    pub tag: Option<String>,
    /// Remove a tag.
    #[arg(long)]
    pub untag: Option<String>,
    /// Who is annotating (default: $TASKSCOPE_AUTHOR, else $USER@hostname).
    #[arg(long)]
    pub author: Option<String>,
    /// Seal the bundle again with this OpenSSH private key after the
    /// annotation, so that the seal covers it (docs/custody.md).
    #[arg(long, value_name = "PATH")]
    pub sign_key: Option<PathBuf>,
}

impl AnnotateArgs {
    /// The one action the flags ask for.
    fn action(&self) -> anyhow::Result<AnnotationAction> {
        Ok(match (&self.note, &self.tag, &self.untag) {
            (Some(text), _, _) => AnnotationAction::Note { text: text.clone() },
            (_, Some(tag), _) => AnnotationAction::Tag { tag: tag.clone() },
            (_, _, Some(tag)) => AnnotationAction::Untag { tag: tag.clone() },
            _ if self.mark => AnnotationAction::Mark,
            _ if self.unmark => AnnotationAction::Unmark,
            _ => bail!("give one of --note, --mark, --unmark, --tag, --untag"),
        })
    }
}

/// Appends the annotation and says what was annotated, by whom; seals the
/// bundle again with `--sign-key`.
pub fn run(args: &AnnotateArgs) -> anyhow::Result<ExitCode> {
    let action = args.action()?;
    let path = &args.bundle;
    let (incident, bundle) = load(path)?;
    let target = match (&args.task, &args.event) {
        _ if args.bundle_wide => Target::Bundle,
        (Some(reference), _) => Target::Task {
            id: incident.tasks[find_task(&incident, reference)?].id.clone(),
        },
        (None, Some(anchor)) => {
            if annotations::find_event(&incident, &bundle.manifest, anchor).is_none() {
                bail!(
                    "no event {} in this bundle ({})",
                    escape(anchor),
                    anchor_hint(&annotations::milestone_anchors(
                        &incident,
                        &bundle.manifest,
                        anchor
                    ))
                );
            }
            Target::Event {
                anchor: anchor.clone(),
            }
        }
        (None, None) => bail!("give --task, --event or --bundle-wide"),
    };
    let annotation = Annotation {
        time: crate::model::time::now(),
        author: args
            .author
            .clone()
            .unwrap_or_else(annotations::default_author),
        target,
        action,
    };
    annotations::append(path, &annotation)?;
    eprintln!(
        "annotated {}: {} by {}",
        path.display(),
        escape(&describe_target(&annotation.target)),
        escape(&annotation.author)
    );
    if let Some(warning) = annotations::unknown_author_warning(&annotation.author) {
        if args.author.is_none() {
            eprintln!("taskscope: warning: {warning}");
        }
    }
    if let Some(key) = &args.sign_key {
        super::seal::seal_with_file(path, key)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What to say about an anchor that names no event: the anchors with a
/// milestone suffix that were probably meant, or what anchors look like.
fn anchor_hint(meant: &[String]) -> String {
    if meant.is_empty() {
        format!(
            "anchors are the `anchor` field of `taskscope export --format json`; \
             an ECS task event's ends in @MILESTONE ({})",
            annotations::TASK_MILESTONES
                .map(|m| format!("@{m}"))
                .join(", ")
        )
    } else {
        format!(
            "ECS task events need the @MILESTONE suffix: {}",
            meant.join(", ")
        )
    }
}

fn describe_target(target: &Target) -> String {
    match target {
        Target::Event { anchor } => format!("event {anchor}"),
        Target::Task { id } => format!("task {id}"),
        Target::Bundle => "the bundle".to_string(),
    }
}
