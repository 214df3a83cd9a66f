//! Asking a running plan to stop: SIGINT, SIGTERM or SIGHUP on the command
//! line, the console quitting. The executor finishes the call in flight,
//! sends nothing more, and writes an `interrupted` result record.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::Arc;
use tokio::sync::watch;

/// The signals that interrupt a running plan.
pub const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// A request to stop, shared between whoever raises it and the executor.
/// Cloning shares it.
#[derive(Debug, Clone)]
pub struct Interrupt {
    raised: Arc<watch::Sender<Option<String>>>,
}

impl Default for Interrupt {
    fn default() -> Interrupt {
        Interrupt {
            raised: Arc::new(watch::Sender::new(None)),
        }
    }
}

impl Interrupt {
    /// A request not raised yet.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Asks the plan to stop; `why` (`SIGTERM`, `the console quit`) goes
    /// into the result record. The first reason is kept.
    pub fn raise(&self, why: &str) {
        self.raised.send_if_modified(|reason| {
            if reason.is_some() {
                return false;
            }
            *reason = Some(why.to_string());
            true
        });
    }

    /// Why the plan was asked to stop, once it was.
    pub fn reason(&self) -> Option<String> {
        self.raised.borrow().clone()
    }

    /// Resolves once the plan is asked to stop (at once if it was).
    pub async fn raised(&self) {
        let mut receiver = self.raised.subscribe();
        // The sender lives as long as `self`: waiting cannot fail.
        let _ = receiver.wait_for(Option::is_some).await;
    }
}

/// The name of one of [`SIGNALS`], for the result record.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_is_kept_and_waiters_wake() {
        let interrupt = Interrupt::new();
        assert_eq!(interrupt.reason(), None);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let shared = interrupt.clone();
        runtime.block_on(async {
            let waiter = tokio::spawn(async move { shared.raised().await });
            tokio::task::yield_now().await;
            interrupt.raise(signal_name(SIGTERM));
            interrupt.raise("the console quit");
            waiter.await.unwrap();
        });
        assert_eq!(interrupt.reason().as_deref(), Some("SIGTERM"));
    }
}
