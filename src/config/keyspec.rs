//! Key specs: the text form of a key binding (`"j"`, `"ctrl-d"`, `"shift-tab"`),
//! parsed into the key code and modifiers crossterm reports. Grammar in
//! docs/config.md.

use super::ConfigError;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::fmt;

/// Named keys, canonical name first, then accepted aliases.
const NAMED_KEYS: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("space", KeyCode::Char(' ')),
    ("return", KeyCode::Enter),
    ("escape", KeyCode::Esc),
    ("del", KeyCode::Delete),
    ("ins", KeyCode::Insert),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
];

/// The highest function key a spec may name (`f12`).
const MAX_FUNCTION_KEY: u8 = 12;

/// Modifier prefixes in the order they are written.
const PREFIXES: &[(&str, KeyModifiers)] = &[
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
];

/// One key binding: a key code and the modifiers that must be held.
///
/// Specs are normalized so that shift is never stored for characters: `"G"`
/// and `"shift-g"` are both `Char('G')` without modifiers, and `"shift-tab"`
/// is `BackTab`. [`KeySpec::matches`] applies the same rule to key events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt, and Shift for keys other than characters and tab.
    pub modifiers: KeyModifiers,
}

/// Parses a key spec: optional `ctrl-`, `alt-`, `shift-` prefixes (any order,
/// any case) and then one character (case-sensitive) or a key name (any case).
pub fn parse_key_spec(spec: &str) -> Result<KeySpec, ConfigError> {
    let fail = |reason: String| ConfigError::KeySpec {
        spec: spec.to_string(),
        reason,
    };
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = spec;
    while let Some((prefix, tail)) = rest.split_once('-') {
        let Some((_, modifier)) = PREFIXES
            .iter()
            .find(|(name, _)| !tail.is_empty() && prefix.eq_ignore_ascii_case(name))
        else {
            break;
        };
        if modifiers.contains(*modifier) {
            return Err(fail(format!("{prefix}- is given twice")));
        }
        modifiers |= *modifier;
        rest = tail;
    }
    let code = key_code(rest).map_err(|reason| fail(plus_hint(spec).unwrap_or(reason)))?;
    normalize(code, modifiers).map_err(fail)
}

/// For a spec written with `+` between prefix and key (`ctrl+q`), the
/// same spec written with `-`, when that one is valid.
fn plus_hint(spec: &str) -> Option<String> {
    let dashed = spec.replace('+', "-");
    (spec.contains('+') && parse_key_spec(&dashed).is_ok())
        .then(|| format!("write {dashed:?}: the ctrl-, alt- and shift- prefixes end with -, not +"))
}

