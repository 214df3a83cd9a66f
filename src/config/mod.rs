//! The user's config file: theme, author name for notes, key bindings.
//!
//! It lives at `$XDG_CONFIG_HOME/taskscope/config.toml`, else
//! `$HOME/.config/taskscope/config.toml`, unless a path is given explicitly.
//! The format is documented in docs/config.md.

mod keyspec;
#[cfg(test)]
mod tests;

pub use keyspec::{parse_key_spec, KeySpec};

use crate::small_text::{line_and_column, read_small_text_file};
use crate::theme::BUILTIN_THEMES;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The user's settings. Every field is optional; an absent file is the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// A built-in theme name or a theme file path (a relative path is resolved
    /// against the config file's directory when the config is loaded).
    pub theme: Option<String>,
    /// The name recorded on notes and exports.
    pub author: Option<String>,
    /// Key bindings: action name (snake_case, one the console knows; a
    /// popup's action is named with its layer, `prompt.submit`) to key
    /// specs, each valid for [`parse_key_spec`].
    pub keys: BTreeMap<String, Vec<String>>,
    /// Response actions (docs/response.md).
    pub actions: ActionsConfig,
    /// The OpenSSH private key that seals bundles when they are complete
    /// (`--seal-key`'s default; docs/custody.md). A relative path is
    /// resolved against the config file's directory, `~/` against `$HOME`.
    pub seal_key: Option<PathBuf>,
}

/// The `[actions]` table: where response actions are allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsConfig {
    /// AWS profiles for which actions run without `--allow-actions`.
    #[serde(default)]
    pub allow_profiles: Vec<String>,
}

/// A config and the file it was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadedConfig {
    /// The settings.
    pub config: Config,
    /// The file they came from; `None` when no config file exists (defaults).
    pub path: Option<PathBuf>,
}

/// Why the config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (or, given explicitly, does not exist).
    #[error("{path}: cannot read config: {source}")]
    Io {
        /// The config file.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is wrong at a known place: bad TOML, unknown field, bad key spec.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The config file.
        path: String,
        /// The 1-based line.
        line: usize,
        /// The 1-based column, in characters.
        column: usize,
        /// What is wrong, naming the field (`keys.quit: ...`).
        message: String,
    },
    /// The file is wrong as a whole (no single place to point at).
    #[error("{path}: {message}")]
    Syntax {
        /// The config file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A key spec that [`parse_key_spec`] does not accept.
    #[error("bad key spec {spec:?}: {reason}")]
    KeySpec {
        /// The spec as written.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The config file as written, with positions for error messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    author: Option<String>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, KeysEntry>,
    #[serde(default)]
    actions: ActionsConfig,
    seal_key: Option<String>,
}

/// Key specs as written, each with its place in the file.
type SpannedSpecs = Vec<Spanned<String>>;

/// One entry of `[keys]`: a screens' action with its key specs, or a popup
/// layer's table (`[keys.prompt]`) of actions with theirs.
enum KeysEntry {
    /// `move_down = ["j"]`.
    Specs(SpannedSpecs),
    /// `[keys.prompt]` `submit = ["enter"]`.
    Layer(BTreeMap<Spanned<String>, SpannedSpecs>),
}

impl<'de> Deserialize<'de> for KeysEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        use serde::de::{MapAccess, SeqAccess, Visitor};

        struct Entry;
        impl<'de> Visitor<'de> for Entry {
            type Value = KeysEntry;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of key specs, or a table of them for a popup's keys")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<KeysEntry, A::Error> {
                SpannedSpecs::deserialize(SeqAccessDeserializer::new(seq)).map(KeysEntry::Specs)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<KeysEntry, A::Error> {
                BTreeMap::deserialize(MapAccessDeserializer::new(map)).map(KeysEntry::Layer)
            }
        }
        deserializer.deserialize_any(Entry)
    }
}

impl Config {
    /// Loads the config from `explicit` if given (it must exist), else from
    /// [`default_path`] if that file exists, else returns the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<LoadedConfig, ConfigError> {
        match explicit {
            Some(path) => load_file(path),
            None => load_default(default_path()),
        }
    }
}

