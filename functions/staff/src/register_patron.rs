//! POST /api/staff/patrons: registers a card for My Page (R-DESK-1); the patron has no
//! password until the counter issues a temporary one.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::counter;
use mypage::domain::types::{CardNumber, PatronName};
use mypage::http::{Json, Staff};
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterPatron {
    card_number: CardNumber,
    name: PatronName,
    #[serde(default)]
    ebook_eligible: bool,
}

#[derive(Serialize)]
pub struct Registered {
    card_number: CardNumber,
    name: String,
    ebook_eligible: bool,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Json(b): Json<RegisterPatron>,
) -> Result<(StatusCode, axum::Json<Registered>), Error> {
    let p = counter::register_patron(&app, b.card_number, b.name, b.ebook_eligible).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Registered {
            card_number: p.card_number,
            name: p.name,
            ebook_eligible: p.ebook_eligible,
        }),
    ))
}
