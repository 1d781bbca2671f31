//! POST /api/staff/checkouts: a 14-day loan, or an inter-library loan with its own due date
//! (R-DESK-1). A copy kept for a hold goes only to that hold's patron.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use mypage::app::counter;
use mypage::domain::types::{Barcode, BibId, CardNumber, HoldId, LoanId};
use mypage::http::{Json, Staff};
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckOut {
    card_number: CardNumber,
    barcode: Barcode,
    interlibrary_due_date: Option<NaiveDate>,
}

#[derive(Serialize)]
pub struct Receipt {
    loan_id: LoanId,
    card_number: CardNumber,
    barcode: Barcode,
    bib_id: BibId,
    title: String,
    checked_out_on: NaiveDate,
    due_date: NaiveDate,
    interlibrary: bool,
    /// The hold this checkout fulfilled, if any.
    fulfilled_hold: Option<HoldId>,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Json(b): Json<CheckOut>,
) -> Result<(StatusCode, axum::Json<Receipt>), Error> {
    let out = counter::check_out(&app, &b.card_number, &b.barcode, b.interlibrary_due_date).await?;
    let l = out.loan;
    Ok((
        StatusCode::CREATED,
        axum::Json(Receipt {
            loan_id: l.loan_id,
            card_number: l.card_number,
            barcode: l.barcode,
            bib_id: l.bib_id,
            title: l.title,
            checked_out_on: l.checked_out_on,
            due_date: l.due_date,
            interlibrary: l.interlibrary,
            fulfilled_hold: out.fulfilled.map(|h| h.hold_id),
        }),
    ))
}
