//! The loan notices, one email per signed-up patron per run, listing every loan concerned, and
//! never twice for the same loan and due date:
//! - `due-reminders` (R-MAIL-1): loans due on `run_date + reminder_days_ahead`, each renewable
//!   one with a one-tap renewal link (R-MAIL-7);
//! - `overdue-notices` (R-MAIL-6): loans that fell due the day before and are not back.
//!
//! Safe to run twice at once or again after a crash: a patron is claimed before being
//! mailed, and what was mailed is recorded on each loan after the send succeeds. On a failed
//! send the claim is released and the next run tries again; a crash between a send and its
//! record can, at worst, send once more. Each run reads only the loans concerned, through its
//! own sparse index (docs/access-patterns.md #10).

use super::emails::{self, japanese_date, LoanMail, ReminderLine};
use super::{after_sending, commit, committed, until_committed, App, Attempt};
use crate::credentials::{random_token, sha256_hex};
use crate::domain::loan::{self, mark_overdue_noticed, mark_reminded};
use crate::domain::renewal_link::RenewalLink;
use crate::domain::types::CardNumber;
use crate::domain::{Changes, Key, Loan, MailClaim, Record, ReminderContact};
use crate::error::Error;
use crate::ports::Commit;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct MailReport {
    pub patrons_found: u32,
    pub emails_sent: u32,
    pub skipped: u32,
    pub failed: u32,
}

/// Which notice a run sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    DueSoon,
    Overdue,
}

impl Notice {
    fn job(self, due: NaiveDate) -> String {
        match self {
            Notice::DueSoon => format!("due:{due}"),
            Notice::Overdue => format!("overdue:{due}"),
        }
    }
    async fn loans(self, app: &App, due: NaiveDate) -> Result<Vec<Loan>, Error> {
        Ok(match self {
            Notice::DueSoon => app.store.reminder_loans_due_on(due).await?,
            Notice::Overdue => app.store.overdue_loans_due_on(due).await?,
        })
    }
    fn contact(self, loan: &Loan) -> Option<&ReminderContact> {
        match self {
            Notice::DueSoon => loan.reminder(),
            Notice::Overdue => loan.overdue_contact(),
        }
    }
    fn sent_for(self, loan: &Loan) -> Option<NaiveDate> {
        match self {
            Notice::DueSoon => loan.reminded_for(),
            Notice::Overdue => loan.overdue_noticed_for(),
        }
    }
    /// Still to send for due date `due`: the loan is still due then and not yet told.
    fn pending(self, loan: &Loan, due: NaiveDate) -> bool {
        loan.due_date == due && self.sent_for(loan) != Some(due) && self.contact(loan).is_some()
    }
    fn mail(self) -> LoanMail {
        match self {
            Notice::DueSoon => LoanMail::DueReminder,
            Notice::Overdue => LoanMail::OverdueNotice,
        }
    }
    fn mark(self, loan: &Loan, due: NaiveDate) -> Option<Changes> {
        match self {
            Notice::DueSoon => mark_reminded(loan, due),
            Notice::Overdue => mark_overdue_noticed(loan, due),
        }
    }
}

pub async fn send_due_reminders(app: &App, run_date: NaiveDate) -> Result<MailReport, Error> {
    let due = run_date + Days::new(app.policy().reminder_days_ahead.into());
    run(app, Notice::DueSoon, due, run_date).await
}

/// `overdue-notices`: the day after a due date.
/// A daily mail job's input: `{}` for today's run, or `{"date": "2026-12-01"}` to rerun that
/// day. Anything else is refused, never taken for today.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunDay {
    pub date: Option<NaiveDate>,
}

impl RunDay {
    pub fn day(&self, app: &App) -> NaiveDate {
        self.date.unwrap_or_else(|| app.clock.today())
    }
}

pub async fn send_overdue_notices(app: &App, run_date: NaiveDate) -> Result<MailReport, Error> {
    // A run for a day still to come would call loans overdue that may yet come back in time.
    if run_date > app.clock.today() {
        return Err(Error::InvalidDate(
            "an overdue-notice run for a day that has not come",
        ));
    }
    let due = run_date - Days::new(1);
    run(app, Notice::Overdue, due, run_date).await
}

