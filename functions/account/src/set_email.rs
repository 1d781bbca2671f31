//! PUT /api/me/email: registers or changes the address (R-ACCT-6). It is unverified until the
//! link emailed to it is opened (R-MAIL-5): 202 with `verified: false`.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::account;
use mypage::domain::types::EmailAddress;
use mypage::http::{Json, Patron};
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetEmail {
    email: String,
}

#[derive(Serialize)]
pub struct Pending {
    email: EmailAddress,
    verified: bool,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(body): Json<SetEmail>,
) -> Result<(StatusCode, axum::Json<Pending>), Error> {
    let email = EmailAddress::parse(&body.email)?;
    account::set_email(&app, &caller, email.clone()).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(Pending {
            email,
            verified: false,
        }),
    ))
}
