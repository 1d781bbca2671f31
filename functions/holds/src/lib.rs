//! The `holds` function: the patron's holds, placing one, cancelling one (R-HOLD-1..8).

mod cancel;
mod list;
mod place;

use axum::routing::{delete, get};
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/me/holds", get(list::handle).post(place::handle))
        .route("/api/me/holds/{hold_id}", delete(cancel::handle))
}
