#![allow(dead_code)] // shared by several test binaries; each uses a part

//! An SDK HTTP client for tests: a function answers each request, or hands
//! it on to the real HTTP client (which talks to moto on loopback). Used
//! where moto lacks an API: the test replays real-format responses for those
//! operations and says so.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use std::fmt;
use std::sync::Arc;

/// Answers a request (as an `http` 1.x request with its body in memory), or
/// returns `None` to let the fallback client send it.
pub type Answer = dyn Fn(&http::Request<SdkBody>) -> Option<http::Response<SdkBody>> + Send + Sync;

/// A client that asks `answer` first, then `fallback`.
#[derive(Clone)]
pub struct Replay {
    answer: Arc<Answer>,
    fallback: Option<SharedHttpClient>,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Replay")
    }
}

impl Replay {
    /// Every request goes to `answer`, which must answer it.
    pub fn only(
        answer: impl Fn(&http::Request<SdkBody>) -> Option<http::Response<SdkBody>>
            + Send
            + Sync
            + 'static,
    ) -> SharedHttpClient {
        SharedHttpClient::new(Replay {
            answer: Arc::new(answer),
            fallback: None,
        })
    }

    /// Requests `answer` declines go to `fallback`.
    pub fn before(
        fallback: SharedHttpClient,
        answer: impl Fn(&http::Request<SdkBody>) -> Option<http::Response<SdkBody>>
            + Send
            + Sync
            + 'static,
    ) -> SharedHttpClient {
        SharedHttpClient::new(Replay {
            answer: Arc::new(answer),
            fallback: Some(fallback),
        })
    }
}

#[derive(Debug)]
struct ReplayConnector {
    replay: Replay,
    fallback: Option<SharedHttpConnector>,
}

impl HttpConnector for ReplayConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let copy = request.try_clone().and_then(|r| r.try_into_http1x().ok());
        let Some(copy) = copy else {
            return HttpConnectorFuture::ready(Err(ConnectorError::other(
                "the replay client needs requests with in-memory bodies".into(),
                None,
            )));
        };
        match (self.replay.answer)(&copy) {
            Some(response) => HttpConnectorFuture::ready(
                HttpResponse::try_from(response).map_err(|e| ConnectorError::other(e.into(), None)),
            ),
            None => match &self.fallback {
                Some(fallback) => fallback.call(request),
                None => HttpConnectorFuture::ready(Err(ConnectorError::other(
                    format!("no replayed answer for {} {}", copy.method(), copy.uri()).into(),
                    None,
                ))),
            },
        }
    }
}

impl HttpClient for Replay {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(ReplayConnector {
            replay: self.clone(),
            fallback: self
                .fallback
                .as_ref()
                .map(|client| client.http_connector(settings, components)),
        })
    }
}

/// An SDK configuration whose every call goes to `client`: region
/// us-east-1, static test credentials, `attempts` attempts per call with a
/// 5 ms initial backoff, and an endpoint nothing listens on.
pub fn config(client: SharedHttpClient, attempts: u32) -> aws_config::SdkConfig {
    use aws_config::retry::RetryConfig;
    use aws_config::{BehaviorVersion, Region};
    use aws_sdk_ecs::config::{Credentials, SharedCredentialsProvider};
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDREPLAY",
            "replay-secret",
            None,
            None,
            "replay",
        )))
        .http_client(client)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(std::time::Duration::from_millis(5)),
        )
        .endpoint_url("http://127.0.0.1:1")
        .build()
}

/// A JSON response with AWS's headers; error statuses carry the JSON
/// error content type the SDK expects.
pub fn json_response(status: u16, body: &serde_json::Value) -> http::Response<SdkBody> {
    let content_type = if status >= 400 {
        "application/x-amz-json-1.1"
    } else {
        "application/json"
    };
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-amzn-requestid", "replayed-request")
        .body(SdkBody::from(body.to_string()))
        .expect("a valid response")
}

/// The operation a request calls: the `X-Amz-Target` suffix (JSON
/// protocols) or the `Action` form field (query protocols: EC2, ELBv2, IAM).
pub fn operation(request: &http::Request<SdkBody>) -> String {
    if let Some(target) = request
        .headers()
        .get("x-amz-target")
        .and_then(|t| t.to_str().ok())
    {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    let body = request.body().bytes().unwrap_or_default();
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or("")
        .to_string()
}
