//! An SDK interceptor that hands every successful API response, byte for
//! byte as received, to a [`ResponseSink`], and counts the calls made. It
//! sits on every client collection builds, so no source can forget to
//! store what it received.

use crate::bundle::manifest::Origin;
use crate::model::time::format_time;
use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Where received responses go (the growing bundle, or a test's list).
pub trait ResponseSink: Send + Sync {
    /// Stores one response; an error fails the call that received it.
    fn store(&self, origin: Origin, body: &[u8]) -> Result<(), String>;
}

/// Calls made, by operation name.
#[derive(Debug, Default, Clone)]
pub struct CallCounts(Arc<Mutex<BTreeMap<String, u64>>>);

impl CallCounts {
    /// A copy of the counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .map(|counts| counts.clone())
            .unwrap_or_default()
    }

    /// All calls so far.
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }

    fn add(&self, operation: &str) {
        if let Ok(mut counts) = self.0.lock() {
            *counts.entry(operation.to_string()).or_default() += 1;
        }
    }
}

/// The interceptor; one per client (so per source, account and region).
#[derive(Clone)]
pub struct Recorder {
    account: String,
    region: String,
    sink: Arc<dyn ResponseSink>,
    calls: CallCounts,
    archive_log_group: Option<String>,
}

/// Marks a call that reads the archive of EventBridge events, from the
/// request to the response.
#[derive(Debug, Clone)]
struct ReadsArchive;

impl Storable for ReadsArchive {
    type Storer = StoreReplace<Self>;
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("account", &self.account)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder for calls to `region`, storing into `sink`.
    pub fn new(region: &str, sink: Arc<dyn ResponseSink>) -> Recorder {
        Recorder {
            account: String::new(),
            region: region.to_string(),
            sink,
            calls: CallCounts::default(),
            archive_log_group: None,
        }
    }

    /// Names the account the client's credentials act in, in every origin.
    pub fn with_account(mut self, account: &str) -> Recorder {
        self.account = account.to_string();
        self
    }

    /// Marks the responses of FilterLogEvents calls on `group` as reads of
    /// the archive of EventBridge events (`Origin::eventbridge_archive`).
    pub fn with_archive_log_group(mut self, group: Option<String>) -> Recorder {
        self.archive_log_group = group;
        self
    }

    /// The calls this recorder has seen.
    pub fn calls(&self) -> CallCounts {
        self.calls.clone()
    }
}

fn operation(cfg: &ConfigBag) -> (String, String) {
    cfg.load::<Metadata>().map_or_else(
        || ("unknown".to_string(), "unknown".to_string()),
        |metadata| (metadata.service().to_string(), metadata.name().to_string()),
    )
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "taskscope-recorder"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.calls.add(&operation(cfg).1);
        let group = context
            .input()
            .downcast_ref::<FilterLogEventsInput>()
            .and_then(FilterLogEventsInput::log_group_name);
        if group.is_some() && group == self.archive_log_group.as_deref() {
            cfg.interceptor_state().store_put(ReadsArchive);
        }
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if !response.status().is_success() {
            return Ok(());
        }
        let Some(body) = response.body().bytes() else {
            return Ok(());
        };
        let headers = response.headers();
        let request_id = ["x-amzn-requestid", "x-amz-request-id"]
            .iter()
            .find_map(|name| headers.get(*name))
            .map(str::to_string);
        let (service, operation) = operation(cfg);
        let origin = Origin {
            service,
            operation,
            account: self.account.clone(),
            region: self.region.clone(),
            request_id,
            received_at: format_time(&crate::model::time::now()),
            eventbridge_archive: cfg.load::<ReadsArchive>().is_some(),
        };
        self.sink
            .store(origin, body)
            .map_err(|error| format!("cannot store the response: {error}").into())
    }
}
