//! DELETE /api/me/holds/{hold_id}: cancels a waiting hold; a ready one only by calling the
//! library (R-HOLD-5).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::holds;
use mypage::domain::types::HoldId;
use mypage::http::{Path, Patron};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Path(hold_id): Path<String>,
) -> Result<StatusCode, Error> {
    let hold_id = HoldId::parse(&hold_id).map_err(|_| Error::HoldNotFound)?;
    holds::cancel(&app, &caller, &hold_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
