//! The `session` function: log in and log out (R-ACCT-3, R-ACCT-7, R-ACCT-8), and the
//! patron's own list of sessions (R-ACCT-9).

mod end_session;
mod list_sessions;
mod log_in;
mod log_out;

use axum::routing::{delete, get, post};
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/session", post(log_in::handle).delete(log_out::handle))
        .route("/api/me/sessions", get(list_sessions::handle))
        .route("/api/me/sessions/{session_id}", delete(end_session::handle))
}
