//! The local stand-in for EventBridge Scheduler: a list of schedules that the dev server
//! shows at `/dev/schedules` and runs when they fall due.

use crate::domain::types::HoldId;
use crate::ports::scheduler::{schedule_name, ExpiryScheduler, HoldExpiry, SchedulerError};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use serde::Serialize;
use std::sync::Mutex;

#[derive(Debug, Clone, Serialize)]
pub struct LocalSchedule {
    pub name: String,
    pub at: NaiveDateTime,
    pub input: HoldExpiry,
}

/// Records schedules; the dev server lists them and runs the due ones with its sweep.
#[derive(Default)]
pub struct LocalScheduler {
    schedules: Mutex<Vec<LocalSchedule>>,
}

impl LocalScheduler {
    pub fn schedules(&self) -> Vec<LocalSchedule> {
        self.schedules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
    /// Removes and returns the schedules due at `now` (Japan local time).
    pub fn take_due(&self, now: NaiveDateTime) -> Vec<LocalSchedule> {
        let mut all = self.schedules.lock().unwrap_or_else(|p| p.into_inner());
        let (due, later): (Vec<_>, Vec<_>) = all.drain(..).partition(|s| s.at <= now);
        *all = later;
        due
    }
}

#[async_trait]
impl ExpiryScheduler for LocalScheduler {
    async fn schedule(&self, expiry: &HoldExpiry, at: NaiveDateTime) -> Result<(), SchedulerError> {
        let name = schedule_name(&expiry.hold_id);
        let mut all = self.schedules.lock().unwrap_or_else(|p| p.into_inner());
        if !all.iter().any(|s| s.name == name) {
            all.push(LocalSchedule {
                name,
                at,
                input: expiry.clone(),
            });
        }
        Ok(())
    }
    async fn cancel(&self, hold_id: &HoldId) -> Result<(), SchedulerError> {
        let name = schedule_name(hold_id);
        self.schedules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|s| s.name != name);
        Ok(())
    }
}

/// The scheduler of a function that makes no schedules (template.yaml gives it no schedule
/// settings, nor IAM rights): a request is refused.
pub struct NoScheduler;

#[async_trait]
impl ExpiryScheduler for NoScheduler {
    async fn schedule(&self, _: &HoldExpiry, _: NaiveDateTime) -> Result<(), SchedulerError> {
        Err(SchedulerError(
            "this function makes no schedules (SCHEDULE_GROUP is not set)".into(),
        ))
    }
    async fn cancel(&self, _: &HoldId) -> Result<(), SchedulerError> {
        Err(SchedulerError(
            "this function makes no schedules (SCHEDULE_GROUP is not set)".into(),
        ))
    }
}