/// The key a spec names once its prefixes are removed.
fn key_code(key: &str) -> Result<KeyCode, String> {
    let mut chars = key.chars();
    if let (Some(only), None) = (chars.next(), chars.next()) {
        if only.is_whitespace() || only.is_control() {
            return Err(
                "write a space as \"space\"; other blank or control characters cannot be bound"
                    .to_string(),
            );
        }
        return Ok(KeyCode::Char(only));
    }
    let lower = key.to_ascii_lowercase();
    if let Some((_, code)) = NAMED_KEYS.iter().find(|(name, _)| *name == lower) {
        return Ok(*code);
    }
    if let Some(number) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        if (1..=MAX_FUNCTION_KEY).contains(&number) {
            return Ok(KeyCode::F(number));
        }
    }
    Err(format!(
        "unknown key {key:?}: use one character, f1-f{MAX_FUNCTION_KEY} or one of {}, \
         after optional ctrl-, alt-, shift- prefixes",
        NAMED_KEYS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Folds shift into the key where terminals do: uppercase letters, back-tab.
fn normalize(code: KeyCode, mut modifiers: KeyModifiers) -> Result<KeySpec, String> {
    let shift = modifiers.contains(KeyModifiers::SHIFT);
    modifiers.remove(KeyModifiers::SHIFT);
    let code = match code {
        KeyCode::Char(c) if shift => KeyCode::Char(shifted_letter(c).ok_or_else(|| {
            format!("shift- only goes with letters and named keys: write the character shift gives instead of shift-{c}")
        })?),
        KeyCode::Tab if shift => KeyCode::BackTab,
        KeyCode::Char(_) | KeyCode::Tab | KeyCode::BackTab => code,
        other => {
            if shift {
                modifiers.insert(KeyModifiers::SHIFT);
            }
            other
        }
    };
    Ok(KeySpec { code, modifiers })
}

/// The uppercase form of a letter (a letter already uppercase is returned as is);
/// `None` for characters without a single-character uppercase form.
fn shifted_letter(c: char) -> Option<char> {
    if c.is_uppercase() {
        return Some(c);
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if u != c => Some(u),
        _ => None,
    }
}

impl KeySpec {
    /// True when `event` is a press (or repeat) of this key.
    ///
    /// Terminals disagree about shift: an uppercase letter may arrive with or
    /// without SHIFT, a lowercase letter may arrive with SHIFT meaning
    /// uppercase, and shift-tab arrives as BackTab with or without SHIFT (or
    /// as Tab with SHIFT). All of these are folded the way specs are, so
    /// `"G"` matches every form of shift-g. Release events never match.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        if event.kind == KeyEventKind::Release {
            return false;
        }
        let mut modifiers = event.modifiers;
        let shift = modifiers.contains(KeyModifiers::SHIFT);
        let code = match event.code {
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(if shift {
                    shifted_letter(c).unwrap_or(c)
                } else {
                    c
                })
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if shift => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        code == self.code && modifiers == self.modifiers
    }
}

/// The canonical spec, as shown in help: `ctrl-d`, `G`, `pagedown`, `shift-tab`.
impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, modifier) in PREFIXES {
            if self.modifiers.contains(*modifier) {
                write!(f, "{name}-")?;
            }
        }
        match self.code {
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(number) => write!(f, "f{number}"),
            code => match NAMED_KEYS.iter().find(|(_, named)| *named == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{}", code.to_string().to_lowercase().replace(' ', "")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(code: KeyCode, modifiers: KeyModifiers) -> KeySpec {
        KeySpec { code, modifiers }
    }

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn single_characters_are_case_sensitive() {
        let none = KeyModifiers::NONE;
        assert_eq!(parse_key_spec("j").unwrap(), spec(KeyCode::Char('j'), none));
        assert_eq!(parse_key_spec("G").unwrap(), spec(KeyCode::Char('G'), none));
        assert_eq!(parse_key_spec("?").unwrap(), spec(KeyCode::Char('?'), none));
        assert_eq!(parse_key_spec("-").unwrap(), spec(KeyCode::Char('-'), none));
        assert_eq!(parse_key_spec("é").unwrap(), spec(KeyCode::Char('é'), none));
    }

    #[test]
    fn names_and_aliases_in_any_case() {
        let none = KeyModifiers::NONE;
        for (text, code) in [
            ("enter", KeyCode::Enter),
            ("Return", KeyCode::Enter),
            ("ESC", KeyCode::Esc),
            ("tab", KeyCode::Tab),
            ("backtab", KeyCode::BackTab),
            ("backspace", KeyCode::Backspace),
            ("delete", KeyCode::Delete),
            ("insert", KeyCode::Insert),
            ("home", KeyCode::Home),
            ("end", KeyCode::End),
            ("PageUp", KeyCode::PageUp),
            ("pgdn", KeyCode::PageDown),
            ("up", KeyCode::Up),
            ("down", KeyCode::Down),
            ("left", KeyCode::Left),
            ("right", KeyCode::Right),
            ("space", KeyCode::Char(' ')),
            ("f1", KeyCode::F(1)),
            ("F12", KeyCode::F(12)),
        ] {
            assert_eq!(parse_key_spec(text).unwrap(), spec(code, none), "{text}");
        }
    }

    #[test]
    fn prefixes_combine_and_shift_folds_into_the_key() {
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(
            parse_key_spec("ctrl-d").unwrap(),
            spec(KeyCode::Char('d'), ctrl)
        );
        assert_eq!(
            parse_key_spec("Ctrl-d").unwrap(),
            spec(KeyCode::Char('d'), ctrl)
        );
        assert_eq!(
            parse_key_spec("ctrl--").unwrap(),
            spec(KeyCode::Char('-'), ctrl)
        );
        assert_eq!(
            parse_key_spec("alt-ctrl-x").unwrap(),
            spec(KeyCode::Char('x'), ctrl | KeyModifiers::ALT)
        );
        assert_eq!(
            parse_key_spec("shift-g").unwrap(),
            parse_key_spec("G").unwrap()
        );
        assert_eq!(
            parse_key_spec("shift-tab").unwrap(),
            spec(KeyCode::BackTab, KeyModifiers::NONE)
        );
        assert_eq!(
            parse_key_spec("shift-up").unwrap(),
            spec(KeyCode::Up, KeyModifiers::SHIFT)
        );
        assert_eq!(
            parse_key_spec("ctrl-shift-d").unwrap(),
            spec(KeyCode::Char('D'), ctrl)
        );
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (text, reason) in [
            ("", "unknown key"),
            ("ctrl-", "unknown key"),
            (
                "ctrl+d",
                "write \"ctrl-d\": the ctrl-, alt- and shift- prefixes end with -",
            ),
            ("ctrl+nokey", "unknown key"),
            ("pagedwn", "unknown key"),
            ("f13", "unknown key"),
            ("f0", "unknown key"),
            ("super-x", "unknown key"),
            ("ctrl-ctrl-x", "twice"),
            ("shift-?", "shift- only goes with letters"),
            ("shift-1", "shift- only goes with letters"),
            (" ", "space"),
            ("\t", "space"),
        ] {
            let error = parse_key_spec(text).unwrap_err().to_string();
            assert!(error.contains(reason), "{text:?}: {error}");
            assert!(error.contains(&format!("{text:?}")), "{text:?}: {error}");
        }
    }

    #[test]
    fn display_is_canonical_and_parses_back() {
        for (text, canonical) in [
            ("ctrl-d", "ctrl-d"),
            ("CTRL-D", "ctrl-D"),
            ("G", "G"),
            ("shift-g", "G"),
            ("PageDown", "pagedown"),
            ("pgup", "pageup"),
            ("backtab", "shift-tab"),
            ("shift-tab", "shift-tab"),
            ("space", "space"),
            ("alt-ctrl-space", "ctrl-alt-space"),
            ("shift-f1", "shift-f1"),
            ("escape", "esc"),
            ("?", "?"),
            ("ctrl--", "ctrl--"),
        ] {
            let parsed = parse_key_spec(text).unwrap();
            assert_eq!(parsed.to_string(), canonical, "{text}");
            assert_eq!(parse_key_spec(canonical).unwrap(), parsed, "{text}");
        }
    }

    #[test]
    fn uppercase_matches_with_or_without_shift_reported() {
        let big_g = parse_key_spec("G").unwrap();
        assert!(big_g.matches(&press(KeyCode::Char('G'), KeyModifiers::NONE)));
        assert!(big_g.matches(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(big_g.matches(&press(KeyCode::Char('g'), KeyModifiers::SHIFT)));
        assert!(!big_g.matches(&press(KeyCode::Char('g'), KeyModifiers::NONE)));
        let small_g = parse_key_spec("g").unwrap();
        assert!(small_g.matches(&press(KeyCode::Char('g'), KeyModifiers::NONE)));
        assert!(!small_g.matches(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(!small_g.matches(&press(KeyCode::Char('g'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn symbols_match_whether_or_not_shift_is_reported() {
        let help = parse_key_spec("?").unwrap();
        assert!(help.matches(&press(KeyCode::Char('?'), KeyModifiers::NONE)));
        assert!(help.matches(&press(KeyCode::Char('?'), KeyModifiers::SHIFT)));
        assert!(!help.matches(&press(KeyCode::Char('/'), KeyModifiers::NONE)));
    }

    #[test]
    fn back_tab_in_every_form() {
        let back = parse_key_spec("shift-tab").unwrap();
        assert!(back.matches(&press(KeyCode::BackTab, KeyModifiers::SHIFT)));
        assert!(back.matches(&press(KeyCode::BackTab, KeyModifiers::NONE)));
        assert!(back.matches(&press(KeyCode::Tab, KeyModifiers::SHIFT)));
        assert!(!back.matches(&press(KeyCode::Tab, KeyModifiers::NONE)));
        let tab = parse_key_spec("tab").unwrap();
        assert!(!tab.matches(&press(KeyCode::BackTab, KeyModifiers::SHIFT)));
    }

    #[test]
    fn modifiers_must_match_exactly_and_releases_never_match() {
        let ctrl_d = parse_key_spec("ctrl-d").unwrap();
        assert!(ctrl_d.matches(&press(KeyCode::Char('d'), KeyModifiers::CONTROL)));
        assert!(!ctrl_d.matches(&press(KeyCode::Char('d'), KeyModifiers::NONE)));
        assert!(!ctrl_d.matches(&press(
            KeyCode::Char('d'),
            KeyModifiers::CONTROL | KeyModifiers::ALT
        )));
        let release = KeyEvent::new_with_kind(
            KeyCode::Char('d'),
            KeyModifiers::CONTROL,
            KeyEventKind::Release,
        );
        assert!(!ctrl_d.matches(&release));
        let repeat = KeyEvent::new_with_kind(
            KeyCode::Char('d'),
            KeyModifiers::CONTROL,
            KeyEventKind::Repeat,
        );
        assert!(ctrl_d.matches(&repeat));
        let shift_up = parse_key_spec("shift-up").unwrap();
        assert!(shift_up.matches(&press(KeyCode::Up, KeyModifiers::SHIFT)));
        assert!(!shift_up.matches(&press(KeyCode::Up, KeyModifiers::NONE)));
    }
}
