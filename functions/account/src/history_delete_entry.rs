//! DELETE /api/me/reading-history/{entry_id}: deletes one entry of the patron's own history
//! (R-HIST-1); any other id, another patron's included, is 404 `entry_not_found`.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::history;
use mypage::domain::types::EntryId;
use mypage::http::{PathId, Patron};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    PathId(id): PathId<EntryId>,
) -> Result<StatusCode, Error> {
    history::delete_entry(&app, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
