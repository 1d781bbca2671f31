//! The scheduled emails: due-date reminders (R-MAIL-1) and new-arrival alerts (R-MAIL-2).
//!
//! Both are safe to run twice at once or again after a crash. A patron is claimed before
//! being mailed (a conditional write another run cannot also win), and what was mailed is
//! recorded after the send succeeds: on a failed send the claim is released and the next
//! run tries again. A crash between a send and its record can, at worst, send once more.

use super::{retrying, App};
use crate::clock::japan_date;
use crate::error::Error;
use crate::mail::{self, japanese_date, ReminderLine};
use crate::model::{Announcement, ClaimState, JobState, Loan, MailClaim, Title};
use crate::rules::{arrivals, renewal};
use crate::store::{Expect, Key, Op, Record, StoreError};
use crate::types::CardNumber;
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// How long a claim keeps other runs away from a patron before it counts as abandoned.
const CLAIM_LEASE_MINUTES: i64 = 15;
/// A digest lists at most this many titles (one transaction records them).
pub const MAX_TITLES_PER_DIGEST: usize = 50;

#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct MailReport {
    pub patrons_found: u32,
    pub emails_sent: u32,
    pub skipped: u32,
    pub failed: u32,
}

fn lease(now: DateTime<Utc>) -> ClaimState {
    ClaimState::Sending {
        lease_until: now + Duration::minutes(CLAIM_LEASE_MINUTES),
    }
}

fn claim_is_live(state: &ClaimState, now: DateTime<Utc>) -> bool {
    matches!(state, ClaimState::Sending { lease_until } if *lease_until > now)
}

/// `due-reminders`: one email per signed-up patron listing their loans due on
/// `run_date + reminder_days_ahead`, never twice for the same loan and due date.
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

/// Claims the patron for `job`: the claim if this run may mail them now, None if another
/// run holds it.
async fn claim(app: &App, card: &CardNumber, job: &str) -> Result<Option<MailClaim>, Error> {
    let now = app.clock.now();
    let fresh = MailClaim {
        job: job.to_owned(),
        card_number: card.clone(),
        state: lease(now),
        version: 0,
    };
    match app.store.commit(vec![Op::create(fresh.clone())]).await {
        Ok(()) => {
            return Ok(Some(MailClaim {
                version: 1,
                ..fresh
            }))
        }
        Err(StoreError::Conflict) => {}
        Err(e) => return Err(e.into()),
    }
    // Claimed before: by a live run (leave it), or by a finished or abandoned one (take over).
    let key = Key::MailClaim(job.to_owned(), card.clone());
    let Some(Record::MailClaim(existing)) = app.store.get(&key).await? else {
        return Ok(None);
    };
    if claim_is_live(&existing.state, now) {
        return Ok(None);
    }
    let version = existing.version;
    let taken = MailClaim {
        state: lease(now),
        ..existing
    };
    match app.store.commit(vec![Op::update(taken.clone())]).await {
        Ok(()) => Ok(Some(MailClaim {
            version: version + 1,
            ..taken
        })),
        Err(StoreError::Conflict) => Ok(None),
        Err(e) => Err(e.into()),
    }
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
        .filter(|l| l.reminded_for != Some(due))
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
            .filter(|l| l.due_date == due && l.reminded_for != Some(due) && l.reminder.is_some())
            .collect();
        if pending.is_empty() {
            release(app, claimed, true).await?;
            return Ok(false);
        }
    }
    let Some(contact) = pending[0].reminder.clone() else {
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
            renewable: renewal::renew(l, false, run_date, app.policy()).is_ok(),
        })
        .collect();
    let message = mail::due_reminder(&app.config.library, &contact.email, &contact.name, &lines);
    if let Err(e) = app.mailer.send(&message).await {
        release(app, claimed, false).await?;
        return Err(Error::Internal(format!("send failed: {e}")));
    }
    mark_reminded(app, claimed, pending, due).await?;
    Ok(true)
}

