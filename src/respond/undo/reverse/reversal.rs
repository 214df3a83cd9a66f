//! What undo does about one recorded call (send a call, nothing to do, or
//! not undo's to do), with the title saying what it puts back, and the
//! target task as undo finds it now.

use crate::respond::plan::Call;

/// The target task as undo finds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskNow {
    /// Running, or on its way (neither it nor its desired status is STOPPED).
    Live,
    /// Stopped, stopping, forgotten by ECS, or no task at all: why.
    Ended(String),
    /// It could not be read: why.
    Unread(String),
}

/// What undo does about one recorded call.
#[derive(Debug, Clone, PartialEq)]
pub enum Reverse {
    /// Send this call; sending it has this blast radius.
    Send(Call, String),
    /// Nothing to do: AWS is already as it was before the call. Why.
    Done(String),
    /// Undo does not reverse it: why, and what to do instead.
    Not(String),
}

/// The reverse of one call: a title saying what it puts back, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    /// One line saying what the reverse puts back.
    pub title: String,
    /// What to do.
    pub reverse: Reverse,
}

pub(super) fn reversal(title: String, reverse: Reverse) -> Reversal {
    Reversal { title, reverse }
}
