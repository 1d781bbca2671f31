//! PUT /api/me/email: register or change the address (R-ACCT-6).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::account;
use mypage::domain::types::EmailAddress;
use mypage::http::{Json, Patron};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetEmail {
    email: String,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(body): Json<SetEmail>,
) -> Result<StatusCode, Error> {
    account::set_email(&app, &caller, EmailAddress::parse(&body.email)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
