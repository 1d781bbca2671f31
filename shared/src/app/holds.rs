//! The patron's holds (R-HOLD-1..8): the list, placing one (web and counter alike),
//! cancelling one.

use super::sessions::Caller;
use super::{committed, until_committed, Account, App};
use crate::domain::catalog::Inconsistent;
use crate::domain::hold::{self, CancelRefusal, NewHold};
use crate::domain::types::{BibId, CardNumber, HoldId};
use crate::domain::{Hold, HoldNotice, Title};
use crate::error::Error;
use std::collections::HashMap;

/// A hold as the patron sees it.
#[derive(Debug)]
pub struct HoldStatus {
    pub hold: Hold,
    /// 1 = next in line; only while waiting.
    pub queue_position: Option<u32>,
    pub cancellable: bool,
}

fn status(hold: &Hold, title: Option<&Title>) -> HoldStatus {
    HoldStatus {
        queue_position: if hold.is_waiting() {
            title.and_then(|t| t.queue_position(&hold.hold_id))
        } else {
            None
        },
        cancellable: hold::may_cancel(hold).is_ok(),
        hold: hold.clone(),
    }
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
        .map(|h| status(h, titles.get(&h.bib_id)))
        .collect();
    out.sort_by_key(|s| (s.hold.is_waiting(), s.hold.placed_at));
    Ok(out)
}

/// POST /api/me/holds and POST /api/staff/holds: the same rules for both (R-HOLD-2 counts
/// them together).
pub async fn place(
    app: &App,
    card: &CardNumber,
    first_read: Option<Account>,
    bib: &BibId,
    notify: HoldNotice,
) -> Result<HoldStatus, Error> {
    let mut first = first_read;
    until_committed(|| {
        let first = first.take();
        async move {
            let account = Account::for_attempt(app, card, first, || Error::PatronNotFound).await?;
            let title = app.store.title(bib).await?.ok_or(Error::TitleNotFound)?;
            let new = NewHold {
                hold_id: HoldId::generate(),
                notify,
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
            let placed = outcome
                .changes
                .iter()
                .find_map(|c| c.record().clone().into_title())
                .map(|t| status(&outcome.value, Some(&t)));
            Ok(committed(
                app.store.commit(outcome.changes).await?,
                placed.expect("placing changes the title"),
            ))
        }
    })
    .await
}

/// DELETE /api/me/holds/{hold_id}: a waiting hold leaves the queue and frees a slot; a ready
/// one is refused with the library's phone number (R-HOLD-5).
pub async fn cancel(app: &App, caller: &Caller, hold_id: &HoldId) -> Result<(), Error> {
    let mut first = Some(caller.account.clone());
    until_committed(|| {
        let first = first.take();
        async move {
            let account =
                Account::for_attempt(app, caller.card(), first, || Error::Unauthenticated).await?;
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
            let outcome = hold::cancel(&account.patron, &title, hold).map_err(|r| match r {
                CancelRefusal::ReadyForPickup => Error::ReadyForPickup {
                    phone: app.settings.library.phone.clone(),
                },
                CancelRefusal::Inconsistent(i) => Error::Inconsistent(i),
            })?;
            Ok(committed(app.store.commit(outcome.changes).await?, ()))
        }
    })
    .await
}
