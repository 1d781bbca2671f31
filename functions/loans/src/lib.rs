//! The `loans` function: the loan list (R-LOAN-1, R-RENEW-1..5).

mod list;

use axum::routing::get;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new().route("/api/me/loans", get(list::handle))
}
