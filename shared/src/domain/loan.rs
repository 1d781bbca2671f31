//! Loans and their renewal (R-LOAN-1, R-RENEW-1..8), and the reminder contact a loan
//! carries for the due-date email (R-MAIL-1).

use super::calendar::{Calendar, ClosedTooLong};
use super::catalog::Title;
use super::patron::Patron;
use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::types::{Barcode, BibId, CardNumber, EmailAddress, LoanId};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loan {
    pub loan_id: LoanId,
    pub card_number: CardNumber,
    pub barcode: Barcode,
    pub bib_id: BibId,
    /// Denormalised at checkout so the loan list is one read.
    pub title: String,
    pub author: String,
    pub checked_out_on: NaiveDate,
    pub due_date: NaiveDate,
    pub renewals: u32,
    /// Borrowed from another library (R-RENEW-4).
    pub interlibrary: bool,
    /// The due date a reminder was last sent for (R-MAIL-1: never twice for one due date).
    pub(in crate::domain) reminded_for: Option<NaiveDate>,
    /// Where the due-date reminder goes: set while the patron has signed up and has an
    /// address, kept in step with the patron's settings, so that the reminder job reads
    /// only the loans due (docs/access-patterns.md #10) and never the patrons.
    #[serde(default)]
    pub(in crate::domain) reminder: Option<ReminderContact>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderContact {
    pub email: EmailAddress,
    pub name: String,
}

/// The one rule for a loan's reminder contact: the patron's address, while they want
/// reminders and have one.
pub(in crate::domain) fn reminder_contact(patron: &Patron) -> Option<ReminderContact> {
    match (&patron.email, patron.notifications.due_reminder) {
        (Some(email), true) => Some(ReminderContact {
            email: email.clone(),
            name: patron.name.clone(),
        }),
        _ => None,
    }
}

impl Loan {
    pub fn reminder(&self) -> Option<&ReminderContact> {
        self.reminder.as_ref()
    }
    pub fn reminded_for(&self) -> Option<NaiveDate> {
        self.reminded_for
    }
    /// Is a reminder for its current due date `due` still to be sent?
    pub fn wants_reminder_for(&self, due: NaiveDate) -> bool {
        self.due_date == due && self.reminded_for != Some(due) && self.reminder.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum RenewalRefusal {
    #[error("this item was borrowed from another library and cannot be renewed")]
    InterlibraryLoan,
    #[error("this loan has already been renewed")]
    AlreadyRenewed,
    #[error("this loan is overdue and cannot be renewed")]
    Overdue,
    #[error("another patron is waiting for this title")]
    OnHoldForOtherPatron,
    #[error("a loan cannot be renewed on the day it was checked out")]
    CheckedOutToday,
}

impl RenewalRefusal {
    pub fn code(self) -> &'static str {
        match self {
            RenewalRefusal::InterlibraryLoan => "interlibrary_loan",
            RenewalRefusal::AlreadyRenewed => "already_renewed",
            RenewalRefusal::Overdue => "overdue",
            RenewalRefusal::OnHoldForOtherPatron => "on_hold_for_other_patron",
            RenewalRefusal::CheckedOutToday => "checked_out_today",
        }
    }
}

/// The new due date if `loan` may be renewed `today`. Where several reasons apply, the most
/// lasting one is given (an ILL item stays one; a hold may be cancelled; tomorrow comes).
pub fn renewal(
    loan: &Loan,
    others_waiting: bool,
    today: NaiveDate,
    policy: &Policy,
) -> Result<NaiveDate, RenewalRefusal> {
    if loan.interlibrary {
        return Err(RenewalRefusal::InterlibraryLoan); // R-RENEW-4
    }
    if loan.renewals >= policy.max_renewals {
        return Err(RenewalRefusal::AlreadyRenewed); // R-RENEW-1
    }
    if today > loan.due_date {
        return Err(RenewalRefusal::Overdue); // R-RENEW-2: on or before the due date only
    }
    if others_waiting {
        return Err(RenewalRefusal::OnHoldForOtherPatron); // R-RENEW-3
    }
    if today <= loan.checked_out_on {
        return Err(RenewalRefusal::CheckedOutToday); // R-RENEW-5
    }
    Ok(today + Days::new(policy.renewal_days.into())) // R-RENEW-6
}

/// Whether a loan can be renewed today, given its title's queue (as the loan list shows it).
pub fn renewal_for(
    loan: &Loan,
    title: Option<&Title>,
    today: NaiveDate,
    policy: &Policy,
) -> Result<NaiveDate, RenewalRefusal> {
    let waiting = title.is_some_and(|t| t.has_waiting_hold_by_other_than(&loan.card_number));
    renewal(loan, waiting, today, policy)
}

/// Why a renewal did not happen: a rule refused it, or the calendar has no open day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RenewFailure {
    #[error(transparent)]
    Refused(#[from] RenewalRefusal),
    #[error(transparent)]
    Calendar(#[from] ClosedTooLong),
}

/// R-RENEW-1..6: renews `loan`. The title's queue decided it, so the title must be unchanged
/// when the renewal is written: a hold placed meanwhile is respected (R-RENEW-3), and two
/// renewals racing renew once (R-RENEW-8, the loan's own version). The new due date moves
/// to the next open day if it falls on a closed one (R-CAL-1).
pub fn renew(
    loan: &Loan,
    title: Option<&Title>,
    today: NaiveDate,
    calendar: &Calendar,
    policy: &Policy,
) -> Result<Outcome<Loan>, RenewFailure> {
    let due_date = calendar.first_open_on_or_after(renewal_for(loan, title, today, policy)?)?;
    let mut renewed = loan.clone();
    renewed.due_date = due_date;
    renewed.renewals += 1;
    let mut changes = Changes::none().update(renewed.clone());
    if let Some(t) = title {
        changes = changes.check(t.clone());
    }
    Ok(Outcome::new(renewed, changes))
}

/// R-MAIL-1: the reminder for due date `due` went out.
pub fn mark_reminded(loan: &Loan, due: NaiveDate) -> Option<Changes> {
    if loan.due_date != due || loan.reminded_for == Some(due) {
        return None;
    }
    let mut l = loan.clone();
    l.reminded_for = Some(due);
    Some(Changes::none().update(l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::types::{Barcode, BibId, CardNumber, LoanId};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn loan(checked_out_on: &str, due: &str) -> Loan {
        Loan {
            loan_id: LoanId::parse("L-1").unwrap(),
            card_number: CardNumber::parse("10000001").unwrap(),
            barcode: Barcode::parse("C1").unwrap(),
            bib_id: BibId::parse("B1").unwrap(),
            title: "t".into(),
            author: "a".into(),
            checked_out_on: d(checked_out_on),
            due_date: d(due),
            renewals: 0,
            interlibrary: false,
            reminded_for: None,
            reminder: None,
            version: 1,
        }
    }

    const P: fn() -> Policy = Policy::default;

    #[test]
    fn r_renew_6_new_due_date_is_day_of_renewal_plus_14() {
        let l = loan("2026-11-20", "2026-12-04");
        assert_eq!(
            renewal(&l, false, d("2026-11-25"), &P()),
            Ok(d("2026-12-09"))
        );
        // Renewing on the due date itself is allowed (R-RENEW-2) and runs 14 days from today.
        assert_eq!(
            renewal(&l, false, d("2026-12-04"), &P()),
            Ok(d("2026-12-18"))
        );
    }

    #[test]
    fn r_renew_6_follows_the_policy() {
        let p = Policy {
            renewal_days: 7,
            ..Policy::default()
        };
        assert_eq!(
            renewal(
                &loan("2026-11-20", "2026-12-04"),
                false,
                d("2026-11-30"),
                &p
            ),
            Ok(d("2026-12-07"))
        );
    }

    #[test]
    fn r_renew_6_r_cal_1_a_new_due_date_on_a_closed_day_moves_to_the_next_open_day() {
        let l = loan("2026-11-20", "2026-12-04");
        // Renewed on Tue 2026-11-24: due Tue 12-08; Tuesdays closed -> Wed 12-09.
        let p = Policy {
            closed_weekdays: crate::domain::policy::ClosedWeekdays::of(&[chrono::Weekday::Tue]),
            ..Policy::default()
        };
        let o = renew(&l, None, d("2026-11-24"), &Calendar::new(&p, None), &p).unwrap();
        assert_eq!(o.value.due_date, d("2026-12-09"));
        let o = renew(&l, None, d("2026-11-24"), &Calendar::new(&P(), None), &P()).unwrap();
        assert_eq!(o.value.due_date, d("2026-12-08"));
    }

    #[test]
    fn r_renew_1_once_only() {
        let mut l = loan("2026-11-20", "2026-12-10");
        l.renewals = 1;
        assert_eq!(
            renewal(&l, false, d("2026-11-25"), &P()),
            Err(RenewalRefusal::AlreadyRenewed)
        );
        let two = Policy {
            max_renewals: 2,
            ..Policy::default()
        };
        assert!(renewal(&l, false, d("2026-11-25"), &two).is_ok());
    }

    #[test]
    fn r_renew_2_not_after_the_due_date() {
        let l = loan("2026-11-01", "2026-11-15");
        assert_eq!(
            renewal(&l, false, d("2026-11-16"), &P()),
            Err(RenewalRefusal::Overdue)
        );
        assert!(renewal(&l, false, d("2026-11-15"), &P()).is_ok());
    }

    #[test]
    fn r_renew_3_not_while_another_patron_waits() {
        let l = loan("2026-11-20", "2026-12-04");
        assert_eq!(
            renewal(&l, true, d("2026-11-25"), &P()),
            Err(RenewalRefusal::OnHoldForOtherPatron)
        );
    }

    #[test]
    fn r_renew_4_not_an_interlibrary_loan() {
        let mut l = loan("2026-11-20", "2026-12-04");
        l.interlibrary = true;
        assert_eq!(
            renewal(&l, false, d("2026-11-25"), &P()),
            Err(RenewalRefusal::InterlibraryLoan)
        );
    }

    #[test]
    fn r_renew_5_not_on_the_day_of_checkout() {
        let l = loan("2026-11-20", "2026-12-04");
        assert_eq!(
            renewal(&l, false, d("2026-11-20"), &P()),
            Err(RenewalRefusal::CheckedOutToday)
        );
        assert!(renewal(&l, false, d("2026-11-21"), &P()).is_ok());
    }

    #[test]
    fn the_most_lasting_reason_is_given_first() {
        let mut l = loan("2026-11-20", "2026-11-21");
        l.interlibrary = true;
        l.renewals = 1;
        assert_eq!(
            renewal(&l, true, d("2026-11-25"), &P()),
            Err(RenewalRefusal::InterlibraryLoan)
        );
        l.interlibrary = false;
        assert_eq!(
            renewal(&l, true, d("2026-11-25"), &P()),
            Err(RenewalRefusal::AlreadyRenewed)
        );
        l.renewals = 0;
        assert_eq!(
            renewal(&l, true, d("2026-11-25"), &P()),
            Err(RenewalRefusal::Overdue)
        );
        let l = loan("2026-11-25", "2026-12-09");
        assert_eq!(
            renewal(&l, true, d("2026-11-25"), &P()),
            Err(RenewalRefusal::OnHoldForOtherPatron)
        );
    }

    /// Every combination of the five conditions: renewable exactly when none applies.
    #[test]
    fn exhaustive_over_all_conditions() {
        let today = d("2026-11-25");
        for bits in 0u8..32 {
            let mut l = loan(
                if bits & 1 != 0 {
                    "2026-11-25"
                } else {
                    "2026-11-20"
                },
                if bits & 2 != 0 {
                    "2026-11-24"
                } else {
                    "2026-12-04"
                },
            );
            l.renewals = u32::from(bits & 4 != 0);
            l.interlibrary = bits & 8 != 0;
            let waiting = bits & 16 != 0;
            let r = renewal(&l, waiting, today, &P());
            assert_eq!(r.is_ok(), bits == 0, "bits {bits:05b} -> {r:?}");
        }
    }
}
