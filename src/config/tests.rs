use super::*;
use crate::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use tempfile::TempDir;

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    path
}

fn error_of(text: &str) -> (String, String) {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "config.toml", text);
    let error = Config::load(Some(&path)).unwrap_err().to_string();
    (path.display().to_string(), error)
}

#[test]
fn xdg_config_home_wins_over_home() {
    assert_eq!(
        default_path_from(Some("/xdg".into()), Some("/home/ana".into())),
        Some(PathBuf::from("/xdg/taskscope/config.toml"))
    );
    assert_eq!(
        default_path_from(None, Some("/home/ana".into())),
        Some(PathBuf::from("/home/ana/.config/taskscope/config.toml"))
    );
}

#[test]
fn empty_or_relative_variables_are_ignored() {
    assert_eq!(
        default_path_from(Some("".into()), Some("/home/ana".into())),
        Some(PathBuf::from("/home/ana/.config/taskscope/config.toml"))
    );
    assert_eq!(
        default_path_from(Some("rel/dir".into()), Some("/home/ana".into())),
        Some(PathBuf::from("/home/ana/.config/taskscope/config.toml"))
    );
    assert_eq!(default_path_from(None, Some("".into())), None);
    assert_eq!(default_path_from(None, None), None);
}

#[test]
fn an_explicit_file_is_read_in_full() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "config.toml",
        r#"
theme = "light"
author = "Ana Ortiz"

[keys]
move_down = ["j", "down"]
page_down = ["ctrl-d"]
quit = []
"#,
    );
    let loaded = Config::load(Some(&path)).unwrap();
    assert_eq!(loaded.path, Some(path));
    let config = loaded.config;
    assert_eq!(config.theme.as_deref(), Some("light"));
    assert_eq!(config.author.as_deref(), Some("Ana Ortiz"));
    assert_eq!(config.keys["move_down"], ["j", "down"]);
    assert_eq!(config.keys["page_down"], ["ctrl-d"]);
    assert!(config.keys["quit"].is_empty());
    let half_page = parse_key_spec(&config.keys["page_down"][0]).unwrap();
    assert_eq!(half_page.code, KeyCode::Char('d'));
    assert_eq!(half_page.modifiers, KeyModifiers::CONTROL);
}

#[test]
fn an_explicit_file_that_does_not_exist_is_an_error() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("nope.toml");
    let error = Config::load(Some(&missing)).unwrap_err();
    assert!(
        matches!(&error, ConfigError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    );
    assert!(error.to_string().contains("nope.toml"));
}

#[test]
fn a_missing_default_file_means_defaults() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("taskscope").join("config.toml");
    assert_eq!(
        load_default(Some(missing)).unwrap(),
        LoadedConfig::default()
    );
    assert_eq!(load_default(None).unwrap(), LoadedConfig::default());
}

#[test]
fn an_existing_default_file_is_loaded_and_checked() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "config.toml", "author = \"me\"\n");
    let loaded = load_default(Some(path.clone())).unwrap();
    assert_eq!(loaded.path, Some(path.clone()));
    assert_eq!(loaded.config.author.as_deref(), Some("me"));
    fs::write(&path, "autor = \"me\"\n").unwrap();
    assert!(load_default(Some(path)).is_err());
}

#[test]
fn an_unknown_field_is_named_with_its_line() {
    let (path, error) = error_of("author = \"me\"\ncolour = \"dark\"\n");
    assert!(error.starts_with(&format!("{path}:2:1: ")), "{error}");
    assert!(error.contains("unknown field `colour`"), "{error}");
}

#[test]
fn invalid_toml_gives_line_and_column() {
    let (path, error) = error_of("theme = \"dark\"\n[keys\n");
    assert!(error.starts_with(&format!("{path}:2:")), "{error}");
    let (_, error) = error_of("[keys]\nquit = \"q\"\n");
    assert!(error.contains(":2:8:"), "{error}");
}

#[test]
fn a_bad_key_spec_names_the_action_the_spec_and_the_line() {
    let (path, error) = error_of("[keys]\nquit = [\"q\"]\nfilter = [\"/\", \"ctrl+f\"]\n");
    assert!(error.starts_with(&format!("{path}:3:16: ")), "{error}");
    assert!(error.contains("keys.filter"), "{error}");
    assert!(error.contains("\"ctrl+f\""), "{error}");
}

