//! The task role's inline deny policy: reading a policy as IAM holds it,
//! and the cutoff of the revoke step, set when the call is sent.

use super::Cloud;
use crate::collect::aws::describe_error;
use chrono::{DateTime, Utc};

/// Stands for the revoke step's cutoff in a planned policy document: the
/// time of sending replaces it ([`stamp_apply_time`]), so the cutoff is
/// when the policy is applied, not when the plan was made.
pub const APPLY_TIME: &str = "<apply time>";

/// `document` with every [`APPLY_TIME`] replaced by `now`, to the second
/// (UTC, as `aws:TokenIssueTime` compares). A document without it (a
/// previous policy put back by undo) is sent as it is.
pub fn stamp_apply_time(document: &str, now: &DateTime<Utc>) -> String {
    document.replace(APPLY_TIME, &now.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// What IAM says about one inline policy of a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolePolicy {
    /// The role does not exist.
    NoRole,
    /// The role exists; the policy does not.
    Absent,
    /// The policy's document, decoded.
    Document(String),
}

impl Cloud {
    /// Reads the inline policy `policy` of `role`: `iam:ListRolePolicies`
    /// (which tells a missing role), then `iam:GetRolePolicy` when the
    /// policy is listed. The error is one line naming the call that failed.
    pub async fn role_policy(&self, role: &str, policy: &str) -> Result<RolePolicy, String> {
        let mut names = self
            .iam
            .list_role_policies()
            .role_name(role)
            .into_paginator()
            .items()
            .send();
        let mut listed = false;
        while let Some(name) = names.next().await {
            match name {
                Ok(name) => listed |= name == policy,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_no_such_entity_exception()) =>
                {
                    return Ok(RolePolicy::NoRole)
                }
                Err(e) => return Err(describe_error("iam:ListRolePolicies", "global", &e)),
            }
        }
        if !listed {
            return Ok(RolePolicy::Absent);
        }
        match self
            .iam
            .get_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send()
            .await
        {
            Ok(out) => Ok(RolePolicy::Document(percent_decode(out.policy_document()))),
            // Deleted between the two reads.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_no_such_entity_exception()) =>
            {
                Ok(RolePolicy::Absent)
            }
            Err(e) => Err(describe_error("iam:GetRolePolicy", "global", &e)),
        }
    }
}

/// Decodes `%XX` escapes (IAM returns policy documents URL-encoded). A `%`
/// not followed by two hex digits stays as it is; bytes that do not make
/// UTF-8 are replaced.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        });
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_are_decoded() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(percent_decode("{\"a\":\"b\"}"), "{\"a\":\"b\"}");
        assert_eq!(percent_decode("100% %zz %4"), "100% %zz %4");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
    }

    #[test]
    fn the_apply_time_replaces_the_placeholder_only() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T14:29:41.9Z")
            .unwrap()
            .with_timezone(&Utc);
        let planned = format!(r#"{{"aws:TokenIssueTime":"{APPLY_TIME}"}}"#);
        assert_eq!(
            stamp_apply_time(&planned, &now),
            r#"{"aws:TokenIssueTime":"2026-11-20T14:29:41Z"}"#
        );
        let previous = r#"{"aws:TokenIssueTime":"2026-11-19T10:00:00Z"}"#;
        assert_eq!(stamp_apply_time(previous, &now), previous);
    }
}
