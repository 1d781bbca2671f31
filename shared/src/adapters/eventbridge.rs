//! The EventBridge Scheduler adapter: one `at(...)` schedule per ready hold, in Asia/Tokyo,
//! that invokes `hold-expiry` with that hold and deletes itself afterwards.

use crate::config::SchedulerConfig;
use crate::domain::types::HoldId;
use crate::ports::scheduler::{
    schedule_name, ExpiryScheduler, HoldExpiry, HoldExpiryInput, SchedulerError,
};
use async_trait::async_trait;
use aws_sdk_scheduler::error::{DisplayErrorContext, SdkError};
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, Target,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
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

/// A schedule call's outcome: done when it succeeded, or when `already` tells from its
/// service error that the schedule is as wanted already (an earlier attempt was applied).
fn done_or_already<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    already: impl FnOnce(&E) -> bool,
) -> Result<(), SchedulerError>
where
    E: std::error::Error + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(already) => Ok(()),
        Err(e) => Err(err(DisplayErrorContext(e))),
    }
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
        // A conflict: already scheduled by an earlier attempt, the same hold, the same deadline.
        done_or_already(result, CreateScheduleError::is_conflict_exception)
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
        // Not found: gone already (it ran and deleted itself, or an earlier cancel did).
        done_or_already(result, DeleteScheduleError::is_resource_not_found_exception)
    }
}
