//! The keymap as data: every action of every layer (the screens' and each
//! popup's), its help text, its documentation and its default keys in one
//! table. The config file's `[keys]` table replaces the screens' keys, and
//! `[keys.prompt]`, `[keys.palette]`, `[keys.export]` and `[keys.confirm]`
//! those of the popups (the keys in force are in `keymap`). The help
//! overlay and docs/keys.md are built from it.

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
    /// Show or hide an attack sequence's signals as sub-rows under it.
    ToggleSignals,
    /// Plan the isolation of the selected task (response actions must be on).
    Isolate,
    /// Plan the rollback of the selected task's service (response actions must be on).
    Rollback,
    /// Popups: accept (keep the filter, run the entry, write the export, go on).
    Submit,
    /// Popups: close without doing anything (or go back a stage).
    Cancel,
    /// Popups: the next entry or step.
    NextItem,
    /// Popups: the previous entry or step.
    PrevItem,
    /// Response action plan: select or deselect the step under the cursor.
    Toggle,
    /// Response action result: close.
    Close,
    /// Text: delete the last character.
    DeleteChar,
    /// Text: delete the whole text.
    ClearLine,
    /// Text: delete the last word.
    DeleteWord,
}

/// A set of keys in force together: the screens', or one kind of popup's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The screens (and the help overlay, which scrolls with their keys).
    Global,
    /// The one-line prompts (filter, note, tag), and the editing keys of
    /// every text typed in a popup.
    Prompt,
    /// The command palette.
    Palette,
    /// The export chooser.
    Export,
    /// A response action's popup: plan, typed confirmation, result.
    Confirm,
}

impl Layer {
    /// Every layer, in help order.
    pub const ALL: [Layer; 5] = [
        Layer::Global,
        Layer::Prompt,
        Layer::Palette,
        Layer::Export,
        Layer::Confirm,
    ];

    /// Its table in the config file.
    pub fn table(self) -> &'static str {
        match self {
            Layer::Global => "[keys]",
            Layer::Prompt => "[keys.prompt]",
            Layer::Palette => "[keys.palette]",
            Layer::Export => "[keys.export]",
            Layer::Confirm => "[keys.confirm]",
        }
    }

    /// The prefix of its actions' names in a keymap override
    /// (`prompt.submit`); empty for the screens' layer.
    fn prefix(self) -> &'static str {
        match self {
            Layer::Global => "",
            Layer::Prompt => "prompt.",
            Layer::Palette => "palette.",
            Layer::Export => "export.",
            Layer::Confirm => "confirm.",
        }
    }
}

/// Where an action is listed in the help overlay and docs/keys.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Screens: moving around.
    Movement,
    /// Screens: filtering and navigation.
    Navigate,
    /// Screens: marks, notes, copy, export.
    Annotate,
    /// Screens: everything else.
    General,
    /// The prompts' keys.
    Prompt,
    /// The palette's keys.
    Palette,
    /// The export chooser's keys.
    Export,
    /// A response action popup's keys.
    Confirm,
}

impl Section {
    /// Every section, in help order.
    pub const ALL: [Section; 8] = [
        Section::Movement,
        Section::Navigate,
        Section::Annotate,
        Section::General,
        Section::Prompt,
        Section::Palette,
        Section::Export,
        Section::Confirm,
    ];

    /// The heading shown in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Section::Movement => "Movement",
            Section::Navigate => "Filter and navigate",
            Section::Annotate => "Annotate and act",
            Section::General => "General",
            Section::Prompt => "Prompt: filter, note, tag, and typing in any popup",
            Section::Palette => "Command palette",
            Section::Export => "Export chooser",
            Section::Confirm => "Response action: plan, confirmation, result",
        }
    }

    /// The layer whose keys it lists.
    pub fn layer(self) -> Layer {
        match self {
            Section::Movement | Section::Navigate | Section::Annotate | Section::General => {
                Layer::Global
            }
            Section::Prompt => Layer::Prompt,
            Section::Palette => Layer::Palette,
            Section::Export => Layer::Export,
            Section::Confirm => Layer::Confirm,
        }
    }
}

