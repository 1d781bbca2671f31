//! DELETE /api/session: ends the session the request carries, if any, and clears the cookie.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mypage::app::sessions;
use mypage::http::auth::{cleared_session_cookie, csrf_check, raw_token, uses_cookie};
use mypage::{App, Error};

/// Logging out by the cookie is a state change like any other: it needs the CSRF check, so
/// another site cannot log the patron out.
pub async fn handle(State(app): State<App>, headers: HeaderMap) -> Result<Response, Error> {
    if uses_cookie(&headers) {
        csrf_check(&headers, &app.settings.site_origin)?;
    }
    if let Some(token) = raw_token(&headers) {
        sessions::log_out(&app, &token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cleared_session_cookie())],
    )
        .into_response())
}
