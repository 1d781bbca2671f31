//! The use cases the functions call. Each one reads what it needs, lets the domain decide,
//! commits the domain's changes (all or nothing, at the versions read), and then carries out
//! what follows (emails, schedules). A lost race runs the use case again on fresh reads.
//!
//! Nothing here names an AWS type: the ports are handed in by the entry points.

pub mod account;
pub mod arrivals;
pub mod calendar;
pub mod cart;
pub mod catalog;
pub mod checker;
pub mod counter;
pub mod ebooks;
pub mod emails;
pub mod expiry;
pub mod feed;
pub mod history;
pub mod holds;
pub mod loans;
pub mod reminders;
pub mod search;
pub mod sessions;

use crate::config::Settings;
use crate::domain::types::CardNumber;
use crate::domain::{
    Changes, FollowUp, Hold, HoldNotice, HoldState, Key, Loan, Outcome, Patron, Policy, Record,
    Session,
};
use crate::error::Error;
use crate::ports::scheduler::{expiry_time, HoldExpiry};
use crate::ports::{Clock, Commit, ExpiryScheduler, Mailer, Store};
use std::future::Future;
use std::sync::Arc;

/// The ports every use case may need, built once per process (in Lambda: during init).
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub scheduler: Arc<dyn ExpiryScheduler>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
}

impl App {
    pub fn policy(&self) -> &Policy {
        &self.settings.policy
    }
}

