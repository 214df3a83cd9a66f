//! The keys in force: the table of `keys` with the config file's overrides
//! applied, looked up per layer.

use super::keys::{is_action_name, Action, Layer, DEFAULT_BINDINGS};
use crate::config::{parse_key_spec, KeySpec};
use ratatui::crossterm::event::KeyEvent;
use std::collections::BTreeMap;

/// A `[keys]` table the console cannot use.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeymapError(String);

/// The keys in force: defaults with the config file's overrides applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: Vec<(KeySpec, Layer, Action)>,
}

impl Keymap {
    /// The default keymap.
    pub fn defaults() -> Keymap {
        Keymap::with_overrides(&BTreeMap::new()).expect("the default key specs are valid")
    }

    /// Applies overrides, named as [`is_action_name`] says: each named
    /// action gets exactly the listed keys instead of its defaults (an empty
    /// list unbinds it). Overrides are looked up first, so an overriding key
    /// wins over another action's default in the same layer.
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, KeymapError> {
        for name in overrides.keys() {
            if !is_action_name(name) {
                return Err(KeymapError(format!(
                    "[keys]: unknown action {name:?} (the actions are listed in docs/keys.md)"
                )));
            }
        }
        let mut keys = Vec::new();
        for binding in DEFAULT_BINDINGS {
            let name = binding.override_name();
            for spec in overrides.get(&name).into_iter().flatten() {
                let key = parse_key_spec(spec).map_err(|e| {
                    KeymapError(format!("{} {}: {e}", binding.layer().table(), binding.name))
                })?;
                keys.push((key, binding.layer(), binding.action));
            }
        }
        for binding in DEFAULT_BINDINGS
            .iter()
            .filter(|b| !overrides.contains_key(&b.override_name()))
        {
            for spec in binding.keys {
                let key = parse_key_spec(spec)
                    .map_err(|e| KeymapError(format!("default key of {}: {e}", binding.name)))?;
                keys.push((key, binding.layer(), binding.action));
            }
        }
        Ok(Keymap { keys })
    }

    /// The screens' action bound to a key press (see [`Keymap::action_in`]).
    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.action_in(Layer::Global, event)
    }

    /// The action of `layer` bound to a key press. When an override binds a
    /// key that is also a default of another action, the override wins.
    pub fn action_in(&self, layer: Layer, event: &KeyEvent) -> Option<Action> {
        self.keys
            .iter()
            .find(|(key, l, _)| *l == layer && key.matches(event))
            .map(|(_, _, action)| *action)
    }

    /// The keys bound to a screens' action, as shown in the help overlay.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.keys_in(Layer::Global, action)
    }

    /// The keys bound to an action of `layer`.
    pub fn keys_in(&self, layer: Layer, action: Action) -> Vec<String> {
        self.keys
            .iter()
            .filter(|(_, l, a)| *l == layer && *a == action)
            .map(|(key, _, _)| key.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::Binding;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_cover_every_action_once() {
        let keymap = Keymap::defaults();
        assert_eq!(
            keymap.action(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::MoveDown)
        );
        assert_eq!(
            keymap.action(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            keymap.action(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        let mut names: Vec<String> = DEFAULT_BINDINGS
            .iter()
            .map(Binding::override_name)
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            DEFAULT_BINDINGS.len(),
            "duplicate action names"
        );
    }

    #[test]
    fn an_override_replaces_the_defaults_of_that_action() {
        let overrides = BTreeMap::from([("quit".to_string(), vec!["ctrl-q".to_string()])]);
        let keymap = Keymap::with_overrides(&overrides).unwrap();
        assert_eq!(
            keymap.action(&press(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            keymap.action(&press(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(keymap.keys_for(Action::Quit), vec!["ctrl-q".to_string()]);
    }

    #[test]
    fn the_example_in_docs_config_md_loads() {
        let doc = include_str!("../../docs/config.md");
        let start = doc.find("```toml\n").expect("a TOML example") + 8;
        let example = &doc[start..start + doc[start..].find("```").unwrap()];
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, example).unwrap();
        let loaded = crate::config::Config::load(Some(&path)).unwrap();
        let keymap = Keymap::with_overrides(&loaded.config.keys).unwrap();
        assert_eq!(
            keymap.action(&press(KeyCode::Char(' '), KeyModifiers::NONE)),
            Some(Action::PageDown)
        );
        assert_eq!(
            keymap.action(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(keymap.keys_for(Action::Quit), vec!["ctrl-q".to_string()]);
        assert_eq!(
            keymap.action_in(
                Layer::Palette,
                &press(KeyCode::Char('n'), KeyModifiers::CONTROL)
            ),
            Some(Action::NextItem)
        );
    }

    #[test]
    fn popup_layers_have_their_own_keys_and_overrides() {
        let enter = press(KeyCode::Enter, KeyModifiers::NONE);
        let keymap = Keymap::defaults();
        assert_eq!(keymap.action(&enter), Some(Action::Open));
        assert_eq!(
            keymap.action_in(Layer::Prompt, &enter),
            Some(Action::Submit)
        );
        assert_eq!(
            keymap.action_in(Layer::Export, &enter),
            Some(Action::Submit)
        );
        let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(
            keymap.action_in(Layer::Palette, &j),
            None,
            "typed, not moved"
        );
        assert_eq!(keymap.action_in(Layer::Export, &j), Some(Action::NextItem));
        let overrides = BTreeMap::from([("export.next".to_string(), vec!["ctrl-n".to_string()])]);
        let keymap = Keymap::with_overrides(&overrides).unwrap();
        assert_eq!(keymap.action_in(Layer::Export, &j), None);
        assert_eq!(
            keymap.action_in(
                Layer::Export,
                &press(KeyCode::Char('n'), KeyModifiers::CONTROL)
            ),
            Some(Action::NextItem)
        );
        assert_eq!(keymap.keys_in(Layer::Export, Action::NextItem), ["ctrl-n"]);
        assert_eq!(
            keymap.keys_in(Layer::Confirm, Action::NextItem),
            ["j", "down"]
        );
        assert!(is_action_name("confirm.toggle"));
        assert!(
            !is_action_name("toggle"),
            "popup actions are named with their layer"
        );
    }

    #[test]
    fn unknown_actions_are_named_in_the_error() {
        let overrides = BTreeMap::from([("fly".to_string(), vec!["x".to_string()])]);
        let error = Keymap::with_overrides(&overrides).unwrap_err().to_string();
        assert!(error.contains("fly"), "{error}");
    }
}
