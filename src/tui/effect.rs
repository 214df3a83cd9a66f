//! What the console asks of the world outside its own state. Its parts
//! return these instead of setting flags; the event loop carries them out.

/// Something only the event loop can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Leave the console.
    Quit,
    /// Read the bundle again: an action has written its audit log.
    Reload,
    /// Put this text on the clipboard, through the terminal (OSC 52).
    CopyToClipboard(String),
}
