//! POST /api/me/loans/{loan_id}/renewal: renews one of the patron's loans, once, on or before
//! its due date, if nobody else waits for it (R-RENEW-1..8).

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::loans;
use mypage::domain::types::LoanId;
use mypage::http::{Path, Patron};
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Renewed {
    loan_id: LoanId,
    due_date: NaiveDate,
    renewed: bool,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Path(loan_id): Path<String>,
) -> Result<axum::Json<Renewed>, Error> {
    // A malformed id names no loan of this patron.
    let loan_id = LoanId::parse(&loan_id).map_err(|_| Error::LoanNotFound)?;
    let loan = loans::renew(&app, &caller, &loan_id).await?;
    Ok(axum::Json(Renewed {
        loan_id: loan.loan_id,
        due_date: loan.due_date,
        renewed: true,
    }))
}
