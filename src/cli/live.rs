//! `taskscope live`: the console opens at once over a new bundle while
//! collection fills it on a background thread. The console never calls AWS:
//! it reads the bundle again as it grows, and hears a [`LiveStatus`] after
//! every stored response, every finished source, and at the end.

use super::collect::collected;
use super::connection_args::AwsArgs;
use super::look_args::{ConsoleActions, Look};
use super::respond::console_actions;
use super::scope_args::ScopeArgs;
use super::seal::SealOnCompletion;
use super::terminal::require_terminal;
use crate::bundle::manifest::{Manifest, SourceReport};
use crate::collect::aws::Connection;
use crate::collect::run::{prepare, Ending};
use crate::collect::sink::Stored;
use crate::collect::{Scope, Tracker};
use crate::tui::live::LiveStatus;
use crate::tui::{Console, Message, Options};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, OnceLock};

/// `taskscope live`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// The bundle directory to create (must not exist; default:
    /// taskscope-live-<UTC time> in the current directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub look: Look,
    #[command(flatten)]
    pub actions: ConsoleActions,
    #[command(flatten)]
    pub seal: SealOnCompletion,
}

/// Collects with the console open, then prints the collection's summary
/// and seals the bundle when asked; exit status 3 when the bundle is partial.
pub fn run(args: &LiveArgs) -> anyhow::Result<ExitCode> {
    require_terminal("live", "taskscope collect to collect without the console")?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(crate::model::time::now()));
    let options = Options {
        bundle: out.clone(),
        task: args.scope.task.clone(),
        actions: console_actions(
            args.actions.allow_actions,
            args.look.config.as_deref(),
            args.aws.connection(),
        )?,
        theme: args.look.theme.clone(),
        config: args.look.config.clone(),
        no_color: args.look.no_color,
    };
    let (manifest, ending) = live(&args.aws.connection(), args.scope.scope()?, &options)?;
    let code = collected(&manifest, &out, ending)?;
    args.seal.seal(&out, args.look.config.as_deref())?;
    Ok(code)
}

/// The bundle `live` creates without `--out`, in the current directory:
/// `taskscope-live-20261123T140411Z`.
fn default_out(now: DateTime<Utc>) -> PathBuf {
    PathBuf::from(format!("taskscope-live-{}", now.format("%Y%m%dT%H%M%SZ")))
}

/// Collects into a new bundle at `options.bundle` with the console open
/// over it. Configuration errors (console config, AWS region) come before
/// the terminal is taken over. When the user quits (or a signal arrives)
/// before collection ends, collection is stopped; either way this returns
/// once the final state is committed.
fn live(
    connection: &Connection,
    scope: Scope,
    options: &Options,
) -> anyhow::Result<(Manifest, Ending)> {
    let mut console = Console::new(options)?;
    let feed = Arc::new(Feed {
        sender: console.sender(),
        trackers: OnceLock::new(),
        responses: AtomicUsize::new(0),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let watcher = {
        let feed = Arc::clone(&feed);
        move |stored: &Stored| feed.stored(stored)
    };
    let prepared = runtime.block_on(prepare(connection, scope, &options.bundle, watcher))?;
    // Set once, here: the watcher hears nothing before collection runs.
    let _ = feed.trackers.set(prepared.collection.trackers());
    console.app.session.live = Some(feed.status(false));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let collector = std::thread::Builder::new()
        .name("taskscope-collect".into())
        .spawn(move || {
            // Resolves when the console says stop, or is gone.
            let stop = async {
                let _ = stopped.await;
            };
            let result = runtime.block_on(prepared.run(stop, || feed.send(feed.status(false))));
            runtime.shutdown_background();
            let last = match &result {
                Ok((manifest, _)) => LiveStatus::new(
                    manifest.inputs.len(),
                    &manifest.collection.source_reports,
                    true,
                ),
                Err(error) => LiveStatus {
                    error: Some(format!("{error:#}")),
                    ..feed.status(true)
                },
            };
            feed.send(last);
            result
        })?;
    let shown = console.run();
    let _ = stop.send(());
    let collected = collector
        .join()
        .map_err(|_| anyhow::anyhow!("the collection thread failed"))?;
    match shown {
        Ok(()) => collected,
        Err(error) => Err(error.context(format!(
            "the console failed; the bundle {} holds what was collected",
            options.bundle.display()
        ))),
    }
}

/// Tells the console how collection stands.
struct Feed {
    sender: Sender<Message>,
    trackers: OnceLock<Vec<Arc<Tracker>>>,
    /// Responses stored so far.
    responses: AtomicUsize,
}

impl Feed {
    /// A response was stored and committed.
    fn stored(&self, stored: &Stored) {
        self.responses.fetch_max(stored.total, Ordering::Relaxed);
        self.send(self.status(false));
    }

    /// How collection stands now.
    fn status(&self, finished: bool) -> LiveStatus {
        let reports: Vec<SourceReport> = self
            .trackers
            .get()
            .map(|trackers| trackers.iter().map(|t| t.report()).collect())
            .unwrap_or_default();
        LiveStatus::new(self.responses.load(Ordering::Relaxed), &reports, finished)
    }

    /// Sends a status to the console; one that has quit hears nothing.
    fn send(&self, status: LiveStatus) {
        let _ = self.sender.send(Message::Collected(status));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bundle_is_named_after_the_time() {
        let now = crate::model::time::parse_time_str("2026-11-23T14:04:11.5Z").unwrap();
        assert_eq!(
            default_out(now),
            std::path::Path::new("taskscope-live-20261123T140411Z")
        );
    }
}
