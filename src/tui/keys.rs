//! The keymap as data: every action, its help text and its default keys in
//! one table. The config file's `[keys]` table replaces an action's keys.

use crate::config::{parse_key_spec, KeySpec};
use ratatui::crossterm::event::KeyEvent;
use std::collections::BTreeMap;

/// Something the user can ask for. What it does may depend on the pane in focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave taskscope.
    Quit,
    /// Show or hide the help overlay.
    Help,
    /// Next row.
    MoveDown,
    /// Previous row.
    MoveUp,
    /// Left (histogram cursor, or collapse in the JSON tree).
    MoveLeft,
    /// Right (histogram cursor, or expand in the JSON tree).
    MoveRight,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// One screen down.
    PageDown,
    /// One screen up.
    PageUp,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Open the selection (task → timeline, finding → its place, JSON node → toggle).
    Open,
    /// Close a popup, clear a filter, or go back.
    Back,
    /// Show the tasks view.
    TasksView,
    /// Show the timeline view.
    TimelineView,
    /// Show the findings board.
    FindingsView,
    /// Type a fuzzy filter for the list in focus.
    Filter,
    /// Next filter match.
    NextMatch,
    /// Previous filter match.
    PrevMatch,
    /// Next finding on the timeline.
    NextFinding,
    /// Previous finding on the timeline.
    PrevFinding,
    /// Cycle the timeline's source filter.
    CycleSource,
    /// Cycle the time column: absolute UTC, since task start, since previous event.
    ToggleTime,
    /// Open the command palette.
    Palette,
    /// Mark or unmark the selected event.
    Mark,
    /// Jump to the next marked event.
    NextMark,
    /// Add a note to the selected event or task.
    Note,
    /// Add a tag to the selected event.
    Tag,
    /// Copy the selected task's ARN or the event's ID (OSC 52).
    Copy,
    /// Export the selected task (Markdown report, CSV, JSON, Timesketch).
    Export,
    /// Cycle the tasks view's sort order.
    Sort,
    /// Cycle the tasks view's grouping: none, cluster, service.
    Group,
    /// Select a time range on the histogram (press twice), filtering the timeline.
    SelectRange,
    /// Plan the isolation of the selected task (response actions must be on).
    Isolate,
    /// Plan the rollback of the selected task's service (response actions must be on).
    Rollback,
}

/// Where an action is listed in the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Moving around.
    Movement,
    /// Filtering and navigation.
    Navigate,
    /// Marks, notes, copy, export.
    Annotate,
    /// Everything else.
    General,
}

impl Section {
    /// The heading shown in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Section::Movement => "Movement",
            Section::Navigate => "Filter and navigate",
            Section::Annotate => "Annotate and act",
            Section::General => "General",
        }
    }
}

/// One row of the default keymap.
pub struct Binding {
    /// The action.
    pub action: Action,
    /// Its name in the config file's `[keys]` table.
    pub name: &'static str,
    /// Help section.
    pub section: Section,
    /// What it does, for the help overlay.
    pub help: &'static str,
    /// Default key specs (grammar in docs/config.md).
    pub keys: &'static [&'static str],
}

macro_rules! bindings {
    ($($action:ident $name:literal $section:ident [$($key:literal),*] $help:literal;)*) => {
        /// Every action with its default keys, in help-overlay order.
        pub const DEFAULT_BINDINGS: &[Binding] = &[
            $(Binding {
                action: Action::$action,
                name: $name,
                section: Section::$section,
                help: $help,
                keys: &[$($key),*],
            },)*
        ];
    };
}

