//! OpenSSH allowed signers files (ssh-keygen(1), "ALLOWED SIGNERS"): which
//! keys may sign as which identities. One signer per line:
//! `PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]`, where PRINCIPALS is a
//! comma-separated list of patterns (`*`, `?`, `!` to exclude) and OPTIONS
//! a comma-separated list of `namespaces="..."`, `valid-after="..."`,
//! `valid-before="..."` and `cert-authority`; fields may be quoted. Lines
//! starting with `#`, and blank lines, are ignored.

use super::NAMESPACE;
use crate::bundle::paths::{read_regular_file_capped, Refusal};
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use ssh_key::public::KeyData;
use ssh_key::PublicKey;
use std::path::Path;

/// Largest allowed signers file read.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A parsed allowed signers file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigners {
    signers: Vec<Signer>,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Signer {
    /// The 1-based line number.
    line: usize,
    /// The principals' patterns.
    principals: String,
    /// A `cert-authority` line: trusts certificates that key signed.
    cert_authority: bool,
    /// The `namespaces` patterns, when given.
    namespaces: Option<String>,
    /// Valid from this instant on, when given.
    valid_after: Option<DateTime<Utc>>,
    /// Valid until this instant, when given.
    valid_before: Option<DateTime<Utc>>,
    /// The key.
    key: KeyData,
}

impl AllowedSigners {
    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<AllowedSigners, String> {
        let shown = path.display().to_string();
        let bytes =
            read_regular_file_capped(path, &shown, MAX_FILE_BYTES).map_err(
                |refusal| match refusal {
                    Refusal::TooLarge { size, limit, .. } => format!(
                    "the allowed signers file {shown} holds {size} bytes, more than the {limit} \
                     taskscope reads"
                ),
                    other => format!("cannot read the allowed signers file {shown}: {other}"),
                },
            )?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the allowed signers file {shown} is not UTF-8 text"))?;
        AllowedSigners::parse(&text).map_err(|e| format!("{shown}: {e}"))
    }

    /// Parses the text of an allowed signers file; a malformed line is an
    /// error naming it.
    pub fn parse(text: &str) -> Result<AllowedSigners, String> {
        let mut signers = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let signer =
                parse_line(index + 1, trimmed).map_err(|e| format!("line {}: {e}", index + 1))?;
            signers.push(signer);
        }
        Ok(AllowedSigners { signers })
    }

    /// Whether `key` may sign seals as `identity` at `at` (the sealing
    /// time): the number of the line that allows it, or why none does.
    pub fn allows(
        &self,
        identity: &str,
        key: &KeyData,
        at: DateTime<Utc>,
    ) -> Result<usize, String> {
        let mut refusals = Vec::new();
        for signer in &self.signers {
            if !match_list(identity, &signer.principals) {
                continue;
            }
            let line = signer.line;
            if signer.cert_authority {
                refusals.push(format!(
                    "line {line} is a cert-authority line: taskscope does not verify \
                     certificates, list the signer's own key"
                ));
                continue;
            }
            if &signer.key != key {
                continue;
            }
            if let Some(namespaces) = &signer.namespaces {
                if !match_list(NAMESPACE, namespaces) {
                    refusals.push(format!(
                        "line {line} allows this key for namespaces {namespaces:?}, not {NAMESPACE:?}"
                    ));
                    continue;
                }
            }
            if signer.valid_after.is_some_and(|after| at < after) {
                refusals.push(format!(
                    "line {line} allows this key only after the sealing time"
                ));
                continue;
            }
            if signer.valid_before.is_some_and(|before| at > before) {
                refusals.push(format!(
                    "line {line} allows this key only before the sealing time"
                ));
                continue;
            }
            return Ok(line);
        }
        if refusals.is_empty() {
            Err(format!("no line allows this key for {identity:?}"))
        } else {
            Err(refusals.join("; "))
        }
    }
}

/// Parses one non-comment line.
fn parse_line(line: usize, text: &str) -> Result<Signer, String> {
    let fields = split_fields(text)?;
    let principals = fields.first().map(|f| unquote(f)).unwrap_or_default();
    if principals.is_empty() {
        return Err("no principals".into());
    }
    let key_at = |at: usize| -> Option<KeyData> {
        let (kind, base64) = (fields.get(at)?, fields.get(at + 1)?);
        PublicKey::from_openssh(&format!("{kind} {base64}"))
            .ok()
            .map(|key| key.key_data().clone())
    };
    let mut signer = Signer {
        line,
        principals,
        cert_authority: false,
        namespaces: None,
        valid_after: None,
        valid_before: None,
        key: match key_at(1) {
            Some(key) => key,
            None => key_at(2)
                .ok_or("no valid key (expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT])")?,
        },
    };
    if key_at(1).is_none() {
        for option in split_options(&fields[1])? {
            let (name, value) = match option.split_once('=') {
                Some((name, value)) => (name.to_ascii_lowercase(), Some(unquote(value))),
                None => (option.to_ascii_lowercase(), None),
            };
            match (name.as_str(), value) {
                ("cert-authority", None) => signer.cert_authority = true,
                ("namespaces", Some(value)) => signer.namespaces = Some(value),
                ("valid-after", Some(value)) => signer.valid_after = Some(parse_time(&value)?),
                ("valid-before", Some(value)) => signer.valid_before = Some(parse_time(&value)?),
                _ => return Err(format!("unknown option {option:?}")),
            }
        }
    }
    Ok(signer)
}

