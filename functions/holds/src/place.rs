//! POST /api/me/holds: places a hold on a title that is checked out (R-HOLD-1..3, R-HOLD-8).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::holds;
use mypage::domain::types::BibId;
use mypage::domain::HoldNotice;
use mypage::http::body::HoldBody;
use mypage::http::{Json, Patron};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceHold {
    bib_id: BibId,
    notify: HoldNotice,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(body): Json<PlaceHold>,
) -> Result<(StatusCode, axum::Json<HoldBody>), Error> {
    let card = caller.card().clone();
    let placed = holds::place(&app, &card, Some(caller.account), &body.bib_id, body.notify).await?;
    Ok((StatusCode::CREATED, axum::Json(HoldBody::from(&placed))))
}
