//! The numbers of the library's rules, in one place (docs/rules.md, "Policy numbers"): the
//! defaults of a deployment, each overridable with a `POLICY_*` variable.

use chrono::Weekday;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Days a normal loan runs from checkout (R-DESK-1).
    pub loan_days: u32,
    /// A renewed loan is due this many days after the day of renewal (R-RENEW-6).
    pub renewal_days: u32,
    /// How many times a loan may be renewed (R-RENEW-1).
    pub max_renewals: u32,
    /// Active holds per patron, web and counter together (R-HOLD-2).
    pub max_active_holds: u32,
    /// Days a ready hold is kept after the day it became ready (R-HOLD-6).
    pub pickup_days: u32,
    /// The due-date reminder goes out this many days before the due date (R-MAIL-1).
    pub reminder_days_ahead: u32,
    /// Password length bounds (R-ACCT-4, R-ACCT-5).
    pub password_min_len: usize,
    pub password_max_len: usize,
    /// Failed logins that lock a card, and for how long (R-ACCT-7).
    pub lockout_failures: u32,
    pub lockout_minutes: i64,
    /// Only failures within this many minutes count towards a lock (they decay).
    pub lockout_window_minutes: i64,
    /// Failed logins from unknown devices allowed from one source address per window.
    pub source_failures: u32,
    pub source_window_minutes: i64,
    /// Failed logins from unknown devices allowed service-wide per window (the brake for a
    /// spray across many cards from many addresses), counted in `brake_shards` shards.
    pub brake_failures: u32,
    pub brake_window_minutes: i64,
    pub brake_shards: u8,
    /// The latest inter-library due date the counter may enter, in days from today.
    pub interlibrary_due_max_days: u32,
    /// How long a device cookie marks a device as known.
    pub device_cookie_days: i64,
    /// A temporary password expires if never used (R-ACCT-5).
    pub temporary_password_days: i64,
    /// Session lifetime (R-ACCT-8).
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// Default window of `GET /api/catalog/new-arrivals`.
    pub new_arrivals_days: u32,
    /// Lifetime of the signed e-book launch token (R-EBOOK-1).
    pub ebook_token_seconds: i64,
    /// Titles a hold cart holds at most (R-HOLD-10).
    pub hold_cart_max: u32,
    /// How far ahead a suspension or a not-needed-after date may lie (R-HOLD-11, R-HOLD-12).
    pub hold_date_horizon_days: u32,
    /// A verification link's lifetime, and how many a patron may be sent a day (R-MAIL-5).
    pub verification_link_hours: i64,
    pub verification_emails_per_day: u32,
    /// Weekly closed days (R-CAL-1): none by default.
    #[serde(default)]
    pub closed_weekdays: ClosedWeekdays,
    /// The longest run of consecutive closed days the calendar may have (R-CAL-1).
    pub max_closed_run_days: u32,
}

/// The days of the week the library is closed, from `POLICY_CLOSED_WEEKDAYS` (`mon,tue`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedWeekdays(u8);

impl ClosedWeekdays {
    pub const NONE: ClosedWeekdays = ClosedWeekdays(0);

    pub fn of(days: &[Weekday]) -> ClosedWeekdays {
        ClosedWeekdays(
            days.iter()
                .fold(0, |bits, d| bits | 1 << d.num_days_from_monday()),
        )
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// `mon,tue` (three-letter English names, any case, commas, spaces allowed); empty is
    /// none. A week with no open day is refused: the calendar would have no open day at all.
    pub fn parse(raw: &str) -> Option<ClosedWeekdays> {
        let mut days = Vec::new();
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let day = match name.to_ascii_lowercase().as_str() {
                "mon" => Weekday::Mon,
                "tue" => Weekday::Tue,
                "wed" => Weekday::Wed,
                "thu" => Weekday::Thu,
                "fri" => Weekday::Fri,
                "sat" => Weekday::Sat,
                "sun" => Weekday::Sun,
                _ => return None,
            };
            days.push(day);
        }
        let week = ClosedWeekdays::of(&days);
        (week.0 != 0x7f).then_some(week)
    }
}

