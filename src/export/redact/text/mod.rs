//! The text rules: secrets inside free text (command lines, log lines, URLs,
//! summaries, notes), found by one module per family of secret.

mod assignments;
mod aws;
mod blanks;
mod commands;
mod forward_search;
mod http;
mod jwt;
mod private_keys;

use crate::export::redact::replacement::replace_spans;
use std::borrow::Cow;

/// Returns `text` with every secret value the text rules find replaced by
/// [`REDACTED`](crate::export::redact::REDACTED); borrowed when nothing was found.
pub fn redact_text(text: &str) -> Cow<'_, str> {
    let mut spans = Vec::new();
    assignments::named_values(text, &mut spans);
    commands::tool_passwords(text, &mut spans);
    http::url_passwords(text, &mut spans);
    http::bearer_tokens(text, &mut spans);
    aws::secret_keys_after_key_ids(text, &mut spans);
    aws::session_tokens(text, &mut spans);
    jwt::json_web_tokens(text, &mut spans);
    private_keys::private_key_blocks(text, &mut spans);
    if spans.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(replace_spans(text, spans))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::redact::test_secrets::{session_token, SECRET_KEY};

    #[test]
    fn assignments_lose_their_values_and_keep_their_names() {
        assert_eq!(
            redact_text(&format!(
                "env AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY={SECRET_KEY} aws s3 ls"
            )),
            "env AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=[REDACTED] aws s3 ls"
        );
        assert_eq!(
            redact_text("aws_secret_access_key = abc123def\nregion = us-east-1"),
            "aws_secret_access_key = [REDACTED]\nregion = us-east-1"
        );
        assert_eq!(
            redact_text(r#"{"password": "hunter2", "user": "app"}"#),
            r#"{"password": "[REDACTED]", "user": "app"}"#
        );
        assert_eq!(
            redact_text(r#"payload={\"apiKey\":\"k-123\",\"n\":1}"#),
            r#"payload={\"apiKey\":\"[REDACTED]\",\"n\":1}"#
        );
        assert_eq!(
            redact_text("X-Amz-Security-Token: FQoXYZ\r\nHost: x"),
            "X-Amz-Security-Token: [REDACTED]\r\nHost: x"
        );
        assert_eq!(
            redact_text(r#":password => 'p@ss word'"#),
            r#":password => '[REDACTED]'"#
        );
    }

    #[test]
    fn prose_and_arns_are_not_assignments() {
        for text in [
            "GetSecretValue (secretsmanager) by arn:aws:sts::111122223333:assumed-role/app/x",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
            "rotated the token yesterday",
            "passwordLastUsed=2026-11-20",
        ] {
            assert_eq!(redact_text(text), text);
        }
    }

    #[test]
    fn command_line_options_lose_their_values() {
        assert_eq!(
            redact_text("app --db-password s3cr3t --port 80"),
            "app --db-password [REDACTED] --port 80"
        );
        assert_eq!(
            redact_text("app --password='two words' -v"),
            "app --password='[REDACTED]' -v"
        );
        assert_eq!(
            redact_text("mysql -h db -u root -pS3cret! orders"),
            "mysql -h db -u root -p[REDACTED] orders"
        );
        assert_eq!(
            redact_text("/usr/bin/mysqldump -p hunter2 orders | gzip"),
            "/usr/bin/mysqldump -p [REDACTED] orders | gzip"
        );
        assert_eq!(
            redact_text("ExecuteCommand command=mysql -u admin -pS3cret orders"),
            "ExecuteCommand command=mysql -u admin -p[REDACTED] orders"
        );
        assert_eq!(
            redact_text("sshpass -p letmein ssh -p 22 host"),
            "sshpass -p [REDACTED] ssh -p 22 host"
        );
        // Without a password-taking tool, -p is left alone (a port, a path).
        assert_eq!(redact_text("psql -p 5432 -U app"), "psql -p 5432 -U app");
        assert_eq!(
            redact_text("redis-cli -h cache -a hunter2 && ls -p x"),
            "redis-cli -h cache -a [REDACTED] && ls -p x"
        );
    }

    #[test]
    fn authorization_keeps_the_scheme() {
        assert_eq!(
            redact_text("curl -H 'Authorization: Bearer abc.def-123' https://api"),
            "curl -H 'Authorization: Bearer [REDACTED]' https://api"
        );
        assert_eq!(
            redact_text("Authorization: Basic dXNlcjpwYXNz"),
            "Authorization: Basic [REDACTED]"
        );
        assert_eq!(
            redact_text("headers={Authorization: Bearer abcdefgh123} next=1"),
            "headers={Authorization: Bearer [REDACTED]} next=1"
        );
        assert_eq!(
            redact_text(r#"{"authorization":"Bearer abc123xyz"}"#),
            r#"{"authorization":"Bearer [REDACTED]"}"#
        );
        assert_eq!(
            redact_text("sent bearer eyAbCdEfGhIjKlMn to upstream"),
            "sent bearer [REDACTED] to upstream"
        );
    }

    #[test]
    fn urls_lose_passwords_and_token_parameters() {
        let url = format!(
            "https://app-data.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=ASIAY34FZKBOKMUTVV7A%2F20261120%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20261120T134900Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\
             &X-Amz-Security-Token={}&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            session_token()
        );
        let redacted = redact_text(&url);
        assert!(!redacted.contains(&session_token()), "{redacted}");
        assert!(!redacted.contains("5d672d79c15b"), "{redacted}");
        assert!(redacted.contains("X-Amz-Credential=ASIAY34FZKBOKMUTVV7A%2F"));
        assert!(redacted.contains("X-Amz-Security-Token=[REDACTED]&X-Amz-Signature=[REDACTED]"));
        assert_eq!(
            redact_text("postgres://app:pa55@db.internal:5432/orders?sslmode=require"),
            "postgres://app:[REDACTED]@db.internal:5432/orders?sslmode=require"
        );
        assert_eq!(
            redact_text("GET /cb?code=1&access_token=ya29.abc&state=x"),
            "GET /cb?code=1&access_token=[REDACTED]&state=x"
        );
        assert_eq!(
            redact_text("https://user@example.com/x"),
            "https://user@example.com/x"
        );
    }

    #[test]
    fn bare_secret_keys_go_only_after_a_key_id() {
        assert_eq!(
            redact_text(&format!(
                "aws configure set AKIAIOSFODNN7EXAMPLE {SECRET_KEY}"
            )),
            "aws configure set AKIAIOSFODNN7EXAMPLE [REDACTED]"
        );
        // The same shape with no key ID before it is left alone.
        let alone = format!("digest {SECRET_KEY}");
        assert_eq!(redact_text(&alone), alone);
        // Hex digests (one case) are not keys.
        let sha = "AKIAIOSFODNN7EXAMPLE 0123456789abcdef0123456789abcdef01234567";
        assert_eq!(redact_text(sha), sha);
    }

    #[test]
    fn session_tokens_jwts_and_private_keys_go() {
        let token = session_token();
        assert_eq!(
            redact_text(&format!("creds {token} end")),
            "creds [REDACTED] end"
        );
        assert_eq!(
            redact_text("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl ok"),
            "jwt [REDACTED] ok"
        );
        assert_eq!(
            redact_text("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
            "-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----"
        );
    }

    #[test]
    fn text_without_secrets_is_borrowed_and_unicode_survives() {
        assert!(matches!(
            redact_text("curl -s http://x | sh — ünïcode"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            redact_text("grüße password=ünï€ode rest"),
            "grüße password=[REDACTED] rest"
        );
        assert_eq!(redact_text("token=€"), "token=[REDACTED]");
        // Redacting twice changes nothing more.
        let once = redact_text("password=x token=y").into_owned();
        assert_eq!(redact_text(&once), once);
    }
}
