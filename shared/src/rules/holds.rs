//! R-HOLD-1..8 and R-DESK-2: placing, cancelling, readying and lapsing holds.

use crate::model::{Hold, HoldState, Loan, NotifyBy, Patron, QueuedHold, Title};
use crate::policy::Policy;
use chrono::{Days, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HoldRefusal {
    #[error("a copy of this title is on the shelf: borrow it at the library")]
    AvailableOnShelf,
    #[error("you have this title on loan now")]
    AlreadyOnLoan,
    #[error("you already have a hold on this title")]
    DuplicateHold,
    #[error("you have reached the limit of active holds")]
    HoldLimitReached,
    #[error("email notice needs a registered email address")]
    EmailNotRegistered,
}

/// May `patron` place a hold on `title`? `loans` and `holds` are the patron's own.
pub fn place(
    patron: &Patron,
    title: &Title,
    loans: &[Loan],
    holds: &[Hold],
    notify: NotifyBy,
    policy: &Policy,
) -> Result<(), HoldRefusal> {
    if notify == NotifyBy::Email && patron.email.is_none() {
        return Err(HoldRefusal::EmailNotRegistered); // R-HOLD-3
    }
    if title.on_shelf > 0 {
        return Err(HoldRefusal::AvailableOnShelf); // R-HOLD-1: only checked-out material
    }
    if loans.iter().any(|l| l.bib_id == title.bib_id) {
        return Err(HoldRefusal::AlreadyOnLoan); // R-HOLD-8
    }
    if holds.iter().any(|h| h.bib_id == title.bib_id) {
        return Err(HoldRefusal::DuplicateHold); // R-HOLD-8
    }
    if patron.active_holds >= policy.max_active_holds {
        return Err(HoldRefusal::HoldLimitReached); // R-HOLD-2
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelRefusal {
    #[error("a hold that is ready for pickup cannot be cancelled online")]
    ReadyForPickup,
}

/// R-HOLD-5: a waiting hold can be cancelled online; a ready one only by calling the library.
pub fn cancel(hold: &Hold) -> Result<(), CancelRefusal> {
    match hold.state {
        HoldState::Waiting => Ok(()),
        HoldState::Ready { .. } => Err(CancelRefusal::ReadyForPickup),
    }
}

/// R-HOLD-6: kept for one week from the day the patron was told.
pub fn pickup_deadline(ready_on: NaiveDate, policy: &Policy) -> NaiveDate {
    ready_on + Days::new(policy.pickup_days.into())
}

/// A ready hold lapses the day after its pickup deadline.
pub fn has_lapsed(hold: &Hold, today: NaiveDate) -> bool {
    matches!(hold.state, HoldState::Ready { pickup_deadline, .. } if today > pickup_deadline)
}

/// Where a copy goes when it comes back (check-in, a lapsed hold, a new copy): to the first
/// waiting hold of its title, else to the shelf (R-DESK-2, R-HOLD-6, R-HOLD-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyDestination {
    Hold(QueuedHold),
    Shelf,
}

pub fn route_returned_copy(title: &Title) -> CopyDestination {
    match title.queue.first() {
        Some(first) => CopyDestination::Hold(first.clone()),
        None => CopyDestination::Shelf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NotificationSettings, Patron};
    use crate::types::{Barcode, BibId, CardNumber, EmailAddress, HoldId, LoanId};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn card(n: &str) -> CardNumber {
        CardNumber::parse(n).unwrap()
    }
    fn patron(active: u32, email: bool) -> Patron {
        Patron {
            card_number: card("10000001"),
            name: "n".into(),
            email: email.then(|| EmailAddress::parse("p@example.jp").unwrap()),
            ebook_eligible: false,
            password: None,
            credential_version: 0,
            failed_logins: 0,
            locked_until: None,
            active_holds: active,
            notifications: NotificationSettings::default(),
            registered_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            version: 1,
        }
    }
    fn title(on_shelf: u32) -> Title {
        Title {
            bib_id: BibId::parse("B1").unwrap(),
            title: "t".into(),
            author: "a".into(),
            subjects: vec![],
            added_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            added_on: d("2026-01-01"),
            copies: 1,
            on_shelf,
            queue: vec![],
            version: 1,
        }
    }
    fn loan_of(bib: &str) -> Loan {
        Loan {
            loan_id: LoanId::parse("L1").unwrap(),
            card_number: card("10000001"),
            barcode: Barcode::parse("C1").unwrap(),
            bib_id: BibId::parse(bib).unwrap(),
            title: "t".into(),
            author: "a".into(),
            checked_out_on: d("2026-11-20"),
            due_date: d("2026-12-04"),
            renewals: 0,
            interlibrary: false,
            reminded_for: None,
            reminder: None,
            version: 1,
        }
    }
    fn hold_on(bib: &str, state: HoldState) -> Hold {
        Hold {
            hold_id: HoldId::parse("H1").unwrap(),
            card_number: card("10000001"),
            bib_id: BibId::parse(bib).unwrap(),
            title: "t".into(),
            author: "a".into(),
            placed_at: "2026-11-01T00:00:00Z".parse().unwrap(),
            notify: NotifyBy::None,
            state,
            version: 1,
        }
    }
    const P: fn() -> Policy = Policy::default;

    #[test]
    fn r_hold_1_only_when_no_copy_is_on_the_shelf() {
        assert_eq!(
            place(&patron(0, false), &title(1), &[], &[], NotifyBy::None, &P()),
            Err(HoldRefusal::AvailableOnShelf)
        );
        assert_eq!(
            place(&patron(0, false), &title(0), &[], &[], NotifyBy::None, &P()),
            Ok(())
        );
    }

    #[test]
    fn r_hold_2_at_most_ten_active_holds() {
        assert_eq!(
            place(&patron(9, false), &title(0), &[], &[], NotifyBy::None, &P()),
            Ok(())
        );
        assert_eq!(
            place(
                &patron(10, false),
                &title(0),
                &[],
                &[],
                NotifyBy::None,
                &P()
            ),
            Err(HoldRefusal::HoldLimitReached)
        );
        let three = Policy {
            max_active_holds: 3,
            ..Policy::default()
        };
        assert_eq!(
            place(
                &patron(3, false),
                &title(0),
                &[],
                &[],
                NotifyBy::None,
                &three
            ),
            Err(HoldRefusal::HoldLimitReached)
        );
    }

    #[test]
    fn r_hold_3_email_notice_needs_an_address() {
        assert_eq!(
            place(
                &patron(0, false),
                &title(0),
                &[],
                &[],
                NotifyBy::Email,
                &P()
            ),
            Err(HoldRefusal::EmailNotRegistered)
        );
        assert_eq!(
            place(&patron(0, true), &title(0), &[], &[], NotifyBy::Email, &P()),
            Ok(())
        );
    }

    #[test]
    fn r_hold_8_not_on_loan_and_no_duplicate() {
        let p = patron(1, false);
        assert_eq!(
            place(&p, &title(0), &[loan_of("B1")], &[], NotifyBy::None, &P()),
            Err(HoldRefusal::AlreadyOnLoan)
        );
        assert_eq!(
            place(&p, &title(0), &[loan_of("B2")], &[], NotifyBy::None, &P()),
            Ok(())
        );
        assert_eq!(
            place(
                &p,
                &title(0),
                &[],
                &[hold_on("B1", HoldState::Waiting)],
                NotifyBy::None,
                &P()
            ),
            Err(HoldRefusal::DuplicateHold)
        );
        assert_eq!(
            place(
                &p,
                &title(0),
                &[],
                &[hold_on("B2", HoldState::Waiting)],
                NotifyBy::None,
                &P()
            ),
            Ok(())
        );
    }

    #[test]
    fn r_hold_5_ready_holds_are_not_cancelled_online() {
        assert_eq!(cancel(&hold_on("B1", HoldState::Waiting)), Ok(()));
        let ready = HoldState::Ready {
            ready_on: d("2026-12-01"),
            pickup_deadline: d("2026-12-08"),
            barcode: Barcode::parse("C1").unwrap(),
        };
        assert_eq!(
            cancel(&hold_on("B1", ready)),
            Err(CancelRefusal::ReadyForPickup)
        );
    }

    #[test]
    fn r_hold_6_kept_one_week_then_lapses() {
        assert_eq!(pickup_deadline(d("2026-12-01"), &P()), d("2026-12-08"));
        let ready = HoldState::Ready {
            ready_on: d("2026-12-01"),
            pickup_deadline: d("2026-12-08"),
            barcode: Barcode::parse("C1").unwrap(),
        };
        let h = hold_on("B1", ready);
        assert!(!has_lapsed(&h, d("2026-12-08")));
        assert!(has_lapsed(&h, d("2026-12-09")));
        assert!(!has_lapsed(
            &hold_on("B1", HoldState::Waiting),
            d("2030-01-01")
        ));
    }

    #[test]
    fn r_desk_2_returned_copy_goes_to_the_first_in_line() {
        let mut t = title(0);
        assert_eq!(route_returned_copy(&t), CopyDestination::Shelf);
        let first = QueuedHold {
            hold_id: HoldId::parse("H1").unwrap(),
            card_number: card("10000002"),
        };
        let second = QueuedHold {
            hold_id: HoldId::parse("H2").unwrap(),
            card_number: card("10000003"),
        };
        t.queue = vec![first.clone(), second];
        assert_eq!(route_returned_copy(&t), CopyDestination::Hold(first));
    }
}
