//! POST /api/renewal-links/{token}: renews the one loan the link names, under every renewal
//! rule, once (R-MAIL-7). No login: the token authorises this renewal and nothing else.

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::loans;
use mypage::domain::types::LoanId;
use mypage::http::Path;
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
    Path(token): Path<String>,
) -> Result<axum::Json<Renewed>, Error> {
    let loan = loans::renew_by_link(&app, &token).await?;
    Ok(axum::Json(Renewed {
        loan_id: loan.loan_id,
        due_date: loan.due_date,
        renewed: true,
    }))
}