/// Whether a secret from a URL or a header (a session token's, a renewal or verification
/// link's, a feed's) could be one we issued: URL-safe base64 of a length in `lengths`. One
/// that could not names nothing, and is refused before any read.
pub(crate) fn well_formed_secret(secret: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One attempt of a use case: done, or it lost a race and must run again on fresh reads.
pub(crate) enum Attempt<T> {
    Done(T),
    LostRace,
}

/// `value` once `commit` is known: done if the changes were written.
/// The one line a scheduled run logs at its end: the counts of its report, which names no
/// patron, address or title. Logging the report itself keeps the line in step with it.
pub(crate) fn log_run_done(run: &str, report: &impl serde::Serialize) {
    let counts = serde_json::to_string(report).unwrap_or_default();
    tracing::info!(run, counts = %counts, "scheduled run done");
}

pub(crate) fn committed<T>(commit: Commit, value: T) -> Attempt<T> {
    match commit {
        Commit::Done(_) => Attempt::Done(value),
        Commit::LostRace => Attempt::LostRace,
    }
}

/// Attempts before an operation that keeps losing races answers `busy`.
const MAX_ATTEMPTS: u32 = 200;

/// Runs `attempt` until it does not lose a race, with a short random pause between tries so
/// that racing requests spread out.
pub(crate) async fn until_committed<T, F, Fut>(mut attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, Error>>,
{
    for n in 0..MAX_ATTEMPTS {
        match attempt().await? {
            Attempt::Done(v) => return Ok(v),
            Attempt::LostRace => {
                let ceiling = 2 + 2 * n.min(10) as u64;
                let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=ceiling);
                tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
            }
        }
    }
    Err(Error::Busy)
}

/// Runs `attempt` on the caller's account until it does not lose a race: the first attempt
/// on the account the request arrived with, every later one on the account read afresh.
pub(crate) async fn until_committed_for<T, F, Fut>(
    app: &App,
    caller: &sessions::Caller,
    attempt: F,
) -> Result<T, Error>
where
    F: Fn(Account) -> Fut,
    Fut: Future<Output = Result<Attempt<T>, Error>>,
{
    let mut first = Some(caller.account.clone());
    until_committed(|| {
        let first = first.take();
        let attempt = &attempt;
        async move {
            let account =
                Account::for_attempt(app, caller.card(), first, || Error::Unauthenticated).await?;
            attempt(account).await
        }
    })
    .await
}

/// Everything in a patron's account, read in one round trip (docs/access-patterns.md #2).
#[derive(Debug, Clone)]
pub struct Account {
    pub patron: Patron,
    pub sessions: Vec<Session>,
    pub loans: Vec<Loan>,
    pub holds: Vec<Hold>,
}

impl Account {
    pub async fn load(store: &dyn Store, card: &CardNumber) -> Result<Option<Account>, Error> {
        let mut patron = None;
        let (mut sessions, mut loans, mut holds) = (Vec::new(), Vec::new(), Vec::new());
        for r in store.account(card).await? {
            match r {
                Record::Patron(p) => patron = Some(p),
                Record::Session(s) => sessions.push(s),
                Record::Loan(l) => loans.push(l),
                Record::Hold(h) => holds.push(h),
                _ => {}
            }
        }
        Ok(patron.map(|patron| Account {
            patron,
            sessions,
            loans,
            holds,
        }))
    }

    /// The account for one attempt of a use case: as first read (by authentication) on the
    /// first attempt, freshly read after a lost race. `missing` is the error if it is gone.
    pub(crate) async fn for_attempt(
        app: &App,
        card: &CardNumber,
        first: Option<Account>,
        missing: fn() -> Error,
    ) -> Result<Account, Error> {
        match first {
            Some(a) => Ok(a),
            None => Account::load(app.store.as_ref(), card)
                .await?
                .ok_or_else(missing),
        }
    }
}

/// The hold first in line for `title`'s next copy, as the title's queue names it. A hold that
/// is not there (or no longer waiting) means the title was read before another request
/// changed the queue: a lost race.
pub(crate) async fn first_in_line(
    app: &App,
    title: &crate::domain::Title,
) -> Result<Attempt<Option<Hold>>, Error> {
    let Some(q) = crate::domain::circulation::first_in_line(title, app.clock.today()) else {
        return Ok(Attempt::Done(None));
    };
    match app.store.hold(&q.card_number, &title.bib_id).await? {
        Some(h) if h.hold_id == q.hold_id && h.is_waiting() => Ok(Attempt::Done(Some(h))),
        _ => Ok(Attempt::LostRace),
    }
}

/// Those of the records at `keys` that are there, as the kind `into` picks out.
pub(crate) async fn get_all<T>(
    app: &App,
    keys: &[Key],
    into: fn(Record) -> Option<T>,
) -> Result<Vec<T>, Error> {
    let records = app.store.get_many(keys).await?;
    Ok(records.into_iter().filter_map(into).collect())
}

/// Commits a transition's changes; on success, its value and follow-ups are what remains.
pub(crate) async fn commit_outcome<T>(
    app: &App,
    outcome: Outcome<T>,
) -> Result<Attempt<(T, Vec<FollowUp>)>, Error> {
    let Outcome {
        value,
        changes,
        follow_ups,
    } = outcome;
    Ok(committed(commit(app, changes).await?, (value, follow_ups)))
}

/// Every commit goes through here. A change to a title's queue changes the "someone else is
/// waiting" fact of some of its loans (R-RENEW-3): those loans are read and updated in the
/// same commit (`domain::loan::sync_waiting`), so no use case can forget them.
pub(crate) async fn commit(app: &App, changes: Changes) -> Result<Commit, Error> {
    let flips = crate::domain::loan::waiting_flips_in(&changes);
    let mut changes = changes;
    if !flips.is_empty() {
        let loans = get_all(app, &flips, Record::into_loan).await?;
        if loans.len() != flips.len() {
            // A loan the title lists is gone: the title was read before a check-in closed it.
            return Ok(Commit::LostRace);
        }
        changes = crate::domain::loan::sync_waiting_in(changes, &loans)?;
    }
    Ok(app.store.commit(changes).await?)
}

/// Carries out what follows a commit. None of it can undo the commit: a failure is logged,
/// and the daily sweep and My Page cover it.
pub(crate) async fn follow_up(app: &App, follow_ups: Vec<FollowUp>) {
    for f in follow_ups {
        match f {
            FollowUp::HoldReady(hold) => announce_ready(app, &hold).await,
            FollowUp::HoldCollected(hold_id) => {
                if let Err(e) = app.scheduler.cancel(&hold_id).await {
                    tracing::warn!(hold_id = %hold_id, error = %e, "could not delete the collected hold's expiry schedule");
                }
            }
        }
    }
}

/// A hold became ready: its expiry schedule, and its email (R-HOLD-6, R-HOLD-7).
async fn announce_ready(app: &App, hold: &Hold) {
    let HoldState::Ready {
        pickup_deadline, ..
    } = *hold.state()
    else {
        return;
    };
    let expiry = HoldExpiry {
        card_number: hold.card_number.clone(),
        bib_id: hold.bib_id.clone(),
        hold_id: hold.hold_id.clone(),
    };
    if let Err(e) = app
        .scheduler
        .schedule(&expiry, expiry_time(pickup_deadline))
        .await
    {
        tracing::error!(hold_id = %hold.hold_id, error = %e, "could not schedule the hold's expiry; the daily sweep will lapse it");
    }
    if hold.notify != HoldNotice::Email {
        return;
    }
    let patron = match app.store.patron(&hold.card_number).await {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(hold_id = %hold.hold_id, error = %e, "could not read the patron for the hold-ready email");
            return;
        }
    };
    // R-MAIL-5: only to a verified address; My Page shows the hold either way.
    let Some(to) = patron.mail_address() else {
        tracing::info!(hold_id = %hold.hold_id, "hold ready; no verified address, My Page shows it");
        return;
    };
    let message = emails::hold_ready(
        &app.settings.library,
        to,
        &patron.name,
        &hold.title,
        pickup_deadline,
    );
    match app.mailer.send(&message).await {
        Ok(()) => tracing::info!(hold_id = %hold.hold_id, "hold-ready email sent"),
        Err(e) => tracing::error!(hold_id = %hold.hold_id, error = %e, "hold-ready email failed"),
    }
}

/// Tries of a write that records an email already sent.
const AFTER_SEND_TRIES: u32 = 4;

/// Records what an email already sent did (a reminder on its loans, an announcement as
/// sent): a transient store fault is tried again a few times, with growing pauses, since
/// giving up leaves the next run to send the same email again.
pub(crate) async fn after_sending<T, F, Fut>(mut attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut pause = std::time::Duration::from_millis(50);
    for n in 1.. {
        match attempt().await {
            Err(Error::Store(crate::ports::StoreError::Unavailable(e))) if n < AFTER_SEND_TRIES => {
                tracing::warn!(error = %e, try_ = n, "recording a sent email failed for now; trying again");
                tokio::time::sleep(pause).await;
                pause *= 4;
            }
            other => return other,
        }
    }
    unreachable!("the loop returns")
}

/// CPU-heavy work (Argon2) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("blocking task: {e}")))
}
