//! AWS configuration for collection (aws-config's standard chain: environment,
//! profiles, SSO, web identity, container and instance metadata, plus
//! `AWS_ENDPOINT_URL`), and one clear line for every way a call can fail.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Attempts per call, with the SDK's exponential backoff between them
/// (throttling included).
pub const MAX_ATTEMPTS: u32 = 6;

/// The HTTPS client every AWS call goes through: hyper and rustls, with
/// ring's cryptography (a fraction of the build of the SDK's default,
/// aws-lc) and the system's root certificates.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The start of every AWS configuration: the standard credential chain,
/// the latest behaviour version, and [`https_client`].
pub fn defaults() -> aws_config::ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest()).http_client(https_client())
}

/// Credentials and endpoint flags, the same for every command that calls AWS.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// A named profile (`--profile`), else the chain's default.
    pub profile: Option<String>,
    /// Regions to call (`--region`, repeatable); empty: the chain's region.
    pub regions: Vec<String>,
    /// A custom endpoint (`--endpoint-url`), else `AWS_ENDPOINT_URL` if set.
    pub endpoint_url: Option<String>,
    /// Member accounts to collect from through a role (`--accounts`,
    /// `--role-name`); only the caller's account when absent.
    pub members: Option<super::members::MemberAccounts>,
}

impl Connection {
    /// Loads the configurations and checks each with STS GetCallerIdentity
    /// (allowed to every identity): wrong regions, missing or expired
    /// credentials fail here, in one line, before anything is written.
    /// Returns each configuration with its account.
    pub async fn load_checked(&self) -> anyhow::Result<Vec<(SdkConfig, String)>> {
        let mut checked = Vec::new();
        for config in self.load().await? {
            let identity = caller_identity(&config).await?;
            checked.push((config, identity.account));
        }
        Ok(checked)
    }

    /// Loads the SDK configuration for each region asked for. Fails when no
    /// region is given and none is configured.
    pub async fn load(&self) -> anyhow::Result<Vec<SdkConfig>> {
        if self.regions.is_empty() {
            let config = self.loader(None).load().await;
            if config.region().is_none() {
                anyhow::bail!(
                    "no AWS region: pass --region, or set AWS_REGION or a region in the profile"
                );
            }
            return Ok(vec![config]);
        }
        let mut configs = Vec::new();
        for region in &self.regions {
            configs.push(self.loader(Some(region)).load().await);
        }
        Ok(configs)
    }

    fn loader(&self, region: Option<&str>) -> aws_config::ConfigLoader {
        let mut loader = defaults();
        // AWS_MAX_ATTEMPTS, when set, is the user's choice: keep it.
        if std::env::var_os("AWS_MAX_ATTEMPTS").is_none() {
            loader = loader.retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_string()));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        loader
    }
}

/// Who the credentials of a configuration belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The account ID.
    pub account: String,
    /// The caller's ARN (a user, or an assumed role's session).
    pub arn: String,
}

/// Asks STS GetCallerIdentity (allowed to every identity) who the
/// credentials of `config` belong to; fails in one line when they are
/// missing or expired, or the region is wrong.
pub async fn caller_identity(config: &SdkConfig) -> anyhow::Result<Identity> {
    let region = region_of(config);
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .build(),
    );
    let identity = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| anyhow::anyhow!(describe_error("sts:GetCallerIdentity", &region, &e)))?;
    Ok(Identity {
        account: identity.account().unwrap_or("unknown").to_string(),
        arn: identity.arn().unwrap_or("unknown").to_string(),
    })
}

/// The region a configuration calls.
pub fn region_of(config: &SdkConfig) -> String {
    region_name(config.region())
}

/// A region's name, or `unknown-region`.
pub fn region_name(region: Option<&Region>) -> String {
    region.map_or_else(|| "unknown-region".to_string(), |r| r.to_string())
}

