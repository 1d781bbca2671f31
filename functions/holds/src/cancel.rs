//! DELETE /api/me/holds/{hold_id}: cancels a waiting hold; a ready one only by calling the
//! library (R-HOLD-5).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::holds;
use mypage::domain::types::HoldId;
use mypage::http::{PathId, Patron};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    PathId(hold_id): PathId<HoldId>,
) -> Result<StatusCode, Error> {
    holds::cancel(&app, &caller, &hold_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
