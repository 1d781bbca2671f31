//! The `renewal` function: renewing a loan (R-RENEW-1..8).

mod renew;

use axum::routing::post;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new().route("/api/me/loans/{loan_id}/renewal", post(renew::handle))
}
