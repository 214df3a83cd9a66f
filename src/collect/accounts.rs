//! Member accounts (`--accounts ID,ID|all` with `--role-name NAME`): which
//! accounts to collect from, and one SDK configuration per account and
//! region. A member account is reached through STS AssumeRole into
//! `arn:<partition>:iam::<ID>:role/<NAME>`, with credentials the SDK
//! refreshes before they expire; `all` lists the organization's active
//! accounts. The caller's own account is used with its own credentials.
//! An account that cannot be reached is reported, never fatal to the others.

use super::aws::{caller_identity, describe_error, region_of};
use super::limits::{ACCOUNT_REGIONS_AT_ONCE, MAX_PAGES};
use super::members::{is_account_id, AccountSelection, MemberAccounts};
use aws_config::identity::IdentityCache;
use aws_config::sts::AssumeRoleProvider;
use aws_config::SdkConfig;
use aws_sdk_organizations::types::AccountState;
use aws_sdk_sts::config::SharedCredentialsProvider;
use futures_util::stream::StreamExt;
use std::collections::BTreeSet;

/// The session name when `$USER` is unset or has no allowed character.
pub const FALLBACK_SESSION_USER: &str = "unknown";
/// The longest role session name STS accepts.
pub const MAX_SESSION_NAME: usize = 64;

/// One account in one region: the unit collection fans out over.
#[derive(Debug, Clone)]
pub struct Target {
    /// The account ID.
    pub account: String,
    /// The configuration whose credentials act in that account.
    pub config: SdkConfig,
}

/// An account that could not be reached, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// The account ID.
    pub account: String,
    /// The region its preflight called.
    pub region: String,
    /// One line naming the account, the role and AWS's reason.
    pub line: String,
}

/// Where collection goes: the account/region targets, and the accounts
/// that could not be reached.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// The caller's own account.
    pub caller: String,
    /// Every reachable account in every region.
    pub targets: Vec<Target>,
    /// The accounts AssumeRole refused (or failed for).
    pub unreachable: Vec<Unreachable>,
}

impl Reach {
    /// The caller's own account only: each checked configuration as is.
    pub fn own(checked: Vec<(SdkConfig, String)>) -> Reach {
        Reach {
            caller: checked
                .first()
                .map(|(_, account)| account.clone())
                .unwrap_or_default(),
            targets: checked
                .into_iter()
                .map(|(config, account)| Target { account, config })
                .collect(),
            unreachable: Vec::new(),
        }
    }

    /// Every account named by `members`, in every region of `checked` (the
    /// caller's configurations, one per region, with the caller's account),
    /// in the order named; roles are assumed a few accounts at a time.
    /// Fails only when `all` cannot list the organization's accounts.
    pub async fn resolve(
        checked: Vec<(SdkConfig, String)>,
        members: &MemberAccounts,
    ) -> anyhow::Result<Reach> {
        let Some((first, caller)) = checked.first().cloned() else {
            return Ok(Reach::default());
        };
        let accounts = match &members.selection {
            AccountSelection::Listed(ids) => ids.clone(),
            AccountSelection::All => organization_accounts(&first, &caller).await?,
        };
        let caller_arn = caller_identity(&first).await?.arn;
        let partition = partition_of(&caller_arn);
        let session = session_name(std::env::var("USER").ok().as_deref());
        let reached = futures_util::stream::iter(accounts)
            .map(|account| {
                let (checked, session, caller) = (&checked, &session, &caller);
                let role = format!("arn:{partition}:iam::{account}:role/{}", members.role_name);
                async move {
                    let configs = if account == *caller {
                        Ok(checked.iter().map(|(config, _)| config.clone()).collect())
                    } else {
                        assumed(checked, &role, session).await
                    };
                    (account, role, configs)
                }
            })
            .buffered(ACCOUNT_REGIONS_AT_ONCE)
            .collect::<Vec<_>>()
            .await;
        let mut reach = Reach {
            caller: caller.clone(),
            ..Reach::default()
        };
        for (account, role, configs) in reached {
            match configs {
                Ok(configs) => reach
                    .targets
                    .extend(configs.into_iter().map(|config| Target {
                        account: account.clone(),
                        config,
                    })),
                Err(reason) => reach.unreachable.push(Unreachable {
                    line: format!("account {account}: cannot assume {role}: {reason}"),
                    region: region_of(&first),
                    account,
                }),
            }
        }
        Ok(reach)
    }
}

