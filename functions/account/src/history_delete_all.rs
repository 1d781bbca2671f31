//! DELETE /api/me/reading-history: deletes every entry; the history stays on (R-HIST-1).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::history;
use mypage::http::Patron;
use mypage::{App, Error};

pub async fn handle(State(app): State<App>, Patron(caller): Patron) -> Result<StatusCode, Error> {
    history::delete_all(&app, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
