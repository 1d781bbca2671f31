//! Logging in and out, authenticating a request, changing the password (R-ACCT-3, -5, -7, -8).

use super::{blocking, committed, until_committed, Account, App, Attempt};
use crate::credentials::{hash_password_for, random_token, sha256_hex, verify_password};
use crate::domain::patron::{self, FailedLogin};
use crate::domain::session::{self, SessionEnded};
use crate::domain::types::{CardNumber, NewPassword, PasswordAttempt, SessionId, WeakPassword};
use crate::domain::{Key, Patron, Record, Session};
use crate::error::Error;
use chrono::{DateTime, Utc};

/// A session token as the client holds it: `<card number>.<256 random bits>`. Only the
/// SHA-256 of the random part is stored; the card number names the patron's account so that
/// authenticating costs no read of its own (docs/access-patterns.md #2).
pub struct SessionToken {
    pub card: CardNumber,
    secret: String,
}

impl SessionToken {
    fn generate(card: &CardNumber) -> SessionToken {
        SessionToken {
            card: card.clone(),
            secret: random_token(32),
        }
    }

    pub fn parse(raw: &str) -> Option<SessionToken> {
        let (card, secret) = raw.split_once('.')?;
        let card = CardNumber::parse(card).ok()?;
        (secret.len() == 43
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| SessionToken {
            card,
            secret: secret.to_owned(),
        })
    }

    pub fn hash(&self) -> String {
        sha256_hex(&self.secret)
    }

    pub fn expose(&self) -> String {
        format!("{}.{}", self.card, self.secret)
    }
}

#[derive(Debug)]
pub struct LoginSuccess {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub must_change_password: bool,
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    Error::AccountLocked {
        until,
        retry_after_secs: (until - now).num_seconds().max(1),
    }
}

/// POST /api/session. A wrong card and a wrong password get the same answer, after the
/// same Argon2 work (R-ACCT-7).
pub async fn log_in(
    app: &App,
    card: &str,
    password: PasswordAttempt,
    user_agent: Option<&str>,
) -> Result<LoginSuccess, Error> {
    let now = app.clock.now();
    let card = CardNumber::parse(card).ok();
    let patron = match &card {
        Some(c) => app.store.patron(c).await?,
        None => None,
    };
    if let Some(until) = patron.as_ref().and_then(|p| p.locked_until(now)) {
        return Err(locked(until, now));
    }
    let stored = patron
        .as_ref()
        .and_then(|p| p.password.as_ref())
        .map(|c| c.hash.clone());
    let matches = blocking(move || verify_password(stored.as_deref(), &password)).await?;
    let (Some(card), Some(patron)) = (card, patron) else {
        return Err(Error::InvalidCredentials);
    };
    if patron.password.is_none() {
        return Err(Error::InvalidCredentials);
    }
    if !matches {
        return record_failure(app, &card, patron, now).await;
    }
    if patron.usable_credential(now).is_none() {
        return Err(Error::InvalidCredentials); // R-ACCT-5: an unused temporary password expires
    }
    open_session(app, &card, patron, session::user_agent(user_agent), now).await
}

/// The patron as first read, then fresh reads for any retry: one read on the common path.
async fn patron_for_attempt(
    app: &App,
    card: &CardNumber,
    first: Option<Patron>,
) -> Result<Patron, Error> {
    match first {
        Some(p) => Ok(p),
        None => app
            .store
            .patron(card)
            .await?
            .ok_or(Error::InvalidCredentials),
    }
}

async fn record_failure(
    app: &App,
    card: &CardNumber,
    first: Patron,
    now: DateTime<Utc>,
) -> Result<LoginSuccess, Error> {
    let mut first = Some(first);
    let result = until_committed(|| {
        let first = first.take();
        async move {
            let p = patron_for_attempt(app, card, first).await?;
            let outcome = patron::record_failed_login(&p, now, app.policy());
            if outcome.changes.is_empty() {
                return Ok(Attempt::Done(outcome.value));
            }
            Ok(committed(
                super::commit(app, outcome.changes).await?,
                outcome.value,
            ))
        }
    })
    .await?;
    match result {
        FailedLogin::Counted => Err(Error::InvalidCredentials),
        FailedLogin::Locked(until) => {
            tracing::warn!(until = %until, "card locked after repeated failed logins");
            Err(locked(until, now))
        }
    }
}

async fn open_session(
    app: &App,
    card: &CardNumber,
    first: Patron,
    user_agent: Option<String>,
    now: DateTime<Utc>,
) -> Result<LoginSuccess, Error> {
    let token = SessionToken::generate(card);
    let session_id = SessionId::generate();
    let mut first = Some(first);
    until_committed(|| {
        let first = first.take();
        let (token, session_id, user_agent) = (&token, &session_id, &user_agent);
        async move {
            let p = patron_for_attempt(app, card, first).await?;
            let new = session::NewSession {
                token_hash: token.hash(),
                session_id: session_id.clone(),
                user_agent: user_agent.clone(),
            };
            let outcome = session::open_session(&p, new, now, app.policy());
            let s = outcome.value;
            Ok(committed(
                super::commit(app, outcome.changes).await?,
                LoginSuccess {
                    token: token.expose(),
                    expires_at: s.expires_at,
                    must_change_password: s.temporary,
                },
            ))
        }
    })
    .await
}

/// The patron behind a request, with their whole account as read for it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub session: Session,
}

impl Caller {
    pub fn card(&self) -> &CardNumber {
        &self.account.patron.card_number
    }

    /// R-ACCT-3: a session made with a temporary password reaches only the password change.
    pub fn require_own_password(self) -> Result<Caller, Error> {
        if self.session.temporary {
            Err(Error::PasswordChangeRequired)
        } else {
            Ok(self)
        }
    }
}

