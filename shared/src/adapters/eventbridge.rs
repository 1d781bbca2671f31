//! The EventBridge Scheduler adapter: one `at(...)` schedule per ready hold, in Asia/Tokyo,
//! that invokes `hold-expiry` with that hold and deletes itself afterwards.

use crate::config::SchedulerConfig;
use crate::domain::types::HoldId;
use crate::ports::scheduler::{
    schedule_name, ExpiryScheduler, HoldExpiry, HoldExpiryInput, SchedulerError,
};
use async_trait::async_trait;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, Target,
};
use chrono::NaiveDateTime;

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
        let input = serde_json::to_string(&HoldExpiryInput::Hold(expiry.clone())).map_err(err)?;
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