impl std::str::FromStr for ClosedWeekdays {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        ClosedWeekdays::parse(s).ok_or(())
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            loan_days: 14,
            renewal_days: 14,
            max_renewals: 1,
            max_active_holds: 10,
            pickup_days: 7,
            reminder_days_ahead: 3,
            password_min_len: 6,
            password_max_len: 64,
            lockout_failures: 5,
            lockout_minutes: 15,
            lockout_window_minutes: 15,
            source_failures: 30,
            source_window_minutes: 15,
            brake_failures: 3000,
            brake_window_minutes: 5,
            brake_shards: 8,
            interlibrary_due_max_days: 365,
            device_cookie_days: 180,
            temporary_password_days: 30,
            session_idle_minutes: 30,
            session_max_hours: 12,
            new_arrivals_days: 14,
            ebook_token_seconds: 300,
            hold_cart_max: 20,
            hold_date_horizon_days: 365,
            verification_link_hours: 24,
            verification_emails_per_day: 5,
            closed_weekdays: ClosedWeekdays::NONE,
            max_closed_run_days: 60,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("policy setting {name}={value:?} is not valid (a number; for POLICY_CLOSED_WEEKDAYS, day names such as mon,tue that leave at least one open day)")]
pub struct PolicyError {
    pub name: String,
    pub value: String,
}

/// The `POLICY_<FIELD>` variables as the deployment sets them.
struct Overrides<F>(F);

impl<F: Fn(&str) -> Option<String>> Overrides<F> {
    /// Replaces `slot` with the variable `name` when it is set; a value that does not parse
    /// is refused, naming the variable.
    fn set<T: std::str::FromStr>(&self, name: &str, slot: &mut T) -> Result<(), PolicyError> {
        if let Some(v) = (self.0)(name) {
            *slot = v.trim().parse().map_err(|_| PolicyError {
                name: name.into(),
                value: v,
            })?;
        }
        Ok(())
    }
}

