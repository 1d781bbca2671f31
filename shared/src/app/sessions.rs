//! Logging in and out, sessions, passwords (R-ACCT-2, -3, -4, -5, -7, -8).

use super::{blocking, retrying, App, PatronAccount};
use crate::error::Error;
use crate::model::{Credential, Patron, Session};
use crate::rules::login::{self, FailureOutcome, LoginState};
use crate::store::{Key, Op, Record};
use crate::types::{
    hash_password_for, verify_password, CardNumber, NewPassword, PasswordAttempt, WeakPassword,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A session token as the client holds it: `<card number>.<256 random bits>`. Only the
/// SHA-256 of the random part is stored; the card number names the patron's partition so
/// that authenticating costs no read of its own (ACCESS-PATTERNS #2).
pub struct SessionToken {
    pub card: CardNumber,
    secret: String,
}

impl SessionToken {
    fn generate(card: &CardNumber) -> SessionToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SessionToken {
            card: card.clone(),
            secret: URL_SAFE_NO_PAD.encode(bytes),
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
        hex::encode(Sha256::digest(self.secret.as_bytes()))
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

/// POST /api/session. A wrong card and a wrong password get the same answer, after the
/// same Argon2 work (R-ACCT-7).
pub async fn log_in(
    app: &App,
    card: &str,
    password: PasswordAttempt,
) -> Result<LoginSuccess, Error> {
    let now = app.clock.now();
    let card = CardNumber::parse(card).ok();
    let patron = match &card {
        Some(c) => app.store.patron(c).await?,
        None => None,
    };
    let credential = patron.as_ref().and_then(|p| p.password.clone());
    if let Some(p) = &patron {
        let state = LoginState {
            failed_logins: p.failed_logins,
            locked_until: p.locked_until,
        };
        if let Some(until) = login::locked_until(&state, now) {
            return Err(Error::AccountLocked(until));
        }
    }
    let stored = credential.as_ref().map(|c| c.hash.clone());
    let matches = blocking(move || verify_password(stored.as_deref(), &password)).await?;
    let (Some(card), Some(credential)) = (card, credential) else {
        return Err(Error::InvalidCredentials);
    };
    if !matches {
        return record_failure(app, &card, patron, now).await;
    }
    if credential.temporary && credential.expires_at.is_some_and(|t| t <= now) {
        return Err(Error::InvalidCredentials); // R-ACCT-5: an unused temporary password expires
    }
    open_session(app, &card, patron, now).await
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
    mut first: Option<Patron>,
    now: DateTime<Utc>,
) -> Result<LoginSuccess, Error> {
    let policy = app.policy().clone();
    let outcome = retrying(|| {
        let first = first.take();
        let policy = &policy;
        async move {
            let mut p = patron_for_attempt(app, card, first).await?;
            let (state, outcome) = login::record_failure(
                LoginState {
                    failed_logins: p.failed_logins,
                    locked_until: p.locked_until,
                },
                now,
                policy,
            );
            if state.failed_logins != p.failed_logins || state.locked_until != p.locked_until {
                p.failed_logins = state.failed_logins;
                p.locked_until = state.locked_until;
                app.store.commit(vec![Op::update(p)]).await?;
            }
            Ok(outcome)
        }
    })
    .await?;
    match outcome {
        FailureOutcome::Counted => Err(Error::InvalidCredentials),
        FailureOutcome::Locked(until) => {
            tracing::warn!(until = %until, "card locked after repeated failed logins");
            Err(Error::AccountLocked(until))
        }
    }
}

async fn open_session(
    app: &App,
    card: &CardNumber,
    mut first: Option<Patron>,
    now: DateTime<Utc>,
) -> Result<LoginSuccess, Error> {
    let token = SessionToken::generate(card);
    let policy = app.policy();
    retrying(|| {
        let first = first.take();
        let token = &token;
        async move {
            let mut p = patron_for_attempt(app, card, first).await?;
            let temporary = p.password.as_ref().is_some_and(|c| c.temporary);
            let session = Session {
                card_number: card.clone(),
                token_hash: token.hash(),
                temporary,
                credential_version: p.credential_version,
                created_at: now,
                last_seen_at: now,
                expires_at: now + Duration::hours(policy.session_max_hours),
                version: 0,
            };
            let expires_at = session.expires_at;
            let mut ops = vec![Op::create(session)];
            if p.failed_logins > 0 {
                p.failed_logins = 0;
                ops.push(Op::update(p));
            } else {
                // The session must belong to the credential that was verified.
                ops.push(Op::Check(Key::Patron(card.clone()), p.version));
            }
            app.store.commit(ops).await?;
            Ok(LoginSuccess {
                token: token.expose(),
                expires_at,
                must_change_password: temporary,
            })
        }
    })
    .await
}

/// The patron behind a request, with their whole account as read for it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: PatronAccount,
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

/// How often an active session's last-seen time is written (idle expiry, R-ACCT-8).
const TOUCH_EVERY_MINUTES: i64 = 5;

pub async fn authenticate(app: &App, raw_token: &str) -> Result<Caller, Error> {
    let token = SessionToken::parse(raw_token).ok_or(Error::Unauthenticated)?;
    let account = PatronAccount::load(app.store.as_ref(), &token.card)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let hash = token.hash();
    let session = account
        .sessions
        .iter()
        .find(|s| s.token_hash == hash)
        .cloned()
        .ok_or(Error::Unauthenticated)?;
    let now = app.clock.now();
    let idle_limit = session.last_seen_at + Duration::minutes(app.policy().session_idle_minutes);
    if session.credential_version != account.patron.credential_version
        || now >= session.expires_at
        || now >= idle_limit
    {
        return Err(Error::Unauthenticated);
    }
    let mut session = session;
    if now - session.last_seen_at >= Duration::minutes(TOUCH_EVERY_MINUTES) {
        let mut touched = session.clone();
        touched.last_seen_at = now;
        // Best effort: a concurrent request touching the same session is as good.
        if app
            .store
            .commit(vec![Op::update(touched.clone())])
            .await
            .is_ok()
        {
            touched.version += 1;
            session = touched;
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
    retrying(|| async {
        match app.store.get(&key).await? {
            Some(Record::Session(s)) => Ok(app.store.commit(vec![Op::delete(s)]).await?),
            _ => Ok(()),
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
    retrying(|| async {
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
        let (mut p, mut s) = (
            p.ok_or(Error::Unauthenticated)?,
            s.ok_or(Error::Unauthenticated)?,
        );
        if s.credential_version != p.credential_version {
            return Err(Error::Unauthenticated); // this session ended meanwhile
        }
        p.password = Some(Credential {
            hash: hash.clone(),
            temporary: false,
            expires_at: None,
        });
        p.credential_version += 1;
        s.credential_version = p.credential_version;
        s.temporary = false;
        app.store.commit(vec![Op::update(p), Op::update(s)]).await?;
        Ok(())
    })
    .await
}
