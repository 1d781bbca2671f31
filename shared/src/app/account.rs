//! The patron's own settings: profile, email address (R-ACCT-6), notification emails.

use super::sessions::Caller;
use super::{retrying, App, PatronAccount};
use crate::error::Error;
use crate::model::{NotificationSettings, Patron};
use crate::store::Op;
use crate::types::{CardNumber, EmailAddress};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Profile {
    pub card_number: CardNumber,
    pub name: String,
    pub email: Option<EmailAddress>,
    pub ebook_eligible: bool,
    pub holds: HoldCount,
}

#[derive(Debug, Serialize)]
pub struct HoldCount {
    pub active: u32,
    pub limit: u32,
}

pub fn profile(app: &App, caller: &Caller) -> Profile {
    let p = &caller.account.patron;
    Profile {
        card_number: p.card_number.clone(),
        name: p.name.clone(),
        email: p.email.clone(),
        ebook_eligible: p.ebook_eligible,
        holds: HoldCount {
            active: p.active_holds,
            limit: app.policy().max_active_holds,
        },
    }
}

/// Changes the patron's settings and, in the same commit, the reminder contact copied onto
/// each of their loans, so the reminder job never mails an old address.
async fn update_settings(
    app: &App,
    card: &CardNumber,
    change: impl Fn(&mut Patron) -> Result<(), Error>,
) -> Result<(), Error> {
    retrying(|| async {
        let account = PatronAccount::load(app.store.as_ref(), card)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let mut patron = account.patron;
        change(&mut patron)?;
        let contact = patron.reminder_contact();
        let mut ops = vec![Op::update(patron)];
        for mut loan in account.loans {
            if loan.reminder != contact {
                loan.reminder = contact.clone();
                ops.push(Op::update(loan));
            }
        }
        app.store.commit(ops).await?;
        Ok(())
    })
    .await
}

pub async fn set_email(app: &App, caller: &Caller, email: EmailAddress) -> Result<(), Error> {
    update_settings(app, caller.card(), |p| {
        p.email = Some(email.clone());
        Ok(())
    })
    .await
}

/// Without an address no email can go out, so both email services stop too.
pub async fn remove_email(app: &App, caller: &Caller) -> Result<(), Error> {
    update_settings(app, caller.card(), |p| {
        p.email = None;
        p.notifications.due_reminder = false;
        p.notifications.new_arrivals.enabled = false;
        Ok(())
    })
    .await
}

pub async fn set_notifications(
    app: &App,
    caller: &Caller,
    settings: NotificationSettings,
) -> Result<(), Error> {
    update_settings(app, caller.card(), |p| {
        let wants_mail = settings.due_reminder || settings.new_arrivals.enabled;
        if wants_mail && p.email.is_none() {
            return Err(Error::EmailNotRegistered); // R-ACCT-6: the services need an address
        }
        p.notifications = settings.clone();
        Ok(())
    })
    .await
}