impl From<SessionEnded> for Error {
    fn from(_: SessionEnded) -> Self {
        Error::Unauthenticated
    }
}

/// The account behind a token, if its session is alive. The session's last-seen time is
/// written every few minutes (best effort: a concurrent request touching it is as good).
pub async fn authenticate(app: &App, raw_token: &str) -> Result<Caller, Error> {
    let token = SessionToken::parse(raw_token).ok_or(Error::Unauthenticated)?;
    let account = Account::load(app.store.as_ref(), &token.card)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let hash = token.hash();
    let session = account
        .sessions
        .iter()
        .find(|s| s.token_hash == hash)
        .ok_or(Error::Unauthenticated)?;
    let outcome = session::resume_session(session, &account.patron, app.clock.now(), app.policy())?;
    let mut session = session.clone();
    if !outcome.changes.is_empty() {
        if let Ok(crate::ports::Commit::Done(written)) = super::commit(app, outcome.changes).await {
            if let Some(s) = written
                .into_records()
                .into_iter()
                .find_map(Record::into_session)
            {
                session = s;
            }
        }
    }
    Ok(Caller { account, session })
}

/// DELETE /api/session.
pub async fn log_out(app: &App, raw_token: &str) -> Result<(), Error> {
    let Some(token) = SessionToken::parse(raw_token) else {
        return Ok(());
    };
    let key = Key::Session(token.card.clone(), token.hash());
    until_committed(|| async {
        match app.store.get(&key).await? {
            Some(Record::Session(s)) => Ok(committed(
                super::commit(app, session::end_session(&s)).await?,
                (),
            )),
            _ => Ok(Attempt::Done(())),
        }
    })
    .await
}

/// A session in the patron's list (R-ACCT-9).
#[derive(Debug, Clone)]
pub struct ListedSession {
    pub session: Session,
    /// The session this request was made in.
    pub current: bool,
}

/// GET /api/me/sessions: the caller's live sessions, oldest first. A session from before
/// sessions had ids is given one now.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<ListedSession>, Error> {
    let now = app.clock.now();
    let mut first = Some(caller.account.clone());
    let sessions = until_committed(|| {
        let first = first.take();
        async move {
            let account =
                Account::for_attempt(app, caller.card(), first, || Error::Unauthenticated).await?;
            let outcome = session::list_sessions(
                &account.sessions,
                &account.patron,
                now,
                app.policy(),
                SessionId::generate,
            );
            if outcome.changes.is_empty() {
                return Ok(Attempt::Done(outcome.value));
            }
            Ok(committed(
                app.store.commit(outcome.changes).await?,
                outcome.value,
            ))
        }
    })
    .await?;
    let mine = &caller.session.token_hash;
    Ok(sessions
        .into_iter()
        .map(|s| ListedSession {
            current: &s.token_hash == mine,
            session: s,
        })
        .collect())
}

/// DELETE /api/me/sessions/{session_id}: that session ends now; its token's next request is
/// 401. Another patron's session is not among the caller's: 404 like one that never was.
pub async fn end(app: &App, caller: &Caller, session_id: &SessionId) -> Result<(), Error> {
    let now = app.clock.now();
    let mut first = Some(caller.account.clone());
    until_committed(|| {
        let first = first.take();
        async move {
            let account =
                Account::for_attempt(app, caller.card(), first, || Error::Unauthenticated).await?;
            let s = account
                .sessions
                .iter()
                .find(|s| {
                    s.session_id.as_ref() == Some(session_id)
                        && session::is_alive(s, &account.patron, now, app.policy())
                })
                .ok_or(Error::SessionNotFound)?;
            Ok(committed(
                app.store.commit(session::end_session(s)).await?,
                (),
            ))
        }
    })
    .await
}

/// PUT /api/me/password: the current password again, and a new one that follows the rules.
/// Every other session of the patron ends; this one continues with the new password.
pub async fn change_password(
    app: &App,
    caller: &Caller,
    current: PasswordAttempt,
    new: &str,
) -> Result<(), Error> {
    let patron = &caller.account.patron;
    let stored = patron.password.as_ref().map(|c| c.hash.clone());
    let current_plain = current.expose().to_owned();
    let ok = blocking(move || verify_password(stored.as_deref(), &current)).await?;
    if !ok {
        return Err(Error::InvalidCredentials);
    }
    let new = NewPassword::parse(new, &patron.card_number, app.policy())?;
    if new.expose() == current_plain {
        return Err(WeakPassword::SameAsCurrent.into());
    }
    let hash = blocking(move || hash_password_for(&new)).await?;
    let card = patron.card_number.clone();
    let session_key = Key::Session(card.clone(), caller.session.token_hash.clone());
    until_committed(|| async {
        let records = app
            .store
            .get_many(&[Key::Patron(card.clone()), session_key.clone()])
            .await?;
        let (mut p, mut s) = (None, None);
        for r in records {
            match r {
                Record::Patron(x) => p = Some(x),
                Record::Session(x) => s = Some(x),
                _ => {}
            }
        }
        let (p, s) = (
            p.ok_or(Error::Unauthenticated)?,
            s.ok_or(Error::Unauthenticated)?,
        );
        if s.credential_version != p.credential_version {
            return Err(Error::Unauthenticated); // this session ended meanwhile
        }
        let outcome = patron::change_password(&p, &s, hash.clone());
        // R-CAL-3: a password change ends the calendar feed; the patron makes a new one.
        let changes = outcome
            .changes
            .and(super::feed::deletion(app, &card).await?);
        Ok(committed(super::commit(app, changes).await?, ()))
    })
    .await
}
