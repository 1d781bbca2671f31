//! DELETE /api/session: ends the session the request carries, if any, and clears the cookie.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mypage::app::sessions;
use mypage::http::auth::{cleared_session_cookie, raw_token};
use mypage::{App, Error};

pub async fn handle(State(app): State<App>, headers: HeaderMap) -> Result<Response, Error> {
    if let Some(token) = raw_token(&headers) {
        sessions::log_out(&app, &token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cleared_session_cookie())],
    )
        .into_response())
}
