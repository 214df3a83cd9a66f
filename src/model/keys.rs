//! Identifiers that tie a record to an ECS task.

use serde::Serialize;
use std::borrow::Cow;

/// Something a record names that may identify the task it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Key {
    /// A task ARN: the normalized task ID and the ARN as written.
    TaskArn {
        /// Normalized (lower-case) task ID.
        id: String,
        /// The ARN as the record wrote it.
        arn: String,
    },
    /// A bare task ID.
    TaskId(String),
    /// A role session named after a task ID.
    RoleSession(String),
    /// An awslogs stream whose last segment is a task ID.
    LogStream(String),
    /// A container runtime ID (possibly truncated to 12 characters by Falco).
    RuntimeId(String),
    /// An elastic network interface ID.
    Eni(String),
    /// A private IPv4 address.
    Ip(String),
    /// The ARN of a task definition revision this record registered or describes.
    TaskDefinition(String),
    /// A service deployment ID (`ecs-svc/...`) this record started or reports.
    Deployment(String),
    /// The temporary access key (`ASIA...`) a CloudTrail record was signed
    /// with (`userIdentity.accessKeyId`): follows the credentials an
    /// AssumeRole in the bundle issued.
    AccessKey(String),
    /// The name of the role whose session made a CloudTrail record, when the
    /// session is named after a task ID.
    SessionRole(String),
    /// An AssumeRole record: the session it asked for and the credentials it issued.
    AssumeRole {
        /// `requestParameters.roleSessionName` (lower case).
        session: String,
        /// The name of the role asked for (`requestParameters.roleArn`).
        role: String,
        /// Whether ECS asked for it (`userIdentity.invokedBy` `ecs-tasks.amazonaws.com`).
        by_ecs: bool,
        /// `responseElements.credentials.accessKeyId`, when it issued any.
        issued: Option<String>,
    },
    /// The name of a role the task definition this record registers or
    /// describes gives its tasks (task role or execution role).
    DefinitionRole(String),
}

/// The service principal ECS uses to obtain task credentials.
pub const ECS_TASKS_PRINCIPAL: &str = "ecs-tasks.amazonaws.com";

/// The first 8 characters of a task ID, as responders say them aloud.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A parsed ECS task ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskArn {
    /// The account the task runs in.
    pub account: String,
    /// The region the task runs in.
    pub region: String,
    /// Cluster name, present only in the new ARN format `task/cluster/id`.
    pub cluster: Option<String>,
    /// The task ID, lower-cased.
    pub id: String,
}

/// Parses `arn:<partition>:ecs:<region>:<account>:task/[cluster/]id`.
pub fn parse_task_arn(arn: &str) -> Option<TaskArn> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    if parts.next()? != "ecs" {
        return None;
    }
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?.strip_prefix("task/")?;
    let (cluster, id) = match resource.split_once('/') {
        Some((cluster, id)) => (Some(cluster.to_string()), id),
        None => (None, resource),
    };
    is_arn_task_id(id).then(|| TaskArn {
        account: account.to_string(),
        region: region.to_string(),
        cluster,
        id: id.to_ascii_lowercase(),
    })
}

/// Inside an ARN the structure already says "task", so any plausible ID is
/// accepted (AWS documentation examples use IDs like `1234567890123456789`).
fn is_arn_task_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// True for the two ECS task ID formats: 32 hex digits, or a dashed UUID.
pub fn is_task_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.len() {
        32 => bytes.iter().all(u8::is_ascii_hexdigit),
        36 => bytes.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        }),
        _ => false,
    }
}

/// Reads a task reference that may be an ARN or a bare ID, as ECS APIs accept both.
pub fn task_ref_key(text: &str) -> Option<Key> {
    if let Some(parsed) = parse_task_arn(text) {
        return Some(Key::TaskArn {
            id: parsed.id,
            arn: text.to_string(),
        });
    }
    is_task_id(text).then(|| Key::TaskId(text.to_ascii_lowercase()))
}

/// The task ID at the end of an awslogs stream name `prefix/container/task-id`.
pub fn task_id_from_log_stream(stream: &str) -> Option<String> {
    let mut segments = stream.rsplit('/');
    let id = segments.next()?;
    // Require the prefix/container part so that a bare ID is not mistaken for a stream.
    segments.next()?;
    is_task_id(id).then(|| id.to_ascii_lowercase())
}

/// The session name of an assumed-role ARN `arn:aws:sts::acct:assumed-role/role/session`.
pub fn role_session_name(arn: &str) -> Option<&str> {
    let resource = arn.rsplit_once(':')?.1;
    let rest = resource.strip_prefix("assumed-role/")?;
    rest.split_once('/').map(|(_, session)| session)
}

