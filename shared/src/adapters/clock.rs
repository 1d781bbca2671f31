//! Clocks: the system's, the only place that reads the time, and a pinned one.

use crate::ports::clock::Clock;
use chrono::{DateTime, Utc};
use std::sync::Mutex;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock pinned to an instant, moved only on purpose (tests, demos: `MYPAGE_NOW`).
#[derive(Debug)]
pub struct PinnedClock(Mutex<DateTime<Utc>>);

impl PinnedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        PinnedClock(Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

impl Clock for PinnedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_japan_date() {
        // 2026-11-30 15:30 UTC is already 2026-12-01 00:30 in Tokyo.
        let c = PinnedClock::new("2026-11-30T15:30:00Z".parse().unwrap());
        assert_eq!(
            c.today(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        c.set("2026-11-30T14:59:59Z".parse().unwrap());
        assert_eq!(
            c.today(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
    }
}
