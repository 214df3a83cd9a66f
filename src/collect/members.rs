//! Which accounts a collection covers (`--accounts ID,ID|all` with
//! `--role-name NAME`), as the user named them; reaching them is
//! [`super::accounts`]'s job.

use std::str::FromStr;

/// Which accounts `--accounts` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSelection {
    /// Every active account of the organization, the caller's included.
    All,
    /// These account IDs (12 digits each), in the order given, without repeats.
    Listed(Vec<String>),
}

impl FromStr for AccountSelection {
    type Err = String;

    fn from_str(text: &str) -> Result<AccountSelection, String> {
        if text.trim() == "all" {
            return Ok(AccountSelection::All);
        }
        let mut listed: Vec<String> = Vec::new();
        for id in text.split(',').map(str::trim) {
            if !is_account_id(id) {
                return Err(format!(
                    "{}: not an AWS account ID (12 digits); use ID,ID or all",
                    crate::render::sanitize::escape(id)
                ));
            }
            if !listed.iter().any(|known| known == id) {
                listed.push(id.to_string());
            }
        }
        Ok(AccountSelection::Listed(listed))
    }
}

/// True for an AWS account ID: 12 digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The accounts to collect from and the role to assume in each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccounts {
    /// The accounts.
    pub selection: AccountSelection,
    /// The role's name in every member account (`--role-name`).
    pub role_name: String,
}
