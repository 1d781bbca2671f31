//! The patron's own settings: profile, email address (R-ACCT-6), notification emails
//! (R-MAIL-1, R-MAIL-2).

use super::sessions::Caller;
use super::{commit, committed, emails, until_committed, Account, App};
use crate::credentials::{random_token, sha256_hex};
use crate::domain::patron;
use crate::domain::patron::NewVerification;
use crate::domain::types::{CardNumber, EmailAddress};
use crate::domain::{Key, Record};
use crate::domain::{Loan, NotificationSettings, Outcome, Patron};
use crate::error::Error;
use chrono::Duration;

/// What `GET /api/me` shows.
#[derive(Debug)]
pub struct Profile {
    pub card_number: CardNumber,
    pub name: String,
    pub email: Option<EmailAddress>,
    pub email_verified: bool,
    pub ebook_eligible: bool,
    pub active_holds: u32,
    pub hold_limit: u32,
}

pub fn profile(app: &App, caller: &Caller) -> Profile {
    let p = &caller.account.patron;
    Profile {
        card_number: p.card_number.clone(),
        name: p.name.clone(),
        email: p.email.clone(),
        email_verified: p.email_verified(),
        ebook_eligible: p.ebook_eligible,
        active_holds: p.active_holds(),
        hold_limit: app.policy().max_active_holds,
    }
}

/// Changes the patron's settings on a fresh read of the account: the domain keeps the
/// reminder contact on each loan in step in the same commit.
async fn update_settings(
    app: &App,
    card: &CardNumber,
    change: impl Fn(&Patron, &[Loan]) -> Result<Outcome<()>, Error>,
) -> Result<(), Error> {
    until_committed(|| async {
        let account = Account::load(app.store.as_ref(), card)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let outcome = change(&account.patron, &account.loans)?;
        Ok(committed(super::commit(app, outcome.changes).await?, ()))
    })
    .await
}

/// PUT /api/me/email (R-ACCT-6, R-MAIL-5): the address changes at once, unverified; the
/// verification email goes to it, and a verified address it replaces is told of the change.
pub async fn set_email(app: &App, caller: &Caller, email: EmailAddress) -> Result<(), Error> {
    let token = random_token(16); // 128 bits
    let now = app.clock.now();
    let policy = app.policy();
    let hours = policy.verification_link_hours;
    let changed = until_committed(|| async {
        let account = Account::load(app.store.as_ref(), caller.card())
            .await?
            .ok_or(Error::Unauthenticated)?;
        let verification = NewVerification {
            token_hash: sha256_hex(&token),
            expires_at: now + Duration::hours(hours),
        };
        let outcome = patron::set_email(
            &account.patron,
            &account.loans,
            email.clone(),
            verification,
            app.clock.today(),
            policy,
        )
        .map_err(|_| Error::TooManyRequests {
            retry_after_secs: seconds_to_next_japan_day(now),
        })?;
        Ok(committed(
            commit(app, outcome.changes).await?,
            outcome.value,
        ))
    })
    .await?;
    let library = &app.settings.library;
    let name = &caller.account.patron.name;
    let verify = emails::verify_email(library, &changed.to, name, &token, hours);
    if let Err(e) = app.mailer.send(&verify).await {
        tracing::error!(error = %e, "the verification email failed; the patron may ask for another");
    }
    if let Some(old) = &changed.replaced_verified {
        if let Err(e) = app
            .mailer
            .send(&emails::email_changed(library, old, name))
            .await
        {
            tracing::error!(error = %e, "the address-change notice failed");
        }
    }
    Ok(())
}

/// Until the daily limit starts again: the next midnight in Japan.
fn seconds_to_next_japan_day(now: chrono::DateTime<chrono::Utc>) -> i64 {
    let midnight = crate::domain::renewal_link::end_of(crate::domain::dates::japan_date(now));
    (midnight - now).num_seconds().max(1)
}

/// POST /api/email-verification (R-MAIL-5, no login): the link's token verifies the address it
/// was sent to, once; unknown, used, expired or replaced since -> `invalid_token`.
pub async fn verify_email(app: &App, token: &str) -> Result<(), Error> {
    if !super::well_formed_secret(token, 16..=64) {
        return Err(Error::InvalidToken);
    }
    let key = Key::EmailVerification(sha256_hex(token));
    until_committed(|| async {
        let Some(v) = app
            .store
            .get(&key)
            .await?
            .and_then(Record::into_email_verification)
        else {
            return Err(Error::InvalidToken);
        };
        let account = Account::load(app.store.as_ref(), &v.card_number)
            .await?
            .ok_or(Error::InvalidToken)?;
        let outcome = patron::verify_email(&account.patron, &account.loans, &v, app.clock.now())
            .map_err(|_| Error::InvalidToken)?;
        Ok(committed(commit(app, outcome.changes).await?, ()))
    })
    .await
}

pub async fn remove_email(app: &App, caller: &Caller) -> Result<(), Error> {
    update_settings(app, caller.card(), |p, loans| {
        Ok(patron::remove_email(p, loans))
    })
    .await
}

pub async fn set_notifications(
    app: &App,
    caller: &Caller,
    settings: NotificationSettings,
) -> Result<(), Error> {
    update_settings(app, caller.card(), |p, loans| {
        Ok(patron::set_notifications(p, loans, settings.clone())?)
    })
    .await
}
