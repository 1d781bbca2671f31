//! POST /api/email-verification: the token from the emailed link verifies the address, once
//! (R-MAIL-5). No login: the link may be opened on another device.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::account;
use mypage::http::Json;
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    token: String,
}

pub async fn handle(State(app): State<App>, Json(body): Json<Verify>) -> Result<StatusCode, Error> {
    account::verify_email(&app, &body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}
