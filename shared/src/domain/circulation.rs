//! The counter's circulation (R-DESK-1, R-DESK-2, R-HOLD-6): checking out, checking in, a
//! new copy, and the lapse of an uncollected hold. Wherever a copy comes back it goes to the
//! first waiting hold of its title, or to the shelf.

use super::calendar::{Calendar, ClosedTooLong};
use super::catalog::{move_copy, new_copy, CopyState, Inconsistent, PhysicalCopy, Title};
use super::history;
use super::hold::{self, Hold, HoldState};
use super::loan::{overdue_contact, reminder_contact, Loan};
use super::patron::Patron;
use super::policy::Policy;
use super::record::{Changes, FollowUp, Outcome};
use super::types::{Barcode, EntryId, LoanId};
use chrono::{Days, NaiveDate};

/// The day at the counter: the date, and the calendar that moves any date set on it
/// (R-CAL-1). The caller reads the calendar; transitions only look at it.
#[derive(Debug, Clone, Copy)]
pub struct Day<'a> {
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
}

/// A copy could not be routed: stored counts disagree, or the calendar has no open day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CirculationFault {
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
    #[error(transparent)]
    Calendar(#[from] ClosedTooLong),
}

/// Where a returned (or new) copy goes: to `first_in_line`, the first hold in the title's
/// queue that may be served today (not suspended, still needed) as the caller read it, which
/// becomes ready; or, with no such hold, to the shelf. Returns the copy's new state and the
/// readied hold.
fn route(
    title: &mut Title,
    barcode: &Barcode,
    first_in_line: Option<&Hold>,
    day: Day,
    policy: &Policy,
) -> Result<(CopyState, Option<Hold>), CirculationFault> {
    let head = hold::next_to_serve(title, day.today).map(|q| q.hold_id.clone());
    match (head, first_in_line) {
        (None, _) => Ok((CopyState::OnShelf, None)),
        (Some(id), Some(h)) if h.hold_id == id && h.is_waiting() => {
            let ready = hold::make_ready(title, h, barcode, day, policy)?;
            let state = CopyState::HeldForPickup {
                card_number: ready.card_number.clone(),
                hold_id: ready.hold_id.clone(),
            };
            Ok((state, Some(ready)))
        }
        (Some(_), _) => Err(Inconsistent("the hold first in line is not the one given").into()),
    }
}

fn readied(changes: Changes, ready: Option<Hold>) -> (Changes, Vec<FollowUp>) {
    match ready {
        Some(h) => (changes.update(h.clone()), vec![FollowUp::HoldReady(h)]),
        None => (changes, Vec::new()),
    }
}

/// The hold the caller must read before routing a copy of `title` today.
pub fn first_in_line(title: &Title, today: NaiveDate) -> Option<&super::catalog::QueuedHold> {
    hold::next_to_serve(title, today)
}

/// R-HOLD-11: a copy that stayed on the shelf because every hold was suspended goes to the
/// first hold that may now be served (it resumed, at a PATCH or on its date).
pub fn serve_from_shelf(
    title: &Title,
    copy: &PhysicalCopy,
    first_in_line: &Hold,
    day: Day,
    policy: &Policy,
) -> Result<Outcome<Hold>, CirculationFault> {
    if copy.state() != &CopyState::OnShelf || copy.bib_id != title.bib_id {
        return Err(Inconsistent("a shelf copy that is not on the shelf").into());
    }
    let (mut title, mut copy) = (title.clone(), copy.clone());
    let (state, ready) = route(&mut title, &copy.barcode, Some(first_in_line), day, policy)?;
    let ready = ready.ok_or(Inconsistent("no hold to serve from the shelf"))?;
    move_copy(&mut title, &mut copy, state)?;
    let changes = Changes::none().update(copy).update(title);
    let (changes, follow_ups) = readied(changes, Some(ready.clone()));
    Ok(Outcome::new(ready, changes).then(follow_ups))
}

