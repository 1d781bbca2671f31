//! POST /api/me/holds: places a hold on a title that is checked out (R-HOLD-1..3, R-HOLD-8),
//! optionally not needed after a date (R-HOLD-12).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use mypage::app::holds::{self, HoldRequest};
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
    /// R-HOLD-12: not needed after this date (optional).
    #[serde(default)]
    not_needed_after: Option<NaiveDate>,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(body): Json<PlaceHold>,
) -> Result<(StatusCode, axum::Json<HoldBody>), Error> {
    let card = caller.card().clone();
    let request = HoldRequest {
        notify: body.notify,
        not_needed_after: body.not_needed_after,
    };
    let placed = holds::place(&app, &card, Some(caller.account), &body.bib_id, request).await?;
    Ok((StatusCode::CREATED, axum::Json(HoldBody::from(&placed))))
}
