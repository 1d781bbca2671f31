//! One-time schedules that lapse a ready hold just after its pickup deadline (R-HOLD-6):
//! EventBridge Scheduler in AWS, a list the dev server runs locally.

use crate::domain::types::{BibId, CardNumber, HoldId};
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The hold one `hold-expiry` invocation lapses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldExpiry {
    pub card_number: CardNumber,
    pub bib_id: BibId,
    pub hold_id: HoldId,
}

/// What `hold-expiry` is invoked with: one hold (its one-time schedule), or the daily sweep
/// of every ready hold past its deadline (`{"sweep": {}}` in template.yaml).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum HoldExpiryInput {
    Hold(HoldExpiry),
    Sweep {},
}

#[derive(Debug, thiserror::Error)]
#[error("scheduler: {0}")]
pub struct SchedulerError(pub String);

#[async_trait]
pub trait ExpiryScheduler: Send + Sync {
    /// Arrange for `expiry` to run at `at` (Japan local time). Scheduling the same hold
    /// twice is one schedule.
    async fn schedule(&self, expiry: &HoldExpiry, at: NaiveDateTime) -> Result<(), SchedulerError>;
    /// The hold was collected: its schedule is no longer needed.
    async fn cancel(&self, hold_id: &HoldId) -> Result<(), SchedulerError>;
}

/// When a hold's expiry runs: five minutes into the day after its pickup deadline.
pub fn expiry_time(pickup_deadline: NaiveDate) -> NaiveDateTime {
    (pickup_deadline + chrono::Days::new(1))
        .and_time(NaiveTime::from_hms_opt(0, 5, 0).expect("valid time"))
}

/// One schedule per hold, named after it.
pub fn schedule_name(hold_id: &HoldId) -> String {
    format!("hold-expiry-{hold_id}")
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
    fn the_input_names_one_hold_or_the_sweep_and_nothing_else_parses() {
        let one: HoldExpiryInput = serde_json::from_str(
            r#"{"hold": {"card_number": "10000001", "bib_id": "B-1", "hold_id": "H-1"}}"#,
        )
        .unwrap();
        assert!(matches!(one, HoldExpiryInput::Hold(_)));
        assert_eq!(
            serde_json::from_str::<HoldExpiryInput>(r#"{"sweep": {}}"#).unwrap(),
            HoldExpiryInput::Sweep {}
        );
        for bad in [
            r#"{}"#,
            r#"{"card_number": "10000001"}"#,
            r#"{"sweep": {"x": 1}}"#,
            r#"[]"#,
        ] {
            assert!(
                serde_json::from_str::<HoldExpiryInput>(bad).is_err(),
                "{bad}"
            );
        }
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
