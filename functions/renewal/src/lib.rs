//! The `renewal` function: renewing a loan (R-RENEW-1..8), from My Page or through the link in
//! the due-date reminder (R-MAIL-7).

mod by_link;
mod preview_link;
mod renew;

use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use mypage::domain::types::LoanId;
use mypage::domain::Loan;
use mypage::App;
use serde::Serialize;

/// What both routes that renew answer: the loan and its new due date.
#[derive(Serialize)]
pub struct Renewed {
    loan_id: LoanId,
    due_date: NaiveDate,
    renewed: bool,
}

impl From<Loan> for Renewed {
    fn from(loan: Loan) -> Self {
        Renewed {
            loan_id: loan.loan_id,
            due_date: loan.due_date,
            renewed: true,
        }
    }
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/me/loans/{loan_id}/renewal", post(renew::handle))
        .route(
            "/api/renewal-links/{token}",
            get(preview_link::handle).post(by_link::handle),
        )
}
