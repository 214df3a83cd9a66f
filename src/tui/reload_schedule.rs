//! When to read a growing bundle again while live collection fills it:
//! loads spaced out so that reading the bundle never takes over the machine.

use std::time::{Duration, Instant};

/// Loads of the growing bundle start at least this far apart.
pub const RELOAD_INTERVAL: Duration = Duration::from_millis(500);

/// When to read the bundle again: one load at a time, one more after it when
/// responses were stored after it began reading, and loads starting at least
/// [`RELOAD_INTERVAL`] apart. A load of a large bundle takes long (the whole
/// bundle is read and correlated again): the next one waits as long again,
/// so that reloading keeps at most half a core busy.
#[derive(Debug, Clone)]
pub struct ReloadSchedule {
    /// A load is waiting to start or running.
    in_flight: bool,
    /// Responses were stored after the load in flight began reading.
    again: bool,
    /// When the latest load started (or will start).
    last_start: Instant,
    /// The next load starts no earlier than this (set when a load ends).
    not_before: Instant,
}

impl ReloadSchedule {
    /// A schedule whose first load starts at `now`.
    pub fn first_load(now: Instant) -> ReloadSchedule {
        ReloadSchedule {
            in_flight: true,
            again: false,
            last_start: now,
            not_before: now + RELOAD_INTERVAL,
        }
    }

    /// Collection has stored more at `now`. Returns the delay after which a
    /// load, now scheduled, is to start; None when the load in flight will
    /// see it or another will follow it.
    pub fn more_stored(&mut self, now: Instant) -> Option<Duration> {
        if self.in_flight {
            // A load that has not started reading yet will see it.
            self.again |= now >= self.last_start;
            return None;
        }
        Some(self.schedule(now))
    }

    /// A load ended at `now`. Returns the delay of the next load, if one is due.
    pub fn loaded(&mut self, now: Instant) -> Option<Duration> {
        self.in_flight = false;
        let took = now.saturating_duration_since(self.last_start);
        self.not_before = (self.last_start + RELOAD_INTERVAL).max(now + took);
        std::mem::take(&mut self.again).then(|| self.schedule(now))
    }

    fn schedule(&mut self, now: Instant) -> Duration {
        let delay = self.not_before.saturating_duration_since(now);
        self.in_flight = true;
        self.last_start = now + delay;
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reloads_run_one_at_a_time_and_at_most_every_interval() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut schedule = ReloadSchedule::first_load(at(0));
        assert_eq!(schedule.more_stored(at(100)), None, "one load at a time");
        assert_eq!(schedule.more_stored(at(150)), None);
        // After the first load, exactly one more, not before the interval.
        assert_eq!(schedule.loaded(at(200)), Some(Duration::from_millis(300)));
        assert_eq!(schedule.loaded(at(900)), None, "nothing new meanwhile");
        // Idle: a new response starts a load at once when the interval is past.
        assert_eq!(schedule.more_stored(at(2000)), Some(Duration::ZERO));
        assert_eq!(schedule.loaded(at(2100)), None);
    }

    #[test]
    fn after_a_long_load_the_next_waits_as_long() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut schedule = ReloadSchedule::first_load(at(0));
        assert_eq!(schedule.more_stored(at(100)), None);
        assert_eq!(schedule.loaded(at(2000)), Some(Duration::from_millis(2000)));
    }

    #[test]
    fn a_response_stored_before_a_delayed_load_starts_needs_no_extra_load() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut schedule = ReloadSchedule::first_load(at(0));
        assert_eq!(schedule.loaded(at(10)), None);
        assert_eq!(
            schedule.more_stored(at(100)),
            Some(Duration::from_millis(400))
        );
        assert_eq!(schedule.more_stored(at(300)), None, "the load will see it");
        assert_eq!(schedule.loaded(at(700)), None);
    }
}
