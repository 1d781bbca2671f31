//! One-tap renewal from the reminder (R-MAIL-7): a link that renews one loan, once, under
//! every renewal rule, without a login. It shows what would happen without changing anything
//! (mail scanners open links), and is good until the end of the loan's due date.

use super::calendar::{Calendar, ClosedTooLong};
use super::dates::jst;
use super::loan::{self, Loan, RenewFailure, RenewalRefusal};
use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::types::{CardNumber, LoanId};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenewalLink {
    /// SHA-256 of the token in the link, hex. The token itself is never stored.
    pub token_hash: String,
    pub card_number: CardNumber,
    pub loan_id: LoanId,
    /// The due date the reminder was about: a renewal by any route moves it, and the link dies.
    pub due_date: NaiveDate,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// The end of `due_date` in Japan: when a link for a loan due that day stops working.
pub fn end_of(due_date: NaiveDate) -> DateTime<Utc> {
    (due_date + Days::new(1))
        .and_time(NaiveTime::MIN)
        .and_local_timezone(jst())
        .single()
        .expect("Japan time has no gaps")
        .with_timezone(&Utc)
}

impl RenewalLink {
    /// A link for `loan`'s current due date.
    pub fn for_loan(loan: &Loan, token_hash: String) -> RenewalLink {
        RenewalLink {
            token_hash,
            card_number: loan.card_number.clone(),
            loan_id: loan.loan_id.clone(),
            due_date: loan.due_date,
            expires_at: end_of(loan.due_date),
            version: 0,
        }
    }
}

/// Why a link renews nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefusal {
    /// Unknown, used, expired, or the loan was renewed, returned or is past due since.
    #[error("this renewal link is no longer valid")]
    Gone,
    /// The loan exists but a renewal rule refuses it now (a hold appeared meanwhile).
    #[error("{0}")]
    Refused(RenewalRefusal),
    /// The calendar has no open day for the new due date (R-CAL-1).
    #[error(transparent)]
    Calendar(#[from] ClosedTooLong),
}

/// What the link would do: the new due date, if `loan` (the patron's loan the link names,
/// if it still exists) may be renewed through it at `now`.
pub fn preview(
    link: &RenewalLink,
    loan: Option<&Loan>,
    now: DateTime<Utc>,
    calendar: &Calendar,
    policy: &Policy,
) -> Result<NaiveDate, LinkRefusal> {
    let loan = loan
        .filter(|l| l.loan_id == link.loan_id && l.due_date == link.due_date)
        .ok_or(LinkRefusal::Gone)?;
    if now >= link.expires_at {
        return Err(LinkRefusal::Gone);
    }
    let today = super::dates::japan_date(now);
    match loan::renewal_of(loan, today, policy) {
        Ok(d) => Ok(calendar.first_open_on_or_after(d)?),
        // Already renewed or overdue: the link has outlived its loan's due date.
        Err(RenewalRefusal::AlreadyRenewed | RenewalRefusal::Overdue) => Err(LinkRefusal::Gone),
        Err(other) => Err(LinkRefusal::Refused(other)),
    }
}

/// R-MAIL-7: renews the loan through the link, which is used up in the same commit.
pub fn renew_by_link(
    link: &RenewalLink,
    loan: Option<&Loan>,
    now: DateTime<Utc>,
    calendar: &Calendar,
    policy: &Policy,
) -> Result<Outcome<Loan>, LinkRefusal> {
    preview(link, loan, now, calendar, policy)?;
    let loan = loan.expect("preview found the loan");
    let today = super::dates::japan_date(now);
    let renewed = loan::renew(loan, today, calendar, policy).map_err(|f| match f {
        RenewFailure::Refused(r) => LinkRefusal::Refused(r),
        RenewFailure::Calendar(c) => LinkRefusal::Calendar(c),
    })?;
    Ok(renewed.also(Changes::none().delete(link.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_mail_7_a_link_expires_at_the_end_of_the_due_date_in_japan() {
        let end = end_of("2026-12-04".parse().unwrap());
        assert_eq!(
            end,
            "2026-12-04T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