/// POST /api/staff/copies: a new copy of `title`, served to its queue first.
pub fn add_copy(
    title: &Title,
    barcode: Barcode,
    first_in_line: Option<&Hold>,
    day: Day,
    policy: &Policy,
) -> Result<Outcome<PhysicalCopy>, CirculationFault> {
    let mut title = title.clone();
    let (state, ready) = route(&mut title, &barcode, first_in_line, day, policy)?;
    let copy = new_copy(&mut title, barcode, state)?;
    let changes = Changes::none().create(copy.clone()).update(title);
    let (changes, follow_ups) = readied(changes, ready);
    Ok(Outcome::new(copy, changes).then(follow_ups))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CheckOutRefusal {
    #[error("this copy is already checked out")]
    CopyOnLoan,
    #[error("this copy is kept for another patron's hold")]
    HeldForAnotherPatron,
    #[error("the interlibrary due date is in the past")]
    DueDateInPast,
    /// The copy is kept for one of the patron's holds that their account, read earlier,
    /// does not show yet: read both again.
    #[error("the records were read at different moments")]
    StaleRead,
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
    #[error(transparent)]
    Calendar(#[from] ClosedTooLong),
}

/// What the counter chose for a loan.
pub struct LoanTerms {
    pub loan_id: LoanId,
    pub today: NaiveDate,
    /// An item borrowed from another library comes with its own due date (R-RENEW-4).
    pub interlibrary_due: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedOut {
    pub loan: Loan,
    /// The hold this checkout fulfilled, if any.
    pub fulfilled: Option<Hold>,
}

/// R-DESK-1: checks `copy` out to `patron` (whose holds are `holds`). A copy kept for a hold
/// goes only to that hold's patron and fulfils it; borrowing a title one waits for ends the
/// wait (R-HOLD-8). The patron's record is written with every checkout, so a concurrent hold
/// or settings change is seen rather than overwritten. A normal loan is due `loan_days`
/// after today, moved to the next open day (R-CAL-1); an inter-library due date is the
/// lending library's and is never moved.
pub fn check_out(
    patron: &Patron,
    holds: &[Hold],
    copy: &PhysicalCopy,
    title: &Title,
    terms: LoanTerms,
    calendar: &Calendar,
    policy: &Policy,
) -> Result<Outcome<CheckedOut>, CheckOutRefusal> {
    if terms.interlibrary_due.is_some_and(|d| d < terms.today) {
        return Err(CheckOutRefusal::DueDateInPast);
    }
    let (mut patron, mut title, mut copy) = (patron.clone(), title.clone(), copy.clone());
    let fulfilled = match copy.state() {
        CopyState::OnLoan { .. } => return Err(CheckOutRefusal::CopyOnLoan),
        CopyState::HeldForPickup {
            card_number,
            hold_id,
        } => {
            if *card_number != patron.card_number {
                return Err(CheckOutRefusal::HeldForAnotherPatron);
            }
            let h = holds
                .iter()
                .find(|h| &h.hold_id == hold_id)
                .ok_or(CheckOutRefusal::StaleRead)?;
            Some(h.clone())
        }
        CopyState::OnShelf => holds
            .iter()
            .find(|h| h.bib_id == copy.bib_id && h.is_waiting())
            .cloned(),
    };
    let mut changes = Changes::none();
    let mut follow_ups = Vec::new();
    if let Some(h) = &fulfilled {
        changes = changes.and(hold::end(&mut patron, &mut title, h)?);
        if matches!(h.state(), HoldState::Ready { .. }) {
            follow_ups.push(FollowUp::HoldCollected(h.hold_id.clone()));
        }
    }
    let due_date = match terms.interlibrary_due {
        Some(given) => given,
        None => {
            calendar.first_open_on_or_after(terms.today + Days::new(policy.loan_days.into()))?
        }
    };
    let loan = Loan {
        loan_id: terms.loan_id,
        card_number: patron.card_number.clone(),
        barcode: copy.barcode.clone(),
        bib_id: copy.bib_id.clone(),
        title: title.title.clone(),
        author: title.author.clone(),
        checked_out_on: terms.today,
        due_date,
        renewals: 0,
        interlibrary: terms.interlibrary_due.is_some(),
        reminded_for: None,
        reminder: reminder_contact(&patron),
        others_waiting: title.has_waiting_hold_by_other_than(&patron.card_number),
        overdue: overdue_contact(&patron),
        overdue_noticed_for: None,
        version: 0,
    };
    move_copy(
        &mut title,
        &mut copy,
        CopyState::OnLoan {
            card_number: patron.card_number.clone(),
            loan_id: loan.loan_id.clone(),
        },
    )?;
    let changes = changes
        .create(loan.clone())
        .update(copy)
        .update(title)
        .update(patron);
    Ok(Outcome::new(CheckedOut { loan, fulfilled }, changes).then(follow_ups))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CheckInRefusal {
    #[error("this copy is not checked out")]
    NotCheckedOut,
    #[error(transparent)]
    Fault(#[from] CirculationFault),
}

impl From<Inconsistent> for CheckInRefusal {
    fn from(i: Inconsistent) -> Self {
        CheckInRefusal::Fault(i.into())
    }
}

/// What a check-in knows about the loan that ends.
pub struct Returned<'a> {
    pub loan: Option<&'a Loan>,
    /// The loan's patron as read, for the reading history (R-HIST-1).
    pub borrower: Option<&'a Patron>,
    /// The id of the history entry, should the borrower keep a history.
    pub entry_id: EntryId,
}

/// R-DESK-2: checks `copy` in: its loan closes; the copy goes to the first waiting hold of its
/// title (which becomes ready) or back to the shelf. The answer is the readied hold. A
/// borrower who keeps a reading history gets its entry in the same commit (R-HIST-1).
pub fn check_in(
    copy: &PhysicalCopy,
    title: &Title,
    returned: Returned,
    first_in_line: Option<&Hold>,
    day: Day,
    policy: &Policy,
) -> Result<Outcome<Option<Hold>>, CheckInRefusal> {
    if !matches!(copy.state(), CopyState::OnLoan { .. }) {
        return Err(CheckInRefusal::NotCheckedOut);
    }
    let (mut title, mut copy) = (title.clone(), copy.clone());
    let (state, ready) = route(&mut title, &copy.barcode, first_in_line, day, policy)?;
    move_copy(&mut title, &mut copy, state)?;
    let mut changes = Changes::none();
    if let Some(l) = returned.loan {
        changes = changes.delete(l.clone());
        if let Some(entry) = returned
            .borrower
            .and_then(|p| history::record_return(p, l, returned.entry_id.clone(), day.today))
        {
            changes = changes.and(entry);
        }
    }
    let changes = changes.update(copy).update(title);
    let (changes, follow_ups) = readied(changes, ready.clone());
    Ok(Outcome::new(ready, changes).then(follow_ups))
}

/// What a lapse did with the copy that was kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Lapsed {
    /// To the next waiting hold, now ready.
    PassedOn(Hold),
    ReturnedToShelf,
    /// The copy was not kept for this hold any more (or is gone): left where it is.
    CopyElsewhere,
}

/// R-HOLD-6: a ready hold past its pickup deadline lapses; the copy kept for it goes to the
/// next in line or to the shelf.
pub fn lapse_hold(
    patron: &Patron,
    title: &Title,
    hold: &Hold,
    copy: Option<&PhysicalCopy>,
    first_in_line: Option<&Hold>,
    day: Day,
    policy: &Policy,
) -> Result<Outcome<Lapsed>, CirculationFault> {
    let (mut patron, mut title) = (patron.clone(), title.clone());
    let mut changes = hold::end(&mut patron, &mut title, hold)?.update(patron);
    let kept_for_it = copy.filter(|c| {
        matches!(c.state(), CopyState::HeldForPickup { hold_id, .. } if *hold_id == hold.hold_id)
    });
    let mut follow_ups = Vec::new();
    let lapsed = match kept_for_it {
        None => Lapsed::CopyElsewhere,
        Some(c) => {
            let mut c = c.clone();
            let (state, ready) = route(&mut title, &c.barcode, first_in_line, day, policy)?;
            move_copy(&mut title, &mut c, state)?;
            changes = changes.update(c);
            let (more, next) = readied(Changes::none(), ready.clone());
            changes = changes.and(more);
            follow_ups = next;
            match ready {
                Some(h) => Lapsed::PassedOn(h),
                None => Lapsed::ReturnedToShelf,
            }
        }
    };
    let changes = changes.update(title);
    Ok(Outcome::new(lapsed, changes).then(follow_ups))
}
