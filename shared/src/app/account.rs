//! The patron's own settings: profile, email address (R-ACCT-6), notification emails
//! (R-MAIL-1, R-MAIL-2).

use super::sessions::Caller;
use super::{committed, until_committed, Account, App};
use crate::domain::patron;
use crate::domain::types::{CardNumber, EmailAddress};
use crate::domain::{Loan, NotificationSettings, Outcome, Patron};
use crate::error::Error;

/// What `GET /api/me` shows.
#[derive(Debug)]
pub struct Profile {
    pub card_number: CardNumber,
    pub name: String,
    pub email: Option<EmailAddress>,
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

pub async fn set_email(app: &App, caller: &Caller, email: EmailAddress) -> Result<(), Error> {
    update_settings(app, caller.card(), |p, loans| {
        Ok(patron::set_email(p, loans, email.clone()))
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
