//! The numbers of the library's rules, in one place (docs/rules.md, "Policy numbers"): the
//! defaults of a deployment, each overridable with a `POLICY_*` variable.

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
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("policy setting {name}={value:?} is not a valid number")]
pub struct PolicyError {
    pub name: String,
    pub value: String,
}

impl Policy {
    /// The defaults, with any `POLICY_<FIELD>` variable (e.g. `POLICY_LOAN_DAYS=21`) applied.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Policy, PolicyError> {
        let mut p = Policy::default();
        fn set<T: std::str::FromStr>(
            lookup: &impl Fn(&str) -> Option<String>,
            name: &str,
            slot: &mut T,
        ) -> Result<(), PolicyError> {
            if let Some(v) = lookup(name) {
                *slot = v.trim().parse().map_err(|_| PolicyError {
                    name: name.into(),
                    value: v,
                })?;
            }
            Ok(())
        }
        set(&lookup, "POLICY_LOAN_DAYS", &mut p.loan_days)?;
        set(&lookup, "POLICY_RENEWAL_DAYS", &mut p.renewal_days)?;
        set(&lookup, "POLICY_MAX_RENEWALS", &mut p.max_renewals)?;
        set(&lookup, "POLICY_MAX_ACTIVE_HOLDS", &mut p.max_active_holds)?;
        set(&lookup, "POLICY_PICKUP_DAYS", &mut p.pickup_days)?;
        set(
            &lookup,
            "POLICY_REMINDER_DAYS_AHEAD",
            &mut p.reminder_days_ahead,
        )?;
        set(&lookup, "POLICY_PASSWORD_MIN_LEN", &mut p.password_min_len)?;
        set(&lookup, "POLICY_PASSWORD_MAX_LEN", &mut p.password_max_len)?;
        set(&lookup, "POLICY_LOCKOUT_FAILURES", &mut p.lockout_failures)?;
        set(&lookup, "POLICY_LOCKOUT_MINUTES", &mut p.lockout_minutes)?;
        set(
            &lookup,
            "POLICY_LOCKOUT_WINDOW_MINUTES",
            &mut p.lockout_window_minutes,
        )?;
        set(&lookup, "POLICY_SOURCE_FAILURES", &mut p.source_failures)?;
        set(
            &lookup,
            "POLICY_SOURCE_WINDOW_MINUTES",
            &mut p.source_window_minutes,
        )?;
        set(&lookup, "POLICY_BRAKE_FAILURES", &mut p.brake_failures)?;
        set(
            &lookup,
            "POLICY_BRAKE_WINDOW_MINUTES",
            &mut p.brake_window_minutes,
        )?;
        set(&lookup, "POLICY_BRAKE_SHARDS", &mut p.brake_shards)?;
        set(
            &lookup,
            "POLICY_DEVICE_COOKIE_DAYS",
            &mut p.device_cookie_days,
        )?;
        set(
            &lookup,
            "POLICY_INTERLIBRARY_DUE_MAX_DAYS",
            &mut p.interlibrary_due_max_days,
        )?;
        if p.brake_shards == 0 {
            return Err(PolicyError {
                name: "POLICY_BRAKE_SHARDS".into(),
                value: "0".into(),
            });
        }
        set(
            &lookup,
            "POLICY_TEMPORARY_PASSWORD_DAYS",
            &mut p.temporary_password_days,
        )?;
        set(
            &lookup,
            "POLICY_SESSION_IDLE_MINUTES",
            &mut p.session_idle_minutes,
        )?;
        set(
            &lookup,
            "POLICY_SESSION_MAX_HOURS",
            &mut p.session_max_hours,
        )?;
        set(
            &lookup,
            "POLICY_NEW_ARRIVALS_DAYS",
            &mut p.new_arrivals_days,
        )?;
        set(
            &lookup,
            "POLICY_EBOOK_TOKEN_SECONDS",
            &mut p.ebook_token_seconds,
        )?;
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
