//! Values the domain's unit tests write as text: dates, instants and card numbers that must
//! parse, so each test reads as the rule it checks.

use chrono::{DateTime, NaiveDate, Utc};

use super::types::CardNumber;

/// The card of the patron most tests are about.
pub(crate) const CARD: &str = "10000001";

/// A calendar date, `2026-12-01`.
pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// An instant, `2026-12-01T01:00:00Z`.
pub(crate) fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub(crate) fn card(n: &str) -> CardNumber {
    CardNumber::parse(n).unwrap()
}
