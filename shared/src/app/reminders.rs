//! `due-reminders` (R-MAIL-1): one email per signed-up patron listing their loans due on
//! `run_date + reminder_days_ahead`, never twice for the same loan and due date.
//!
//! Safe to run twice at once or again after a crash: a patron is claimed before being
//! mailed, and what was mailed is recorded on each loan after the send succeeds. On a failed
//! send the claim is released and the next run tries again; a crash between a send and its
//! record can, at worst, send once more.

use super::emails::{self, japanese_date, ReminderLine};
use super::{after_sending, committed, until_committed, App, Attempt};
use crate::domain::loan::{self, mark_reminded};
use crate::domain::types::CardNumber;
use crate::domain::{Changes, Key, Loan, MailClaim, Record};
use crate::error::Error;
use crate::ports::Commit;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct MailReport {
    pub patrons_found: u32,
    pub emails_sent: u32,
    pub skipped: u32,
    pub failed: u32,
}

pub async fn send_due_reminders(app: &App, run_date: NaiveDate) -> Result<MailReport, Error> {
    let due = run_date + Days::new(app.policy().reminder_days_ahead.into());
    let job = format!("due:{due}");
    let mut by_patron: BTreeMap<CardNumber, Vec<Loan>> = BTreeMap::new();
    for loan in app.store.reminder_loans_due_on(due).await? {
        by_patron
            .entry(loan.card_number.clone())
            .or_default()
            .push(loan);
    }
    let mut report = MailReport {
        patrons_found: by_patron.len() as u32,
        ..Default::default()
    };
    for (card, loans) in by_patron {
        match remind_patron(app, &job, due, run_date, &card, loans).await {
            Ok(true) => report.emails_sent += 1,
            Ok(false) => report.skipped += 1,
            Err(e) => {
                report.failed += 1;
                tracing::error!(job = %job, error = %e, "due reminder failed; the next run retries this patron");
            }
        }
    }
    tracing::info!(job = %job, patrons_found = report.patrons_found, emails_sent = report.emails_sent,
        skipped = report.skipped, failed = report.failed, "due-reminders run done");
    Ok(report)
}

/// Claims the patron for `job`: the claim (at its new version) if this run may mail them
/// now, None if another run holds it.
pub(crate) async fn claim(
    app: &App,
    card: &CardNumber,
    job: &str,
) -> Result<Option<MailClaim>, Error> {
    let now = app.clock.now();
    let fresh = MailClaim::new(job, card, now);
    let taken = match app.store.commit(Changes::none().create(fresh)).await? {
        Commit::Done(w) => w,
        Commit::LostRace => {
            // Claimed before: by a live run (leave it), or by a finished or abandoned one.
            let key = Key::MailClaim(job.to_owned(), card.clone());
            let Some(Record::MailClaim(existing)) = app.store.get(&key).await? else {
                return Ok(None);
            };
            let Some(taken) = existing.take_over(now) else {
                return Ok(None);
            };
            match app.store.commit(Changes::none().update(taken)).await? {
                Commit::Done(w) => w,
                Commit::LostRace => return Ok(None),
            }
        }
    };
    Ok(taken
        .into_records()
        .into_iter()
        .find_map(Record::into_mail_claim))
}

/// Ends a claim: kept as sent (nothing left to do), or deleted so the next run tries again.
pub(crate) async fn release(app: &App, claimed: MailClaim, done: bool) -> Result<(), Error> {
    let changes = if done {
        Changes::none().update(claimed.sent(app.clock.now()))
    } else {
        Changes::none().delete(claimed)
    };
    // A claim another run took over meanwhile is that run's to end.
    let _ = app.store.commit(changes).await?;
    Ok(())
}

async fn remind_patron(
    app: &App,
    job: &str,
    due: NaiveDate,
    run_date: NaiveDate,
    card: &CardNumber,
    loans: Vec<Loan>,
) -> Result<bool, Error> {
    let mut pending: Vec<Loan> = loans
        .into_iter()
        .filter(|l| l.reminded_for() != Some(due))
        .collect();
    if pending.is_empty() {
        return Ok(false);
    }
    let Some(claimed) = claim(app, card, job).await? else {
        return Ok(false);
    };
    if claimed.version > 1 {
        // A run was here before: trust only a fresh read of the loans.
        let keys: Vec<Key> = pending
            .iter()
            .map(|l| Key::Loan(l.card_number.clone(), l.loan_id.clone()))
            .collect();
        pending = app
            .store
            .get_many(&keys)
            .await?
            .into_iter()
            .filter_map(Record::into_loan)
            .filter(|l| l.wants_reminder_for(due))
            .collect();
        if pending.is_empty() {
            release(app, claimed, true).await?;
            return Ok(false);
        }
    }
    let Some(contact) = pending[0].reminder().cloned() else {
        release(app, claimed, false).await?;
        return Ok(false);
    };
    pending.sort_by(|a, b| a.title.cmp(&b.title));
    let lines: Vec<ReminderLine> = pending
        .iter()
        .map(|l| ReminderLine {
            title: l.title.clone(),
            due_date: japanese_date(l.due_date),
            // Waiting holds are not read here (the job reads only the loans due); the mail
            // says renewal depends on them.
            renewable: loan::renewal(l, false, run_date, app.policy()).is_ok(),
        })
        .collect();
    let message =
        emails::due_reminder(&app.settings.library, &contact.email, &contact.name, &lines);
    if let Err(e) = app.mailer.send(&message).await {
        release(app, claimed, false).await?;
        return Err(Error::Internal(format!("send failed: {e}")));
    }
    mark_all_reminded(app, claimed, pending, due).await?;
    Ok(true)
}

/// Records the reminder on each loan, then completes the claim. Each loan is its own write
/// (no transaction needed: a run that finds the claim abandoned re-reads the loans).
async fn mark_all_reminded(
    app: &App,
    claimed: MailClaim,
    sent: Vec<Loan>,
    due: NaiveDate,
) -> Result<(), Error> {
    for loan in sent {
        let (card, id) = (loan.card_number.clone(), loan.loan_id.clone());
        let mut first = Some(loan);
        after_sending(|| {
            // The loan as read first on the first try; fresh reads after that.
            let mut first = first.take();
            let (card, id) = (&card, &id);
            until_committed(move || {
                let first = first.take();
                async move {
                    let loan = match first {
                        Some(l) => Some(l),
                        None => app.store.loan(card, id).await?,
                    };
                    match loan.as_ref().and_then(|l| mark_reminded(l, due)) {
                        Some(changes) => Ok(committed(app.store.commit(changes).await?, ())),
                        None => Ok(Attempt::Done(())),
                    }
                }
            })
        })
        .await?;
    }
    after_sending(|| release(app, claimed.clone(), true)).await
}
