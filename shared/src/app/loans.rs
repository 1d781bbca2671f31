//! R-LOAN-1 (the loan list) and R-RENEW-1..8 (renewal).

use super::sessions::Caller;
use super::{retrying, App, PatronAccount};
use crate::error::Error;
use crate::model::{Loan, Title};
use crate::rules::renewal::{self, RenewalRefusal};
use crate::store::{Key, Op};
use crate::types::{BibId, LoanId};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Serialize)]
pub struct LoanView {
    pub loan_id: LoanId,
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub checked_out_on: NaiveDate,
    pub due_date: NaiveDate,
    /// 延長済
    pub renewed: bool,
    pub renewable: bool,
    pub not_renewable_reason: Option<&'static str>,
}

/// GET /api/me/loans: every current loan with whether it can be renewed now, and why not.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<LoanView>, Error> {
    let loans = &caller.account.loans;
    let titles: HashMap<BibId, Title> = app
        .store
        .titles(loans.iter().map(|l| l.bib_id.clone()))
        .await?
        .into_iter()
        .map(|t| (t.bib_id.clone(), t))
        .collect();
    let today = app.clock.today();
    let mut views: Vec<LoanView> = loans
        .iter()
        .map(|l| {
            let waiting = titles
                .get(&l.bib_id)
                .is_some_and(|t| t.has_waiting_hold_by_other_than(&l.card_number));
            let verdict = renewal::renew(l, waiting, today, app.policy());
            LoanView {
                loan_id: l.loan_id.clone(),
                bib_id: l.bib_id.clone(),
                title: l.title.clone(),
                author: l.author.clone(),
                checked_out_on: l.checked_out_on,
                due_date: l.due_date,
                renewed: l.renewals > 0,
                renewable: verdict.is_ok(),
                not_renewable_reason: verdict.err().map(RenewalRefusal::code),
            }
        })
        .collect();
    views.sort_by(|a, b| (a.due_date, &a.title).cmp(&(b.due_date, &b.title)));
    Ok(views)
}

#[derive(Debug, Serialize)]
pub struct Renewed {
    pub loan_id: LoanId,
    pub due_date: NaiveDate,
    pub renewed: bool,
}

/// POST /api/me/loans/{loan_id}/renewal. The loan is written only if it is still exactly as
/// read and the title's queue has not changed: two renewals racing renew once (R-RENEW-8),
/// and a hold placed meanwhile is respected (R-RENEW-3).
pub async fn renew(app: &App, caller: &Caller, loan_id: &LoanId) -> Result<Renewed, Error> {
    let today = app.clock.today();
    let mut first = Some(caller.account.clone());
    retrying(|| {
        let first = first.take();
        async move {
            let account =
                PatronAccount::for_attempt(app, caller.card(), first, || Error::Unauthenticated)
                    .await?;
            // Another patron's loan id is simply not among this patron's loans.
            let loan: Loan = account
                .loans
                .into_iter()
                .find(|l| &l.loan_id == loan_id)
                .ok_or(Error::LoanNotFound)?;
            let title = app.store.title(&loan.bib_id).await?;
            let waiting = title
                .as_ref()
                .is_some_and(|t| t.has_waiting_hold_by_other_than(&loan.card_number));
            let due_date = renewal::renew(&loan, waiting, today, app.policy())?;
            let mut renewed = loan;
            renewed.due_date = due_date;
            renewed.renewals += 1;
            let mut ops = vec![Op::update(renewed)];
            if let Some(t) = title {
                ops.push(Op::Check(Key::Title(t.bib_id), t.version));
            }
            app.store.commit(ops).await?;
            Ok(Renewed {
                loan_id: loan_id.clone(),
                due_date,
                renewed: true,
            })
        }
    })
    .await
}
