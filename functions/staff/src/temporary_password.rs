//! POST /api/staff/patrons/{card_number}/temporary-password: a new temporary password, shown
//! once (R-ACCT-2).

use axum::extract::State;
use mypage::app::counter;
use mypage::domain::types::CardNumber;
use mypage::http::{Path, Staff};
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Issued {
    temporary_password: String,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Path(card): Path<String>,
) -> Result<axum::Json<Issued>, Error> {
    let card = CardNumber::parse(&card).map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let temporary_password = counter::issue_temporary_password(&app, &card).await?;
    Ok(axum::Json(Issued { temporary_password }))
}
