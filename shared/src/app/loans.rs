//! R-LOAN-1 (the loan list) and R-RENEW-1..8 (renewal).

use super::sessions::Caller;
use super::{committed, until_committed, Account, App};
use crate::domain::loan::{self, RenewalRefusal};
use crate::domain::types::LoanId;
use crate::domain::Loan;
use crate::error::Error;
use chrono::NaiveDate;

/// A loan as the patron sees it: whether it can be renewed now, and if not, why.
#[derive(Debug)]
pub struct LoanStatus {
    pub loan: Loan,
    pub renewal: Result<NaiveDate, RenewalRefusal>,
}

/// GET /api/me/loans: every current loan, by due date then title. The account read that
/// authenticated the request answers it whole (docs/access-patterns.md #3).
pub fn list(app: &App, caller: &Caller) -> Vec<LoanStatus> {
    let today = app.clock.today();
    let mut out: Vec<LoanStatus> = caller
        .account
        .loans
        .iter()
        .map(|l| LoanStatus {
            renewal: loan::renewal_of(l, today, app.policy()),
            loan: l.clone(),
        })
        .collect();
    out.sort_by(|a, b| (a.loan.due_date, &a.loan.title).cmp(&(b.loan.due_date, &b.loan.title)));
    out
}

/// POST /api/me/loans/{loan_id}/renewal: renews one of the caller's own loans. Another
/// patron's loan id is simply not among them.
pub async fn renew(app: &App, caller: &Caller, loan_id: &LoanId) -> Result<Loan, Error> {
    let today = app.clock.today();
    let mut first = Some(caller.account.clone());
    until_committed(|| {
        let first = first.take();
        async move {
            let account =
                Account::for_attempt(app, caller.card(), first, || Error::Unauthenticated).await?;
            let loan = account
                .loans
                .iter()
                .find(|l| &l.loan_id == loan_id)
                .ok_or(Error::LoanNotFound)?;
            let outcome = loan::renew(loan, today, app.policy())?;
            Ok(committed(
                super::commit(app, outcome.changes).await?,
                outcome.value,
            ))
        }
    })
    .await
}
