//! Logging in and out, authenticating a request, changing the password (R-ACCT-3, -5, -7, -8).

use super::{blocking, committed, until_committed, until_committed_for, Account, App, Attempt};
use crate::credentials::{
    hash_password_for, keyed_hash, keyed_mac, random_token, same_secret, sha256_hex,
    verify_password,
};
use crate::domain::login::{self, FailedLogin, Refusal};
use crate::domain::patron;
use crate::domain::session::{self, SessionEnded};
use crate::domain::types::{CardNumber, NewPassword, PasswordAttempt, SessionId, WeakPassword};
use crate::domain::{BrakeShard, Key, LoginGuard, Patron, Record, Session, SourceCounter};
use crate::error::Error;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use std::net::IpAddr;

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
        super::well_formed_secret(secret, 43..=43).then(|| SessionToken {
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
    /// A fresh device cookie: this device is known to the card from now on (R-ACCT-7).
    pub device_cookie: String,
}

/// What the HTTP layer knows about who is trying a password: the source address (API
/// Gateway's, CloudFront's viewer address when the request proved it came through the
/// distribution, or the dev server's peer), and the device cookie the browser sent.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub source: Option<IpAddr>,
    pub device_cookie: Option<String>,
}

/// The device cookie: `<card>.<issued, days since 1970>.<random id>.<MAC>`, the MAC under the
/// login secret. It names no patron data beyond the card number the browser typed in, and
/// only says "this browser logged in to this card before" (OWASP's device cookies).
pub struct DeviceCookie;

impl DeviceCookie {
    const LABEL: &'static str = "mypage-device-cookie";

    fn mac(key: &[u8], card: &str, issued: &str, id: &str) -> String {
        URL_SAFE_NO_PAD.encode(keyed_mac(key, Self::LABEL, &[card, issued, id]))
    }

    pub fn issue(key: &[u8], card: &CardNumber, now: DateTime<Utc>) -> String {
        let issued = (now.timestamp() / 86_400).to_string();
        let id = random_token(16);
        let mac = Self::mac(key, card.as_str(), &issued, &id);
        format!("{card}.{issued}.{id}.{mac}")
    }

    /// The device id, if `raw` is a cookie this service issued for `card` and it has not
    /// aged out.
    pub fn verify(
        raw: &str,
        key: &[u8],
        card: &CardNumber,
        now: DateTime<Utc>,
        max_age_days: i64,
    ) -> Option<String> {
        let mut parts = raw.split('.');
        let (c, issued, id, mac) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || c != card.as_str() {
            return None;
        }
        let want = Self::mac(key, c, issued, id);
        if !same_secret(want.as_bytes(), mac.as_bytes()) {
            return None;
        }
        let day: i64 = issued.parse().ok()?;
        let age = now.timestamp() / 86_400 - day;
        (0..max_age_days).contains(&age).then(|| id.to_owned())
    }
}

/// How a source address is counted and logged: a keyed hash, an IPv6 address by its /64
/// (one subscriber's usual share).
pub fn source_id(key: &[u8], ip: IpAddr) -> String {
    let text = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    };
    keyed_hash(key, "mypage-login-source", &text)
}

fn login_key(app: &App) -> Result<&[u8], Error> {
    app.settings
        .login_secret
        .as_deref()
        .ok_or_else(|| Error::Internal("no login secret is configured (LOGIN_SECRET_PARAM)".into()))
}

/// The login records one attempt is judged by, read in one request.
#[derive(Default)]
struct LoginRecords {
    patron: Option<Patron>,
    guard: Option<LoginGuard>,
    source: Option<SourceCounter>,
    brake: Vec<BrakeShard>,
}