/// The session name of a `principalId` `AROA…:<session>`, the only identity
/// field some cross-account records hold for a role session. `AROA` starts
/// the unique ID of every IAM role; other principals (users `AIDA…`, root)
/// have no session.
pub fn role_session_of_principal_id(principal_id: &str) -> Option<&str> {
    let (role_id, session) = principal_id.split_once(':')?;
    role_id.starts_with("AROA").then_some(session)
}

/// An ECS task ARN as taskscope prints it: the task ID lower-cased (as
/// [`parse_task_arn`] normalizes it), the rest as written. Anything that is
/// not a task ARN comes back unchanged.
pub fn canonical_task_arn(arn: &str) -> Cow<'_, str> {
    let Some(parsed) = parse_task_arn(arn) else {
        return Cow::Borrowed(arn);
    };
    match arn.rsplit_once('/') {
        Some((prefix, id)) if id != parsed.id => Cow::Owned(format!("{prefix}/{}", parsed.id)),
        _ => Cow::Borrowed(arn),
    }
}

/// The task a Session Manager target `ecs:<cluster>_<task-id>_<runtime-id>`
/// names (the target ECS Exec and port forwarding to a task use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTarget {
    /// The task ID, lower-cased.
    pub task_id: String,
    /// The container runtime ID.
    pub runtime_id: String,
}

/// Parses an `ecs:` Session Manager target. Cluster names may hold `_`;
/// task and runtime IDs never do, so the target is split from the right.
pub fn parse_session_target(target: &str) -> Option<SessionTarget> {
    let rest = target.strip_prefix("ecs:")?;
    let mut parts = rest.rsplitn(3, '_');
    let runtime_id = parts.next()?;
    let task_id = parts.next()?;
    let cluster = parts.next()?;
    (!cluster.is_empty() && !runtime_id.is_empty() && is_task_id(task_id)).then(|| SessionTarget {
        task_id: task_id.to_ascii_lowercase(),
        runtime_id: runtime_id.to_string(),
    })
}

/// The role name of an assumed-role ARN `arn:aws:sts::acct:assumed-role/role/session`.
pub fn assumed_role_name(arn: &str) -> Option<&str> {
    let resource = arn.rsplit_once(':')?.1;
    let rest = resource.strip_prefix("assumed-role/")?;
    rest.split_once('/').map(|(role, _)| role)
}

/// The part of an ARN (or of a name with a path) after its last `/`, the
/// whole text when it has none: the ID of a task ARN, `app:41` of a task
/// definition ARN, the name of a cluster, service or role ARN.
pub fn arn_tail(reference: &str) -> &str {
    reference
        .rsplit_once('/')
        .map_or(reference, |(_, tail)| tail)
}

/// The name of a role from its ARN `arn:aws:iam::acct:role/[path/]name`.
pub fn role_name(arn: &str) -> Option<&str> {
    let resource = arn.rsplit_once(':')?.1;
    let name = arn_tail(resource.strip_prefix("role/")?);
    (!name.is_empty()).then_some(name)
}

/// True for temporary (STS-issued) access key IDs, the only ones an
/// AssumeRole can have issued.
pub fn is_temporary_access_key(key: &str) -> bool {
    key.starts_with("ASIA") && key.len() >= 16
}

/// True for RFC 1918 private IPv4 addresses, the only ones a Fargate task ENI holds.
pub fn is_private_ipv4(text: &str) -> bool {
    match text.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => ip.is_private(),
        Err(_) => false,
    }
}

/// A task definition reference's family and revision number (0 when it
/// names none): `family:3` and its ARN give the same pair.
pub fn family_revision(reference: &str) -> (&str, i64) {
    let tail = arn_tail(reference);
    match tail.rsplit_once(':') {
        Some((family, revision)) => (family, revision.parse().unwrap_or(0)),
        None => (tail, 0),
    }
}

