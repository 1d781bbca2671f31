//! DELETE /api/me/sessions/{session_id}: ends one of the patron's sessions at once (R-ACCT-9);
//! the next request with its token is 401. Another patron's session is 404 `session_not_found`.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::sessions;
use mypage::domain::types::SessionId;
use mypage::http::{PathId, Patron};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    PathId(id): PathId<SessionId>,
) -> Result<StatusCode, Error> {
    sessions::end(&app, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