async fn run(
    app: &App,
    notice: Notice,
    due: NaiveDate,
    run_date: NaiveDate,
) -> Result<MailReport, Error> {
    let job = notice.job(due);
    let mut by_patron: BTreeMap<CardNumber, Vec<Loan>> = BTreeMap::new();
    for loan in notice.loans(app, due).await? {
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
        match notify_patron(app, notice, &job, due, run_date, &card, loans).await {
            Ok(true) => report.emails_sent += 1,
            Ok(false) => report.skipped += 1,
            Err(e) => {
                report.failed += 1;
                tracing::error!(job = %job, error = %e, "a loan notice failed; the next run retries this patron");
            }
        }
    }
    super::log_run_done(&job, &report);
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
    let taken = match commit(app, Changes::none().create(fresh)).await? {
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
            match commit(app, Changes::none().update(taken)).await? {
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
    let _ = commit(app, changes).await?;
    Ok(())
}

/// R-MAIL-7: a renewal link for each loan that can be renewed today, stored (by its token's
/// hash) before the email that carries it goes out.
async fn renewal_links(
    app: &App,
    loans: &[Loan],
    run_date: NaiveDate,
) -> Result<BTreeMap<String, String>, Error> {
    let mut urls = BTreeMap::new();
    let mut changes = Changes::none();
    for l in loans
        .iter()
        .filter(|l| loan::renewal_of(l, run_date, app.policy()).is_ok())
    {
        let token = random_token(16);
        changes = changes.create(RenewalLink::for_loan(l, sha256_hex(&token)));
        urls.insert(
            l.loan_id.to_string(),
            emails::renewal_url(&app.settings.library, &token),
        );
    }
    if !changes.is_empty() {
        // New random keys: nothing to race with.
        let Commit::Done(_) = commit(app, changes).await? else {
            return Err(Error::Internal(
                "a fresh renewal link already existed".into(),
            ));
        };
    }
    Ok(urls)
}

async fn notify_patron(
    app: &App,
    notice: Notice,
    job: &str,
    due: NaiveDate,
    run_date: NaiveDate,
    card: &CardNumber,
    loans: Vec<Loan>,
) -> Result<bool, Error> {
    let mut pending: Vec<Loan> = loans
        .into_iter()
        .filter(|l| notice.sent_for(l) != Some(due))
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
        pending = super::get_all(app, &keys, Record::into_loan).await?;
        pending.retain(|l| notice.pending(l, due));
        if pending.is_empty() {
            release(app, claimed, true).await?;
            return Ok(false);
        }
    }
    let Some(contact) = notice.contact(&pending[0]).cloned() else {
        release(app, claimed, false).await?;
        return Ok(false);
    };
    pending.sort_by(|a, b| a.title.cmp(&b.title));
    let urls = match notice {
        Notice::DueSoon => renewal_links(app, &pending, run_date).await?,
        Notice::Overdue => BTreeMap::new(),
    };
    let lines: Vec<ReminderLine> = pending
        .iter()
        .map(|l| ReminderLine {
            title: l.title.clone(),
            due_date: japanese_date(l.due_date),
            renewal_url: urls.get(l.loan_id.as_str()).cloned(),
        })
        .collect();
    let library = &app.settings.library;
    let message = emails::loan_mail(
        notice.mail(),
        library,
        &contact.email,
        &contact.name,
        &lines,
    );
    if let Err(e) = app.mailer.send(&message).await {
        release(app, claimed, false).await?;
        return Err(Error::Internal(format!("send failed: {e}")));
    }
    mark_all(app, notice, claimed, pending, due).await?;
    Ok(true)
}

/// Records the notice on each loan, then completes the claim. Each loan is its own write
/// (no transaction needed: a run that finds the claim abandoned re-reads the loans).
async fn mark_all(
    app: &App,
    notice: Notice,
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
                    match loan.as_ref().and_then(|l| notice.mark(l, due)) {
                        Some(changes) => Ok(committed(commit(app, changes).await?, ())),
                        None => Ok(Attempt::Done(())),
                    }
                }
            })
        })
        .await?;
    }
    after_sending(|| release(app, claimed.clone(), true)).await
}
