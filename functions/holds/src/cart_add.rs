//! PUT /api/me/hold-cart/{bib_id}: adds a title to the hold cart; adding it again keeps its
//! place (R-HOLD-10).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::cart;
use mypage::domain::types::BibId;
use mypage::http::{PathId, Patron};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    PathId(bib): PathId<BibId>,
) -> Result<StatusCode, Error> {
    cart::add(&app, &caller, &bib).await?;
    Ok(StatusCode::NO_CONTENT)
}
