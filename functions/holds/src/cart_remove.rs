//! DELETE /api/me/hold-cart/{bib_id}: takes a title out of the hold cart.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::cart;
use mypage::domain::types::BibId;
use mypage::http::{Path, Patron};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Path(bib): Path<String>,
) -> Result<StatusCode, Error> {
    // A malformed id names nothing in the cart: there is nothing to take out.
    if let Ok(bib) = BibId::parse(&bib) {
        cart::remove(&app, &caller, &bib).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
