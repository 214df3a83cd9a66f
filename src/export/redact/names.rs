//! Which field, variable and option names hold a secret value, and which
//! fields hold environment variables.

/// Words that make a field or variable name secret, matched in the name
/// lower-cased with everything but letters and digits removed.
const SECRET_WORDS: [&str; 10] = [
    "secret",
    "password",
    "passwd",
    "passphrase",
    "token",
    "apikey",
    "privatekey",
    "signature",
    "credential",
    "mysqlpwd",
];

/// Names that hold a secret although they contain none of [`SECRET_WORDS`].
const SECRET_NAMES: [&str; 1] = ["sig"];

/// Endings that make a name describe a secret rather than hold it
/// (`secretId`, `secretArn`, `passwordLastUsed`, `tokenType`, ...).
const NOT_SECRET_SUFFIXES: [&str; 16] = [
    "id",
    "ids",
    "arn",
    "arns",
    "name",
    "names",
    "type",
    "lastused",
    "length",
    "policy",
    "expiration",
    "expires",
    "required",
    "enabled",
    "version",
    "count",
];

/// Names that contain a secret word but hold none: the presigned URL's
/// access key ID and credential scope.
const NOT_SECRET_NAMES: [&str; 1] = ["xamzcredential"];

/// Names of HTTP headers carrying credentials after an optional scheme.
const AUTHORIZATION_NAMES: [&str; 2] = ["authorization", "proxyauthorization"];

/// Field names holding environment variables.
const ENVIRONMENT_NAMES: [&str; 3] = ["environment", "env", "environmentvariables"];

/// How a name should be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameKind {
    /// Its value is a secret.
    Secret,
    /// An HTTP authorization header: the scheme stays, the credentials go.
    Authorization,
}

/// The name lower-cased, letters and digits only.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// How a field, variable or option named `name` should be treated; `None`
/// when its value is not secret.
pub(super) fn name_kind(name: &str) -> Option<NameKind> {
    let name = normalize(name);
    if AUTHORIZATION_NAMES.contains(&name.as_str()) {
        return Some(NameKind::Authorization);
    }
    if NOT_SECRET_NAMES.contains(&name.as_str())
        || NOT_SECRET_SUFFIXES.iter().any(|end| name.ends_with(end))
    {
        return None;
    }
    let secret = SECRET_NAMES.contains(&name.as_str())
        || SECRET_WORDS.iter().any(|word| name.contains(word));
    secret.then_some(NameKind::Secret)
}

/// Whether a field, variable or option named `name` holds a secret value
/// (`AWS_SECRET_ACCESS_KEY`, `sessionToken`, `X-Amz-Signature`, `--db-password`;
/// not `secretId`, `accessKeyId` or `X-Amz-Credential`).
pub fn is_secret_name(name: &str) -> bool {
    name_kind(name).is_some()
}

/// Whether a field named `name` holds environment variables.
pub(super) fn is_environment_name(name: &str) -> bool {
    ENVIRONMENT_NAMES.contains(&normalize(name).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_and_names_that_only_describe_secrets() {
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "aws_session_token",
            "secretAccessKey",
            "sessionToken",
            "X-Amz-Security-Token",
            "X-Amz-Signature",
            "access_token",
            "--db-password",
            "DB_PASSWD",
            "STRIPE_API_KEY",
            "client_secret",
            "sig",
            "MYSQL_PWD",
        ] {
            assert!(is_secret_name(name), "{name} should be secret");
        }
        for name in [
            "secretId",
            "SecretArn",
            "accessKeyId",
            "AWS_ACCESS_KEY_ID",
            "X-Amz-Credential",
            "passwordLastUsed",
            "tokenType",
            "key",
            "PWD",
            "name",
        ] {
            assert!(!is_secret_name(name), "{name} should not be secret");
        }
    }
}