/// One row of the default keymap.
pub struct Binding {
    /// The action.
    pub action: Action,
    /// Its name in its layer's table of the config file.
    pub name: &'static str,
    /// Help section (and so its layer).
    pub section: Section,
    /// What it does, for the help overlay and the palette.
    pub help: &'static str,
    /// What it does, at length, for docs/keys.md.
    pub doc: &'static str,
    /// Default key specs (grammar in docs/config.md).
    pub keys: &'static [&'static str],
}

impl Binding {
    /// The layer it belongs to.
    pub fn layer(&self) -> Layer {
        self.section.layer()
    }

    /// Its name as an override names it: `move_down`, `prompt.submit`.
    pub fn override_name(&self) -> String {
        format!("{}{}", self.layer().prefix(), self.name)
    }
}

macro_rules! bindings {
    ($($action:ident $name:literal $section:ident [$($key:literal),*] $help:literal $doc:literal;)*) => {
        /// Every action of every layer with its default keys, in help order.
        pub const DEFAULT_BINDINGS: &[Binding] = &[
            $(Binding {
                action: Action::$action,
                name: $name,
                section: Section::$section,
                help: $help,
                doc: $doc,
                keys: &[$($key),*],
            },)*
        ];
    };
}

bindings! {
    MoveDown "move_down" Movement ["j", "down"] "next row"
        "next row (in the detail pane: next JSON line)";
    MoveUp "move_up" Movement ["k", "up"] "previous row"
        "previous row";
    MoveLeft "move_left" Movement ["h", "left"] "histogram cursor left / collapse node"
        "histogram cursor left; collapse a JSON node";
    MoveRight "move_right" Movement ["l", "right"] "histogram cursor right / expand node"
        "histogram cursor right; expand a JSON node";
    Top "top" Movement ["g", "home"] "first row"
        "first row";
    Bottom "bottom" Movement ["G", "end"] "last row"
        "last row";
    PageDown "page_down" Movement ["pagedown", "ctrl-d"] "page down"
        "one screen down";
    PageUp "page_up" Movement ["pageup", "ctrl-u"] "page up"
        "one screen up";
    NextPane "next_pane" Movement ["tab"] "next pane"
        "next pane (timeline: histogram → list → detail)";
    PrevPane "prev_pane" Movement ["backtab"] "previous pane"
        "previous pane";
    Open "open" Movement ["enter"] "open / jump / toggle JSON node"
        "task → its timeline; finding → its place on the timeline; JSON node → fold/unfold; histogram → range end";
    Back "back" Movement ["esc"] "close, clear filter, go back"
        "leave a pane, clear the filter, clear the time range, back to tasks";
    TasksView "tasks_view" Movement ["1"] "tasks view"
        "tasks";
    TimelineView "timeline_view" Movement ["2"] "timeline view"
        "timeline";
    FindingsView "findings_view" Movement ["3"] "findings board"
        "findings board";
    Filter "filter" Navigate ["/"] "filter the list (words; ~word fuzzy)"
        "filter the list in focus as you type (Enter keeps it, Esc clears it)";
    NextMatch "next_match" Navigate ["n"] "next match"
        "next match of the filter";
    PrevMatch "prev_match" Navigate ["N"] "previous match"
        "previous match of the filter";
    NextFinding "next_finding" Navigate ["f"] "next finding"
        "next finding on the timeline";
    PrevFinding "prev_finding" Navigate ["F"] "previous finding"
        "previous finding on the timeline";
    CycleSource "cycle_source" Navigate ["s"] "cycle source filter"
        "timeline source filter: all, then each source present";
    ToggleTime "toggle_time" Navigate ["t"] "time: UTC / since start / delta"
        "time column: absolute UTC, since task start, delta from the previous row";
    SelectRange "select_range" Navigate ["v"] "histogram: start / end a time range"
        "on the histogram: first press sets one end, second press the other; the timeline then shows only that range (Esc clears)";
    ToggleSignals "toggle_signals" Navigate ["space"] "attack sequence: show / hide its signals"
        "timeline: show the signals of the selected attack sequence finding as sub-rows under it (first seen, severity, name, count, description), or hide them; Enter on a sub-row jumps to that signal's own finding when the bundle holds it, else the status line says it is not in this bundle; on the findings board, opens the sequence on the timeline with its signals shown";
    Sort "sort" Navigate ["o"] "tasks: cycle sort"
        "tasks: sort by severity, started, service, status";
    Group "group" Navigate ["O"] "tasks: group by none / cluster / service"
        "tasks: group by none, cluster, service (each group under a heading with its whole name)";
    Palette "palette" Navigate [":"] "command palette, task jump"
        "command palette: every action with its keys, exports, themes, \"timeline: all events\", and fuzzy jump to any task by ID or service";
    Mark "mark" Annotate ["m"] "mark / unmark event"
        "mark or unmark the selected event (written to the bundle)";
    NextMark "next_mark" Annotate ["'"] "next marked event"
        "next marked event";
    Note "note" Annotate ["c"] "add a note"
        "note on the selected event (timeline, findings) or task (tasks view)";
    Tag "tag" Annotate ["T"] "add a tag"
        "tag the selected event";
    Copy "copy" Annotate ["y"] "copy ARN / ID (OSC 52)"
        "copy the task ARN (tasks view) or the event's ID to the clipboard through the terminal (OSC 52; base64, so nothing in it can escape)";
    Export "export" Annotate ["e"] "export report / CSV / JSON / Timesketch"
        "export the task: Markdown report, CSV, JSON or Timesketch JSONL, into the current directory";
    Isolate "isolate" Annotate ["i"] "isolate the task: plan, confirm, run (actions on)"
        "isolate the task selected in the tasks view, or whose timeline is open: plan, confirm, run ([below](#response-actions)); with actions off, the status line says how to turn them on";
    Rollback "rollback" Annotate ["r"] "roll back the task's service (actions on)"
        "roll back that task's service to the newest completed deployment not under suspicion (docs/response.md), the same way; a task outside a service says so";
    Help "help" General ["?", "f1"] "this help"
        "the key help, built from the keymap in force";
    Quit "quit" General ["q", "ctrl-c"] "quit"
        "quit (under `taskscope live`, stopping a collection still running); a quit key that is not a plain character quits from the help and a response action's popup too, except while its plan runs";
    Submit "submit" Prompt ["enter"] "keep the filter, save the note or tag"
        "keep the filter, or write the note or tag to the bundle";
    Cancel "cancel" Prompt ["esc"] "close (a filter prompt clears the filter)"
        "close without writing; the filter prompt clears the filter";
    DeleteChar "delete_char" Prompt ["backspace"] "delete the last character"
        "delete the last character (in every text typed in a popup)";
    ClearLine "clear_line" Prompt ["ctrl-u"] "delete the whole text"
        "delete the whole text (in every text typed in a popup)";
    DeleteWord "delete_word" Prompt ["ctrl-w"] "delete the last word"
        "delete the last word (in every text typed in a popup)";
    Submit "run" Palette ["enter"] "run the highlighted entry"
        "run the highlighted entry";
    Cancel "cancel" Palette ["esc"] "close"
        "close without running anything";
    NextItem "next" Palette ["down", "tab"] "next entry"
        "highlight the next entry";
    PrevItem "previous" Palette ["up", "backtab"] "previous entry"
        "highlight the previous entry";
    Submit "write" Export ["enter"] "write the highlighted format"
        "write the highlighted format into the current directory";
    Cancel "cancel" Export ["esc"] "close"
        "close without writing";
    NextItem "next" Export ["j", "down"] "next format"
        "highlight the next format";
    PrevItem "previous" Export ["k", "up"] "previous format"
        "highlight the previous format";
    NextItem "next" Confirm ["j", "down"] "next step; result: scroll down"
        "the plan: next step; the result: scroll down";
    PrevItem "previous" Confirm ["k", "up"] "previous step; result: scroll up"
        "the plan: previous step; the result: scroll up";
    Toggle "toggle" Confirm ["space"] "select or deselect the step"
        "the plan: select or deselect the step under the cursor";
    Submit "submit" Confirm ["enter"] "go on: confirm, run, close"
        "the plan: go on to the confirmation (not for a refused plan, or one with no step selected); the confirmation: run the plan, only when the typed text matches; the result or an error: close";
    Cancel "cancel" Confirm ["esc"] "cancel, back to the plan, close"
        "planning or the plan: cancel; the confirmation: back to the plan; the result or an error: close";
    Close "close" Confirm ["q"] "result: close"
        "the result: close";
}

/// True when `name` names an action as an override does: `move_down` for
/// the screens' `[keys]`, `prompt.submit` for `[keys.prompt]`.
pub fn is_action_name(name: &str) -> bool {
    DEFAULT_BINDINGS.iter().any(|b| b.override_name() == name)
}
