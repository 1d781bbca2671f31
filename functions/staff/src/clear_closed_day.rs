//! DELETE /api/staff/calendar/closed-days/{date}: the library opens that day after all
//! (R-CAL-1); nothing to do if it was not closed. Dates already set stay as they are.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::calendar;
use mypage::http::extract::date_param;
use mypage::http::{Path, Staff};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Path(date): Path<String>,
) -> Result<StatusCode, Error> {
    let date = date_param("date", &date)?;
    calendar::clear_closure(&app, date).await?;
    Ok(StatusCode::NO_CONTENT)
}
