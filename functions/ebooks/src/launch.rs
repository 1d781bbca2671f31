//! GET /api/me/ebooks: a launch URL with a short-lived token, for eligible patrons only.

use axum::extract::State;
use chrono::{DateTime, Utc};
use mypage::app::ebooks;
use mypage::http::Patron;
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Launch {
    launch_url: String,
    expires_at: DateTime<Utc>,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
) -> Result<axum::Json<Launch>, Error> {
    let access = ebooks::launch(&app, &caller)?;
    Ok(axum::Json(Launch {
        launch_url: access.launch_url,
        expires_at: access.expires_at,
    }))
}