/// Where the config file is looked for: `$XDG_CONFIG_HOME/taskscope/config.toml`,
/// else `$HOME/.config/taskscope/config.toml`; `None` when neither variable is
/// usable. A relative or empty `XDG_CONFIG_HOME` is ignored, as the XDG spec says.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
}

fn default_path_from(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let absolute = |value: OsString| Some(PathBuf::from(value)).filter(|path| path.is_absolute());
    xdg_config_home
        .and_then(absolute)
        .or_else(|| home.and_then(absolute).map(|home| home.join(".config")))
        .map(|dir| dir.join("taskscope").join("config.toml"))
}

/// Loads the default config file if there is one; a missing file means defaults.
fn load_default(path: Option<PathBuf>) -> Result<LoadedConfig, ConfigError> {
    let Some(path) = path else {
        return Ok(LoadedConfig::default());
    };
    match fs::metadata(&path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(LoadedConfig::default()),
        _ => load_file(&path),
    }
}

fn load_file(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let shown = path.display().to_string();
    let text = read_small_text_file(path).map_err(|source| ConfigError::Io {
        path: shown.clone(),
        source,
    })?;
    let at = |offset: usize, message: String| {
        let (line, column) = line_and_column(&text, offset);
        ConfigError::Invalid {
            path: shown.clone(),
            line,
            column,
            message,
        }
    };
    let file: ConfigFile = toml::from_str(&text).map_err(|error| match error.span() {
        Some(span) => at(span.start, error.message().to_string()),
        None => ConfigError::Syntax {
            path: shown.clone(),
            message: error.message().to_string(),
        },
    })?;

    let mut entries = Vec::new();
    for (name, entry) in file.keys {
        match entry {
            KeysEntry::Specs(specs) => entries.push((name, specs)),
            KeysEntry::Layer(actions) => {
                for (action, specs) in actions {
                    let span = action.span();
                    let named = format!("{}.{}", name.get_ref(), action.into_inner());
                    entries.push((Spanned::new(span, named), specs));
                }
            }
        }
    }
    let mut keys = BTreeMap::new();
    for (action, specs) in entries {
        if !crate::tui::keys::is_action_name(action.get_ref()) {
            return Err(at(
                action.span().start,
                format!(
                    "keys: unknown action {:?} (the actions are listed in docs/keys.md)",
                    action.get_ref()
                ),
            ));
        }
        let action = action.into_inner();
        for spec in &specs {
            if let Err(error) = parse_key_spec(spec.get_ref()) {
                return Err(at(spec.span().start, format!("keys.{action}: {error}")));
            }
        }
        keys.insert(action, specs.into_iter().map(Spanned::into_inner).collect());
    }

    let theme = match file.theme {
        Some(theme) => Some(
            theme_relative_to(path, theme).ok_or_else(|| ConfigError::Syntax {
                path: shown.clone(),
                message: "theme: the config file's directory is not valid UTF-8".to_string(),
            })?,
        ),
        None => None,
    };
    Ok(LoadedConfig {
        config: Config {
            theme,
            author: file.author,
            keys,
            actions: file.actions,
            seal_key: file
                .seal_key
                .map(|key| key_relative_to(path, &key, std::env::var_os("HOME"))),
        },
        path: Some(path.to_path_buf()),
    })
}

/// The seal key path `key` as the config file names it: `~/...` under
/// `home`, a relative path under the config file's directory.
fn key_relative_to(config_path: &Path, key: &str, home: Option<OsString>) -> PathBuf {
    match (key.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => match config_path.parent() {
            Some(dir) if Path::new(key).is_relative() => dir.join(key),
            _ => PathBuf::from(key),
        },
    }
}

/// A theme path relative to the config file's directory; built-in names and
/// absolute paths are kept as written. `None` when the result is not UTF-8.
fn theme_relative_to(config_path: &Path, theme: String) -> Option<String> {
    let theme_path = Path::new(&theme);
    if BUILTIN_THEMES.contains(&theme.as_str()) || theme_path.is_absolute() {
        return Some(theme);
    }
    match config_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            dir.join(theme_path).into_os_string().into_string().ok()
        }
        _ => Some(theme),
    }
}
