//! The `catalog` function: titles, new arrivals and the library calendar, no login.

mod calendar;
mod new_arrivals;
mod title;

use axum::routing::get;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/catalog/titles/{bib_id}", get(title::handle))
        .route("/api/catalog/new-arrivals", get(new_arrivals::handle))
        .route("/api/catalog/calendar", get(calendar::handle))
}