async fn read_login(
    app: &App,
    attempt: &login::Attempt,
    with_patron: bool,
) -> Result<LoginRecords, Error> {
    let mut keys = Vec::new();
    if let Some(card) = &attempt.card {
        if with_patron {
            keys.push(Key::Patron(card.clone()));
        }
        keys.push(Key::LoginGuard(card.clone()));
    }
    if let Some(s) = &attempt.source {
        keys.push(Key::LoginSource(s.clone()));
    }
    keys.extend((0..app.policy().brake_shards).map(Key::LoginBrake));
    let mut out = LoginRecords::default();
    for r in app.store.get_many(&keys).await? {
        match r {
            Record::Patron(p) => out.patron = Some(p),
            Record::LoginGuard(g) => out.guard = Some(g),
            Record::LoginSource(s) => out.source = Some(s),
            Record::LoginBrake(b) => out.brake.push(b),
            _ => {}
        }
    }
    Ok(out)
}

/// The attempt as the login rules see it.
fn attempt_of(
    app: &App,
    key: &[u8],
    card: Option<CardNumber>,
    client: &Client,
    now: DateTime<Utc>,
) -> login::Attempt {
    let device = match (&card, &client.device_cookie) {
        (Some(c), Some(raw)) => {
            DeviceCookie::verify(raw, key, c, now, app.policy().device_cookie_days)
        }
        _ => None,
    };
    login::Attempt {
        card,
        device,
        source: client.source.map(|ip| source_id(key, ip)),
        shard: rand::Rng::gen_range(&mut rand::thread_rng(), 0..app.policy().brake_shards),
    }
}

fn retry_after(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (until - now).num_seconds().max(1)
}

/// R-ACCT-7: whether the card's guard, the source's count and the brake let this attempt
/// be judged at all, before any password work.
fn admit(
    app: &App,
    key: &[u8],
    attempt: &login::Attempt,
    read: &LoginRecords,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    login::admit(
        attempt,
        read.guard.as_ref(),
        read.source.as_ref(),
        &read.brake,
        now,
        app.policy(),
    )
    .map_err(|r| refused(key, attempt, r, now))
}

/// A refusal as the caller sees it, logged without personal data (the card and the source
/// only as keyed hashes).
fn refused(key: &[u8], attempt: &login::Attempt, r: Refusal, now: DateTime<Utc>) -> Error {
    let subject = attempt
        .card
        .as_ref()
        .map(|c| keyed_hash(key, "mypage-log", c.as_str()))
        .unwrap_or_default();
    let source = attempt.source.as_deref().unwrap_or("");
    match r {
        Refusal::Locked { until } => {
            tracing::info!(card_hash = %subject, known_device = attempt.device.is_some(), until = %until, "login refused: card locked");
            Error::AccountLocked {
                until,
                retry_after_secs: retry_after(until, now),
            }
        }
        Refusal::Throttled { until } => {
            tracing::warn!(source_hash = %source, until = %until, "login throttled: too many failures from this source or service-wide");
            Error::TooManyAttempts {
                retry_after_secs: retry_after(until, now),
            }
        }
    }
}

/// POST /api/session. A wrong card and a wrong password get the same answer, after the
/// same reads, the same Argon2 work and the same writes; a card nobody holds locks like a
/// real one (R-ACCT-7).
pub async fn log_in(
    app: &App,
    card: &str,
    password: PasswordAttempt,
    client: &Client,
    user_agent: Option<&str>,
) -> Result<LoginSuccess, Error> {
    let now = app.clock.now();
    let key = login_key(app)?;
    let attempt = attempt_of(app, key, CardNumber::parse(card).ok(), client, now);
    let first = read_login(app, &attempt, true).await?;
    admit(app, key, &attempt, &first, now)?;
    let stored = first
        .patron
        .as_ref()
        .and_then(|p| p.password.as_ref())
        .map(|c| c.hash.clone());
    let matches = blocking(move || verify_password(stored.as_deref(), &password)).await?;
    // R-ACCT-5: an unused temporary password expires; it is then as wrong as any other.
    let usable = first
        .patron
        .as_ref()
        .is_some_and(|p| p.usable_credential(now).is_some());
    match (&attempt.card, matches && usable) {
        (Some(card), true) => {
            let device = attempt.device.clone();
            let cookie = DeviceCookie::issue(key, card, now);
            let user_agent = session::user_agent(user_agent);
            let mut ok = open_session(app, card, first, device, user_agent, now).await?;
            ok.device_cookie = cookie;
            Ok(ok)
        }
        _ => Err(record_failure(app, key, &attempt, first, now).await),
    }
}

