//! R-ACCT-7: repeated failed logins lock the card for a while.

use crate::policy::Policy;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginState {
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Counted; the card is still open.
    Counted,
    /// This failure (or an earlier one) locked the card until then.
    Locked(DateTime<Utc>),
}

pub fn locked_until(state: &LoginState, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    state.locked_until.filter(|until| *until > now)
}

/// The state after one more failed attempt at `now`. The failure that reaches the limit
/// locks the card and starts a fresh count for after the lock.
pub fn record_failure(
    state: LoginState,
    now: DateTime<Utc>,
    policy: &Policy,
) -> (LoginState, FailureOutcome) {
    if let Some(until) = locked_until(&state, now) {
        return (state, FailureOutcome::Locked(until));
    }
    let failed = state.failed_logins + 1;
    if failed >= policy.lockout_failures {
        let until = now + Duration::minutes(policy.lockout_minutes);
        (
            LoginState {
                failed_logins: 0,
                locked_until: Some(until),
            },
            FailureOutcome::Locked(until),
        )
    } else {
        (
            LoginState {
                failed_logins: failed,
                locked_until: None,
            },
            FailureOutcome::Counted,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn r_acct_7_fifth_failure_locks_for_fifteen_minutes() {
        let p = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let mut s = LoginState {
            failed_logins: 0,
            locked_until: None,
        };
        for i in 1..5 {
            let (next, out) = record_failure(s, now, &p);
            assert_eq!(out, FailureOutcome::Counted, "failure {i}");
            assert_eq!(next.failed_logins, i);
            s = next;
        }
        let (s, out) = record_failure(s, now, &p);
        let until = t("2026-12-01T01:15:00Z");
        assert_eq!(out, FailureOutcome::Locked(until));
        assert_eq!(locked_until(&s, now), Some(until));
        // While locked, more failures change nothing.
        let (s2, out) = record_failure(s, t("2026-12-01T01:10:00Z"), &p);
        assert_eq!((s2, out), (s, FailureOutcome::Locked(until)));
        // After the lock, counting starts again.
        assert_eq!(locked_until(&s, until), None);
        let (s3, out) = record_failure(s, t("2026-12-01T01:16:00Z"), &p);
        assert_eq!((s3.failed_logins, out), (1, FailureOutcome::Counted));
    }

    #[test]
    fn r_acct_7_follows_the_policy() {
        let p = Policy {
            lockout_failures: 2,
            lockout_minutes: 1,
            ..Policy::default()
        };
        let now = t("2026-12-01T01:00:00Z");
        let (s, _) = record_failure(
            LoginState {
                failed_logins: 0,
                locked_until: None,
            },
            now,
            &p,
        );
        let (_, out) = record_failure(s, now, &p);
        assert_eq!(out, FailureOutcome::Locked(t("2026-12-01T01:01:00Z")));
    }
}
