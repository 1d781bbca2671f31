//! Dates. Every rule works on the calendar date in Japan (docs/rules.md, "Dates").

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Japan Standard Time, UTC+9, no daylight saving.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// The Japan-time calendar date of an instant.
pub fn japan_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&jst()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_japan_date_turns_at_midnight_tokyo_time() {
        // 2026-11-30 15:30 UTC is already 2026-12-01 00:30 in Tokyo.
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            japan_date(at("2026-11-30T15:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(
            japan_date(at("2026-11-30T14:59:59Z")),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
    }
}
