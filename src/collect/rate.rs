//! A token bucket: CloudTrail's LookupEvents allows two requests per second
//! per account and region, so every lookup in a region waits for a token.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Hands out at most `rate` tokens per second, with bursts up to `burst`.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    /// A full bucket refilled at `rate` tokens a second, holding at most `burst`.
    pub fn new(rate: f64, burst: f64) -> TokenBucket {
        TokenBucket {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Waits until a token is available and takes it.
    pub async fn take(&self) {
        let mut state = self.state.lock().await;
        loop {
            let (tokens, since) = *state;
            let now = Instant::now();
            let refilled =
                (tokens + now.duration_since(since).as_secs_f64() * self.rate).min(self.burst);
            if refilled >= 1.0 {
                *state = (refilled - 1.0, now);
                return;
            }
            *state = (refilled, now);
            let wait = (1.0 - refilled) / self.rate;
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn keeps_to_the_rate_after_the_burst() {
        let bucket = TokenBucket::new(2.0, 2.0);
        let start = Instant::now();
        for _ in 0..10 {
            bucket.take().await;
        }
        // Two from the full bucket, then eight at two a second: four seconds.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(3990), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(4100), "{elapsed:?}");
    }
}