#[test]
fn an_unknown_key_action_is_named_with_its_line_and_column() {
    let (path, error) = error_of("author = \"me\"\n[keys]\nquit = [\"q\"]\n  fly = [\"x\"]\n");
    assert!(error.starts_with(&format!("{path}:4:3: ")), "{error}");
    assert!(error.contains("unknown action \"fly\""), "{error}");
}

#[test]
fn a_plus_in_a_key_spec_suggests_the_dash() {
    let (path, error) = error_of("[keys]\nquit = [\"ctrl+q\"]\n");
    assert!(error.starts_with(&format!("{path}:2:9: ")), "{error}");
    assert!(error.contains("write \"ctrl-q\""), "{error}");
}

#[test]
fn a_relative_theme_path_is_relative_to_the_config_file() {
    let dir = TempDir::new().unwrap();
    write(
        &dir,
        "mine.toml",
        "extends = \"high-contrast\"\n[styles]\ntitle = \"red\"\n",
    );
    let path = write(&dir, "config.toml", "theme = \"mine.toml\"\n");
    let config = Config::load(Some(&path)).unwrap().config;
    let theme_path = dir.path().join("mine.toml");
    assert_eq!(config.theme.as_deref(), theme_path.to_str());
    let theme = Theme::resolve(None, config.theme.as_deref(), false).unwrap();
    assert_eq!(theme.name, "mine");
    assert_eq!(
        theme.base,
        Theme::builtin("high-contrast").unwrap().base,
        "inherits high-contrast"
    );
}

#[test]
fn built_in_names_and_absolute_theme_paths_are_kept() {
    let config = Path::new("/etc/taskscope/config.toml");
    assert_eq!(
        theme_relative_to(config, "light".to_string()).as_deref(),
        Some("light")
    );
    assert_eq!(
        theme_relative_to(config, "/opt/t.toml".to_string()).as_deref(),
        Some("/opt/t.toml")
    );
    assert_eq!(
        theme_relative_to(config, "t.toml".to_string()).as_deref(),
        Some("/etc/taskscope/t.toml")
    );
    assert_eq!(
        theme_relative_to(Path::new("config.toml"), "t.toml".to_string()).as_deref(),
        Some("t.toml")
    );
}

#[test]
fn a_popup_layer_table_names_its_actions_with_the_layer() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "config.toml",
        "[keys]\nquit = [\"ctrl-q\"]\n\n[keys.prompt]\nsubmit = [\"ctrl-s\", \"enter\"]\n\n[keys.confirm]\nclose = []\n",
    );
    let config = Config::load(Some(&path)).unwrap().config;
    assert_eq!(config.keys["quit"], ["ctrl-q"]);
    assert_eq!(config.keys["prompt.submit"], ["ctrl-s", "enter"]);
    assert!(config.keys["confirm.close"].is_empty());
    let (path, error) = error_of("[keys.prompt]\nsubmit = [\"enter\"]\n  fly = [\"x\"]\n");
    assert!(error.starts_with(&format!("{path}:3:3: ")), "{error}");
    assert!(error.contains("unknown action \"prompt.fly\""), "{error}");
    let (path, error) = error_of("[keys.palette]\nrun = [\"ctrl+r\"]\n");
    assert!(error.starts_with(&format!("{path}:2:8: ")), "{error}");
    assert!(error.contains("keys.palette.run"), "{error}");
}

#[test]
fn the_seal_key_is_read_relative_to_the_config_or_home() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "config.toml", "seal_key = \"keys/seal\"\n");
    let loaded = Config::load(Some(&path)).unwrap();
    assert_eq!(loaded.config.seal_key, Some(dir.path().join("keys/seal")));
    let config = Path::new("/etc/taskscope/config.toml");
    assert_eq!(
        key_relative_to(config, "~/.ssh/id_ed25519", Some("/home/ana".into())),
        PathBuf::from("/home/ana/.ssh/id_ed25519")
    );
    assert_eq!(
        key_relative_to(config, "/keys/seal", None),
        PathBuf::from("/keys/seal")
    );
}
