//! Running a collection to its end (or until Ctrl-C): the shared part of
//! `taskscope collect` and `taskscope live`.

use super::accounts::Reach;
use super::aws::{region_of, Connection};
use super::collection::Collection;
use super::scope::Scope;
use super::sink::{BundleSink, Stored};
use crate::bundle::growing::GrowingBundle;
use crate::bundle::manifest::{CollectRequest, CollectionState, Manifest};
use crate::model::time::format_time;
use std::path::Path;
use std::sync::Arc;

/// Why a collection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every source ran to its end.
    Finished,
    /// Stopped early; what was received is kept.
    Stopped,
}

/// A prepared collection: its bundle exists and says `collecting`.
pub struct Prepared {
    /// The collection.
    pub collection: Collection,
    /// Where responses go.
    pub sink: Arc<BundleSink>,
}

/// Loads the AWS configuration, assumes the member accounts' role when
/// accounts are named, creates the bundle at `out` and the clients.
/// `watcher` hears of every stored response.
pub async fn prepare(
    connection: &Connection,
    scope: Scope,
    out: &Path,
    watcher: impl Fn(&Stored) + Send + Sync + 'static,
) -> anyhow::Result<Prepared> {
    let checked = connection.load_checked().await?;
    let reach = match &connection.members {
        Some(members) => Reach::resolve(checked, members).await?,
        None => Reach::own(checked),
    };
    prepare_checked(connection, reach, scope, out, watcher)
}

/// As [`prepare`], with the accounts and regions already reached;
/// `connection` only names them in the manifest.
pub fn prepare_checked(
    connection: &Connection,
    reach: Reach,
    scope: Scope,
    out: &Path,
    watcher: impl Fn(&Stored) + Send + Sync + 'static,
) -> anyhow::Result<Prepared> {
    let mut accounts: Vec<String> = Vec::new();
    let mut regions: Vec<String> = Vec::new();
    for target in &reach.targets {
        let region = region_of(&target.config);
        if !accounts.contains(&target.account) {
            accounts.push(target.account.clone());
        }
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    for account in &reach.unreachable {
        if !accounts.contains(&account.account) {
            accounts.push(account.account.clone());
        }
    }
    let request = CollectRequest {
        profile: connection.profile.clone(),
        accounts,
        role_name: connection
            .members
            .as_ref()
            .map(|members| members.role_name.clone()),
        regions,
        cluster: scope.cluster.clone(),
        service: scope.service.clone(),
        task: scope.task.clone(),
        from: format_time(&scope.from),
        to: format_time(&scope.to),
        endpoint_url: connection
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok()),
    };
    let bundle = GrowingBundle::create(out, request)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the bundle: {e}", out.display()))?;
    let sink = Arc::new(BundleSink::new(bundle, watcher));
    let collection = Collection::new(scope, &reach, sink.clone());
    sink.set_reports(collection.reports())?;
    Ok(Prepared { collection, sink })
}

impl Prepared {
    /// Runs until every source is done or `stop` resolves, then commits the
    /// final state. `on_source_done` runs after each source finishes.
    pub async fn run(
        self,
        stop: impl std::future::Future<Output = ()>,
        on_source_done: impl Fn() + Sync,
    ) -> anyhow::Result<(Manifest, Ending)> {
        let Prepared { collection, sink } = self;
        let report_progress = || {
            let _ = sink.set_reports(collection.reports());
            on_source_done();
        };
        let ending = tokio::select! {
            () = collection.run(report_progress) => Ending::Finished,
            () = stop => Ending::Stopped,
        };
        if ending == Ending::Stopped {
            collection.stop_remote_work().await;
        }
        let state = match ending {
            Ending::Finished => CollectionState::Complete,
            Ending::Stopped => CollectionState::Interrupted,
        };
        let manifest = sink.finish(collection.reports(), state)?;
        Ok((manifest, ending))
    }
}

/// Resolves on Ctrl-C, SIGTERM or SIGHUP.
pub async fn interrupted() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hangup = signal(SignalKind::hangup()).ok();
    let wait = |s: Option<tokio::signal::unix::Signal>| async move {
        match s {
            Some(mut s) => {
                s.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = wait(term.take()) => {}
        () = wait(hangup.take()) => {}
    }
}
