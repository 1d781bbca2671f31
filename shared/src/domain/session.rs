//! Sessions (R-ACCT-3, R-ACCT-8, R-ACCT-9): started by a login, ended by logout, idleness,
//! age, a password change, or by the patron from the session list.

use super::patron::Patron;
use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::types::{CardNumber, SessionId};
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
    /// What the session list names it by (R-ACCT-9). Sessions opened before the list existed
    /// have none until the list first shows them.
    #[serde(default)]
    pub session_id: Option<SessionId>,
    /// The browser's User-Agent at login, cut to `USER_AGENT_MAX_CHARS`.
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub version: u64,
}

/// How much of a User-Agent header a session keeps.
pub const USER_AGENT_MAX_CHARS: usize = 200;

/// The User-Agent as given, cut to `USER_AGENT_MAX_CHARS` characters; none if empty.
pub fn user_agent(raw: Option<&str>) -> Option<String> {
    let ua: String = raw?.chars().take(USER_AGENT_MAX_CHARS).collect();
    (!ua.trim().is_empty()).then_some(ua)
}

/// What a new session is named by: the hash of its token, and its own id for the list.
pub struct NewSession {
    pub token_hash: String,
    pub session_id: SessionId,
    pub user_agent: Option<String>,
}

/// How often an active session's last-seen time is written (idle expiry, R-ACCT-8): often
/// enough for the idle limit, rarely enough that most requests write nothing.
const TOUCH_EVERY_MINUTES: i64 = 5;

/// A successful login: a new session for the verified credential. The patron record is
/// checked, so the session belongs to the credential that was verified.
pub fn open_session(
    patron: &Patron,
    new: NewSession,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Outcome<Session> {
    let session = Session {
        card_number: patron.card_number.clone(),
        token_hash: new.token_hash,
        session_id: Some(new.session_id),
        user_agent: new.user_agent,
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
    if !is_alive(session, patron, now, policy) {
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

/// Is `session` still alive at `now` (R-ACCT-8)?
pub fn is_alive(session: &Session, patron: &Patron, now: DateTime<Utc>, policy: &Policy) -> bool {
    let idle_limit = session.last_seen_at + Duration::minutes(policy.session_idle_minutes);
    session.card_number == patron.card_number
        && session.credential_version == patron.credential_version
        && now < session.expires_at
        && now < idle_limit
}

/// Logging out, or ending a session from the list (R-ACCT-9): the session goes.
pub fn end_session(session: &Session) -> Changes {
    Changes::none().delete(session.clone())
}

/// R-ACCT-9: the patron's live sessions as the list shows them, oldest first. A session
/// opened before sessions had ids gets one from `fresh_ids` now (the changes write it).
pub fn list_sessions(
    sessions: &[Session],
    patron: &Patron,
    now: DateTime<Utc>,
    policy: &Policy,
    mut fresh_ids: impl FnMut() -> SessionId,
) -> Outcome<Vec<Session>> {
    let mut changes = Changes::none();
    let mut live: Vec<Session> = sessions
        .iter()
        .filter(|s| is_alive(s, patron, now, policy))
        .map(|s| {
            if s.session_id.is_some() {
                return s.clone();
            }
            let mut named = s.clone();
            named.session_id = Some(fresh_ids());
            changes = std::mem::take(&mut changes).update(named.clone());
            named
        })
        .collect();
    live.sort_by(|a, b| (a.created_at, &a.session_id).cmp(&(b.created_at, &b.session_id)));
    Outcome::new(live, changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::t;

    fn new(hash: &str) -> NewSession {
        NewSession {
            token_hash: hash.into(),
            session_id: SessionId::generate(),
            user_agent: None,
        }
    }

    fn patron() -> Patron {
        Patron {
            credential_version: 1,
            ..crate::domain::patron::sample()
        }
    }

    #[test]
    fn r_acct_8_idle_and_maximum_age() {
        let policy = Policy::default();
        let start = t("2026-12-01T01:00:00Z");
        let s = open_session(&patron(), new("h"), start, &policy).value;
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
        let s = open_session(&patron(), new("h"), now, &policy).value;
        let mut changed = patron();
        changed.credential_version += 1;
        assert!(resume_session(&s, &changed, now, &policy).is_err());
    }

    #[test]
    fn last_seen_is_written_only_every_few_minutes() {
        let policy = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let s = open_session(&patron(), new("h"), now, &policy).value;
        let soon = resume_session(&s, &patron(), now + Duration::minutes(4), &policy).unwrap();
        assert!(soon.changes.is_empty());
        let later = resume_session(&s, &patron(), now + Duration::minutes(5), &policy).unwrap();
        assert_eq!(later.changes.len(), 1);
        assert_eq!(later.value.last_seen_at, now + Duration::minutes(5));
    }

    #[test]
    fn r_acct_9_the_list_shows_live_sessions_and_names_old_ones() {
        let policy = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let a = open_session(&patron(), new("a"), now, &policy).value;
        let mut old = open_session(&patron(), new("b"), now + Duration::minutes(1), &policy).value;
        old.session_id = None;
        let mut idle = open_session(&patron(), new("c"), now - Duration::hours(2), &policy).value;
        idle.last_seen_at = now - Duration::hours(2);
        let fresh = SessionId::generate();
        let given = fresh.clone();
        let o = list_sessions(
            &[old, idle, a.clone()],
            &patron(),
            now + Duration::minutes(2),
            &policy,
            || given.clone(),
        );
        assert_eq!(o.value.len(), 2, "the idle session is not listed");
        assert_eq!(o.value[0].session_id, a.session_id);
        assert_eq!(o.value[1].session_id, Some(fresh));
        assert_eq!(o.changes.len(), 1, "only the unnamed session is written");
        // Stored before sessions had ids or user agents: still readable.
        let v = serde_json::json!({"card_number": "10000001", "token_hash": "h", "temporary": false,
            "credential_version": 1, "created_at": now, "last_seen_at": now, "expires_at": now});
        let s: Session = serde_json::from_value(v).unwrap();
        assert_eq!((s.session_id, s.user_agent), (None, None));
    }

    #[test]
    fn r_acct_9_the_user_agent_is_kept_as_given_but_cut() {
        assert_eq!(
            user_agent(Some("Mozilla/5.0 (X11)")),
            Some("Mozilla/5.0 (X11)".into())
        );
        assert_eq!(
            user_agent(Some(&"あ".repeat(500))).unwrap().chars().count(),
            USER_AGENT_MAX_CHARS
        );
        assert_eq!(user_agent(Some("  ")), None);
        assert_eq!(user_agent(None), None);
    }
}
