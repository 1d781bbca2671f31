//! One-time schedules that lapse a ready hold just after its pickup deadline (R-HOLD-6).
//! In AWS: EventBridge Scheduler `at(...)` schedules in Asia/Tokyo that invoke `hold-expiry`
//! and delete themselves. Locally: a list the dev server shows and a sweep that runs them.

use crate::config::SchedulerConfig;
use crate::types::{BibId, CardNumber, HoldId};
use async_trait::async_trait;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, Target,
};
use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The input of one `hold-expiry` invocation for one hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldExpiry {
    pub card_number: CardNumber,
    pub bib_id: BibId,
    pub hold_id: HoldId,
}

#[derive(Debug, thiserror::Error)]
#[error("scheduler: {0}")]
pub struct SchedulerError(pub String);

#[async_trait]
pub trait ExpiryScheduler: Send + Sync {
    /// Arrange for `expiry` to run at `at` (Japan local time).
    async fn schedule(&self, expiry: &HoldExpiry, at: NaiveDateTime) -> Result<(), SchedulerError>;
    /// The hold was picked up or cancelled: its schedule is no longer needed.
    async fn cancel(&self, hold_id: &HoldId) -> Result<(), SchedulerError>;
}

/// When a hold's expiry runs: five minutes into the day after its pickup deadline.
pub fn expiry_time(pickup_deadline: chrono::NaiveDate) -> NaiveDateTime {
    (pickup_deadline + chrono::Days::new(1))
        .and_time(NaiveTime::from_hms_opt(0, 5, 0).expect("valid time"))
}

pub fn schedule_name(hold_id: &HoldId) -> String {
    format!("hold-expiry-{hold_id}")
}

pub struct EventBridgeScheduler {
    client: aws_sdk_scheduler::Client,
    config: SchedulerConfig,
}

impl EventBridgeScheduler {
    pub fn new(client: aws_sdk_scheduler::Client, config: SchedulerConfig) -> Self {
        EventBridgeScheduler { client, config }
    }
}

fn err(e: impl std::fmt::Display) -> SchedulerError {
    SchedulerError(e.to_string())
}

#[async_trait]
impl ExpiryScheduler for EventBridgeScheduler {
    async fn schedule(&self, expiry: &HoldExpiry, at: NaiveDateTime) -> Result<(), SchedulerError> {
        use aws_sdk_scheduler::operation::create_schedule::CreateScheduleError;
        let input = serde_json::to_string(expiry).map_err(err)?;
        let result = self
            .client
            .create_schedule()
            .name(schedule_name(&expiry.hold_id))
            .group_name(&self.config.group)
            .schedule_expression(format!("at({})", at.format("%Y-%m-%dT%H:%M:%S")))
            .schedule_expression_timezone("Asia/Tokyo")
            .flexible_time_window(
                FlexibleTimeWindow::builder()
                    .mode(FlexibleTimeWindowMode::Off)
                    .build()
                    .map_err(err)?,
            )
            .target(
                Target::builder()
                    .arn(&self.config.target_arn)
                    .role_arn(&self.config.role_arn)
                    .input(input)
                    .retry_policy(
                        RetryPolicy::builder()
                            .maximum_retry_attempts(5)
                            .maximum_event_age_in_seconds(86_400)
                            .build(),
                    )
                    .set_dead_letter_config(
                        self.config
                            .dead_letter_arn
                            .as_ref()
                            .map(|arn| DeadLetterConfig::builder().arn(arn).build()),
                    )
                    .build()
                    .map_err(err)?,
            )
            .action_after_completion(ActionAfterCompletion::Delete)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Already scheduled by an earlier attempt: the same hold, the same deadline.
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(CreateScheduleError::ConflictException(_))
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(err(aws_sdk_scheduler::error::DisplayErrorContext(e))),
        }
    }

    async fn cancel(&self, hold_id: &HoldId) -> Result<(), SchedulerError> {
        use aws_sdk_scheduler::operation::delete_schedule::DeleteScheduleError;
        let result = self
            .client
            .delete_schedule()
            .name(schedule_name(hold_id))
            .group_name(&self.config.group)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(DeleteScheduleError::ResourceNotFoundException(_))
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(err(aws_sdk_scheduler::error::DisplayErrorContext(e))),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_hold_6_expiry_runs_just_after_the_pickup_deadline() {
        let at = expiry_time("2026-12-08".parse().unwrap());
        assert_eq!(at.to_string(), "2026-12-09 00:05:00");
    }

    #[test]
    fn schedule_names_fit_eventbridge_limits() {
        let n = schedule_name(&HoldId::generate());
        assert!(
            n.len() <= 64
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        );
    }
}
