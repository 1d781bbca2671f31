//! The `session` function: log in and log out (R-ACCT-3, R-ACCT-7, R-ACCT-8).

mod log_in;
mod log_out;

use axum::routing::post;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new().route("/api/session", post(log_in::handle).delete(log_out::handle))
}
