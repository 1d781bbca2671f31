//! The `catalog` function: titles and new arrivals, no login.

mod new_arrivals;
mod title;

use axum::routing::get;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/catalog/titles/{bib_id}", get(title::handle))
        .route("/api/catalog/new-arrivals", get(new_arrivals::handle))
}
