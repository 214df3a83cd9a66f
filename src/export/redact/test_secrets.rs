//! Secrets the redaction tests plant, in their real shapes.

/// An AWS secret access key (the documentation's example).
pub(super) const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// An AWS session token: a known start and enough base64 after it.
pub(super) fn session_token() -> String {
    format!("IQoJb3JpZ2luX2VjEJr{}", "aB3/dE+fG9hIjK".repeat(12))
}
