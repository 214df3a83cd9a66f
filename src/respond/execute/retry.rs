//! How often, and after what pause, a call that failed transiently is
//! attempted again.

use std::time::Duration;

/// How often, and after what pause, a call that failed transiently is
/// attempted again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The pause before the second attempt; it doubles after each.
    pub first_pause: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 3,
            first_pause: Duration::from_secs(1),
        }
    }
}

impl Retry {
    /// The pause after attempt `attempt` (1-based) failed.
    pub(super) fn pause(&self, attempt: u32) -> Duration {
        self.first_pause
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
    }
}
