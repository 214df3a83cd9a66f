//! Where AWS calls go: credentials, regions, endpoint and member accounts
//! (aws-config's standard chain).

use crate::collect;

/// Credentials and endpoint (aws-config's standard chain: environment,
/// profiles, SSO, web identity, container and instance metadata).
#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// The named profile to use.
    #[arg(long)]
    pub profile: Option<String>,
    /// A region to collect from (repeatable; default: the profile's or AWS_REGION).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Send every call to this endpoint (as AWS_ENDPOINT_URL does).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Collect from these accounts (ID,ID) or every active account of the
    /// organization (all), through --role-name in each member account.
    #[arg(long, requires = "role_name")]
    pub accounts: Option<collect::members::AccountSelection>,
    /// The role to assume in each member account named by --accounts.
    #[arg(long, requires = "accounts")]
    pub role_name: Option<String>,
}

impl AwsArgs {
    /// The connection settings.
    pub fn connection(&self) -> collect::aws::Connection {
        collect::aws::Connection {
            profile: self.profile.clone(),
            regions: self.regions.clone(),
            endpoint_url: self.endpoint_url.clone(),
            members: self.accounts.clone().zip(self.role_name.clone()).map(
                |(selection, role_name)| collect::members::MemberAccounts {
                    selection,
                    role_name,
                },
            ),
        }
    }
}

/// Credentials, one region and the endpoint, for commands that watch one
/// region (aws-config's standard chain, as for [`AwsArgs`]).
#[derive(Debug, Clone, clap::Args)]
pub struct OneRegionAwsArgs {
    /// The named profile to use.
    #[arg(long)]
    pub profile: Option<String>,
    /// The region (default: the profile's or AWS_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// Send every call to this endpoint (as AWS_ENDPOINT_URL does).
    #[arg(long)]
    pub endpoint_url: Option<String>,
}

impl OneRegionAwsArgs {
    /// The connection settings.
    pub fn connection(&self) -> collect::aws::Connection {
        collect::aws::Connection {
            profile: self.profile.clone(),
            regions: self.region.iter().cloned().collect(),
            endpoint_url: self.endpoint_url.clone(),
            members: None,
        }
    }
}
