//! POST /api/staff/checkins: the loan closes; the copy goes to the first waiting hold of its
//! title, which becomes ready, or back to the shelf (R-DESK-2).

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::counter;
use mypage::domain::types::{Barcode, CardNumber, HoldId};
use mypage::http::{Json, Staff};
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    barcode: Barcode,
}

#[derive(Serialize)]
pub struct Receipt {
    loan_closed: bool,
    hold_ready: Option<ReadyHold>,
}

#[derive(Serialize)]
pub struct ReadyHold {
    hold_id: HoldId,
    card_number: CardNumber,
    pickup_deadline: NaiveDate,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Json(b): Json<CheckIn>,
) -> Result<axum::Json<Receipt>, Error> {
    let readied = counter::check_in(&app, &b.barcode).await?;
    Ok(axum::Json(Receipt {
        loan_closed: true,
        hold_ready: readied.and_then(|h| {
            Some(ReadyHold {
                pickup_deadline: h.pickup_deadline()?,
                hold_id: h.hold_id,
                card_number: h.card_number,
            })
        }),
    }))
}
