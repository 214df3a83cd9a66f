//! Entering and leaving the full-screen terminal. The terminal is restored
//! when the guard drops (normal exit, error), from the panic hook, and on
//! SIGTERM/SIGHUP/SIGINT, which the event loop turns into a clean exit.

use base64::Engine;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;
use std::io::{self, Stdout, Write};
use std::sync::Once;

/// The terminal type the console draws on.
pub type Screen = Terminal<CrosstermBackend<Stdout>>;

/// Owns the full-screen terminal; restores it when dropped.
pub struct Guard {
    /// The terminal to draw on.
    pub screen: Screen,
}

impl Guard {
    /// Switches to raw mode, the alternate screen and mouse reporting.
    pub fn enter() -> io::Result<Guard> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(error) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture) {
            restore();
            return Err(error);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(screen) => Ok(Guard { screen }),
            Err(error) => {
                restore();
                Err(error)
            }
        }
    }

    /// Puts `text` on the system clipboard through the terminal (OSC 52).
    /// The text is base64-encoded, so nothing in it can escape the sequence.
    pub fn copy_to_clipboard(&mut self, text: &str) -> io::Result<()> {
        let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
        let backend = self.screen.backend_mut();
        write!(backend, "\x1b]52;c;{encoded}\x07")?;
        backend.flush()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves raw mode and the alternate screen; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
