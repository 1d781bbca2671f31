//! The `account` function: the profile, the password change, the email address and its
//! verification (R-ACCT-3..6, R-MAIL-5), and the patron's reading history (R-HIST-1).

mod change_password;
mod history_delete_all;
mod history_delete_entry;
mod history_export;
mod history_list;
mod history_switch;
mod profile;
mod remove_email;
mod set_email;
mod verify_email;

use axum::routing::{delete, get, post, put};
use axum::Router;
use mypage::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/me", get(profile::handle))
        .route("/api/me/password", put(change_password::handle))
        .route(
            "/api/me/email",
            put(set_email::handle).delete(remove_email::handle),
        )
        .route("/api/email-verification", post(verify_email::handle))
        .route(
            "/api/me/reading-history",
            get(history_list::handle)
                .put(history_switch::handle)
                .delete(history_delete_all::handle),
        )
        .route(
            "/api/me/reading-history/{entry_id}",
            delete(history_delete_entry::handle),
        )
        .route(
            "/api/me/reading-history/export",
            get(history_export::handle),
        )
}
