//! Sessions (R-ACCT-3, R-ACCT-8): started by a login, ended by logout, idleness, age or a
//! password change.

use super::patron::Patron;
use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::types::CardNumber;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub card_number: CardNumber,
    /// SHA-256 of the token's secret part, hex. The token itself is never stored.
    pub token_hash: String,
    /// Made with a temporary password: reaches only the password change (R-ACCT-3).
    pub temporary: bool,
    pub credential_version: u32,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// How often an active session's last-seen time is written (idle expiry, R-ACCT-8): often
/// enough for the idle limit, rarely enough that most requests write nothing.
const TOUCH_EVERY_MINUTES: i64 = 5;

/// A successful login: a new session for the verified credential. The patron record is
/// checked, so the session belongs to the credential that was verified.
pub fn open_session(
    patron: &Patron,
    token_hash: String,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Outcome<Session> {
    let session = Session {
        card_number: patron.card_number.clone(),
        token_hash,
        temporary: patron.has_temporary_password(),
        credential_version: patron.credential_version,
        created_at: now,
        last_seen_at: now,
        expires_at: now + Duration::hours(policy.session_max_hours),
        version: 0,
    };
    let changes = Changes::none()
        .create(session.clone())
        .check(patron.clone());
    Outcome::new(session, changes)
}

/// The session is over: ended by a password change, too old, or idle too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the session has ended")]
pub struct SessionEnded;

/// Is `session` still alive at `now`? If so, the changes that keep it so: a new last-seen
/// time, written only every few minutes.
pub fn resume_session(
    session: &Session,
    patron: &Patron,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Outcome<Session>, SessionEnded> {
    let idle_limit = session.last_seen_at + Duration::minutes(policy.session_idle_minutes);
    if session.credential_version != patron.credential_version
        || now >= session.expires_at
        || now >= idle_limit
    {
        return Err(SessionEnded);
    }
    if now - session.last_seen_at >= Duration::minutes(TOUCH_EVERY_MINUTES) {
        let mut touched = session.clone();
        touched.last_seen_at = now;
        Ok(Outcome::new(
            touched.clone(),
            Changes::none().update(touched),
        ))
    } else {
        Ok(Outcome::new(session.clone(), Changes::none()))
    }
}

/// Logging out: the session goes.
pub fn end_session(session: &Session) -> Changes {
    Changes::none().delete(session.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn patron() -> Patron {
        let mut p = Patron::register(
            CardNumber::parse("10000001").unwrap(),
            "n".into(),
            false,
            t("2026-01-01T00:00:00Z"),
        );
        p.credential_version = 1;
        p
    }

    #[test]
    fn r_acct_8_idle_and_maximum_age() {
        let policy = Policy::default();
        let start = t("2026-12-01T01:00:00Z");
        let s = open_session(&patron(), "h".into(), start, &policy).value;
        assert!(resume_session(&s, &patron(), start + Duration::minutes(29), &policy).is_ok());
        assert_eq!(
            resume_session(&s, &patron(), start + Duration::minutes(30), &policy).err(),
            Some(SessionEnded)
        );
        // Kept alive every 20 minutes, it still ends 12 hours after the login.
        let mut s = s;
        let mut now = start;
        for _ in 0..35 {
            now += Duration::minutes(20);
            s = resume_session(&s, &patron(), now, &policy).unwrap().value;
        }
        now += Duration::minutes(20);
        assert!(resume_session(&s, &patron(), now, &policy).is_err());
    }

    #[test]
    fn r_acct_8_a_password_change_ends_older_sessions() {
        let policy = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let s = open_session(&patron(), "h".into(), now, &policy).value;
        let mut changed = patron();
        changed.credential_version += 1;
        assert!(resume_session(&s, &changed, now, &policy).is_err());
    }

    #[test]
    fn last_seen_is_written_only_every_few_minutes() {
        let policy = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let s = open_session(&patron(), "h".into(), now, &policy).value;
        let soon = resume_session(&s, &patron(), now + Duration::minutes(4), &policy).unwrap();
        assert!(soon.changes.is_empty());
        let later = resume_session(&s, &patron(), now + Duration::minutes(5), &policy).unwrap();
        assert_eq!(later.changes.len(), 1);
        assert_eq!(later.value.last_seen_at, now + Duration::minutes(5));
    }
}
