//! The `ebooks` function: the e-book and audiobook service (R-EBOOK-1).

mod launch;

use axum::routing::get;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new().route("/api/me/ebooks", get(launch::handle))
}
