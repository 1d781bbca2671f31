//! GET /api/me/sessions: the patron's live sessions (R-ACCT-9), each by its opaque
//! `session_id` (never the token nor its hash), with when it started and was last used, the
//! browser that opened it, and which one is making this request.

use axum::extract::State;
use chrono::{DateTime, Utc};
use mypage::app::sessions;
use mypage::domain::types::SessionId;
use mypage::http::Patron;
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Sessions {
    sessions: Vec<SessionBody>,
}

#[derive(Serialize)]
pub struct SessionBody {
    session_id: SessionId,
    current: bool,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    user_agent: Option<String>,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
) -> Result<axum::Json<Sessions>, Error> {
    let sessions = sessions::list(&app, &caller)
        .await?
        .into_iter()
        .filter_map(|l| {
            Some(SessionBody {
                session_id: l.session.session_id?,
                current: l.current,
                created_at: l.session.created_at,
                last_seen_at: l.session.last_seen_at,
                user_agent: l.session.user_agent,
            })
        })
        .collect();
    Ok(axum::Json(Sessions { sessions }))
}
