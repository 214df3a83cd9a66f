//! Console themes: one [`Style`] per screen element ("slot"), read from TOML.
//!
//! Four themes are built in (embedded, so the binary needs no files); any other
//! theme is a TOML file that may extend a built-in. The format is documented in
//! docs/themes.md. [`Theme::resolve`] picks the theme from the command line, the
//! config file and `NO_COLOR`.

mod file;
mod spec;
#[cfg(test)]
mod tests;

use crate::model::{Severity, Source};
use ratatui::style::{Modifier, Style};
use std::io;
use std::path::Path;

/// The theme used when neither the command line nor the config file names one.
pub const DEFAULT_THEME: &str = "dark";

/// The names of the built-in themes, default first.
pub const BUILTIN_THEMES: &[&str] = &["dark", "light", "high-contrast", "colorblind"];

/// Declares [`Theme`] with one public `Style` field per slot, and the name table
/// that lets theme files address the same fields by name.
macro_rules! theme_slots {
    ($($(#[$doc:meta])* $slot:ident,)+) => {
        /// A complete set of styles for the console, one per screen element.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Theme {
            /// The theme's name (`[meta] name`, else the built-in name or file stem).
            pub name: String,
            /// A one-line description (`[meta] description`), possibly empty.
            pub description: String,
            $($(#[$doc])* pub $slot: Style,)+
        }

        /// Every slot name, as written under `[styles]` in a theme file.
        pub const SLOT_NAMES: &[&str] = &[$(stringify!($slot)),+];

        impl Theme {
            /// A theme with every slot empty (the terminal's own colours).
            fn unstyled(name: &str) -> Theme {
                Theme {
                    name: name.to_string(),
                    description: String::new(),
                    $($slot: Style::new(),)+
                }
            }

            /// The style of the slot named `slot` (see [`SLOT_NAMES`]), if it exists.
            pub fn slot(&self, slot: &str) -> Option<Style> {
                match slot {
                    $(stringify!($slot) => Some(self.$slot),)+
                    _ => None,
                }
            }

            fn slot_mut(&mut self, slot: &str) -> Option<&mut Style> {
                match slot {
                    $(stringify!($slot) => Some(&mut self.$slot),)+
                    _ => None,
                }
            }
        }
    };
}

theme_slots! {
    /// The whole-screen default foreground and background.
    base,
    /// Pane and overlay titles.
    title,
    /// Table column headers.
    header,
    /// Borders of panes without focus.
    border,
    /// The border of the focused pane.
    border_focused,
    /// The selected row in the focused pane.
    selected,
    /// The selected row in a pane without focus.
    selected_unfocused,
    /// The status bar.
    status_bar,
    /// Error messages in the status bar.
    status_error,
    /// Warnings in the status bar.
    status_warning,
    /// Secondary text, such as absolute times next to relative ones.
    dim,
    /// Keys shown in the help overlay and the footer.
    key_hint,
    /// Characters matched by the fuzzy filter.
    match_highlight,
    /// The marker of a marked row.
    mark,
    /// The marker and text of an analyst's note.
    note,
    /// Separator rows standing for a silent gap in a timeline.
    gap,
    /// Events tied to a task by a weak link only.
    weak_link,
    /// A task that is still running.
    running,
    /// A task that has stopped.
    stopped,
    /// The badge saying the bundle is opened read-only.
    read_only,
    /// The badge saying response actions are on (it replaces `read_only`).
    actions_on,
    /// A changed line of a rollback's task definition comparison.
    diff_changed,
    /// Histogram bars.
    chart,
    /// The selected time range in the histogram.
    chart_selected,
    /// Object keys in the raw JSON view.
    json_key,
    /// Strings in the raw JSON view.
    json_string,
    /// Numbers in the raw JSON view.
    json_number,
    /// `true`, `false` and `null` in the raw JSON view.
    json_literal,
    /// Severity info.
    sev_info,
    /// Severity low.
    sev_low,
    /// Severity medium.
    sev_medium,
    /// Severity high.
    sev_high,
    /// Severity critical.
    sev_critical,
    /// Events from GuardDuty.
    src_guardduty,
    /// Events from ECS.
    src_ecs,
    /// Events from CloudTrail.
    src_cloudtrail,
    /// Events from Falco.
    src_falco,
    /// Plain container log lines.
    src_logs,
    /// Syscall exits from captures.
    src_scap,
    /// taskscope's own response actions.
    src_response,
}

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// The name is not a built-in theme, and no file has that path.
    #[error(
        "no theme {name_or_path:?}: not a built-in theme ({builtins}) and not a file: {error}",
        builtins = BUILTIN_THEMES.join(", ")
    )]
    NotFound {
        /// What was asked for.
        name_or_path: String,
        /// Why the file could not be opened (part of the message, not a
        /// source, so that it is printed once).
        error: io::Error,
    },
    /// The theme file exists but could not be read.
    #[error("{path}: cannot read theme: {error}")]
    Io {
        /// The theme file.
        path: String,
        /// The I/O error (part of the message, printed once).
        error: io::Error,
    },
    /// The theme is wrong at a known place: bad TOML, unknown slot, colour, modifier.
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        /// The file path, or "built-in theme NAME".
        origin: String,
        /// The 1-based line.
        line: usize,
        /// The 1-based column, in characters.
        column: usize,
        /// What is wrong, starting with the key (`styles.sev_high: ...`).
        message: String,
    },
    /// The theme is wrong as a whole (no single place to point at).
    #[error("{origin}: {message}")]
    Syntax {
        /// The file path, or "built-in theme NAME".
        origin: String,
        /// What is wrong.
        message: String,
    },
}

