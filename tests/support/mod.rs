//! Helpers shared by the console tests: a demo bundle on disk, a console over
//! a bundle with a fixed clock, and rendering to text through TestBackend.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use taskscope::bundle::build::import_to_bundle;
use taskscope::demo;
use taskscope::model::time::parse_time_str;
use taskscope::theme::Theme;
use taskscope::tui::app::App;
use taskscope::tui::keymap::Keymap;
use taskscope::tui::loaded::Loaded;
use taskscope::tui::{load, ui};

/// Writes the sample incident as a bundle under `dir`.
pub fn demo_bundle(dir: &Path) -> PathBuf {
    let path = dir.join("demo");
    import_to_bundle(demo::inputs(), &path).unwrap();
    path
}

/// A console over the bundle at `path`, loaded synchronously, with a fixed clock.
pub fn console(path: &Path) -> App {
    console_of(load(path).expect("bundle loads"))
}

/// A console over what the loader gave, with a fixed clock.
pub fn console_of(loaded: Loaded) -> App {
    // What a worker gathers after the first frame, gathered now.
    loaded.data.gather_context_index();
    let theme = Theme::builtin("dark").expect("dark theme");
    let mut app = App::new(Keymap::defaults(), theme, "tester".into(), || {});
    app.now = parse_time_str("2026-11-20T15:00:00Z").unwrap();
    app.set_data(loaded);
    app
}

/// The screen as text, one line per row.
pub fn render(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(frame, app)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..height {
        for x in 0..width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// Waits until the filter of the list in view has looked at every item.
pub fn wait_for_filter(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        app.poll_filter();
        if app.current_list().filter.as_ref().is_some_and(|f| f.done) {
            return;
        }
        assert!(Instant::now() < deadline, "filter never finished");
        std::thread::sleep(Duration::from_millis(2));
    }
}
