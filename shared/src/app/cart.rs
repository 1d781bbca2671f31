//! The hold cart (予約候補一覧, R-HOLD-10): collect titles, then place holds on all of them in
//! one step, each through the one hold operation, in cart order.

use super::holds::{place_attempt, status_after, HoldRequest, HoldStatus};
use super::sessions::Caller;
use super::{committed, until_committed, Account, App, Attempt};
use crate::domain::cart::{self, HoldCart};
use crate::domain::types::BibId;
use crate::domain::{Changes, HoldNotice, Title};
use crate::error::Error;
use std::collections::HashMap;

/// A title in the cart, with what the patron needs to choose.
#[derive(Debug)]
pub struct CartEntry {
    pub bib_id: BibId,
    /// None when the title has left the catalog since it was added.
    pub title: Option<Title>,
}

async fn cart_of(app: &App, caller: &Caller) -> Result<HoldCart, Error> {
    Ok(app
        .store
        .hold_cart(caller.card())
        .await?
        .unwrap_or_else(|| HoldCart::empty(caller.card())))
}

/// GET /api/me/hold-cart, in the order added.
pub async fn show(app: &App, caller: &Caller) -> Result<Vec<CartEntry>, Error> {
    let cart = cart_of(app, caller).await?;
    let titles: HashMap<BibId, Title> = app
        .store
        .titles(cart.items().iter().map(|i| i.bib_id.clone()))
        .await?
        .into_iter()
        .map(|t| (t.bib_id.clone(), t))
        .collect();
    Ok(cart
        .items()
        .iter()
        .map(|i| CartEntry {
            bib_id: i.bib_id.clone(),
            title: titles.get(&i.bib_id).cloned(),
        })
        .collect())
}

/// PUT /api/me/hold-cart/{bib_id}: adds a title of the catalog (idempotent).
pub async fn add(app: &App, caller: &Caller, bib: &BibId) -> Result<(), Error> {
    if app.store.title(bib).await?.is_none() {
        return Err(Error::TitleNotFound);
    }
    until_committed(|| async {
        let cart = cart_of(app, caller).await?;
        let outcome = cart::add(&cart, bib, app.clock.now(), app.policy())?;
        if outcome.changes.is_empty() {
            return Ok(Attempt::Done(()));
        }
        Ok(committed(super::commit(app, outcome.changes).await?, ()))
    })
    .await
}

/// DELETE /api/me/hold-cart/{bib_id}.
pub async fn remove(app: &App, caller: &Caller, bib: &BibId) -> Result<(), Error> {
    until_committed(|| async {
        let cart = cart_of(app, caller).await?;
        let outcome = cart::remove(&cart, bib);
        if outcome.changes.is_empty() {
            return Ok(Attempt::Done(()));
        }
        Ok(committed(super::commit(app, outcome.changes).await?, ()))
    })
    .await
}

/// One title's outcome when the cart's holds are placed.
#[derive(Debug)]
pub struct CartResult {
    pub bib_id: BibId,
    pub outcome: Result<HoldStatus, Error>,
}

/// POST /api/me/hold-cart/holds: every title in cart order through the one hold operation
/// (every R-HOLD rule; the 10-hold limit counts in cart order). A placed title leaves the
/// cart in the same commit as its hold; a refused one stays, with its reason.
pub async fn place_all(
    app: &App,
    caller: &Caller,
    request: HoldRequest,
) -> Result<Vec<CartResult>, Error> {
    if request.notify == HoldNotice::Email && caller.account.patron.email.is_none() {
        return Err(Error::EmailNotRegistered); // R-HOLD-3, once for the whole cart
    }
    let order: Vec<BibId> = cart_of(app, caller)
        .await?
        .items()
        .iter()
        .map(|i| i.bib_id.clone())
        .collect();
    let mut results = Vec::with_capacity(order.len());
    let mut first = Some(caller.account.clone());
    for bib in order {
        let outcome = until_committed(|| {
            let first = first.take();
            let bib = &bib;
            async move {
                let account =
                    Account::for_attempt(app, caller.card(), first, || Error::Unauthenticated)
                        .await?;
                let cart = cart_of(app, caller).await?;
                if !cart.contains(bib) {
                    // Another request placed (or the patron removed) it meanwhile.
                    return Ok(Attempt::Done(None));
                }
                let (placed, title) = match place_attempt(app, &account, bib, request).await {
                    Ok(p) => p,
                    Err(e @ (Error::Hold(_) | Error::TitleNotFound)) => {
                        return Ok(Attempt::Done(Some(Err(e))))
                    }
                    Err(e) => return Err(e),
                };
                let status = status_after(app, &placed.value, &placed.changes, &title);
                let changes: Changes = placed.changes.and(cart::remove(&cart, bib).changes);
                Ok(committed(
                    super::commit(app, changes).await?,
                    Some(Ok(status)),
                ))
            }
        })
        .await?;
        if let Some(outcome) = outcome {
            results.push(CartResult {
                bib_id: bib,
                outcome,
            });
        }
    }
    Ok(results)
}