/// The configurations of `checked` acting as `role`: one credentials
/// provider and one cache for all regions, so the role is assumed once and
/// assumed again before its credentials expire. A first AssumeRole, made
/// here, says at once (in one line) when the role cannot be assumed.
async fn assumed(
    checked: &[(SdkConfig, String)],
    role: &str,
    session: &str,
) -> Result<Vec<SdkConfig>, String> {
    let Some((base, _)) = checked.first() else {
        return Ok(Vec::new());
    };
    let sts = aws_sdk_sts::Client::new(base);
    sts.assume_role()
        .role_arn(role)
        .role_session_name(session)
        .send()
        .await
        .map_err(|e| describe_error("sts:AssumeRole", &region_of(base), &e))?;
    let provider = AssumeRoleProvider::builder(role)
        .session_name(session)
        .configure(base)
        .build()
        .await;
    let provider = SharedCredentialsProvider::new(provider);
    let cache = IdentityCache::lazy().build();
    Ok(checked
        .iter()
        .map(|(config, _)| {
            config
                .to_builder()
                .credentials_provider(provider.clone())
                .identity_cache(cache.clone())
                .build()
        })
        .collect())
}

/// The organization's active accounts, the caller's first, through
/// Organizations ListAccounts (every page).
async fn organization_accounts(config: &SdkConfig, caller: &str) -> anyhow::Result<Vec<String>> {
    let client = aws_sdk_organizations::Client::new(config);
    let mut accounts = vec![caller.to_string()];
    let mut seen: BTreeSet<String> = accounts.iter().cloned().collect();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = client
            .list_accounts()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "--accounts all: {}; name the accounts instead (--accounts ID,ID)",
                    describe_error("organizations:ListAccounts", &region_of(config), &e)
                )
            })?;
        for account in page.accounts() {
            let active = account.state() == Some(&AccountState::Active);
            if let Some(id) = account.id().filter(|id| active && is_account_id(id)) {
                if seen.insert(id.to_string()) {
                    accounts.push(id.to_string());
                }
            }
        }
        match page.next_token() {
            Some(next) if !next.is_empty() && Some(next) != token.as_deref() => {
                token = Some(next.to_string())
            }
            _ => return Ok(accounts),
        }
    }
    anyhow::bail!("organizations:ListAccounts: more than {MAX_PAGES} pages of accounts")
}

/// The partition of an ARN (`aws`, `aws-us-gov`, `aws-cn`), `aws` when it
/// is not an ARN.
pub fn partition_of(arn: &str) -> &str {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|partition| !partition.is_empty())
        .unwrap_or("aws")
}

/// The role session name for `user`: `taskscope-<user>`, with characters
/// STS does not allow (outside `[\w+=,.@-]`) replaced by `-`, at most
/// [`MAX_SESSION_NAME`] characters; [`FALLBACK_SESSION_USER`] when unset.
pub fn session_name(user: Option<&str>) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c);
    let user: String = user
        .unwrap_or("")
        .chars()
        .map(|c| if allowed(c) { c } else { '-' })
        .collect();
    let user = if user.chars().all(|c| c == '-') {
        FALLBACK_SESSION_USER
    } else {
        &user
    };
    format!("taskscope-{user}")
        .chars()
        .take(MAX_SESSION_NAME)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_lists_are_validated_and_deduplicated() {
        assert_eq!("all".parse(), Ok(AccountSelection::All));
        assert_eq!(
            "111111111111, 222222222222,111111111111".parse(),
            Ok(AccountSelection::Listed(vec![
                "111111111111".into(),
                "222222222222".into()
            ]))
        );
        for bad in [
            "",
            "12345",
            "1111111111111",
            "11111111111a",
            "111111111111,",
            "ALL",
        ] {
            let error = bad.parse::<AccountSelection>().unwrap_err();
            assert!(error.contains("12 digits"), "{bad}: {error}");
        }
    }

    #[test]
    fn session_names_keep_only_allowed_characters() {
        assert_eq!(session_name(Some("alice")), "taskscope-alice");
        assert_eq!(session_name(Some("a b/c\u{e9}")), "taskscope-a-b-c-");
        assert_eq!(
            session_name(Some("x.y@corp,1=2+3_4")),
            "taskscope-x.y@corp,1=2+3_4"
        );
        assert_eq!(session_name(None), "taskscope-unknown");
        assert_eq!(session_name(Some("///")), "taskscope-unknown");
        let long = session_name(Some(&"u".repeat(100)));
        assert_eq!(long.len(), MAX_SESSION_NAME);
        assert!(long.starts_with("taskscope-uuu"));
    }

    #[test]
    fn partitions_come_from_the_caller_arn() {
        assert_eq!(partition_of("arn:aws:iam::111111111111:user/a"), "aws");
        assert_eq!(
            partition_of("arn:aws-us-gov:sts::111111111111:assumed-role/r/s"),
            "aws-us-gov"
        );
        assert_eq!(partition_of("unknown"), "aws");
    }
}