/// Whether two task definition references (ARNs or `family:N`) name the
/// same revision.
pub fn same_revision(a: &str, b: &str) -> bool {
    family_revision(a) == family_revision(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_tail_is_what_follows_the_last_slash() {
        let new = "arn:aws:ecs:us-east-1:1:task/prod/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
        assert_eq!(arn_tail(new), "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93");
        let old = "arn:aws:ecs:us-east-1:1:task/7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e";
        assert_eq!(arn_tail(old), "7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e");
        assert_eq!(
            arn_tail("arn:aws:ecs:us-east-1:1:task-definition/app:41"),
            "app:41"
        );
        assert_eq!(arn_tail("prod"), "prod");
        assert_eq!(arn_tail("ends/"), "");
        assert_eq!(arn_tail(""), "");
    }

    #[test]
    fn parses_both_task_arn_formats() {
        let new = parse_task_arn(
            "arn:aws:ecs:us-east-1:111122223333:task/payments/3F9C2D7E5B1A4C8E9D0F6A2B7C4E1D93",
        )
        .unwrap();
        assert_eq!(new.cluster.as_deref(), Some("payments"));
        assert_eq!(new.id, "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93");
        assert_eq!(
            (new.account.as_str(), new.region.as_str()),
            ("111122223333", "us-east-1")
        );
        let old = parse_task_arn(
            "arn:aws:ecs:us-east-1:111122223333:task/7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e",
        )
        .unwrap();
        assert_eq!(old.cluster, None);
        assert_eq!(old.id, "7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e");
        assert!(parse_task_arn("arn:aws:ecs:us-east-1:1:task-definition/x:1").is_none());
        assert!(parse_task_arn("arn:aws:ecs:us-east-1:1:task/c/bad id").is_none());
        assert!(parse_task_arn("arn:aws:ecs:us-east-1:1:task/c/").is_none());
        assert_eq!(
            parse_task_arn("arn:aws:ecs:us-west-2:123456789012:task/MyCluster/1234567890123456789")
                .map(|t| t.id),
            Some("1234567890123456789".to_string())
        );
    }

    #[test]
    fn reads_streams_sessions_and_ips() {
        assert_eq!(
            task_id_from_log_stream("ecs/app/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93").as_deref(),
            Some("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93")
        );
        assert_eq!(
            task_id_from_log_stream("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"),
            None
        );
        assert_eq!(
            role_session_name(
                "arn:aws:sts::1:assumed-role/app-task/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"
            ),
            Some("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93")
        );
        assert_eq!(role_session_name("arn:aws:iam::1:user/alice"), None);
        assert_eq!(
            role_session_of_principal_id("AROA3XFRBF23EXAMPLE:3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"),
            Some("3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93")
        );
        assert_eq!(role_session_of_principal_id("AIDA3XFRBF23EXAMPLE"), None);
        assert_eq!(role_session_of_principal_id("AIDA3XFRBF23EXAMPLE:x"), None);
        assert_eq!(
            assumed_role_name("arn:aws:sts::1:assumed-role/app-task/pwn"),
            Some("app-task")
        );
        assert_eq!(
            role_name("arn:aws:iam::111122223333:role/service/app-task"),
            Some("app-task")
        );
        assert_eq!(role_name("arn:aws:iam::111122223333:user/app-task"), None);
        assert!(is_temporary_access_key("ASIAN73OZW5I5SE5CFRZ"));
        assert!(!is_temporary_access_key("AKIAE7KUF27GZJ2XBZGJ"));
        assert!(is_private_ipv4("10.0.12.47"));
        assert!(!is_private_ipv4("203.0.113.66"));
        assert!(!is_private_ipv4("ecs.amazonaws.com"));
    }

    #[test]
    fn canonical_task_arns_lower_case_only_the_task_id() {
        assert_eq!(
            canonical_task_arn(
                "arn:aws:ecs:us-east-1:1:task/MyCluster/3F9C2D7E5B1A4C8E9D0F6A2B7C4E1D93"
            ),
            "arn:aws:ecs:us-east-1:1:task/MyCluster/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93"
        );
        assert_eq!(
            canonical_task_arn("arn:aws:ecs:us-east-1:1:task/7B0E1C2D-3F4A-4B5C-8D6E-9F0A1B2C3D4E"),
            "arn:aws:ecs:us-east-1:1:task/7b0e1c2d-3f4a-4b5c-8d6e-9f0a1b2c3d4e"
        );
        let already = "arn:aws:ecs:us-east-1:1:task/c/3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
        assert!(matches!(canonical_task_arn(already), Cow::Borrowed(_)));
        assert_eq!(canonical_task_arn("Not-An-Arn"), "Not-An-Arn");
    }

    #[test]
    fn session_targets_name_the_task_and_its_container() {
        let id = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
        let target = parse_session_target(&format!(
            "ecs:payments_prod_{}_{id}-1837765126",
            id.to_ascii_uppercase()
        ))
        .expect("an ECS target");
        assert_eq!(target.task_id, id);
        assert_eq!(target.runtime_id, format!("{id}-1837765126"));
        assert_eq!(parse_session_target("i-0123456789abcdef0"), None);
        assert_eq!(
            parse_session_target(&format!("ecs:_{id}_x")),
            None,
            "no cluster"
        );
        assert_eq!(
            parse_session_target(&format!("ecs:c_{id}_")),
            None,
            "no runtime ID"
        );
        assert_eq!(parse_session_target("ecs:c_not-a-task_x"), None);
    }
}
