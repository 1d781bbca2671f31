//! `new-arrivals` (R-MAIL-2): titles added since the last successful run, one digest per
//! matching patron, each title announced to a patron at most once. The watermark moves only
//! when every patron was served, so a failed patron is retried with the same titles.

use super::emails;
use super::reminders::MailReport;
use super::App;
use crate::domain::dates::japan_date;
use crate::domain::mailing::matches;
use crate::domain::types::{CardNumber, EmailAddress};
use crate::domain::{Announcement, Changes, JobState, Key, Record, Title};
use crate::error::Error;
use crate::ports::Commit;
use chrono::{Days, Duration};

const NEW_ARRIVALS_JOB: &str = "new-arrivals";
/// Each run looks this far behind the last one, for titles stamped before it but saved after
/// its query; the announcement records keep those from going out twice.
const WATERMARK_OVERLAP_MINUTES: i64 = 10;
/// A digest lists at most this many titles (one transaction records them).
pub const MAX_TITLES_PER_DIGEST: usize = 50;

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
                .filter(|t| matches(&patron.notifications.new_arrivals, t))
                .take(MAX_TITLES_PER_DIGEST)
                .collect();
            // R-MAIL-5: only to a verified address.
            let Some(to) = patron.mail_address().cloned() else {
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
            Some(s) => Changes::none().update(JobState { watermark, ..s }),
            None => Changes::none().create(JobState {
                job: NEW_ARRIVALS_JOB.into(),
                watermark,
                version: 0,
            }),
        };
        // A concurrent run that moved it first is as good.
        let _ = super::commit(app, next).await?;
    }
    tracing::info!(titles = titles.len(), "new arrivals announced");
    super::log_run_done(NEW_ARRIVALS_JOB, &report);
    Ok(report)
}

/// Claims each (patron, title) announcement, mails the claimed ones, then marks them sent.
async fn announce(
    app: &App,
    card: &CardNumber,
    name: &str,
    to: &EmailAddress,
    titles: &[&Title],
) -> Result<bool, Error> {
    let now = app.clock.now();
    let fresh = |t: &Title| Announcement::new(card, &t.bib_id, now);
    let all_new: Changes = titles
        .iter()
        .fold(Changes::none(), |c, t| c.create(fresh(t)));
    let claimed: Vec<Announcement> = match super::commit(app, all_new).await? {
        Commit::Done(w) => w
            .into_records()
            .into_iter()
            .filter_map(Record::into_announcement)
            .collect(),
        Commit::LostRace => {
            // Some were announced or are being announced: claim the rest one by one.
            let keys: Vec<Key> = titles
                .iter()
                .map(|t| Key::Announcement(card.clone(), t.bib_id.clone()))
                .collect();
            let existing = super::get_all(app, &keys, Record::into_announcement).await?;
            let mut claimed = Vec::new();
            for t in titles {
                let change = match existing.iter().find(|a| a.bib_id == t.bib_id) {
                    None => Changes::none().create(fresh(t)),
                    Some(a) if a.state.is_abandoned(now) => Changes::none().update(Announcement {
                        state: crate::domain::ClaimState::lease(now),
                        ..a.clone()
                    }),
                    Some(_) => continue,
                };
                if let Commit::Done(w) = super::commit(app, change).await? {
                    claimed.extend(
                        w.into_records()
                            .into_iter()
                            .filter_map(Record::into_announcement),
                    );
                }
            }
            claimed
        }
    };
    if claimed.is_empty() {
        return Ok(false);
    }
    let lines: Vec<(&str, &str, &str)> = titles
        .iter()
        .filter(|t| claimed.iter().any(|a| a.bib_id == t.bib_id))
        .map(|t| (t.bib_id.as_str(), t.title.as_str(), t.author.as_str()))
        .collect();
    let message = emails::new_arrivals(&app.settings.library, to, name, &lines);
    if let Err(e) = app.mailer.send(&message).await {
        let undo = claimed
            .into_iter()
            .fold(Changes::none(), |c, a| c.delete(a));
        let _ = super::commit(app, undo).await;
        return Err(Error::Internal(format!("send failed: {e}")));
    }
    let done = claimed
        .iter()
        .fold(Changes::none(), |c, a| c.update(a.sent(now)));
    let _ = super::after_sending(|| super::commit(app, done.clone())).await?;
    Ok(true)
}