/// Ends a claim: kept as sent (nothing left to do), or deleted so the next run tries again.
async fn release(app: &App, claimed: MailClaim, done: bool) -> Result<(), Error> {
    let op = if done {
        Op::update(MailClaim {
            state: ClaimState::Sent {
                at: app.clock.now(),
            },
            ..claimed
        })
    } else {
        Op::delete(claimed)
    };
    match app.store.commit(vec![op]).await {
        Ok(()) | Err(StoreError::Conflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Records the reminder on each loan, then completes the claim. Each loan is its own write
/// (no transaction needed: a run that finds the claim abandoned re-reads the loans).
async fn mark_reminded(
    app: &App,
    claimed: MailClaim,
    sent: Vec<Loan>,
    due: NaiveDate,
) -> Result<(), Error> {
    for loan in sent {
        let key = Key::Loan(loan.card_number.clone(), loan.loan_id.clone());
        let mut first = Some(loan);
        retrying(|| {
            let first = first.take();
            let key = &key;
            async move {
                let loan = match first {
                    Some(l) => Some(l),
                    None => app.store.get(key).await?.and_then(Record::into_loan),
                };
                let Some(mut loan) =
                    loan.filter(|l| l.due_date == due && l.reminded_for != Some(due))
                else {
                    return Ok(());
                };
                loan.reminded_for = Some(due);
                app.store.commit(vec![Op::update(loan)]).await?;
                Ok(())
            }
        })
        .await?;
    }
    release(app, claimed, true).await
}

const NEW_ARRIVALS_JOB: &str = "new-arrivals";
/// Each run looks this far behind the last one, for titles stamped before it but saved after
/// its query; the announcement records keep those from going out twice.
const WATERMARK_OVERLAP_MINUTES: i64 = 10;

/// `new-arrivals`: titles added since the last successful run, one digest per matching
/// patron, each title announced to a patron at most once. The watermark moves only when
/// every patron was served, so a failed patron is retried with the same titles.
pub async fn send_new_arrivals(app: &App) -> Result<MailReport, Error> {
    let started = app.clock.now();
    let job_key = Key::Job(NEW_ARRIVALS_JOB.into());
    let state = app.store.get(&job_key).await?.and_then(Record::into_job);
    let since = state
        .as_ref()
        .map(|s| s.watermark)
        .unwrap_or(started - Duration::days(1));
    let mut titles: Vec<Title> = Vec::new();
    let mut day = japan_date(since);
    while day <= japan_date(started) {
        titles.extend(
            app.store
                .titles_added_on(day)
                .await?
                .into_iter()
                .filter(|t| t.added_at > since && t.added_at <= started),
        );
        day = day + Days::new(1);
    }
    titles.sort_by_key(|t| t.added_at);
    let mut report = MailReport::default();
    if !titles.is_empty() {
        for patron in app.store.new_arrival_subscribers().await? {
            let matching: Vec<&Title> = titles
                .iter()
                .filter(|t| arrivals::matches(&patron.notifications.new_arrivals, t))
                .take(MAX_TITLES_PER_DIGEST)
                .collect();
            let Some(to) = patron.email.clone() else {
                continue;
            };
            if matching.is_empty() {
                continue;
            }
            report.patrons_found += 1;
            match announce(app, &patron.card_number, &patron.name, &to, &matching).await {
                Ok(true) => report.emails_sent += 1,
                Ok(false) => report.skipped += 1,
                Err(e) => {
                    report.failed += 1;
                    tracing::error!(error = %e, "new-arrivals digest failed; the watermark stays for a retry");
                }
            }
        }
    }
    // Moves on only when every patron was served; otherwise the next run sees the same titles.
    let watermark = if report.failed == 0 {
        started - Duration::minutes(WATERMARK_OVERLAP_MINUTES)
    } else {
        since
    };
    if state.as_ref().is_none_or(|s| s.watermark != watermark) {
        let next = match state {
            Some(s) => Op::update(JobState { watermark, ..s }),
            None => Op::Put(
                JobState {
                    job: NEW_ARRIVALS_JOB.into(),
                    watermark,
                    version: 0,
                }
                .into(),
                Expect::Absent,
            ),
        };
        // A concurrent run that moved it first is as good.
        match app.store.commit(vec![next]).await {
            Ok(()) | Err(StoreError::Conflict) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(
        titles = titles.len(),
        patrons_found = report.patrons_found,
        emails_sent = report.emails_sent,
        skipped = report.skipped,
        failed = report.failed,
        "new-arrivals run done"
    );
    Ok(report)
}

/// Claims each (patron, title) announcement, mails the claimed ones, then marks them sent.
async fn announce(
    app: &App,
    card: &CardNumber,
    name: &str,
    to: &crate::types::EmailAddress,
    titles: &[&Title],
) -> Result<bool, Error> {
    let now = app.clock.now();
    let fresh = |t: &Title| Announcement {
        card_number: card.clone(),
        bib_id: t.bib_id.clone(),
        state: lease(now),
        version: 0,
    };
    let mut claimed: Vec<Announcement> = Vec::new();
    let all_new: Vec<Op> = titles.iter().map(|t| Op::create(fresh(t))).collect();
    match app.store.commit(all_new).await {
        Ok(()) => {
            claimed = titles
                .iter()
                .map(|t| Announcement {
                    version: 1,
                    ..fresh(t)
                })
                .collect()
        }
        Err(StoreError::Conflict) => {
            // Some were announced or are being announced: claim the rest one by one.
            let keys: Vec<Key> = titles
                .iter()
                .map(|t| Key::Announcement(card.clone(), t.bib_id.clone()))
                .collect();
            let existing: Vec<Announcement> = app
                .store
                .get_many(&keys)
                .await?
                .into_iter()
                .filter_map(Record::into_announcement)
                .collect();
            for t in titles {
                let (op, version) = match existing.iter().find(|a| a.bib_id == t.bib_id) {
                    None => (Op::create(fresh(t)), 1),
                    Some(a)
                        if matches!(a.state, ClaimState::Sending { .. })
                            && !claim_is_live(&a.state, now) =>
                    {
                        (
                            Op::update(Announcement {
                                state: lease(now),
                                ..a.clone()
                            }),
                            a.version + 1,
                        )
                    }
                    Some(_) => continue,
                };
                match app.store.commit(vec![op]).await {
                    Ok(()) => claimed.push(Announcement {
                        version,
                        ..fresh(t)
                    }),
                    Err(StoreError::Conflict) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Err(e) => return Err(e.into()),
    }
    if claimed.is_empty() {
        return Ok(false);
    }
    let lines: Vec<(&str, &str, &str)> = titles
        .iter()
        .filter(|t| claimed.iter().any(|a| a.bib_id == t.bib_id))
        .map(|t| (t.bib_id.as_str(), t.title.as_str(), t.author.as_str()))
        .collect();
    let message = mail::new_arrivals(&app.config.library, to, name, &lines);
    if let Err(e) = app.mailer.send(&message).await {
        let undo: Vec<Op> = claimed.into_iter().map(Op::delete).collect();
        let _ = app.store.commit(undo).await;
        return Err(Error::Internal(format!("send failed: {e}")));
    }
    let done: Vec<Op> = claimed
        .into_iter()
        .map(|a| {
            Op::update(Announcement {
                state: ClaimState::Sent { at: now },
                ..a
            })
        })
        .collect();
    app.store.commit(done).await?;
    Ok(true)
}
