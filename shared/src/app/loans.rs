//! R-LOAN-1 (the loan list) and R-RENEW-1..8 (renewal).

use super::calendar::with_calendar;
use super::sessions::Caller;
use super::{committed, until_committed, until_committed_for, App};
use crate::credentials::sha256_hex;
use crate::domain::loan::{self, RenewalRefusal};
use crate::domain::renewal_link::{self, LinkRefusal, RenewalLink};
use crate::domain::types::LoanId;
use crate::domain::{Calendar, Key, Loan, Policy, Record};
use crate::error::Error;
use chrono::{DateTime, NaiveDate, Utc};

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
    until_committed_for(app, caller, move |account| async move {
        let loan = account
            .loans
            .iter()
            .find(|l| &l.loan_id == loan_id)
            .ok_or(Error::LoanNotFound)?;
        // The loan is in the account already read: the calendar is the one read left.
        let calendar = Calendar::new(app.policy(), app.store.closed_days().await?.as_ref());
        let outcome = loan::renew(loan, today, &calendar, app.policy())?;
        Ok(committed(
            super::commit(app, outcome.changes).await?,
            outcome.value,
        ))
    })
    .await
}

/// What a renewal link would do (R-MAIL-7): shown before the patron confirms.
#[derive(Debug)]
pub struct LinkPreview {
    pub title: String,
    pub due_date: NaiveDate,
    pub new_due_date: NaiveDate,
}

fn link_key(token: &str) -> Result<Key, Error> {
    if !super::well_formed_secret(token, 16..=64) {
        return Err(Error::LinkNotFound);
    }
    Ok(Key::RenewalLink(sha256_hex(token)))
}

fn link_error(r: LinkRefusal) -> Error {
    match r {
        LinkRefusal::Gone => Error::LinkNotFound,
        LinkRefusal::Refused(why) => Error::Renewal(why),
        LinkRefusal::Calendar(c) => Error::Calendar(c),
    }
}

/// A rule of renewal links (`renewal_link::preview` or `renewal_link::renew_by_link`).
type LinkRule<T> =
    fn(&RenewalLink, Option<&Loan>, DateTime<Utc>, &Calendar, &Policy) -> Result<T, LinkRefusal>;

/// One of the link's rules (R-MAIL-7) applied to the link and the loan it names, read with
/// the calendar (one batch) as they are now; the loan comes back for the preview to show.
async fn apply_link_rule<T>(
    app: &App,
    key: &Key,
    rule: LinkRule<T>,
) -> Result<(T, Option<Loan>), Error> {
    let link = app
        .store
        .get(key)
        .await?
        .and_then(Record::into_renewal_link)
        .ok_or(Error::LinkNotFound)?;
    let loan_key = Key::Loan(link.card_number.clone(), link.loan_id.clone());
    let (records, calendar) = with_calendar(app, vec![loan_key]).await?;
    let loan = records.into_iter().find_map(Record::into_loan);
    let value = rule(
        &link,
        loan.as_ref(),
        app.clock.now(),
        &calendar,
        app.policy(),
    )
    .map_err(link_error)?;
    Ok((value, loan))
}

/// GET /api/renewal-links/{token}: changes nothing (mail scanners open links).
pub async fn preview_link(app: &App, token: &str) -> Result<LinkPreview, Error> {
    let (new_due_date, loan) =
        apply_link_rule(app, &link_key(token)?, renewal_link::preview).await?;
    let loan = loan.expect("the preview found the loan");
    Ok(LinkPreview {
        title: loan.title,
        due_date: loan.due_date,
        new_due_date,
    })
}

/// POST /api/renewal-links/{token}: renews that one loan under every R-RENEW rule, once.
pub async fn renew_by_link(app: &App, token: &str) -> Result<Loan, Error> {
    let key = link_key(token)?;
    until_committed(|| async {
        let (outcome, _) = apply_link_rule(app, &key, renewal_link::renew_by_link).await?;
        Ok(committed(
            super::commit(app, outcome.changes).await?,
            outcome.value,
        ))
    })
    .await
}
