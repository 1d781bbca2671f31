//! GET /api/me/holds: every hold and its state; ready ones first (R-HOLD-4).

use axum::extract::State;
use mypage::app::holds;
use mypage::http::body::HoldBody;
use mypage::http::Patron;
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Holds {
    holds: Vec<HoldBody>,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
) -> Result<axum::Json<Holds>, Error> {
    let holds = holds::list(&app, &caller)
        .await?
        .iter()
        .map(HoldBody::from)
        .collect();
    Ok(axum::Json(Holds { holds }))
}
