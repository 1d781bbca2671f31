//! GET /api/me: who the patron is, their address, e-book eligibility, holds against the limit.

use axum::extract::State;
use mypage::app::account;
use mypage::domain::types::{CardNumber, EmailAddress};
use mypage::http::Patron;
use mypage::App;
use serde::Serialize;

#[derive(Serialize)]
pub struct Profile {
    card_number: CardNumber,
    name: String,
    email: Option<EmailAddress>,
    email_verified: bool,
    ebook_eligible: bool,
    holds: HoldCount,
}

#[derive(Serialize)]
pub struct HoldCount {
    active: u32,
    limit: u32,
}

pub async fn handle(State(app): State<App>, Patron(caller): Patron) -> axum::Json<Profile> {
    let p = account::profile(&app, &caller);
    axum::Json(Profile {
        card_number: p.card_number,
        name: p.name,
        email: p.email,
        email_verified: p.email_verified,
        ebook_eligible: p.ebook_eligible,
        holds: HoldCount {
            active: p.active_holds,
            limit: p.hold_limit,
        },
    })
}
