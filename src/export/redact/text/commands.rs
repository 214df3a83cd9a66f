//! Passwords given to command-line tools on their command line.

use std::ops::Range;

/// Command-line tools whose short option takes a password, and that option.
const PASSWORD_OPTIONS: [(&str, &str); 17] = [
    ("mysql", "-p"),
    ("mysqldump", "-p"),
    ("mysqladmin", "-p"),
    ("mysqlimport", "-p"),
    ("mysqlshow", "-p"),
    ("mysqlcheck", "-p"),
    ("mariadb", "-p"),
    ("mariadb-dump", "-p"),
    ("mariadb-admin", "-p"),
    ("sshpass", "-p"),
    ("redis-cli", "-a"),
    ("mongo", "-p"),
    ("mongosh", "-p"),
    ("mongodump", "-p"),
    ("mongorestore", "-p"),
    ("mongoexport", "-p"),
    ("mongoimport", "-p"),
];

fn ends_word(byte: u8) -> bool {
    byte.is_ascii_whitespace()
}

/// Words of `text` split on whitespace, with their byte ranges.
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && ends_word(bytes[at]) {
            at += 1;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() && !ends_word(bytes[at]) {
            at += 1;
        }
        Some(start..at)
    })
}

fn is_command_separator(word: &str) -> bool {
    matches!(word, "|" | "||" | "&&" | ";") || word.ends_with(';')
}

/// `mysql -pSECRET`, `mysql -p SECRET`, `sshpass -p SECRET`,
/// `redis-cli -a SECRET`: the password option of the tools that take one,
/// after the tool's name and before the next `|`, `;`, `&&` or `||`.
pub(super) fn tool_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
    let mut option: Option<&str> = None;
    let mut value_next = false;
    for range in words(text) {
        let word = &text[range.clone()];
        if value_next {
            value_next = false;
            if !word.starts_with('-') {
                spans.push(range);
                continue;
            }
        }
        if is_command_separator(word) {
            option = None;
            continue;
        }
        // `/usr/bin/mysql`, `'mysql`, `command=mysql`: the program's name.
        let program = word
            .trim_matches(['"', '\'', '(', ')'])
            .rsplit(['/', '='])
            .next()
            .unwrap_or(word);
        if let Some((_, flag)) = PASSWORD_OPTIONS.iter().find(|(tool, _)| *tool == program) {
            option = Some(flag);
            continue;
        }
        let Some(flag) = option else {
            continue;
        };
        if word == flag {
            value_next = true;
            // One password per invocation: what follows may be another command.
            option = None;
        } else if let Some(attached) = word.strip_prefix(flag) {
            if !attached.is_empty() {
                spans.push(range.start + flag.len()..range.end);
                option = None;
            }
        }
    }
}