impl Theme {
    /// The built-in theme called `name` (see [`BUILTIN_THEMES`]).
    pub fn builtin(name: &str) -> Option<Theme> {
        parse_builtin(name, 0)?.ok()
    }

    /// Loads a built-in theme by name, or else the theme file at that path.
    pub fn load(name_or_path: &str) -> Result<Theme, ThemeError> {
        if let Some(theme) = parse_builtin(name_or_path, 0) {
            return theme;
        }
        let path = Path::new(name_or_path);
        let text = crate::small_text::read_small_text_file(path).map_err(|error| {
            if error.kind() == io::ErrorKind::NotFound {
                ThemeError::NotFound {
                    name_or_path: name_or_path.to_string(),
                    error,
                }
            } else {
                ThemeError::Io {
                    path: name_or_path.to_string(),
                    error,
                }
            }
        })?;
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| name_or_path.to_string());
        let source = file::Source {
            text: &text,
            origin: name_or_path,
            default_name: &stem,
        };
        file::parse(&source, file::Fallback::DefaultTheme, 0)
    }

    /// Picks the theme: `cli_theme` beats `config_theme` beats [`DEFAULT_THEME`];
    /// with `no_color` (the `--no-color` flag or [`no_color_requested`]) the
    /// result is passed through [`Theme::no_color`].
    pub fn resolve(
        cli_theme: Option<&str>,
        config_theme: Option<&str>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let theme = Theme::load(cli_theme.or(config_theme).unwrap_or(DEFAULT_THEME))?;
        Ok(if no_color { theme.no_color() } else { theme })
    }

    /// The same theme without any colour: every foreground and background is
    /// dropped and modifiers are kept, and modifiers are added so that the
    /// selection, focus, errors and severities stay visible (selected rows are
    /// reversed, high is bold, critical is bold, underlined and reversed).
    pub fn no_color(mut self) -> Theme {
        for slot in SLOT_NAMES {
            if let Some(style) = self.slot_mut(slot) {
                *style = Style::new()
                    .add_modifier(style.add_modifier)
                    .remove_modifier(style.sub_modifier);
            }
        }
        let emphasis = [
            (&mut self.title, Modifier::BOLD),
            (&mut self.header, Modifier::BOLD),
            (&mut self.border_focused, Modifier::BOLD),
            (&mut self.selected, Modifier::REVERSED | Modifier::BOLD),
            (&mut self.selected_unfocused, Modifier::REVERSED),
            (&mut self.status_bar, Modifier::REVERSED),
            (&mut self.status_error, Modifier::REVERSED | Modifier::BOLD),
            (&mut self.status_warning, Modifier::BOLD),
            (&mut self.dim, Modifier::DIM),
            (&mut self.gap, Modifier::DIM),
            (&mut self.weak_link, Modifier::DIM),
            (&mut self.key_hint, Modifier::BOLD),
            (
                &mut self.match_highlight,
                Modifier::BOLD | Modifier::UNDERLINED,
            ),
            (&mut self.mark, Modifier::BOLD),
            (&mut self.read_only, Modifier::REVERSED),
            (&mut self.actions_on, Modifier::REVERSED | Modifier::BOLD),
            (&mut self.diff_changed, Modifier::BOLD),
            (&mut self.chart_selected, Modifier::REVERSED),
            (&mut self.sev_info, Modifier::DIM),
            (&mut self.sev_medium, Modifier::UNDERLINED),
            (&mut self.sev_high, Modifier::BOLD),
            (
                &mut self.sev_critical,
                Modifier::BOLD | Modifier::UNDERLINED | Modifier::REVERSED,
            ),
        ];
        for (style, modifier) in emphasis {
            *style = style.add_modifier(modifier);
        }
        self
    }

    /// The style for a severity.
    pub fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Info => self.sev_info,
            Severity::Low => self.sev_low,
            Severity::Medium => self.sev_medium,
            Severity::High => self.sev_high,
            Severity::Critical => self.sev_critical,
        }
    }

    /// The style for an evidence source.
    pub fn source(&self, source: Source) -> Style {
        match source {
            Source::Guardduty => self.src_guardduty,
            Source::Ecs => self.src_ecs,
            Source::Cloudtrail => self.src_cloudtrail,
            Source::Falco => self.src_falco,
            Source::Logs => self.src_logs,
            Source::Scap => self.src_scap,
            Source::Response => self.src_response,
        }
    }
}

/// True when the user asked for no colour: `NO_COLOR` is set and not empty
/// (<https://no-color.org>).
pub fn no_color_requested() -> bool {
    no_color_in(std::env::var_os("NO_COLOR").as_deref())
}

fn no_color_in(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|value| !value.is_empty())
}

/// The embedded text of a built-in theme.
fn builtin_text(name: &str) -> Option<&'static str> {
    match name {
        "dark" => Some(include_str!("../../themes/dark.toml")),
        "light" => Some(include_str!("../../themes/light.toml")),
        "high-contrast" => Some(include_str!("../../themes/high-contrast.toml")),
        "colorblind" => Some(include_str!("../../themes/colorblind.toml")),
        _ => None,
    }
}

/// How a built-in theme is named in error messages.
fn builtin_origin(name: &str) -> String {
    format!("built-in theme {name}")
}

/// Parses the built-in theme `name`, `depth` steps down an `extends` chain;
/// `None` when there is no such built-in.
fn parse_builtin(name: &str, depth: usize) -> Option<Result<Theme, ThemeError>> {
    let text = builtin_text(name)?;
    let fallback = if name == DEFAULT_THEME {
        file::Fallback::None
    } else {
        file::Fallback::DefaultTheme
    };
    let origin = builtin_origin(name);
    let source = file::Source {
        text,
        origin: &origin,
        default_name: name,
    };
    Some(file::parse(&source, fallback, depth))
}
