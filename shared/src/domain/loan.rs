//! Loans and their renewal (R-LOAN-1, R-RENEW-1..8), and the reminder contact a loan
//! carries for the due-date email (R-MAIL-1).

use super::calendar::{Calendar, ClosedTooLong};
use super::catalog::{Inconsistent, Title};
use super::patron::Patron;
use super::policy::Policy;
use super::record::{Changes, Key, Outcome};
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
    /// R-RENEW-3: someone other than the borrower is waiting for the title (suspended holds
    /// included). Kept in step with the title's queue in the commit that changes it
    /// (`sync_waiting`), so the loan list, a renewal and the reminder job decide without
    /// reading the title.
    #[serde(default)]
    pub(in crate::domain) others_waiting: bool,
    /// Where the overdue notice goes (R-MAIL-6), kept in step like `reminder`.
    #[serde(default)]
    pub(in crate::domain) overdue: Option<ReminderContact>,
    /// The due date an overdue notice was sent for (never twice for one due date).
    #[serde(default)]
    pub(in crate::domain) overdue_noticed_for: Option<NaiveDate>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderContact {
    pub email: EmailAddress,
    pub name: String,
}

/// The one rule for a loan's mail contacts: the patron's verified address (R-MAIL-5), for
/// each service they signed up for.
fn contact_for(patron: &Patron, wanted: bool) -> Option<ReminderContact> {
    match (patron.mail_address(), wanted) {
        (Some(email), true) => Some(ReminderContact {
            email: email.clone(),
            name: patron.name.clone(),
        }),
        _ => None,
    }
}

/// R-MAIL-1: where a loan's due-date reminder goes.
pub(in crate::domain) fn reminder_contact(patron: &Patron) -> Option<ReminderContact> {
    contact_for(patron, patron.notifications.due_reminder)
}

/// R-MAIL-6: where a loan's overdue notice goes.
pub(in crate::domain) fn overdue_contact(patron: &Patron) -> Option<ReminderContact> {
    contact_for(patron, patron.notifications.overdue_notice)
}

/// `loan` with its contacts as `patron`'s settings say, if they differ from what it carries.
pub(in crate::domain) fn with_contacts(loan: &Loan, patron: &Patron) -> Option<Loan> {
    let (reminder, overdue) = (reminder_contact(patron), overdue_contact(patron));
    if loan.reminder == reminder && loan.overdue == overdue {
        return None;
    }
    let mut l = loan.clone();
    l.reminder = reminder;
    l.overdue = overdue;
    Some(l)
}

