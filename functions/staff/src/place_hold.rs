//! POST /api/staff/holds: a hold placed at the counter, under the same rules as the patron's
//! own (R-DESK-1, R-HOLD-2 counts them together).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::holds;
use mypage::domain::types::{BibId, CardNumber};
use mypage::domain::HoldNotice;
use mypage::http::body::HoldBody;
use mypage::http::{Json, Staff};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterHold {
    card_number: CardNumber,
    bib_id: BibId,
    notify: HoldNotice,
    #[serde(default)]
    not_needed_after: Option<chrono::NaiveDate>,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Json(b): Json<CounterHold>,
) -> Result<(StatusCode, axum::Json<HoldBody>), Error> {
    let request = holds::HoldRequest {
        notify: b.notify,
        not_needed_after: b.not_needed_after,
    };
    let placed = holds::place(&app, &b.card_number, None, &b.bib_id, request).await?;
    Ok((StatusCode::CREATED, axum::Json(HoldBody::from(&placed))))
}
