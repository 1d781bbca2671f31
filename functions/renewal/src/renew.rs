//! POST /api/me/loans/{loan_id}/renewal: renews one of the patron's loans, once, on or before
//! its due date, if nobody else waits for it (R-RENEW-1..8).

use crate::Renewed;
use axum::extract::State;
use mypage::app::loans;
use mypage::domain::types::LoanId;
use mypage::http::{PathId, Patron};
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    PathId(loan_id): PathId<LoanId>,
) -> Result<axum::Json<Renewed>, Error> {
    let loan = loans::renew(&app, &caller, &loan_id).await?;
    Ok(axum::Json(Renewed::from(loan)))
}