/// One more failure for `attempt`, counted as the login rules say; the answer to give.
async fn record_failure(
    app: &App,
    key: &[u8],
    attempt: &login::Attempt,
    first: LoginRecords,
    now: DateTime<Utc>,
) -> Error {
    let mut first = Some(first);
    let result = until_committed(|| {
        let first = first.take();
        async move {
            let recs = match first {
                Some(r) => r,
                None => read_login(app, attempt, false).await?,
            };
            let shard = recs.brake.iter().find(|b| b.shard == attempt.shard);
            let outcome = login::record_failure(
                attempt,
                recs.guard.as_ref(),
                recs.source.as_ref(),
                shard,
                now,
                app.policy(),
            );
            if outcome.changes.is_empty() {
                return Ok(Attempt::Done(outcome.value));
            }
            Ok(committed(
                super::commit(app, outcome.changes).await?,
                outcome.value,
            ))
        }
    })
    .await;
    match result {
        Ok(FailedLogin::Counted) => Error::InvalidCredentials,
        Ok(FailedLogin::Locked(until)) => refused(key, attempt, Refusal::Locked { until }, now),
        Err(e) => e,
    }
}

async fn open_session(
    app: &App,
    card: &CardNumber,
    first: LoginRecords,
    device: Option<String>,
    user_agent: Option<String>,
    now: DateTime<Utc>,
) -> Result<LoginSuccess, Error> {
    let token = SessionToken::generate(card);
    let session_id = SessionId::generate();
    let mut first = Some(first);
    let keys = [Key::Patron(card.clone()), Key::LoginGuard(card.clone())];
    until_committed(|| {
        let first = first.take();
        let (token, keys, device) = (&token, &keys, device.as_deref());
        let (session_id, user_agent) = (&session_id, &user_agent);
        async move {
            let (p, guard) = match first {
                Some(r) => (r.patron, r.guard),
                None => {
                    let (mut p, mut g) = (None, None);
                    for r in app.store.get_many(keys).await? {
                        match r {
                            Record::Patron(x) => p = Some(x),
                            Record::LoginGuard(x) => g = Some(x),
                            _ => {}
                        }
                    }
                    (p, g)
                }
            };
            let p = p.ok_or(Error::InvalidCredentials)?;
            let new = session::NewSession {
                token_hash: token.hash(),
                session_id: session_id.clone(),
                user_agent: user_agent.clone(),
            };
            let outcome = session::open_session(&p, new, now, app.policy());
            let changes = outcome
                .changes
                .and(login::record_success(guard.as_ref(), device));
            let s = outcome.value;
            Ok(committed(
                super::commit(app, changes).await?,
                LoginSuccess {
                    token: token.expose(),
                    expires_at: s.expires_at,
                    must_change_password: s.temporary,
                    device_cookie: String::new(),
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
    let sessions = until_committed_for(app, caller, move |account| async move {
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
    until_committed_for(app, caller, move |account| async move {
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
    })
    .await
}

/// PUT /api/me/password: the current password again, and a new one that follows the rules.
/// Every other session of the patron ends; this one continues with the new password.
/// A wrong current password counts as a failed login on the card (R-ACCT-7): the same
/// allowances, the same locks.
pub async fn change_password(
    app: &App,
    caller: &Caller,
    current: PasswordAttempt,
    new: &str,
    client: &Client,
) -> Result<(), Error> {
    let patron = &caller.account.patron;
    let now = app.clock.now();
    let key = login_key(app)?;
    let attempt = attempt_of(app, key, Some(patron.card_number.clone()), client, now);
    let first = read_login(app, &attempt, false).await?;
    admit(app, key, &attempt, &first, now)?;
    let stored = patron.password.as_ref().map(|c| c.hash.clone());
    let current_plain = current.expose().to_owned();
    let ok = blocking(move || verify_password(stored.as_deref(), &current)).await?;
    if !ok {
        return Err(record_failure(app, key, &attempt, first, now).await);
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
