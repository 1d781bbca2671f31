//! PUT /api/me/password: the one route a temporary-password session may use (R-ACCT-3);
//! the new password follows R-ACCT-4 and R-ACCT-5, and every other session ends.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::sessions;
use mypage::domain::types::PasswordAttempt;
use mypage::http::auth::LoginClient;
use mypage::http::{AnySession, Json};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    current_password: String,
    new_password: String,
}

pub async fn handle(
    State(app): State<App>,
    AnySession(caller): AnySession,
    LoginClient(client): LoginClient,
    Json(body): Json<ChangePassword>,
) -> Result<StatusCode, Error> {
    let current = PasswordAttempt::new(body.current_password).ok_or(Error::InvalidCredentials)?;
    // A wrong current password counts as a failed login (R-ACCT-7).
    sessions::change_password(&app, &caller, current, &body.new_password, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