bindings! {
    MoveDown "move_down" Movement ["j", "down"] "next row";
    MoveUp "move_up" Movement ["k", "up"] "previous row";
    MoveLeft "move_left" Movement ["h", "left"] "histogram cursor left / collapse node";
    MoveRight "move_right" Movement ["l", "right"] "histogram cursor right / expand node";
    Top "top" Movement ["g", "home"] "first row";
    Bottom "bottom" Movement ["G", "end"] "last row";
    PageDown "page_down" Movement ["pagedown", "ctrl-d"] "page down";
    PageUp "page_up" Movement ["pageup", "ctrl-u"] "page up";
    NextPane "next_pane" Movement ["tab"] "next pane";
    PrevPane "prev_pane" Movement ["backtab"] "previous pane";
    Open "open" Movement ["enter"] "open / jump / toggle JSON node";
    Back "back" Movement ["esc"] "close, clear filter, go back";
    TasksView "tasks_view" Movement ["1"] "tasks view";
    TimelineView "timeline_view" Movement ["2"] "timeline view";
    FindingsView "findings_view" Movement ["3"] "findings board";
    Filter "filter" Navigate ["/"] "filter the list (words; ~word fuzzy)";
    NextMatch "next_match" Navigate ["n"] "next match";
    PrevMatch "prev_match" Navigate ["N"] "previous match";
    NextFinding "next_finding" Navigate ["f"] "next finding";
    PrevFinding "prev_finding" Navigate ["F"] "previous finding";
    CycleSource "cycle_source" Navigate ["s"] "cycle source filter";
    ToggleTime "toggle_time" Navigate ["t"] "time: UTC / since start / delta";
    SelectRange "select_range" Navigate ["v"] "histogram: start / end a time range";
    Sort "sort" Navigate ["o"] "tasks: cycle sort";
    Group "group" Navigate ["O"] "tasks: group by none / cluster / service";
    Palette "palette" Navigate [":"] "command palette, task jump";
    Mark "mark" Annotate ["m"] "mark / unmark event";
    NextMark "next_mark" Annotate ["'"] "next marked event";
    Note "note" Annotate ["c"] "add a note";
    Tag "tag" Annotate ["T"] "add a tag";
    Copy "copy" Annotate ["y"] "copy ARN / ID (OSC 52)";
    Export "export" Annotate ["e"] "export report / CSV / JSON / Timesketch";
    Isolate "isolate" Annotate ["i"] "isolate the task: plan, confirm, run (actions on)";
    Rollback "rollback" Annotate ["r"] "roll back the task's service (actions on)";
    Help "help" General ["?", "f1"] "this help";
    Quit "quit" General ["q", "ctrl-c"] "quit";
}

/// True when `name` is an action's name as written in `[keys]` (`move_down`).
pub fn is_action_name(name: &str) -> bool {
    DEFAULT_BINDINGS.iter().any(|b| b.name == name)
}

/// A `[keys]` table the console cannot use.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeymapError(String);

/// The keys in force: defaults with the config file's overrides applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: Vec<(KeySpec, Action)>,
}

impl Keymap {
    /// The default keymap.
    pub fn defaults() -> Keymap {
        Keymap::with_overrides(&BTreeMap::new()).expect("the default key specs are valid")
    }

    /// Applies `[keys]` overrides: each named action gets exactly the listed
    /// keys instead of its defaults (an empty list unbinds it). Overrides are
    /// looked up first, so an overriding key wins over another action's default.
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
            for spec in overrides.get(binding.name).into_iter().flatten() {
                let key = parse_key_spec(spec)
                    .map_err(|e| KeymapError(format!("[keys] {}: {e}", binding.name)))?;
                keys.push((key, binding.action));
            }
        }
        for binding in DEFAULT_BINDINGS
            .iter()
            .filter(|b| !overrides.contains_key(b.name))
        {
            for spec in binding.keys {
                let key = parse_key_spec(spec)
                    .map_err(|e| KeymapError(format!("default key of {}: {e}", binding.name)))?;
                keys.push((key, binding.action));
            }
        }
        Ok(Keymap { keys })
    }

    /// The action bound to a key press. When an override binds a key that is
    /// also a default of another action, the override wins.
    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.keys
            .iter()
            .find(|(key, _)| key.matches(event))
            .map(|(_, action)| *action)
    }

    /// The keys bound to an action, as shown in the help overlay.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.keys
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(key, _)| key.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let mut names: Vec<&str> = DEFAULT_BINDINGS.iter().map(|b| b.name).collect();
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
    }

    #[test]
    fn unknown_actions_are_named_in_the_error() {
        let overrides = BTreeMap::from([("fly".to_string(), vec!["x".to_string()])]);
        let error = Keymap::with_overrides(&overrides).unwrap_err().to_string();
        assert!(error.contains("fly"), "{error}");
    }
}
