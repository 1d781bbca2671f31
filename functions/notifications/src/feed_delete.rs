//! DELETE /api/me/calendar-feed: the feed's URL stops working (R-CAL-3).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::feed;
use mypage::http::Patron;
use mypage::{App, Error};

pub async fn handle(State(app): State<App>, Patron(caller): Patron) -> Result<StatusCode, Error> {
    feed::delete(&app, caller.card()).await?;
    Ok(StatusCode::NO_CONTENT)
}
