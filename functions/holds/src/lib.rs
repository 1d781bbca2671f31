//! The `holds` function: the patron's holds — the list, placing, changing and cancelling one
//! (R-HOLD-1..8, R-HOLD-11..14) — and the hold cart (予約候補一覧, R-HOLD-10).

mod cancel;
mod cart_add;
mod cart_place;
mod cart_remove;
mod cart_show;
mod change;
mod list;
mod place;

use axum::routing::{get, post, put};
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/me/holds", get(list::handle).post(place::handle))
        .route(
            "/api/me/holds/{hold_id}",
            axum::routing::patch(change::handle).delete(cancel::handle),
        )
        .route("/api/me/hold-cart", get(cart_show::handle))
        .route("/api/me/hold-cart/holds", post(cart_place::handle))
        .route(
            "/api/me/hold-cart/{bib_id}",
            put(cart_add::handle).delete(cart_remove::handle),
        )
}
