//! The `renewal` function: renewing a loan (R-RENEW-1..8), from My Page or through the link in
//! the due-date reminder (R-MAIL-7).

mod by_link;
mod preview_link;
mod renew;

use axum::routing::{get, post};
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/me/loans/{loan_id}/renewal", post(renew::handle))
        .route(
            "/api/renewal-links/{token}",
            get(preview_link::handle).post(by_link::handle),
        )
}
