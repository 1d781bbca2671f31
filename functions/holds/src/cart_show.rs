//! GET /api/me/hold-cart: the titles in the hold cart, in the order added, with what the
//! patron needs to choose (R-HOLD-10).

use axum::extract::State;
use mypage::app::cart;
use mypage::domain::types::BibId;
use mypage::http::Patron;
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Cart {
    items: Vec<Item>,
}

#[derive(Serialize)]
pub struct Item {
    bib_id: BibId,
    title: Option<String>,
    author: Option<String>,
    available: u32,
    waiting_holds: u32,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
) -> Result<axum::Json<Cart>, Error> {
    let items = cart::show(&app, &caller)
        .await?
        .into_iter()
        .map(|e| Item {
            available: e.title.as_ref().map_or(0, |t| t.on_shelf()),
            waiting_holds: e.title.as_ref().map_or(0, |t| t.waiting_holds()),
            author: e.title.as_ref().map(|t| t.author.clone()),
            title: e.title.map(|t| t.title),
            bib_id: e.bib_id,
        })
        .collect();
    Ok(axum::Json(Cart { items }))
}
