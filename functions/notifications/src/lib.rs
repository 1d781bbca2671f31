//! The `notifications` function: the email services (R-MAIL-1, R-MAIL-2, R-MAIL-6) and the
//! private calendar feed (R-CAL-3).

mod feed_create;
mod feed_delete;
mod feed_serve;
mod feed_show;
mod show;
mod update;

use axum::routing::get;
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/api/me/notifications",
            get(show::handle).put(update::handle),
        )
        .route(
            "/api/me/calendar-feed",
            get(feed_show::handle)
                .post(feed_create::handle)
                .delete(feed_delete::handle),
        )
        .route("/api/calendar-feeds/{secret}", get(feed_serve::handle))
}
