//! The `account` function: the profile, the password change, the email address and its
//! verification (R-ACCT-3..6, R-MAIL-5).

mod change_password;
mod profile;
mod remove_email;
mod set_email;
mod verify_email;

use axum::routing::{get, post, put};
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
        .route("/api/email-verification", post(verify_email::handle))
}
