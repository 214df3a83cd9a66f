//! Who an annotation is by when no author is given: the default author
//! and the warning when nobody can be named.

use std::fs;

/// Who is annotating: `$TASKSCOPE_AUTHOR`, else `$USER@<hostname>` (host
/// from /etc/hostname or `$HOSTNAME`), else `$USER`, else `unknown`.
pub fn default_author() -> String {
    author_from(
        std::env::var("TASKSCOPE_AUTHOR").ok(),
        std::env::var("USER").ok(),
        hostname(),
    )
}

/// This machine's name, from /etc/hostname or `$HOSTNAME`, trimmed; `None`
/// when neither names it.
pub fn hostname() -> Option<String> {
    fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
}

/// [`default_author`]'s rule, given the values it reads; blank values count as absent.
fn author_from(explicit: Option<String>, user: Option<String>, host: Option<String>) -> String {
    let present = |value: Option<String>| {
        value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if let Some(author) = present(explicit) {
        return author;
    }
    match (present(user), present(host)) {
        (Some(user), Some(host)) => format!("{user}@{host}"),
        (Some(user), None) => user,
        (None, _) => UNKNOWN_AUTHOR.to_string(),
    }
}

/// The author recorded when nobody can be named: no `--author`, config
/// `author`, `$TASKSCOPE_AUTHOR` or `$USER`.
pub const UNKNOWN_AUTHOR: &str = "unknown";

/// The warning given when an annotation is attributed to [`UNKNOWN_AUTHOR`],
/// saying how to name its author; `None` for any other author.
pub fn unknown_author_warning(author: &str) -> Option<&'static str> {
    (author == UNKNOWN_AUTHOR).then_some(
        "attributed to `unknown`: $TASKSCOPE_AUTHOR and $USER are unset; \
         set one, or `author` in the config file, or give --author",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn author_prefers_explicit_then_user_at_host_then_unknown() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            author_from(some("ir-lead"), some("bob"), some("box")),
            "ir-lead"
        );
        assert_eq!(
            author_from(some(" "), some("bob"), some("box\n")),
            "bob@box"
        );
        assert_eq!(author_from(None, some("bob"), None), "bob");
        assert_eq!(author_from(None, None, some("box")), "unknown");
    }
}
