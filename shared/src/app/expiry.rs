//! `hold-expiry` (R-HOLD-6, R-HOLD-11, R-HOLD-12): ready holds past their pickup deadline
//! lapse, and the copy kept for each goes to the next in line or back to the shelf; waiting
//! or suspended holds past their not-needed-after date lapse; and a copy left on the shelf
//! while every hold was suspended goes to the first hold that has resumed by its date.

use super::calendar::with_calendar;
use super::holds::serve_from_shelf;
use super::{commit_outcome, committed, first_in_line, follow_up, until_committed, App, Attempt};
use crate::domain::circulation::{self, Day, Lapsed};
use crate::domain::hold;
use crate::domain::{Key, Record};
use crate::error::Error;
use crate::ports::scheduler::HoldExpiry;
use serde::Serialize;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ExpiryReport {
    pub lapsed: u32,
    pub passed_on: u32,
    pub returned_to_shelf: u32,
    /// Waiting or suspended holds no longer needed (R-HOLD-12).
    pub lapsed_unneeded: u32,
    /// Shelf copies given to a hold that resumed on its date (R-HOLD-11).
    pub served_from_shelf: u32,
    pub failed: u32,
}

impl ExpiryReport {
    fn add(&mut self, other: &ExpiryReport) {
        self.lapsed += other.lapsed;
        self.passed_on += other.passed_on;
        self.returned_to_shelf += other.returned_to_shelf;
        self.lapsed_unneeded += other.lapsed_unneeded;
        self.served_from_shelf += other.served_from_shelf;
        self.failed += other.failed;
    }
}

/// One hold's expiry (the one-time schedule's input). Idempotent: a hold that is gone, not
/// ready, not past its deadline, or a newer hold on the same title, is left alone.
pub async fn expire_hold(app: &App, expiry: &HoldExpiry) -> Result<ExpiryReport, Error> {
    let today = app.clock.today();
    let lapsed = until_committed(|| async {
        let Some(hold) = app.store.hold(&expiry.card_number, &expiry.bib_id).await? else {
            return Ok(Attempt::Done(None));
        };
        if hold.hold_id != expiry.hold_id || !hold.has_lapsed(today) {
            return Ok(Attempt::Done(None));
        }
        let crate::domain::HoldState::Ready { barcode, .. } = hold.state() else {
            return Ok(Attempt::Done(None));
        };
        let patron = app
            .store
            .patron(&hold.card_number)
            .await?
            .ok_or(Error::PatronNotFound)?;
        let (records, calendar) = with_calendar(app, vec![Key::Title(hold.bib_id.clone())]).await?;
        let title = records
            .into_iter()
            .find_map(Record::into_title)
            .ok_or(Error::TitleNotFound)?;
        let copy = app.store.copy(barcode).await?;
        let Attempt::Done(next) = first_in_line(app, &title).await? else {
            return Ok(Attempt::LostRace);
        };
        let outcome = circulation::lapse_hold(
            &patron,
            &title,
            &hold,
            copy.as_ref(),
            next.as_ref(),
            Day {
                today,
                calendar: &calendar,
            },
            app.policy(),
        )?;
        Ok(match commit_outcome(app, outcome).await? {
            Attempt::Done(done) => Attempt::Done(Some((hold.hold_id.clone(), done))),
            Attempt::LostRace => Attempt::LostRace,
        })
    })
    .await?;
    let mut report = ExpiryReport::default();
    if let Some((hold_id, (lapsed, follow_ups))) = lapsed {
        tracing::info!(hold_id = %hold_id, "uncollected hold lapsed");
        report.lapsed = 1;
        match lapsed {
            Lapsed::PassedOn(_) => report.passed_on = 1,
            Lapsed::ReturnedToShelf => report.returned_to_shelf = 1,
            Lapsed::CopyElsewhere => {}
        }
        follow_up(app, follow_ups).await;
    }
    Ok(report)
}

/// R-HOLD-12: one hold past its not-needed-after date lapses (idempotent).
async fn lapse_unneeded(
    app: &App,
    card: &crate::domain::types::CardNumber,
    bib: &crate::domain::types::BibId,
) -> Result<bool, Error> {
    let today = app.clock.today();
    until_committed(|| async {
        let Some(hold) = app.store.hold(card, bib).await? else {
            return Ok(Attempt::Done(false));
        };
        let patron = app.store.patron(card).await?.ok_or(Error::PatronNotFound)?;
        let title = app.store.title(bib).await?.ok_or(Error::TitleNotFound)?;
        match hold::lapse_unneeded(&patron, &title, &hold, today)? {
            None => Ok(Attempt::Done(false)),
            Some(outcome) => Ok(committed(super::commit(app, outcome.changes).await?, true)),
        }
    })
    .await
}

/// R-HOLD-11: a title's shelf copy to the first hold that may now be served (idempotent).
async fn serve_shelved(app: &App, bib: &crate::domain::types::BibId) -> Result<bool, Error> {
    let follow_ups = until_committed(|| async {
        let Some(title) = app.store.title(bib).await? else {
            return Ok(Attempt::Done(None));
        };
        match serve_from_shelf(app, &title, None).await? {
            None => Ok(Attempt::Done(None)),
            Some(None) => Ok(Attempt::LostRace),
            Some(Some(outcome)) => Ok(match commit_outcome(app, outcome).await? {
                Attempt::Done((_, f)) => Attempt::Done(Some(f)),
                Attempt::LostRace => Attempt::LostRace,
            }),
        }
    })
    .await?;
    match follow_ups {
        Some(f) => {
            follow_up(app, f).await;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The daily sweep: every ready hold past its deadline (so a lost schedule loses nothing),
/// every hold no longer needed, every shelf copy a resumed hold may take.
pub async fn sweep_expired_holds(app: &App) -> Result<ExpiryReport, Error> {
    let today = app.clock.today();
    let mut total = ExpiryReport::default();
    for h in app.store.holds_not_needed_before(today).await? {
        match lapse_unneeded(app, &h.card_number, &h.bib_id).await {
            Ok(true) => total.lapsed_unneeded += 1,
            Ok(false) => {}
            Err(e) => {
                total.failed += 1;
                tracing::error!(hold_id = %h.hold_id, error = %e, "lapsing a hold no longer needed failed; the next sweep retries");
            }
        }
    }
    for h in app.store.holds_past_pickup(today).await? {
        let expiry = HoldExpiry {
            card_number: h.card_number,
            bib_id: h.bib_id,
            hold_id: h.hold_id,
        };
        match expire_hold(app, &expiry).await {
            Ok(r) => total.add(&r),
            Err(e) => {
                total.failed += 1;
                tracing::error!(hold_id = %expiry.hold_id, error = %e, "hold expiry failed; the next sweep retries");
            }
        }
    }
    for t in app.store.titles_shelved_with_queue().await? {
        match serve_shelved(app, &t.bib_id).await {
            Ok(true) => total.served_from_shelf += 1,
            Ok(false) => {}
            Err(e) => {
                total.failed += 1;
                tracing::error!(bib_id = %t.bib_id, error = %e, "serving a shelf copy failed; the next sweep retries");
            }
        }
    }
    super::log_run_done("hold-expiry", &total);
    Ok(total)
}