/// Splits a line into whitespace-separated fields; a double-quoted part
/// may hold whitespace.
fn split_fields(text: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                field.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                }
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err("unbalanced quotes".into());
    }
    if !field.is_empty() {
        fields.push(field);
    }
    Ok(fields)
}

/// Splits the options field at the commas outside quotes.
fn split_options(text: &str) -> Result<Vec<String>, String> {
    let mut options = Vec::new();
    let mut option = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                option.push(c);
            }
            ',' if !quoted => options.push(std::mem::take(&mut option)),
            c => option.push(c),
        }
    }
    options.push(option);
    if options.iter().any(String::is_empty) {
        return Err(format!("empty option in {text:?}"));
    }
    Ok(options)
}

/// `text` without its double quotes.
fn unquote(text: &str) -> String {
    text.replace('"', "")
}

/// An OpenSSH time: `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, in
/// local time, or UTC with a `Z` suffix.
fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let (digits, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(digits) => (digits, true),
        None => (text, false),
    };
    let bad = || format!("{text:?} is not a time (YYYYMMDD[HHMM[SS]][Z])");
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let naive = match digits.len() {
        8 => NaiveDate::parse_from_str(digits, "%Y%m%d")
            .ok()
            .and_then(|date| date.and_hms_opt(0, 0, 0)),
        12 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M").ok(),
        14 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S").ok(),
        _ => None,
    }
    .ok_or_else(bad)?;
    if utc {
        return Ok(naive.and_utc());
    }
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(bad)
}

/// OpenSSH's pattern-list match: true when some pattern of the
/// comma-separated `list` matches `name` and no `!`-pattern does.
fn match_list(name: &str, list: &str) -> bool {
    let mut matched = false;
    for pattern in list.split(',') {
        match pattern.strip_prefix('!') {
            Some(negated) if glob(negated.as_bytes(), name.as_bytes()) => return false,
            Some(_) => {}
            None => matched |= glob(pattern.as_bytes(), name.as_bytes()),
        }
    }
    matched
}

/// Wildcard match: `*` any run of characters, `?` any one.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((star_p, star_n)) => {
                    p = star_p + 1;
                    n = star_n + 1;
                    star = Some((star_p, star_n + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFuLqm6FP2mNXlFBh7ScV+v2o019b07kRoiFIBxwXkGK";
    const OTHER: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIED1VfSRKgmQooYvYiSJG9sfaFsl67EVFlyghu7Ixj+0";

    fn key(text: &str) -> KeyData {
        PublicKey::from_openssh(text).unwrap().key_data().clone()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn principals_wildcards_and_exclusions_match_as_openssh_does() {
        assert!(match_list("alice@ir.example", "*@ir.example"));
        assert!(match_list("bob", "alice,b?b"));
        assert!(!match_list("mallory@ir.example", "*@ir.example,!mallory@*"));
        assert!(!match_list("alice", "alic"));
        assert!(glob(b"a*b*c", b"aXXbYc"));
        assert!(!glob(b"a*b", b"aXXc"));
    }

    #[test]
    fn options_quotes_and_comments_are_read() {
        let file = format!(
            "# signers\n\n\"alice@ir.example,bob\" namespaces=\"git,taskscope-*\",valid-after=\"20260101Z\" {KEY} alice's laptop\n\
             carol cert-authority {OTHER}\n"
        );
        let signers = AllowedSigners::parse(&file).unwrap();
        let now = at("2026-12-07T00:00:00Z");
        assert_eq!(signers.allows("bob", &key(KEY), now), Ok(3));
        let early = signers.allows("bob", &key(KEY), at("2025-06-01T00:00:00Z"));
        assert!(early.unwrap_err().contains("only after"));
        assert!(signers
            .allows("carol", &key(OTHER), now)
            .unwrap_err()
            .contains("cert-authority"));
        assert!(signers
            .allows("alice@ir.example", &key(OTHER), now)
            .unwrap_err()
            .contains("no line allows this key"));
    }

    #[test]
    fn a_namespace_elsewhere_is_refused_and_bad_lines_are_named() {
        let file = format!("alice namespaces=\"git\" {KEY}\n");
        let signers = AllowedSigners::parse(&file).unwrap();
        let refused = signers.allows("alice", &key(KEY), at("2026-12-07T00:00:00Z"));
        assert!(refused.unwrap_err().contains("namespaces \"git\""));
        for bad in [
            format!("alice bogus-option {KEY}"),
            "alice ssh-ed25519 !!!notbase64".to_string(),
            format!("alice valid-before=\"2026\" {KEY}"),
            format!("\"alice {KEY}"),
        ] {
            let error = AllowedSigners::parse(&format!("# c\n{bad}\n")).unwrap_err();
            assert!(error.starts_with("line 2: "), "{bad}: {error}");
        }
    }
}