/// One line saying why `action` (`ecs:DescribeTasks`) failed, with what to do.
pub fn describe_error<E>(action: &str, region: &str, error: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            match err.code() {
                Some(code) => describe_code(action, region, code, err.message().unwrap_or("")),
                None => format!(
                    "{action} failed in {region}: HTTP {} without an AWS error document \
                     (the endpoint may not implement this API)",
                    service.raw().status().as_u16()
                ),
            }
        }
        SdkError::DispatchFailure(failure) => {
            let text = DisplayErrorContext(error).to_string();
            let cause = root_cause(error);
            if let Some(hint) = credentials_hint(&text) {
                format!("{action}: {hint}")
            } else if failure.is_io() || text.contains("dns error") || text.contains("lookup") {
                format!(
                    "{action}: cannot reach the AWS endpoint for region {region} \
                     (is the region name right? is the network up?): {cause}"
                )
            } else {
                format!("{action}: the request could not be sent: {cause}")
            }
        }
        SdkError::TimeoutError(_) => format!("{action}: timed out in {region}"),
        SdkError::ResponseError(response) => format!(
            "{action} failed in {region}: HTTP {} with a body that is not an AWS response \
             (the endpoint may not implement this API)",
            response.raw().status().as_u16()
        ),
        SdkError::ConstructionFailure(_) => {
            let text = DisplayErrorContext(error).to_string();
            match credentials_hint(&text) {
                Some(hint) => format!("{action}: {hint}"),
                None => format!("{action}: the request could not be built: {text}"),
            }
        }
        _ => format!("{action}: {}", DisplayErrorContext(error)),
    }
}

/// True when the endpoint does not offer the operation at all (an
/// emulator, or a partition without the API): an HTTP error without an AWS
/// error document, or an unknown-operation code.
pub fn is_unavailable<E>(error: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error {
        SdkError::ServiceError(service) => match service.err().code() {
            None => true,
            Some(code) => matches!(code, "UnknownOperationException" | "InvalidAction"),
        },
        SdkError::ResponseError(_) => true,
        _ => false,
    }
}

/// The line for an error code AWS returned.
pub fn describe_code(action: &str, region: &str, code: &str, message: &str) -> String {
    let detail = if message.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {message}")
    };
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation"
        | "AuthorizationError" | "UnauthorizedException" => format!(
            "missing permission {action} in {region} ({detail}); docs/iam.md lists what taskscope needs"
        ),
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => format!(
            "{action}: the credentials have expired ({detail}); refresh them \
             (for SSO: aws sso login --profile NAME)"
        ),
        "UnrecognizedClientException" | "InvalidClientTokenId" | "InvalidSignatureException"
        | "SignatureDoesNotMatch" => format!(
            "{action}: AWS rejected the credentials ({detail}); check the profile or keys"
        ),
        "RegionDisabledException" | "OptInRequired" => format!(
            "{action}: region {region} is not enabled for this account ({detail}); \
             enable it, or leave it out with --region"
        ),
        "ThrottlingException" | "Throttling" | "TooManyRequestsException"
        | "RequestLimitExceeded" => format!(
            "{action}: still throttled after {MAX_ATTEMPTS} attempts in {region} ({detail})"
        ),
        _ => format!("{action} failed in {region}: {detail}"),
    }
}

/// The innermost error's message: the cause without the layers around it.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    one_line(&current.to_string())
}

/// A hint when an error text is about credentials rather than the call.
fn credentials_hint(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    if lower.contains("sso") && (lower.contains("expired") || lower.contains("token")) {
        return Some(format!(
            "the SSO session has expired or was never started: run `aws sso login` for the profile ({})",
            one_line(text)
        ));
    }
    if lower.contains("credentials") || lower.contains("no providers in chain") {
        return Some(format!(
            "no usable AWS credentials: set a profile (--profile), environment keys or SSO ({})",
            one_line(text)
        ));
    }
    None
}

fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_names_the_action_and_the_policy_page() {
        let line = describe_code(
            "guardduty:ListFindings",
            "eu-west-1",
            "AccessDeniedException",
            "User is not authorized",
        );
        assert!(line.starts_with("missing permission guardduty:ListFindings in eu-west-1"));
        assert!(line.contains("docs/iam.md"));
    }

    #[test]
    fn expired_tokens_say_how_to_refresh() {
        let line = describe_code("ecs:ListTasks", "us-east-1", "ExpiredTokenException", "");
        assert!(line.contains("expired"));
        assert!(line.contains("aws sso login"));
    }

    #[test]
    fn a_disabled_region_says_so() {
        let line = describe_code(
            "sts:AssumeRole",
            "ap-east-1",
            "RegionDisabledException",
            "STS is not activated in this region for account:222222222222",
        );
        assert!(
            line.starts_with("sts:AssumeRole: region ap-east-1 is not enabled for this account")
        );
        assert!(line.contains("222222222222"));
    }

    #[test]
    fn credential_failures_are_recognized_in_error_text() {
        let hint = credentials_hint("failed to load credentials: the SSO token has expired")
            .expect("a hint");
        assert!(hint.contains("aws sso login"));
        assert!(credentials_hint("connection refused").is_none());
    }
}
