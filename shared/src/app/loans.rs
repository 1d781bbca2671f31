//! R-LOAN-1 (the loan list) and R-RENEW-1..8 (renewal).

use super::calendar::with_calendar;
use super::sessions::Caller;
use super::{committed, until_committed, Account, App};
use crate::domain::loan::{self, RenewalRefusal};
use crate::domain::types::{BibId, LoanId};
use crate::domain::{Key, Loan, Record, Title};
use crate::error::Error;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A loan as the patron sees it: whether it can be renewed now, and if not, why.
#[derive(Debug)]
pub struct LoanStatus {
    pub loan: Loan,
    pub renewal: Result<NaiveDate, RenewalRefusal>,
}

/// GET /api/me/loans: every current loan, by due date then title.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<LoanStatus>, Error> {
    let loans = &caller.account.loans;
    let titles: HashMap<BibId, Title> = app
        .store
        .titles(loans.iter().map(|l| l.bib_id.clone()))
        .await?
        .into_iter()
        .map(|t| (t.bib_id.clone(), t))
        .collect();
    let today = app.clock.today();
    let mut out: Vec<LoanStatus> = loans
        .iter()
        .map(|l| LoanStatus {
            renewal: loan::renewal_for(l, titles.get(&l.bib_id), today, app.policy()),
            loan: l.clone(),
        })
        .collect();
    out.sort_by(|a, b| (a.loan.due_date, &a.loan.title).cmp(&(b.loan.due_date, &b.loan.title)));
    Ok(out)
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
            let (records, calendar) =
                with_calendar(app, vec![Key::Title(loan.bib_id.clone())]).await?;
            let title = records.into_iter().find_map(Record::into_title);
            let outcome = loan::renew(loan, title.as_ref(), today, &calendar, app.policy())?;
            Ok(committed(
                app.store.commit(outcome.changes).await?,
                outcome.value,
            ))
        }
    })
    .await
}