impl Loan {
    pub fn reminder(&self) -> Option<&ReminderContact> {
        self.reminder.as_ref()
    }
    pub fn reminded_for(&self) -> Option<NaiveDate> {
        self.reminded_for
    }
    pub fn overdue_contact(&self) -> Option<&ReminderContact> {
        self.overdue.as_ref()
    }
    pub fn overdue_noticed_for(&self) -> Option<NaiveDate> {
        self.overdue_noticed_for
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

/// Whether a loan can be renewed today (as the loan list shows it), and until when.
pub fn renewal_of(
    loan: &Loan,
    today: NaiveDate,
    policy: &Policy,
) -> Result<NaiveDate, RenewalRefusal> {
    renewal(loan, loan.others_waiting, today, policy)
}

impl Loan {
    pub fn others_waiting(&self) -> bool {
        self.others_waiting
    }
}

/// Why a renewal did not happen: a rule refused it, or the calendar has no open day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RenewFailure {
    #[error(transparent)]
    Refused(#[from] RenewalRefusal),
    #[error(transparent)]
    Calendar(#[from] ClosedTooLong),
}

/// R-RENEW-1..6: renews `loan`, decided by the loan alone: its "someone else is waiting"
/// fact changes in the same commit as any queue change, so a hold placed meanwhile makes
/// this write lose (R-RENEW-3), and two renewals racing renew once (R-RENEW-8). The new due
/// date moves to the next open day if it falls on a closed one (R-CAL-1).
pub fn renew(
    loan: &Loan,
    today: NaiveDate,
    calendar: &Calendar,
    policy: &Policy,
) -> Result<Outcome<Loan>, RenewFailure> {
    let due_date = calendar.first_open_on_or_after(renewal_of(loan, today, policy)?)?;
    let mut renewed = loan.clone();
    renewed.due_date = due_date;
    renewed.renewals += 1;
    Ok(Outcome::new(
        renewed.clone(),
        Changes::none().update(renewed),
    ))
}

/// The titles a set of changes writes.
fn titles_in(changes: &Changes) -> Vec<Title> {
    changes
        .iter()
        .filter_map(|c| match c {
            super::record::Change::Create(r) | super::record::Change::Update(r) => {
                r.clone().into_title()
            }
            _ => None,
        })
        .collect()
}

/// The loans a set of changes must also update: those whose "someone else is waiting" fact
/// no longer agrees with their title's queue as the changes leave it.
pub fn waiting_flips_in(changes: &Changes) -> Vec<Key> {
    titles_in(changes).iter().flat_map(waiting_flips).collect()
}

/// `changes` with every loan `waiting_flips_in` named (read by the caller) brought in step.
pub fn sync_waiting_in(changes: Changes, loans: &[Loan]) -> Result<Changes, Inconsistent> {
    titles_in(&changes)
        .iter()
        .try_fold(changes, |c, t| sync_waiting(c, t, loans))
}

/// The loans whose "someone else is waiting" fact no longer agrees with `title`'s queue.
pub fn waiting_flips(title: &Title) -> Vec<Key> {
    title
        .loans
        .iter()
        .filter(|l| l.others_waiting != title.has_waiting_hold_by_other_than(&l.card_number))
        .map(|l| Key::Loan(l.card_number.clone(), l.loan_id.clone()))
        .collect()
}

/// The one rule that keeps each loan's "someone else is waiting" fact in step with its
/// title's queue: for every loan `waiting_flips` named (read by the caller, `loans`), the
/// loan and the title's copy of the fact follow the queue, in the commit that changed it.
pub fn sync_waiting(
    changes: Changes,
    title: &Title,
    loans: &[Loan],
) -> Result<Changes, Inconsistent> {
    let mut t = title.clone();
    let mut changes = changes;
    let mut flipped = false;
    for entry in t.loans.iter_mut() {
        let waiting = title.has_waiting_hold_by_other_than(&entry.card_number);
        if entry.others_waiting == waiting {
            continue;
        }
        let loan = loans
            .iter()
            .find(|l| l.loan_id == entry.loan_id && l.card_number == entry.card_number)
            .ok_or(Inconsistent("a loan its title lists that was not given"))?;
        let mut l = loan.clone();
        l.others_waiting = waiting;
        entry.others_waiting = waiting;
        changes = changes.update(l);
        flipped = true;
    }
    if flipped {
        changes = changes.update(t);
    }
    Ok(changes)
}

/// R-MAIL-6: the overdue notice for due date `due` went out.
pub fn mark_overdue_noticed(loan: &Loan, due: NaiveDate) -> Option<Changes> {
    mark_sent(loan, due, |l| &mut l.overdue_noticed_for)
}

/// R-MAIL-1: the reminder for due date `due` went out.
pub fn mark_reminded(loan: &Loan, due: NaiveDate) -> Option<Changes> {
    mark_sent(loan, due, |l| &mut l.reminded_for)
}

/// Records in the loan's `sent_for` field that a mail about due date `due` went out: None
/// when it is recorded already or the loan is no longer due then (never twice for one due date).
fn mark_sent(
    loan: &Loan,
    due: NaiveDate,
    sent_for: fn(&mut Loan) -> &mut Option<NaiveDate>,
) -> Option<Changes> {
    let mut l = loan.clone();
    let sent = sent_for(&mut l);
    if loan.due_date != due || *sent == Some(due) {
        return None;
    }
    *sent = Some(due);
    Some(Changes::none().update(l))
}

/// A plain loan for the domain's tests: L1 of card 10000001, copy C1 of title B1, out on
/// 2026-11-20, due 2026-12-04, never renewed. Each test changes what it is about.
#[cfg(test)]
pub(crate) fn sample() -> Loan {
    use crate::domain::fixtures::{card, CARD};
    use crate::domain::types::{Barcode, BibId, LoanId};
    Loan {
        loan_id: LoanId::parse("L1").unwrap(),
        card_number: card(CARD),
        barcode: Barcode::parse("C1").unwrap(),
        bib_id: BibId::parse("B1").unwrap(),
        title: "t".into(),
        author: "a".into(),
        checked_out_on: "2026-11-20".parse().unwrap(),
        due_date: "2026-12-04".parse().unwrap(),
        renewals: 0,
        interlibrary: false,
        reminded_for: None,
        reminder: None,
        others_waiting: false,
        overdue: None,
        overdue_noticed_for: None,
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::d;
    use crate::domain::types::LoanId;

    fn loan(checked_out_on: &str, due: &str) -> Loan {
        Loan {
            loan_id: LoanId::parse("L-1").unwrap(),
            checked_out_on: d(checked_out_on),
            due_date: d(due),
            ..sample()
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
        let o = renew(&l, d("2026-11-24"), &Calendar::new(&p, None), &p).unwrap();
        assert_eq!(o.value.due_date, d("2026-12-09"));
        let o = renew(&l, d("2026-11-24"), &Calendar::new(&P(), None), &P()).unwrap();
        assert_eq!(o.value.due_date, d("2026-12-08"));
    }

    /// Why `renewal` refuses `l` on `today` under the default policy.
    fn refusal(l: &Loan, others_waiting: bool, today: &str) -> RenewalRefusal {
        renewal(l, others_waiting, d(today), &P()).expect_err("a refusal")
    }

    #[test]
    fn r_renew_1_once_only() {
        let mut l = loan("2026-11-20", "2026-12-10");
        l.renewals = 1;
        assert_eq!(
            refusal(&l, false, "2026-11-25"),
            RenewalRefusal::AlreadyRenewed
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
        assert_eq!(refusal(&l, false, "2026-11-16"), RenewalRefusal::Overdue);
        assert!(renewal(&l, false, d("2026-11-15"), &P()).is_ok());
    }

    #[test]
    fn r_renew_3_not_while_another_patron_waits() {
        let l = loan("2026-11-20", "2026-12-04");
        assert_eq!(
            refusal(&l, true, "2026-11-25"),
            RenewalRefusal::OnHoldForOtherPatron
        );
    }

    #[test]
    fn r_renew_4_not_an_interlibrary_loan() {
        let mut l = loan("2026-11-20", "2026-12-04");
        l.interlibrary = true;
        assert_eq!(
            refusal(&l, false, "2026-11-25"),
            RenewalRefusal::InterlibraryLoan
        );
    }

    #[test]
    fn r_renew_5_not_on_the_day_of_checkout() {
        let l = loan("2026-11-20", "2026-12-04");
        assert_eq!(
            refusal(&l, false, "2026-11-20"),
            RenewalRefusal::CheckedOutToday
        );
        assert!(renewal(&l, false, d("2026-11-21"), &P()).is_ok());
    }

    #[test]
    fn the_most_lasting_reason_is_given_first() {
        // Each loan below is asked about on 2026-11-25, with another patron waiting.
        let refused = |l: &Loan| refusal(l, true, "2026-11-25");
        let mut l = loan("2026-11-20", "2026-11-21");
        l.interlibrary = true;
        l.renewals = 1;
        assert_eq!(refused(&l), RenewalRefusal::InterlibraryLoan);
        l.interlibrary = false;
        assert_eq!(refused(&l), RenewalRefusal::AlreadyRenewed);
        l.renewals = 0;
        assert_eq!(refused(&l), RenewalRefusal::Overdue);
        let l = loan("2026-11-25", "2026-12-09");
        assert_eq!(refused(&l), RenewalRefusal::OnHoldForOtherPatron);
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
