//! The patron's holds (R-HOLD-1..14): the list, placing one (web, cart and counter alike),
//! changing one (suspend, resume, not needed after, contact), cancelling one.

use super::calendar::with_calendar;
use super::sessions::Caller;
use super::{
    commit_outcome, committed, first_in_line, follow_up, until_committed, until_committed_for,
    Account, App, Attempt,
};
use crate::domain::catalog::Inconsistent;
use crate::domain::circulation;
use crate::domain::hold::{self, CancelRefusal, HoldChange, NewHold, Standing};
use crate::domain::types::{BibId, CardNumber, HoldId};
use crate::domain::{Changes, Hold, HoldNotice, Key, Outcome, Record, Title};
use crate::error::Error;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A hold as the patron sees it today.
#[derive(Debug)]
pub struct HoldStatus {
    pub hold: Hold,
    pub standing: Standing,
    /// 1 = next in line; while waiting or suspended. Every hold in the queue counts,
    /// suspended ones included.
    pub queue_position: Option<u32>,
    /// R-HOLD-14, while waiting.
    pub estimated_ready_on: Option<NaiveDate>,
    pub cancellable: bool,
}

fn status(app: &App, hold: &Hold, title: Option<&Title>) -> HoldStatus {
    let today = app.clock.today();
    HoldStatus {
        standing: hold.standing(today),
        queue_position: if hold.is_waiting() {
            title.and_then(|t| t.queue_position(&hold.hold_id))
        } else {
            None
        },
        estimated_ready_on: title
            .and_then(|t| hold::estimated_ready_on(t, hold, today, app.policy())),
        cancellable: hold::may_cancel(hold).is_ok(),
        hold: hold.clone(),
    }
}

/// The status of the hold a commit just wrote, from the title as the same commit left it.
pub(crate) fn status_after(app: &App, hold: &Hold, changes: &Changes, title: &Title) -> HoldStatus {
    let written = changes
        .iter()
        .find_map(|c| c.record().clone().into_title())
        .unwrap_or_else(|| title.clone());
    status(app, hold, Some(&written))
}

/// GET /api/me/holds: ready ones first, then by place in line.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<HoldStatus>, Error> {
    let holds = &caller.account.holds;
    let waiting = holds
        .iter()
        .filter(|h| h.is_waiting())
        .map(|h| h.bib_id.clone());
    let titles: HashMap<BibId, Title> = app
        .store
        .titles(waiting)
        .await?
        .into_iter()
        .map(|t| (t.bib_id.clone(), t))
        .collect();
    let mut out: Vec<HoldStatus> = holds
        .iter()
        .map(|h| status(app, h, titles.get(&h.bib_id)))
        .collect();
    out.sort_by_key(|s| (s.hold.is_waiting(), s.hold.placed_at));
    Ok(out)
}

/// What a new hold asks for.
#[derive(Debug, Clone, Copy)]
pub struct HoldRequest {
    pub notify: HoldNotice,
    pub not_needed_after: Option<NaiveDate>,
}

/// Just a contact method, needed any time.
impl From<HoldNotice> for HoldRequest {
    fn from(notify: HoldNotice) -> Self {
        HoldRequest {
            notify,
            not_needed_after: None,
        }
    }
}

/// One attempt at placing a hold: the domain's outcome, with the title it read.
pub(crate) async fn place_attempt(
    app: &App,
    account: &Account,
    bib: &BibId,
    request: HoldRequest,
) -> Result<(Outcome<Hold>, Title), Error> {
    let title = app.store.title(bib).await?.ok_or(Error::TitleNotFound)?;
    let new = NewHold {
        hold_id: HoldId::generate(),
        notify: request.notify,
        not_needed_after: request.not_needed_after,
        now: app.clock.now(),
    };
    let outcome = hold::place(
        &account.patron,
        &title,
        &account.loans,
        &account.holds,
        new,
        app.policy(),
    )?;
    Ok((outcome, title))
}

/// POST /api/me/holds and POST /api/staff/holds: the same rules for both (R-HOLD-2 counts
/// them together).
pub async fn place(
    app: &App,
    card: &CardNumber,
    first_read: Option<Account>,
    bib: &BibId,
    request: HoldRequest,
) -> Result<HoldStatus, Error> {
    let mut first = first_read;
    until_committed(|| {
        let first = first.take();
        async move {
            let account = Account::for_attempt(app, card, first, || Error::PatronNotFound).await?;
            let (outcome, title) = place_attempt(app, &account, bib, request).await?;
            let placed = status_after(app, &outcome.value, &outcome.changes, &title);
            Ok(committed(
                super::commit(app, outcome.changes).await?,
                placed,
            ))
        }
    })
    .await
}

