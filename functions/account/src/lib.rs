//! The `account` function: the profile, the password change, the email address
//! (R-ACCT-3..6).

mod change_password;
mod profile;
mod remove_email;
mod set_email;

use axum::routing::{get, put};
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/me", get(profile::handle))
        .route("/api/me/password", put(change_password::handle))
        .route(
            "/api/me/email",
            put(set_email::handle).delete(remove_email::handle),
        )
}
