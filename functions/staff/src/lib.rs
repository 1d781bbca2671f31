//! The `staff` function: the counter's routes, /api/staff/* (R-DESK-1, R-DESK-2, R-ACCT-2),
//! and the library calendar's dated closures (R-CAL-1).
//! Each handler takes `Staff`, so no patron token opens any of them.

mod add_copy;
mod add_title;
mod check_in;
mod check_out;
mod clear_closed_day;
mod place_hold;
mod register_patron;
mod set_closed_day;
mod temporary_password;

use axum::routing::{post, put};
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/staff/patrons", post(register_patron::handle))
        .route(
            "/api/staff/patrons/{card_number}/temporary-password",
            post(temporary_password::handle),
        )
        .route("/api/staff/titles", post(add_title::handle))
        .route("/api/staff/copies", post(add_copy::handle))
        .route("/api/staff/checkouts", post(check_out::handle))
        .route("/api/staff/checkins", post(check_in::handle))
        .route("/api/staff/holds", post(place_hold::handle))
        .route(
            "/api/staff/calendar/closed-days/{date}",
            put(set_closed_day::handle).delete(clear_closed_day::handle),
        )
}
