//! The `notifications` function: the two email services (R-MAIL-1, R-MAIL-2).

mod show;
mod update;

use axum::routing::get;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new().route(
        "/api/me/notifications",
        get(show::handle).put(update::handle),
    )
}
