//! R-HOLD-1..5, -8: the patron's holds, placing one (web and counter alike), cancelling one.

use super::sessions::Caller;
use super::{retrying, App, PatronAccount};
use crate::error::Error;
use crate::model::{Hold, HoldState, NotifyBy, QueuedHold, Title};
use crate::rules::holds;
use crate::store::Op;
use crate::types::{BibId, CardNumber, HoldId};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Serialize)]
pub struct HoldView {
    pub hold_id: HoldId,
    pub bib_id: BibId,
    pub title: String,
    /// `waiting` or `ready`
    pub status: &'static str,
    /// 1 = next in line; only while waiting.
    pub queue_position: Option<u32>,
    pub ready_on: Option<NaiveDate>,
    pub pickup_deadline: Option<NaiveDate>,
    pub notify: NotifyBy,
    pub cancellable: bool,
}

fn view(hold: &Hold, title: Option<&Title>) -> HoldView {
    let (status, ready_on, pickup_deadline) = match &hold.state {
        HoldState::Waiting => ("waiting", None, None),
        HoldState::Ready {
            ready_on,
            pickup_deadline,
            ..
        } => ("ready", Some(*ready_on), Some(*pickup_deadline)),
    };
    HoldView {
        hold_id: hold.hold_id.clone(),
        bib_id: hold.bib_id.clone(),
        title: hold.title.clone(),
        status,
        queue_position: match hold.state {
            HoldState::Waiting => title.and_then(|t| t.queue_position(&hold.hold_id)),
            HoldState::Ready { .. } => None,
        },
        ready_on,
        pickup_deadline,
        notify: hold.notify,
        cancellable: holds::cancel(hold).is_ok(),
    }
}

/// GET /api/me/holds: ready ones first, then by place in line.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<HoldView>, Error> {
    let hs = &caller.account.holds;
    let waiting = hs
        .iter()
        .filter(|h| h.state == HoldState::Waiting)
        .map(|h| h.bib_id.clone());
    let titles: HashMap<BibId, Title> = app
        .store
        .titles(waiting)
        .await?
        .into_iter()
        .map(|t| (t.bib_id.clone(), t))
        .collect();
    let mut views: Vec<(chrono::DateTime<chrono::Utc>, HoldView)> = hs
        .iter()
        .map(|h| (h.placed_at, view(h, titles.get(&h.bib_id))))
        .collect();
    views.sort_by_key(|(placed_at, v)| (v.status != "ready", *placed_at));
    Ok(views.into_iter().map(|(_, v)| v).collect())
}

/// POST /api/me/holds and POST /api/staff/holds. The hold, the patron's count and the title's
/// queue are written together, each at the version read: concurrent requests can never
/// pass the limit (R-HOLD-2) or hold a title twice (R-HOLD-8).
pub async fn place(
    app: &App,
    card: &CardNumber,
    first_read: Option<PatronAccount>,
    bib: &BibId,
    notify: NotifyBy,
) -> Result<HoldView, Error> {
    let mut first = first_read;
    retrying(|| {
        let first = first.take();
        async move {
            let account =
                PatronAccount::for_attempt(app, card, first, || Error::PatronNotFound).await?;
            let mut title = app.store.title(bib).await?.ok_or(Error::TitleNotFound)?;
            let mut patron = account.patron;
            holds::place(
                &patron,
                &title,
                &account.loans,
                &account.holds,
                notify,
                app.policy(),
            )?;
            let hold = Hold {
                hold_id: HoldId::generate(),
                card_number: card.clone(),
                bib_id: bib.clone(),
                title: title.title.clone(),
                author: title.author.clone(),
                placed_at: app.clock.now(),
                notify,
                state: HoldState::Waiting,
                version: 0,
            };
            patron.active_holds += 1;
            title.queue.push(QueuedHold {
                hold_id: hold.hold_id.clone(),
                card_number: card.clone(),
            });
            let v = view(&hold, Some(&title));
            app.store
                .commit(vec![
                    Op::create(hold),
                    Op::update(patron),
                    Op::update(title),
                ])
                .await?;
            Ok(v)
        }
    })
    .await
}

/// DELETE /api/me/holds/{hold_id}: a waiting hold leaves the queue and frees a slot; a ready
/// one is refused with the library's phone number (R-HOLD-5).
pub async fn cancel(app: &App, caller: &Caller, hold_id: &HoldId) -> Result<(), Error> {
    let mut first = Some(caller.account.clone());
    retrying(|| {
        let first = first.take();
        async move {
            let account =
                PatronAccount::for_attempt(app, caller.card(), first, || Error::Unauthenticated)
                    .await?;
            let hold = account
                .holds
                .into_iter()
                .find(|h| &h.hold_id == hold_id)
                .ok_or(Error::HoldNotFound)?;
            holds::cancel(&hold).map_err(|r| Error::from_cancel(r, &app.config.library.phone))?;
            let mut patron = account.patron;
            patron.active_holds = patron.active_holds.saturating_sub(1);
            let mut ops = vec![Op::delete(hold.clone()), Op::update(patron)];
            if let Some(mut title) = app.store.title(&hold.bib_id).await? {
                title.queue.retain(|q| &q.hold_id != hold_id);
                ops.push(Op::update(title));
            }
            app.store.commit(ops).await?;
            Ok(())
        }
    })
    .await
}
