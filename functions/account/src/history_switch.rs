//! PUT /api/me/reading-history `{enabled}`: turns the reading history on or off (R-HIST-1).
//! Off takes effect at once and deletes every entry.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::history;
use mypage::http::{Json, Patron};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    enabled: bool,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(b): Json<Switch>,
) -> Result<StatusCode, Error> {
    history::set_enabled(&app, &caller, b.enabled).await?;
    Ok(StatusCode::NO_CONTENT)
}
