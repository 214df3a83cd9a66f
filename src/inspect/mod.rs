//! What the console shows about one event or one task, without drawing it:
//! the key facts of a raw record ([`facts`]), a collapsible JSON tree of it
//! ([`tree`]), and a task's surroundings ([`context`]).
//!
//! Strings returned here are raw evidence: the caller escapes them
//! (`render::sanitize`) before they reach a terminal.
