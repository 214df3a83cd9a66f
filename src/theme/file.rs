//! Reads the theme file format (docs/themes.md) into a [`Theme`].

use super::spec::{parse_plain_color, parse_style, Palette};
use super::{Theme, ThemeError, BUILTIN_THEMES, SLOT_NAMES};
use crate::small_text::line_and_column;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::{Spanned, Value};

/// How many `extends` steps a theme may take before it is refused.
const MAX_EXTENDS_DEPTH: usize = 4;

/// A theme file as written, before colours and slots are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    extends: Option<Spanned<String>>,
    #[serde(default)]
    meta: Meta,
    #[serde(default)]
    palette: BTreeMap<Spanned<String>, Spanned<Value>>,
    #[serde(default)]
    styles: BTreeMap<Spanned<String>, Spanned<Value>>,
}

/// The `[meta]` table.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    name: Option<String>,
    description: Option<String>,
}

/// Where a theme's missing slots come from when it does not say `extends`.
#[derive(Clone, Copy)]
pub(super) enum Fallback {
    /// Inherit from the default theme.
    DefaultTheme,
    /// This is the root theme: there is nothing to inherit, every slot must be set.
    None,
}

/// One theme text with the name used in messages (a path, or "built-in theme X").
pub(super) struct Source<'a> {
    /// The TOML text.
    pub text: &'a str,
    /// Where it came from, for error messages.
    pub origin: &'a str,
    /// The theme's name when `[meta]` does not give one.
    pub default_name: &'a str,
}

impl Source<'_> {
    fn error_at(&self, offset: usize, message: String) -> ThemeError {
        let (line, column) = line_and_column(self.text, offset);
        ThemeError::Invalid {
            origin: self.origin.to_string(),
            line,
            column,
            message,
        }
    }
}

/// Parses a theme; `depth` counts the `extends` steps taken so far, at most
/// [`MAX_EXTENDS_DEPTH`].
pub(super) fn parse(
    source: &Source,
    fallback: Fallback,
    depth: usize,
) -> Result<Theme, ThemeError> {
    let file: ThemeFile = toml::from_str(source.text).map_err(|error| match error.span() {
        Some(span) => source.error_at(span.start, error.message().to_string()),
        None => ThemeError::Syntax {
            origin: source.origin.to_string(),
            message: error.message().to_string(),
        },
    })?;

    let mut theme = match (&file.extends, fallback) {
        (Some(parent), _) => {
            if depth >= MAX_EXTENDS_DEPTH {
                return Err(source.error_at(
                    parent.span().start,
                    format!("extends: more than {MAX_EXTENDS_DEPTH} themes deep"),
                ));
            }
            super::parse_builtin(parent.get_ref(), depth + 1).ok_or_else(|| {
                source.error_at(
                    parent.span().start,
                    format!(
                        "extends: {:?} is not a built-in theme ({})",
                        parent.get_ref(),
                        BUILTIN_THEMES.join(", ")
                    ),
                )
            })??
        }
        (None, Fallback::DefaultTheme) => super::parse_builtin(super::DEFAULT_THEME, depth + 1)
            .ok_or_else(|| ThemeError::Syntax {
            origin: source.origin.to_string(),
            message: "the default theme is missing from this build".to_string(),
        })??,
        (None, Fallback::None) => Theme::unstyled(source.default_name),
    };

    let palette = read_palette(source, &file.palette)?;
    for (slot, value) in &file.styles {
        let Some(target) = theme.slot_mut(slot.get_ref()) else {
            return Err(source.error_at(
                slot.span().start,
                format!(
                    "styles.{}: unknown slot (the slots are listed in docs/themes.md)",
                    slot.get_ref()
                ),
            ));
        };
        *target = parse_style(value.get_ref(), &palette).map_err(|message| {
            source.error_at(
                value.span().start,
                format!("styles.{}: {message}", slot.get_ref()),
            )
        })?;
    }

    if file.extends.is_none() && matches!(fallback, Fallback::None) {
        if let Some(missing) = SLOT_NAMES
            .iter()
            .find(|slot| !file.styles.keys().any(|set| set.get_ref() == *slot))
        {
            return Err(ThemeError::Syntax {
                origin: source.origin.to_string(),
                message: format!("styles.{missing}: the root theme must set every slot"),
            });
        }
    }

    theme.name = file
        .meta
        .name
        .unwrap_or_else(|| source.default_name.to_string());
    theme.description = file.meta.description.unwrap_or_default();
    Ok(theme)
}

fn read_palette(
    source: &Source,
    entries: &BTreeMap<Spanned<String>, Spanned<Value>>,
) -> Result<Palette, ThemeError> {
    entries
        .iter()
        .map(|(name, value)| {
            parse_plain_color(value.get_ref())
                .map(|color| (name.get_ref().clone(), color))
                .map_err(|message| {
                    source.error_at(
                        value.span().start,
                        format!("palette.{}: {message}", name.get_ref()),
                    )
                })
        })
        .collect()
}
