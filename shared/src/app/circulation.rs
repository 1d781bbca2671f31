//! The counter (R-DESK-1, R-DESK-2): registering patrons, temporary passwords, the catalog,
//! checkout, check-in that fills holds, and the lapse of uncollected holds (R-HOLD-6).

use super::{blocking, retrying, App, PatronAccount};
use crate::clock::japan_date;
use crate::error::Error;
use crate::mail;
use crate::model::{
    Copy, CopyState, Credential, Hold, HoldState, Loan, NotificationSettings, Patron, Title,
};
use crate::rules::holds::{self, CopyDestination};
use crate::scheduler::{expiry_time, HoldExpiry};
use crate::store::{Op, StoreError};
use crate::types::{
    generate_temporary_password, hash_password, Barcode, BibId, CardNumber, HoldId, LoanId,
};
use chrono::{Days, Duration, NaiveDate};
use serde::Serialize;

pub async fn register_patron(
    app: &App,
    card: CardNumber,
    name: String,
    ebook_eligible: bool,
) -> Result<Patron, Error> {
    let patron = Patron {
        card_number: card,
        name,
        email: None,
        ebook_eligible,
        password: None,
        credential_version: 0,
        failed_logins: 0,
        locked_until: None,
        active_holds: 0,
        notifications: NotificationSettings::default(),
        registered_at: app.clock.now(),
        version: 0,
    };
    match app.store.commit(vec![Op::create(patron.clone())]).await {
        Ok(()) => Ok(patron),
        Err(StoreError::Conflict) => Err(Error::PatronExists),
        Err(e) => Err(e.into()),
    }
}

/// R-ACCT-2: a new temporary password, shown once. It ends every session and lifts a lock.
pub async fn issue_temporary_password(app: &App, card: &CardNumber) -> Result<String, Error> {
    let plain = generate_temporary_password();
    let p2 = plain.clone();
    let hash = blocking(move || hash_password(&p2)).await?;
    let expires_at = app.clock.now() + Duration::days(app.policy().temporary_password_days);
    retrying(|| async {
        let mut p = app.store.patron(card).await?.ok_or(Error::PatronNotFound)?;
        p.password = Some(Credential {
            hash: hash.clone(),
            temporary: true,
            expires_at: Some(expires_at),
        });
        p.credential_version += 1;
        p.failed_logins = 0;
        p.locked_until = None;
        app.store.commit(vec![Op::update(p)]).await?;
        Ok(())
    })
    .await?;
    Ok(plain)
}

pub async fn add_title(
    app: &App,
    bib: BibId,
    title: String,
    author: String,
    subjects: Vec<String>,
) -> Result<Title, Error> {
    let now = app.clock.now();
    let t = Title {
        bib_id: bib,
        title,
        author,
        subjects,
        added_at: now,
        added_on: japan_date(now),
        copies: 0,
        on_shelf: 0,
        queue: Vec::new(),
        version: 0,
    };
    match app.store.commit(vec![Op::create(t.clone())]).await {
        Ok(()) => Ok(t),
        Err(StoreError::Conflict) => Err(Error::TitleExists),
        Err(e) => Err(e.into()),
    }
}

/// The holds that became ready in an operation, to be announced after its commit.
type Readied = Option<Hold>;

/// Sends a copy that came back (or is new) where the rules say: to the first waiting hold,
/// which becomes ready, or to the shelf. Returns the ops and the readied hold.
async fn route_copy(
    app: &App,
    title: &mut Title,
    copy: &mut Copy,
) -> Result<(Vec<Op>, Readied), Error> {
    let today = app.clock.today();
    match holds::route_returned_copy(title) {
        CopyDestination::Shelf => {
            copy.state = CopyState::OnShelf;
            title.on_shelf += 1;
            Ok((Vec::new(), None))
        }
        CopyDestination::Hold(first) => {
            let mut hold = app
                .store
                .hold(&first.card_number, &title.bib_id)
                .await?
                .filter(|h| h.hold_id == first.hold_id && h.state == HoldState::Waiting)
                // The title was read before another check-in readied (or a patron cancelled)
                // this hold: a lost race, so the operation re-runs on a fresh title.
                .ok_or(Error::Busy)?;
            hold.state = HoldState::Ready {
                ready_on: today,
                pickup_deadline: holds::pickup_deadline(today, app.policy()),
                barcode: copy.barcode.clone(),
            };
            title.queue.remove(0);
            copy.state = CopyState::HeldForPickup {
                card_number: first.card_number,
                hold_id: hold.hold_id.clone(),
            };
            Ok((vec![Op::update(hold.clone())], Some(hold)))
        }
    }
}