impl Policy {
    /// The defaults, with any `POLICY_<FIELD>` variable (e.g. `POLICY_LOAN_DAYS=21`) applied.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Policy, PolicyError> {
        let env = Overrides(lookup);
        let mut p = Policy::default();
        env.set("POLICY_LOAN_DAYS", &mut p.loan_days)?;
        env.set("POLICY_RENEWAL_DAYS", &mut p.renewal_days)?;
        env.set("POLICY_MAX_RENEWALS", &mut p.max_renewals)?;
        env.set("POLICY_MAX_ACTIVE_HOLDS", &mut p.max_active_holds)?;
        env.set("POLICY_PICKUP_DAYS", &mut p.pickup_days)?;
        env.set("POLICY_REMINDER_DAYS_AHEAD", &mut p.reminder_days_ahead)?;
        env.set("POLICY_PASSWORD_MIN_LEN", &mut p.password_min_len)?;
        env.set("POLICY_PASSWORD_MAX_LEN", &mut p.password_max_len)?;
        env.set("POLICY_LOCKOUT_FAILURES", &mut p.lockout_failures)?;
        env.set("POLICY_LOCKOUT_MINUTES", &mut p.lockout_minutes)?;
        env.set(
            "POLICY_LOCKOUT_WINDOW_MINUTES",
            &mut p.lockout_window_minutes,
        )?;
        env.set("POLICY_SOURCE_FAILURES", &mut p.source_failures)?;
        env.set("POLICY_SOURCE_WINDOW_MINUTES", &mut p.source_window_minutes)?;
        env.set("POLICY_BRAKE_FAILURES", &mut p.brake_failures)?;
        env.set("POLICY_BRAKE_WINDOW_MINUTES", &mut p.brake_window_minutes)?;
        env.set("POLICY_BRAKE_SHARDS", &mut p.brake_shards)?;
        env.set("POLICY_DEVICE_COOKIE_DAYS", &mut p.device_cookie_days)?;
        env.set(
            "POLICY_INTERLIBRARY_DUE_MAX_DAYS",
            &mut p.interlibrary_due_max_days,
        )?;
        if p.brake_shards == 0 {
            return Err(PolicyError {
                name: "POLICY_BRAKE_SHARDS".into(),
                value: "0".into(),
            });
        }
        env.set(
            "POLICY_TEMPORARY_PASSWORD_DAYS",
            &mut p.temporary_password_days,
        )?;
        env.set("POLICY_SESSION_IDLE_MINUTES", &mut p.session_idle_minutes)?;
        env.set("POLICY_SESSION_MAX_HOURS", &mut p.session_max_hours)?;
        env.set("POLICY_NEW_ARRIVALS_DAYS", &mut p.new_arrivals_days)?;
        env.set("POLICY_EBOOK_TOKEN_SECONDS", &mut p.ebook_token_seconds)?;
        env.set("POLICY_HOLD_CART_MAX", &mut p.hold_cart_max)?;
        env.set(
            "POLICY_VERIFICATION_LINK_HOURS",
            &mut p.verification_link_hours,
        )?;
        env.set(
            "POLICY_VERIFICATION_EMAILS_PER_DAY",
            &mut p.verification_emails_per_day,
        )?;
        env.set(
            "POLICY_HOLD_DATE_HORIZON_DAYS",
            &mut p.hold_date_horizon_days,
        )?;
        env.set("POLICY_CLOSED_WEEKDAYS", &mut p.closed_weekdays)?;
        env.set("POLICY_MAX_CLOSED_RUN_DAYS", &mut p.max_closed_run_days)?;
        if p.max_closed_run_days == 0 {
            return Err(PolicyError {
                name: "POLICY_MAX_CLOSED_RUN_DAYS".into(),
                value: "0".into(),
            });
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_guides_numbers() {
        let p = Policy::default();
        assert_eq!((p.loan_days, p.renewal_days, p.max_renewals), (14, 14, 1)); // R-RENEW-1, R-RENEW-6
        assert_eq!(p.max_active_holds, 10); // R-HOLD-2
        assert_eq!(p.pickup_days, 7); // R-HOLD-6
        assert_eq!(p.reminder_days_ahead, 3); // R-MAIL-1
        assert_eq!((p.password_min_len, p.password_max_len), (6, 64)); // R-ACCT-4/5
        assert_eq!((p.lockout_failures, p.lockout_minutes), (5, 15)); // R-ACCT-7
        assert_eq!(p.lockout_window_minutes, 15); // R-ACCT-7: failures decay
        assert_eq!(p.closed_weekdays, ClosedWeekdays::NONE); // R-CAL-1
        assert_eq!(p.max_closed_run_days, 60); // R-CAL-1
    }

    #[test]
    fn r_cal_1_weekly_closed_days_are_named_and_a_week_with_no_open_day_is_refused() {
        let p = Policy::from_lookup(|k| (k == "POLICY_CLOSED_WEEKDAYS").then(|| "Mon, tue".into()))
            .unwrap();
        assert!(p.closed_weekdays.contains(Weekday::Mon));
        assert!(p.closed_weekdays.contains(Weekday::Tue));
        assert!(!p.closed_weekdays.contains(Weekday::Wed));
        assert_eq!(ClosedWeekdays::parse(""), Some(ClosedWeekdays::NONE));
        assert_eq!(ClosedWeekdays::parse("monday"), None);
        assert_eq!(ClosedWeekdays::parse("mon,tue,wed,thu,fri,sat,sun"), None);
        let all =
            |k: &str| (k == "POLICY_CLOSED_WEEKDAYS").then(|| "sun,mon,tue,wed,thu,fri,sat".into());
        assert!(Policy::from_lookup(all).is_err());
    }

    #[test]
    fn overrides_apply_and_bad_numbers_are_refused() {
        let p = Policy::from_lookup(|k| (k == "POLICY_LOAN_DAYS").then(|| "21".into())).unwrap();
        assert_eq!(p.loan_days, 21);
        assert_eq!(p.max_active_holds, 10);
        let e = Policy::from_lookup(|k| (k == "POLICY_MAX_ACTIVE_HOLDS").then(|| "ten".into()));
        assert!(e.is_err());
    }
}
