//! `hold-expiry` (R-HOLD-6): ready holds past their pickup deadline lapse, and the copy kept
//! for each goes to the next in line or back to the shelf.

use super::calendar::with_calendar;
use super::{commit_outcome, first_in_line, follow_up, until_committed, App, Attempt};
use crate::domain::circulation::{self, Day, Lapsed};
use crate::domain::{Key, Record};
use crate::error::Error;
use crate::ports::scheduler::HoldExpiry;
use serde::Serialize;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ExpiryReport {
    pub lapsed: u32,
    pub passed_on: u32,
    pub returned_to_shelf: u32,
    pub failed: u32,
}

impl ExpiryReport {
    fn add(&mut self, other: &ExpiryReport) {
        self.lapsed += other.lapsed;
        self.passed_on += other.passed_on;
        self.returned_to_shelf += other.returned_to_shelf;
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

/// The daily sweep: every ready hold past its deadline, so a lost schedule loses nothing.
pub async fn sweep_expired_holds(app: &App) -> Result<ExpiryReport, Error> {
    let today = app.clock.today();
    let mut total = ExpiryReport::default();
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
    tracing::info!(
        lapsed = total.lapsed,
        passed_on = total.passed_on,
        returned_to_shelf = total.returned_to_shelf,
        failed = total.failed,
        "hold-expiry sweep done"
    );
    Ok(total)
}
