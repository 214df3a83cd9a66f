//! The growing bundle as a [`ResponseSink`], telling a watcher (progress
//! bars, the live console) about every response it stores.

use super::recorder::ResponseSink;
use crate::bundle::growing::{GrowingBundle, Response};
use crate::bundle::manifest::{CollectionState, Manifest, Origin, SourceReport};
use std::io;
use std::sync::Mutex;

/// What a watcher hears after each stored response.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The call answered.
    pub origin: Origin,
    /// Records the response held.
    pub records: usize,
    /// Responses stored so far.
    pub total: usize,
}

/// Stores responses in a [`GrowingBundle`].
pub struct BundleSink {
    bundle: Mutex<Option<GrowingBundle>>,
    watcher: Box<dyn Fn(&Stored) + Send + Sync>,
}

impl BundleSink {
    /// Wraps `bundle`; `watcher` hears of every response stored.
    pub fn new(
        bundle: GrowingBundle,
        watcher: impl Fn(&Stored) + Send + Sync + 'static,
    ) -> BundleSink {
        BundleSink {
            bundle: Mutex::new(Some(bundle)),
            watcher: Box::new(watcher),
        }
    }

    /// Records the sources' state in the manifest.
    pub fn set_reports(&self, reports: Vec<SourceReport>) -> io::Result<()> {
        match self.bundle.lock().map_err(|_| poisoned())?.as_mut() {
            Some(bundle) => bundle.set_reports(reports),
            None => Err(finished()),
        }
    }

    /// Commits the final state; later responses are refused.
    pub fn finish(
        &self,
        reports: Vec<SourceReport>,
        state: CollectionState,
    ) -> io::Result<Manifest> {
        let bundle = self.bundle.lock().map_err(|_| poisoned())?.take();
        let mut bundle = bundle.ok_or_else(finished)?;
        bundle.set_reports(reports)?;
        bundle.finish(state)
    }
}

fn poisoned() -> io::Error {
    io::Error::other("the bundle writer failed earlier")
}

fn finished() -> io::Error {
    io::Error::other("the collection has already finished")
}

impl ResponseSink for BundleSink {
    fn store(&self, origin: Origin, body: &[u8]) -> Result<(), String> {
        let stored = {
            let mut guard = self.bundle.lock().map_err(|_| poisoned().to_string())?;
            let bundle = guard.as_mut().ok_or_else(|| finished().to_string())?;
            let records = bundle
                .store(Response {
                    origin: origin.clone(),
                    body,
                })
                .map_err(|e| e.to_string())?;
            Stored {
                origin,
                records,
                total: bundle.responses(),
            }
        };
        (self.watcher)(&stored);
        Ok(())
    }
}