/// After the commit that made `hold` ready: its expiry schedule, and its email (R-HOLD-7).
/// Neither can undo the commit; a failure is logged, and the daily sweep and My Page cover it.
async fn announce_ready(app: &App, hold: &Hold) {
    let HoldState::Ready {
        pickup_deadline, ..
    } = hold.state
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
    if hold.notify != crate::model::NotifyBy::Email {
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
    let Some(to) = &patron.email else {
        tracing::info!(hold_id = %hold.hold_id, "hold ready; the patron has no address any more, My Page shows it");
        return;
    };
    let message = mail::hold_ready(
        &app.config.library,
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

/// POST /api/staff/copies. A new copy of a title with waiting holds goes to the first of them.
pub async fn add_copy(app: &App, barcode: Barcode, bib: BibId) -> Result<Copy, Error> {
    let (copy, readied) = retrying(|| async {
        let mut title = app.store.title(&bib).await?.ok_or(Error::TitleNotFound)?;
        if app.store.copy(&barcode).await?.is_some() {
            return Err(Error::CopyExists);
        }
        let mut copy = Copy {
            barcode: barcode.clone(),
            bib_id: bib.clone(),
            state: CopyState::OnShelf,
            version: 0,
        };
        let (mut ops, readied) = route_copy(app, &mut title, &mut copy).await?;
        title.copies += 1;
        ops.push(Op::create(copy.clone()));
        ops.push(Op::update(title));
        app.store.commit(ops).await?;
        Ok((copy, readied))
    })
    .await?;
    if let Some(h) = &readied {
        announce_ready(app, h).await;
    }
    Ok(copy)
}

#[derive(Debug, Serialize)]
pub struct LoanReceipt {
    pub loan_id: LoanId,
    pub card_number: CardNumber,
    pub barcode: Barcode,
    pub bib_id: BibId,
    pub title: String,
    pub checked_out_on: NaiveDate,
    pub due_date: NaiveDate,
    pub interlibrary: bool,
    /// The hold this checkout fulfilled, if any.
    pub fulfilled_hold: Option<HoldId>,
}

/// POST /api/staff/checkouts: a 14-day loan, or an interlibrary loan with its own due date.
/// A copy kept for a hold goes only to that hold's patron, and fulfils the hold.
pub async fn check_out(
    app: &App,
    card: &CardNumber,
    barcode: &Barcode,
    interlibrary_due: Option<NaiveDate>,
) -> Result<LoanReceipt, Error> {
    let today = app.clock.today();
    if interlibrary_due.is_some_and(|d| d < today) {
        return Err(Error::DueDateInPast);
    }
    let due_date = interlibrary_due.unwrap_or(today + Days::new(app.policy().loan_days.into()));
    let receipt = retrying(|| async {
        let account = PatronAccount::load(app.store.as_ref(), card)
            .await?
            .ok_or(Error::PatronNotFound)?;
        let mut copy = app.store.copy(barcode).await?.ok_or(Error::CopyNotFound)?;
        let mut title = app
            .store
            .title(&copy.bib_id)
            .await?
            .ok_or(Error::TitleNotFound)?;
        let mut patron = account.patron;
        let mut ops = Vec::new();
        let mut fulfilled = None;
        match &copy.state {
            CopyState::OnLoan { .. } => return Err(Error::CopyOnLoan),
            CopyState::HeldForPickup {
                card_number,
                hold_id,
            } => {
                if card_number != card {
                    return Err(Error::HeldForAnotherPatron);
                }
                // The account was read before the copy: a hold it does not show yet is a
                // lost race, re-run on fresh reads.
                let h = account
                    .holds
                    .iter()
                    .find(|h| &h.hold_id == hold_id)
                    .ok_or(Error::Busy)?;
                ops.push(Op::delete(h.clone()));
                patron.active_holds = patron.active_holds.saturating_sub(1);
                fulfilled = Some(h.hold_id.clone());
            }
            CopyState::OnShelf => {
                title.on_shelf = title.on_shelf.saturating_sub(1);
                // Borrowing a title one waits for fulfils the wait (R-HOLD-8: no hold on a loan).
                if let Some(h) = account
                    .holds
                    .iter()
                    .find(|h| h.bib_id == copy.bib_id && h.state == HoldState::Waiting)
                {
                    ops.push(Op::delete(h.clone()));
                    title.queue.retain(|q| q.hold_id != h.hold_id);
                    patron.active_holds = patron.active_holds.saturating_sub(1);
                    fulfilled = Some(h.hold_id.clone());
                }
            }
        }
        let loan = Loan {
            loan_id: LoanId::generate(),
            card_number: card.clone(),
            barcode: barcode.clone(),
            bib_id: copy.bib_id.clone(),
            title: title.title.clone(),
            author: title.author.clone(),
            checked_out_on: today,
            due_date,
            renewals: 0,
            interlibrary: interlibrary_due.is_some(),
            reminded_for: None,
            reminder: patron.reminder_contact(),
            version: 0,
        };
        copy.state = CopyState::OnLoan {
            card_number: card.clone(),
            loan_id: loan.loan_id.clone(),
        };
        let receipt = LoanReceipt {
            loan_id: loan.loan_id.clone(),
            card_number: card.clone(),
            barcode: barcode.clone(),
            bib_id: loan.bib_id.clone(),
            title: loan.title.clone(),
            checked_out_on: today,
            due_date,
            interlibrary: loan.interlibrary,
            fulfilled_hold: fulfilled,
        };
        ops.push(Op::create(loan));
        ops.push(Op::update(copy));
        ops.push(Op::update(title));
        // The patron's record is part of every checkout, so a concurrent hold or
        // settings change is seen rather than overwritten.
        ops.push(Op::update(patron));
        app.store.commit(ops).await?;
        Ok(receipt)
    })
    .await?;
    if let Some(hold_id) = &receipt.fulfilled_hold {
        if let Err(e) = app.scheduler.cancel(hold_id).await {
            tracing::warn!(hold_id = %hold_id, error = %e, "could not delete the fulfilled hold's expiry schedule");
        }
    }
    Ok(receipt)
}

#[derive(Debug, Serialize)]
pub struct CheckinReceipt {
    pub loan_closed: bool,
    pub hold_ready: Option<ReadyHold>,
}

#[derive(Debug, Serialize)]
pub struct ReadyHold {
    pub hold_id: HoldId,
    pub card_number: CardNumber,
    pub pickup_deadline: NaiveDate,
}

fn ready_hold(h: &Hold) -> Option<ReadyHold> {
    match h.state {
        HoldState::Ready {
            pickup_deadline, ..
        } => Some(ReadyHold {
            hold_id: h.hold_id.clone(),
            card_number: h.card_number.clone(),
            pickup_deadline,
        }),
        HoldState::Waiting => None,
    }
}

/// POST /api/staff/checkins: closes the loan; the copy goes to the first waiting hold of its
/// title (R-DESK-2) or back to the shelf. Two check-ins racing for one queue each re-read
/// the queue after a lost race, so a copy goes to exactly one hold and a hold gets one copy.
pub async fn check_in(app: &App, barcode: &Barcode) -> Result<CheckinReceipt, Error> {
    let readied = retrying(|| async {
        let mut copy = app.store.copy(barcode).await?.ok_or(Error::CopyNotFound)?;
        let CopyState::OnLoan {
            card_number,
            loan_id,
        } = copy.state.clone()
        else {
            return Err(Error::NotCheckedOut);
        };
        let mut title = app
            .store
            .title(&copy.bib_id)
            .await?
            .ok_or(Error::TitleNotFound)?;
        let loan = app
            .store
            .get(&crate::store::Key::Loan(card_number, loan_id))
            .await?;
        let (mut ops, readied) = route_copy(app, &mut title, &mut copy).await?;
        if let Some(loan) = loan {
            ops.push(Op::Delete(loan.key(), loan.version()));
        }
        ops.push(Op::update(copy));
        ops.push(Op::update(title));
        app.store.commit(ops).await?;
        Ok(readied)
    })
    .await?;
    if let Some(h) = &readied {
        announce_ready(app, h).await;
    }
    Ok(CheckinReceipt {
        loan_closed: true,
        hold_ready: readied.as_ref().and_then(ready_hold),
    })
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ExpiryReport {
    pub lapsed: u32,
    pub passed_on: u32,
    pub returned_to_shelf: u32,
    pub failed: u32,
}

/// One hold's expiry (the one-time schedule's input). Idempotent: a hold that is gone, not
/// ready, not past its deadline, or a newer hold on the same title, is left alone.
pub async fn expire_hold(app: &App, expiry: &HoldExpiry) -> Result<ExpiryReport, Error> {
    let today = app.clock.today();
    let readied = retrying(|| async {
        let Some(hold) = app.store.hold(&expiry.card_number, &expiry.bib_id).await? else { return Ok(None) };
        if hold.hold_id != expiry.hold_id || !holds::has_lapsed(&hold, today) {
            return Ok(None);
        }
        let HoldState::Ready { barcode, .. } = &hold.state else { return Ok(None) };
        let mut patron = app.store.patron(&hold.card_number).await?.ok_or(Error::PatronNotFound)?;
        let mut title = app.store.title(&hold.bib_id).await?.ok_or(Error::TitleNotFound)?;
        let mut ops = vec![Op::delete(hold.clone())];
        patron.active_holds = patron.active_holds.saturating_sub(1);
        ops.push(Op::update(patron));
        let mut next = None;
        if let Some(mut copy) = app.store.copy(barcode).await? {
            if matches!(&copy.state, CopyState::HeldForPickup { hold_id, .. } if *hold_id == hold.hold_id) {
                let (more, readied) = route_copy(app, &mut title, &mut copy).await?;
                ops.extend(more);
                ops.push(Op::update(copy));
                next = readied;
            }
        }
        ops.push(Op::update(title));
        app.store.commit(ops).await?;
        tracing::info!(hold_id = %hold.hold_id, "uncollected hold lapsed");
        Ok(Some(next))
    })
    .await?;
    let mut report = ExpiryReport::default();
    if let Some(next) = readied {
        report.lapsed = 1;
        match next {
            Some(h) => {
                announce_ready(app, &h).await;
                report.passed_on = 1;
            }
            None => report.returned_to_shelf = 1,
        }
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
            Ok(r) => {
                total.lapsed += r.lapsed;
                total.passed_on += r.passed_on;
                total.returned_to_shelf += r.returned_to_shelf;
            }
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
