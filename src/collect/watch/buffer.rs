//! A [`ResponseSink`] that holds one round's responses until the round
//! knows whether it saw anything new: then they are stored, all of them, in
//! the current bundle; otherwise they are dropped.

use crate::bundle::manifest::Origin;
use crate::collect::recorder::ResponseSink;
use std::sync::Mutex;

/// One response as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// The call it answers.
    pub origin: Origin,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

/// The responses of the round under way.
#[derive(Debug, Default)]
pub struct RoundBuffer(Mutex<Vec<Held>>);

impl RoundBuffer {
    /// Takes every response held, leaving the buffer empty.
    pub fn take(&self) -> Vec<Held> {
        self.0
            .lock()
            .map(|mut held| std::mem::take(&mut *held))
            .unwrap_or_default()
    }

    /// True when no response is held.
    pub fn is_empty(&self) -> bool {
        self.0.lock().map(|held| held.is_empty()).unwrap_or(true)
    }
}

impl ResponseSink for RoundBuffer {
    fn store(&self, origin: Origin, body: &[u8]) -> Result<(), String> {
        let mut held = self
            .0
            .lock()
            .map_err(|_| "the round's buffer failed earlier".to_string())?;
        held.push(Held {
            origin,
            body: body.to_vec(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_held_in_order_until_taken() {
        let buffer = RoundBuffer::default();
        let origin = |operation: &str| Origin {
            service: "ECS".into(),
            operation: operation.into(),
            account: String::new(),
            region: "us-east-1".into(),
            request_id: None,
            received_at: "2026-11-23T10:00:00Z".into(),
            eventbridge_archive: false,
        };
        assert!(buffer.is_empty());
        buffer.store(origin("ListTasks"), b"{}").unwrap();
        buffer.store(origin("DescribeTasks"), b"[1]").unwrap();
        let held = buffer.take();
        assert_eq!(held.len(), 2);
        assert_eq!(held[1].origin.operation, "DescribeTasks");
        assert_eq!(held[1].body, b"[1]");
        assert!(buffer.is_empty());
    }
}
