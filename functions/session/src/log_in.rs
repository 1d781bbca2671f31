//! POST /api/session: card number and password in; a session token out, also as the
//! HttpOnly cookie the website uses, and a device cookie that makes this browser a known
//! device of the card (R-ACCT-7). The browser's User-Agent is kept with the session for the
//! patron's session list (R-ACCT-9).

use axum::extract::State;
use axum::http::{header as http_header, HeaderMap};
use axum::response::{AppendHeaders, IntoResponse, Response};
use chrono::{DateTime, Utc};
use mypage::app::sessions;
use mypage::domain::types::PasswordAttempt;
use mypage::http::auth::{device_cookie, session_cookie, LoginClient};
use mypage::http::Json;
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogIn {
    card_number: String,
    password: String,
}

#[derive(Serialize)]
pub struct LoggedIn {
    token: String,
    expires_at: DateTime<Utc>,
    must_change_password: bool,
}

pub async fn handle(
    State(app): State<App>,
    LoginClient(client): LoginClient,
    headers: HeaderMap,
    Json(body): Json<LogIn>,
) -> Result<Response, Error> {
    let password = PasswordAttempt::new(body.password).ok_or(Error::InvalidCredentials)?;
    let user_agent = headers
        .get(http_header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let ok = sessions::log_in(
        &app,
        &body.card_number,
        password,
        &client,
        user_agent.as_deref(),
    )
    .await?;
    let max_age = (ok.expires_at - app.clock.now()).num_seconds().max(0);
    let cookie = session_cookie(&ok.token, max_age);
    let device = device_cookie(&ok.device_cookie, app.policy().device_cookie_days);
    let body = LoggedIn {
        token: ok.token,
        expires_at: ok.expires_at,
        must_change_password: ok.must_change_password,
    };
    Ok((
        AppendHeaders([
            (http_header::SET_COOKIE, cookie),
            (http_header::SET_COOKIE, device),
        ]),
        axum::Json(body),
    )
        .into_response())
}
