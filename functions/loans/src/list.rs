//! GET /api/me/loans: every current loan, whether it is renewed (延長済), and whether it can
//! be renewed now and if not, why.

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::loans;
use mypage::domain::types::{BibId, LoanId};
use mypage::http::Patron;
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Loans {
    loans: Vec<LoanBody>,
}

#[derive(Serialize)]
pub struct LoanBody {
    loan_id: LoanId,
    bib_id: BibId,
    title: String,
    author: String,
    checked_out_on: NaiveDate,
    due_date: NaiveDate,
    renewed: bool,
    renewable: bool,
    not_renewable_reason: Option<&'static str>,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
) -> Result<axum::Json<Loans>, Error> {
    let loans = loans::list(&app, &caller)
        .into_iter()
        .map(|s| LoanBody {
            renewed: s.loan.renewals > 0,
            renewable: s.renewal.is_ok(),
            not_renewable_reason: s.renewal.err().map(|r| r.code()),
            loan_id: s.loan.loan_id,
            bib_id: s.loan.bib_id,
            title: s.loan.title,
            author: s.loan.author,
            checked_out_on: s.loan.checked_out_on,
            due_date: s.loan.due_date,
        })
        .collect();
    Ok(axum::Json(Loans { loans }))
}
