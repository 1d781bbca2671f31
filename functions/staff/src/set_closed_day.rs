//! PUT /api/staff/calendar/closed-days/{date}: the library is closed that day, for `reason`
//! (R-CAL-1). Refused with 409 `closed_too_long` if that would close it more than 60 days in
//! a row. Dates already set on loans and holds stay as they are.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::calendar;
use mypage::domain::types::ClosureReason;
use mypage::http::extract::date_param;
use mypage::http::{Json, Path, Staff};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    reason: ClosureReason,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Path(date): Path<String>,
    Json(b): Json<Closure>,
) -> Result<StatusCode, Error> {
    let date = date_param("date", &date)?;
    calendar::set_closure(&app, date, b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