/// PATCH /api/me/holds/{hold_id} (R-HOLD-11..13). A hold that resumes while a copy of its
/// title is on the shelf (every hold was suspended when it came back) takes that copy: the
/// first hold in line that may now be served becomes ready, in the same commit.
pub async fn change(
    app: &App,
    caller: &Caller,
    hold_id: &HoldId,
    request: &HoldChange,
) -> Result<HoldStatus, Error> {
    let today = app.clock.today();
    let (changed, follow_ups) = until_committed_for(app, caller, move |account| async move {
        let Some((current, title)) = own_hold_and_title(app, &account, hold_id).await? else {
            return Ok(Attempt::LostRace);
        };
        let mut outcome = hold::change(
            &account.patron,
            &title,
            current,
            request,
            today,
            app.policy(),
        )?;
        let after = outcome
            .changes
            .iter()
            .find_map(|c| c.record().clone().into_title())
            .unwrap_or_else(|| title.clone());
        if let Some(served) = serve_from_shelf(app, &after, Some(&outcome.value)).await? {
            let Some(served) = served else {
                return Ok(Attempt::LostRace);
            };
            let changes = outcome.changes.and(served.changes);
            if served.value.hold_id == outcome.value.hold_id {
                outcome.value = served.value.clone();
            }
            outcome = Outcome::new(outcome.value, changes).then(served.follow_ups);
        }
        let shown = status_after(app, &outcome.value, &outcome.changes, &after);
        let outcome = outcome.map(|_| shown);
        commit_outcome(app, outcome).await
    })
    .await?;
    follow_up(app, follow_ups).await;
    Ok(changed)
}

/// A copy on `title`'s shelf for the first hold that may now be served, if both exist:
/// `Some(Some(outcome))` to commit, `Some(None)` when the reads disagree (a lost race), `None`
/// when there is nothing to do. `known` is a hold already read (and perhaps just changed).
pub(crate) async fn serve_from_shelf(
    app: &App,
    title: &Title,
    known: Option<&Hold>,
) -> Result<Option<Option<Outcome<Hold>>>, Error> {
    let today = app.clock.today();
    let (Some(barcode), Some(next)) =
        (title.shelf_copy(), circulation::first_in_line(title, today))
    else {
        return Ok(None);
    };
    let hold = match known.filter(|h| h.hold_id == next.hold_id) {
        Some(h) => h.clone(),
        None => match first_in_line(app, title).await? {
            Attempt::Done(Some(h)) => h,
            _ => return Ok(Some(None)),
        },
    };
    let (records, calendar) = with_calendar(app, vec![Key::Copy(barcode.clone())]).await?;
    let Some(copy) = records
        .into_iter()
        .find_map(Record::into_copy)
        .filter(|c| c.state() == &crate::domain::CopyState::OnShelf)
    else {
        return Ok(Some(None));
    };
    let day = circulation::Day {
        today,
        calendar: &calendar,
    };
    let outcome = circulation::serve_from_shelf(title, &copy, &hold, day, app.policy())?;
    Ok(Some(Some(outcome)))
}

/// The caller's own hold `hold_id` (another patron's is not found) and its title; `None`
/// when the two reads disagree, a race to run again.
async fn own_hold_and_title<'a>(
    app: &App,
    account: &'a Account,
    hold_id: &HoldId,
) -> Result<Option<(&'a Hold, Title)>, Error> {
    let hold = account
        .holds
        .iter()
        .find(|h| &h.hold_id == hold_id)
        .ok_or(Error::HoldNotFound)?;
    let title = app
        .store
        .title(&hold.bib_id)
        .await?
        .ok_or(Inconsistent("a hold on a title that is not in the catalog"))?;
    // The title is read after the account: a check-in between the two made the hold ready
    // (and took it off the queue) where the account still shows it waiting. Run again.
    let queued = title.queue().iter().any(|q| q.hold_id == hold.hold_id);
    if queued != hold.is_waiting() {
        return Ok(None);
    }
    Ok(Some((hold, title)))
}

/// DELETE /api/me/holds/{hold_id}: a waiting (or suspended) hold leaves the queue and frees
/// a slot; a ready one is refused with the library's phone number (R-HOLD-5).
pub async fn cancel(app: &App, caller: &Caller, hold_id: &HoldId) -> Result<(), Error> {
    until_committed_for(app, caller, move |account| async move {
        let Some((hold, title)) = own_hold_and_title(app, &account, hold_id).await? else {
            return Ok(Attempt::LostRace);
        };
        let outcome = hold::cancel(&account.patron, &title, hold).map_err(|r| match r {
            CancelRefusal::ReadyForPickup => Error::ReadyForPickup {
                phone: app.settings.library.phone.clone(),
            },
            CancelRefusal::Inconsistent(i) => Error::Inconsistent(i),
        })?;
        Ok(committed(super::commit(app, outcome.changes).await?, ()))
    })
    .await
}
