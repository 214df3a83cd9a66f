use super::*;
use ratatui::style::Color;
use std::fs;
use tempfile::TempDir;

fn builtins() -> Vec<Theme> {
    BUILTIN_THEMES
        .iter()
        .map(|name| Theme::load(name).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

fn severities(theme: &Theme) -> [Style; 5] {
    [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .map(|severity| theme.severity(severity))
}

fn all_differ(styles: &[Style]) -> bool {
    styles
        .iter()
        .enumerate()
        .all(|(i, a)| styles[i + 1..].iter().all(|b| a != b))
}

fn write_theme(dir: &TempDir, file: &str, text: &str) -> String {
    let path = dir.path().join(file);
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn every_built_in_parses_with_its_name_and_a_description() {
    for (name, theme) in BUILTIN_THEMES.iter().zip(builtins()) {
        assert_eq!(theme.name, *name);
        assert!(!theme.description.is_empty(), "{name}");
        assert_eq!(Theme::builtin(name), Some(theme));
    }
    assert_eq!(Theme::builtin("solarized"), None);
}

#[test]
fn every_built_in_sets_every_slot_or_extends_another() {
    for name in BUILTIN_THEMES {
        let text = builtin_text(name).unwrap();
        let table: toml::Table = toml::from_str(text).unwrap();
        if table.contains_key("extends") {
            continue;
        }
        let styles = table["styles"].as_table().unwrap();
        for slot in SLOT_NAMES {
            assert!(styles.contains_key(*slot), "{name} does not set {slot}");
        }
    }
}

#[test]
fn every_built_in_distinguishes_the_five_severities() {
    for theme in builtins() {
        assert!(all_differ(&severities(&theme)), "{}", theme.name);
    }
}

#[test]
fn colorblind_severities_differ_by_modifiers_alone() {
    let theme = Theme::builtin("colorblind").unwrap();
    let modifiers_only = severities(&theme).map(|s| Style::new().add_modifier(s.add_modifier));
    assert!(all_differ(&modifiers_only));
}

#[test]
fn colorblind_keeps_dark_slots_it_does_not_override() {
    let dark = Theme::builtin("dark").unwrap();
    let colorblind = Theme::builtin("colorblind").unwrap();
    assert_eq!(colorblind.selected, dark.selected);
    assert_eq!(colorblind.border_focused, dark.border_focused);
    assert_ne!(colorblind.sev_critical, dark.sev_critical);
}

#[test]
fn slot_names_are_unique_and_all_addressable() {
    assert_eq!(SLOT_NAMES.len(), 40);
    let theme = Theme::builtin("dark").unwrap();
    for (i, slot) in SLOT_NAMES.iter().enumerate() {
        assert!(!SLOT_NAMES[i + 1..].contains(slot), "{slot} twice");
        assert!(theme.slot(slot).is_some(), "{slot}");
    }
    assert_eq!(theme.slot("nope"), None);
}

#[test]
fn severity_and_source_pick_their_own_slots() {
    let theme = Theme::builtin("dark").unwrap();
    for severity in [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ] {
        let slot = format!("sev_{}", severity.name());
        assert_eq!(Some(theme.severity(severity)), theme.slot(&slot));
    }
    for source in Source::ALL {
        let slot = format!("src_{}", source.name());
        assert_eq!(Some(theme.source(source)), theme.slot(&slot));
    }
    let sources = Source::ALL.map(|source| theme.source(source));
    assert!(all_differ(&sources));
}

#[test]
fn no_color_drops_colours_but_keeps_selection_and_high_severities_visible() {
    for theme in builtins() {
        let name = theme.name.clone();
        let plain = theme.no_color();
        for slot in SLOT_NAMES {
            let style = plain.slot(slot).unwrap();
            assert_eq!((style.fg, style.bg), (None, None), "{name} {slot}");
        }
        assert!(plain.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(plain
            .selected_unfocused
            .add_modifier
            .contains(Modifier::REVERSED));
        assert_ne!(plain.selected, plain.base, "{name}");
        let [info, low, medium, high, critical] = severities(&plain);
        for lower in [info, low, medium] {
            assert_ne!(high, lower, "{name}");
            assert_ne!(critical, lower, "{name}");
        }
        assert_ne!(high, critical, "{name}");
    }
}

#[test]
fn no_color_keeps_the_theme_modifiers() {
    let plain = Theme::builtin("colorblind").unwrap().no_color();
    assert!(plain.sev_medium.add_modifier.contains(Modifier::UNDERLINED));
    assert!(plain.stopped.add_modifier.contains(Modifier::ITALIC));
}

#[test]
fn no_color_variable_must_be_set_and_non_empty() {
    assert!(!no_color_in(None));
    assert!(!no_color_in(Some(std::ffi::OsStr::new(""))));
    assert!(no_color_in(Some(std::ffi::OsStr::new("1"))));
}

#[test]
fn a_theme_file_extends_a_built_in_and_overrides_slots() {
    let dir = TempDir::new().unwrap();
    let path = write_theme(
        &dir,
        "mine.toml",
        r##"
extends = "light"
[meta]
name = "mine"
[palette]
alarm = "#ff0000"
[styles]
sev_critical = { fg = "alarm", bg = 52, modifiers = ["bold", "slow_blink"] }
title = "lightblue"
"##,
    );
    let theme = Theme::load(&path).unwrap();
    let light = Theme::builtin("light").unwrap();
    assert_eq!(theme.name, "mine");
    assert_eq!(
        theme.sev_critical,
        Style::new()
            .fg(Color::Rgb(255, 0, 0))
            .bg(Color::Indexed(52))
            .add_modifier(Modifier::BOLD | Modifier::SLOW_BLINK)
    );
    assert_eq!(theme.title, Style::new().fg(Color::LightBlue));
    assert_eq!(theme.selected, light.selected);
    assert_ne!(theme.selected, Theme::builtin("dark").unwrap().selected);
}

#[test]
fn a_theme_file_without_extends_falls_back_to_the_default() {
    let dir = TempDir::new().unwrap();
    let path = write_theme(&dir, "ocean.toml", "[styles]\nborder = \"blue\"\n");
    let theme = Theme::load(&path).unwrap();
    let dark = Theme::builtin("dark").unwrap();
    assert_eq!(theme.name, "ocean");
    assert_eq!(theme.border, Style::new().fg(Color::Blue));
    assert_eq!(theme.sev_high, dark.sev_high);
}

#[test]
fn a_root_theme_must_set_every_slot() {
    let source = file::Source {
        text: "[styles]\nbase = \"white\"\n",
        origin: "root.toml",
        default_name: "root",
    };
    let error = file::parse(&source, file::Fallback::None, 0)
        .unwrap_err()
        .to_string();
    assert!(error.contains("root.toml"), "{error}");
    assert!(error.contains("styles.title"), "{error}");
}

/// Loads `text` as a theme file and returns the error message.
fn theme_error(text: &str) -> (String, String) {
    let dir = TempDir::new().unwrap();
    let path = write_theme(&dir, "bad.toml", text);
    let error = Theme::load(&path).unwrap_err().to_string();
    (path, error)
}

#[test]
fn an_unknown_slot_is_named_with_file_and_line() {
    let (path, error) = theme_error("[styles]\nbase = \"red\"\nsev_urgent = \"red\"\n");
    assert!(error.starts_with(&format!("{path}:3:1: ")), "{error}");
    assert!(error.contains("styles.sev_urgent"), "{error}");
}

#[test]
fn an_unknown_colour_or_modifier_is_named_with_its_slot_and_line() {
    let (path, error) = theme_error("[styles]\n\ntitle = { fg = \"blurple\" }\n");
    assert!(error.starts_with(&format!("{path}:3:9: ")), "{error}");
    assert!(
        error.contains("styles.title: fg: unknown colour \"blurple\""),
        "{error}"
    );

    let (_, error) = theme_error("[styles]\ntitle = { modifiers = [\"glowing\"] }\n");
    assert!(error.contains(":2:"), "{error}");
    assert!(
        error.contains("styles.title: modifiers: unknown modifier \"glowing\""),
        "{error}"
    );

    let (_, error) = theme_error("[palette]\nfire = \"#ff00\"\n");
    assert!(error.contains(":2:"), "{error}");
    assert!(error.contains("palette.fire"), "{error}");
}

#[test]
fn unknown_fields_extends_and_bad_toml_are_reported_with_positions() {
    let (path, error) = theme_error("colour = \"red\"\n");
    assert!(error.starts_with(&format!("{path}:1:1: ")), "{error}");
    assert!(error.contains("colour"), "{error}");

    let (_, error) = theme_error("[meta]\nname = \"x\"\nauthor = \"me\"\n");
    assert!(
        error.contains(":3:1:") && error.contains("author"),
        "{error}"
    );

    let (_, error) = theme_error("extends = \"solarized\"\n");
    assert!(error.contains(":1:11:"), "{error}");
    assert!(
        error.contains("\"solarized\" is not a built-in theme"),
        "{error}"
    );

    let (_, error) = theme_error("[styles]\ntitle = \n");
    assert!(error.contains(":2:"), "{error}");
}

#[test]
fn a_missing_theme_lists_the_built_ins() {
    let error = Theme::load("/nonexistent/solarized.toml").unwrap_err();
    assert!(matches!(error, ThemeError::NotFound { .. }));
    let message = error.to_string();
    assert!(message.contains("/nonexistent/solarized.toml"), "{message}");
    assert!(message.contains("high-contrast"), "{message}");
}

#[test]
fn a_directory_is_not_a_theme() {
    let dir = TempDir::new().unwrap();
    let error = Theme::load(dir.path().to_str().unwrap()).unwrap_err();
    assert!(matches!(error, ThemeError::Io { .. }), "{error}");
}

#[test]
fn resolve_prefers_the_command_line_then_the_config_then_dark() {
    let pick = |cli, config| Theme::resolve(cli, config, false).unwrap().name;
    assert_eq!(pick(Some("light"), Some("high-contrast")), "light");
    assert_eq!(pick(None, Some("high-contrast")), "high-contrast");
    assert_eq!(pick(None, None), "dark");
    assert!(Theme::resolve(Some("nope"), Some("light"), false).is_err());
}

#[test]
fn resolve_strips_colour_when_asked() {
    let theme = Theme::resolve(Some("light"), None, true).unwrap();
    assert_eq!(theme, Theme::builtin("light").unwrap().no_color());
    assert_eq!(theme.sev_critical.fg, None);
}
