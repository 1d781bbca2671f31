//! DELETE /api/me/email: the address goes, and with it both email services (R-ACCT-6).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::account;
use mypage::http::Patron;
use mypage::{App, Error};

pub async fn handle(State(app): State<App>, Patron(caller): Patron) -> Result<StatusCode, Error> {
    account::remove_email(&app, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
