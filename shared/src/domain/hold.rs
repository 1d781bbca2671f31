//! Holds (R-HOLD-1..14): placing, cancelling, suspending, changing, readying, lapsing and
//! collecting them, and the one place each of their derived facts is kept: the patron's
//! active-hold count and the title's queue of waiting holds (with each entry's suspension and
//! not-needed-after date, so a check-in can pass over a hold without reading it).

use super::calendar::{Calendar, ClosedTooLong};
use super::catalog::{Inconsistent, QueuedHold, Title};
use super::circulation::Day;
use super::loan::Loan;
use super::patron::Patron;
use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::types::{Barcode, BibId, CardNumber, HoldId};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub hold_id: HoldId,
    pub card_number: CardNumber,
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub placed_at: DateTime<Utc>,
    pub notify: HoldNotice,
    pub(in crate::domain) state: HoldState,
    /// 休止: passed over at check-in until this date, when it is waiting again (R-HOLD-11).
    #[serde(default)]
    pub(in crate::domain) suspended_until: Option<NaiveDate>,
    /// 予約有効期限: a waiting or suspended hold lapses after this date (R-HOLD-12).
    #[serde(default)]
    pub(in crate::domain) not_needed_after: Option<NaiveDate>,
    #[serde(default)]
    pub version: u64,
}

/// Where a hold stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Waiting,
    Suspended,
    Ready,
}

/// How the patron is told the hold is ready (R-HOLD-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HoldNotice {
    /// 不要: nobody contacts the patron; My Page shows the state (R-HOLD-7).
    #[serde(rename = "none")]
    NotNeeded,
    /// メール: an email when the hold is ready (R-HOLD-7).
    #[serde(rename = "email")]
    Email,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum HoldState {
    Waiting,
    /// 準備ができました: a copy is kept for the patron until `pickup_deadline` (R-HOLD-6).
    Ready {
        ready_on: NaiveDate,
        pickup_deadline: NaiveDate,
        barcode: Barcode,
    },
}

impl Hold {
    pub fn state(&self) -> &HoldState {
        &self.state
    }
    pub fn is_waiting(&self) -> bool {
        self.state == HoldState::Waiting
    }
    pub fn pickup_deadline(&self) -> Option<NaiveDate> {
        match self.state {
            HoldState::Ready {
                pickup_deadline, ..
            } => Some(pickup_deadline),
            HoldState::Waiting => None,
        }
    }
    /// R-HOLD-6: a ready hold lapses the day after its pickup deadline.
    pub fn has_lapsed(&self, today: NaiveDate) -> bool {
        self.pickup_deadline().is_some_and(|d| today > d)
    }
    pub fn suspended_until(&self) -> Option<NaiveDate> {
        self.suspended_until
    }
    pub fn not_needed_after(&self) -> Option<NaiveDate> {
        self.not_needed_after
    }
    /// R-HOLD-11: suspended until a later date; from that date it is waiting again.
    pub fn standing(&self, today: NaiveDate) -> Standing {
        match self.state {
            HoldState::Ready { .. } => Standing::Ready,
            HoldState::Waiting if self.suspended_until.is_some_and(|d| d > today) => {
                Standing::Suspended
            }
            HoldState::Waiting => Standing::Waiting,
        }
    }
    /// R-HOLD-12: a waiting or suspended hold whose not-needed-after date has passed.
    pub fn is_no_longer_needed(&self, today: NaiveDate) -> bool {
        self.is_waiting() && self.not_needed_after.is_some_and(|d| d < today)
    }
}

impl QueuedHold {
    /// May a copy that comes back today go to this hold? Not while it is suspended
    /// (R-HOLD-11), nor once its not-needed-after date has passed (R-HOLD-12).
    pub fn may_be_served(&self, today: NaiveDate) -> bool {
        self.suspended_until.is_none_or(|d| d <= today)
            && self.not_needed_after.is_none_or(|d| d >= today)
    }
}

/// The title's queue entry for a waiting hold: the one place it is made.
fn queue_entry(hold: &Hold) -> QueuedHold {
    QueuedHold {
        hold_id: hold.hold_id.clone(),
        card_number: hold.card_number.clone(),
        suspended_until: hold.suspended_until,
        not_needed_after: hold.not_needed_after,
    }
}

/// The first hold in line that a copy coming back today may go to (R-DESK-2, R-HOLD-11).
pub fn next_to_serve(title: &Title, today: NaiveDate) -> Option<&QueuedHold> {
    title.queue.iter().find(|q| q.may_be_served(today))
}

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
    #[error("{0}")]
    InvalidDate(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CancelRefusal {
    #[error("a hold that is ready for pickup cannot be cancelled online")]
    ReadyForPickup,
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
}

/// A new hold: the patron's count and the title's queue take it.
fn open(patron: &mut Patron, title: &mut Title, hold: &Hold) {
    patron.active_holds += 1;
    title.queue.push(queue_entry(hold));
}

/// A waiting hold changed: its queue entry follows, in the same place in line.
fn requeue(title: &mut Title, hold: &Hold) -> Result<(), Inconsistent> {
    let entry = title
        .queue
        .iter_mut()
        .find(|q| q.hold_id == hold.hold_id)
        .ok_or(Inconsistent(
            "a waiting hold that its title's queue does not list",
        ))?;
    *entry = queue_entry(hold);
    Ok(())
}

/// A hold ends (cancelled, lapsed, collected): the patron's slot is free again, and a
/// waiting hold leaves the queue.
fn close(patron: &mut Patron, title: &mut Title, hold: &Hold) -> Result<(), Inconsistent> {
    patron.active_holds = patron.active_holds.checked_sub(1).ok_or(Inconsistent(
        "a hold that its patron's count does not include",
    ))?;
    title.queue.retain(|q| q.hold_id != hold.hold_id);
    Ok(())
}

/// R-HOLD-1..3, R-HOLD-8: may `patron` (with these loans and holds) place a hold on `title`?
pub fn may_place(
    patron: &Patron,
    title: &Title,
    loans: &[Loan],
    holds: &[Hold],
    notify: HoldNotice,
    policy: &Policy,
) -> Result<(), HoldRefusal> {
    if notify == HoldNotice::Email && patron.email.is_none() {
        return Err(HoldRefusal::EmailNotRegistered); // R-HOLD-3
    }
    if !title.shelf.is_empty() {
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

/// What a new hold needs that the caller chooses: its id and the moment it is placed.
pub struct NewHold {
    pub hold_id: HoldId,
    pub notify: HoldNotice,
    /// R-HOLD-12, optional: today or later, within the policy's horizon.
    pub not_needed_after: Option<NaiveDate>,
    pub now: DateTime<Utc>,
}

/// A date a patron gives for a hold: not in the past (`earliest`: today or tomorrow), at most
/// the policy's horizon ahead (R-HOLD-11, R-HOLD-12).
fn check_date(
    date: NaiveDate,
    today: NaiveDate,
    earliest: NaiveDate,
    policy: &Policy,
) -> Result<(), &'static str> {
    if date < earliest {
        return Err("the date has passed (a suspension ends after today)");
    }
    if date > today + Days::new(policy.hold_date_horizon_days.into()) {
        return Err("the date is further ahead than holds allow");
    }
    Ok(())
}

/// R-HOLD-1..3, R-HOLD-8: places a hold. The hold, the patron's count and the title's queue
/// are written together, each at the version read, so concurrent requests can never pass
/// the limit (R-HOLD-2) or hold a title twice.
pub fn place(
    patron: &Patron,
    title: &Title,
    loans: &[Loan],
    holds: &[Hold],
    new: NewHold,
    policy: &Policy,
) -> Result<Outcome<Hold>, HoldRefusal> {
    may_place(patron, title, loans, holds, new.notify, policy)?;
    let today = super::dates::japan_date(new.now);
    if let Some(d) = new.not_needed_after {
        check_date(d, today, today, policy).map_err(HoldRefusal::InvalidDate)?;
    }
    let hold = Hold {
        hold_id: new.hold_id,
        card_number: patron.card_number.clone(),
        bib_id: title.bib_id.clone(),
        title: title.title.clone(),
        author: title.author.clone(),
        placed_at: new.now,
        notify: new.notify,
        state: HoldState::Waiting,
        suspended_until: None,
        not_needed_after: new.not_needed_after,
        version: 0,
    };
    let (mut patron, mut title) = (patron.clone(), title.clone());
    open(&mut patron, &mut title, &hold);
    let changes = Changes::none()
        .create(hold.clone())
        .update(patron)
        .update(title);
    Ok(Outcome::new(hold, changes))
}

/// R-HOLD-5: a waiting (or suspended) hold can be cancelled online; a ready one only by
/// calling the library.
pub fn may_cancel(hold: &Hold) -> Result<(), CancelRefusal> {
    match hold.state {
        HoldState::Waiting => Ok(()),
        HoldState::Ready { .. } => Err(CancelRefusal::ReadyForPickup),
    }
}

/// R-HOLD-5: cancels a waiting hold; the slot is free and the queue moves up.
pub fn cancel(patron: &Patron, title: &Title, hold: &Hold) -> Result<Outcome<()>, CancelRefusal> {
    may_cancel(hold)?;
    Ok(withdraw(patron, title, hold)?)
}

/// A hold goes before anyone collects it (cancelled, or no longer needed): the slot is free
/// and the queue moves up.
fn withdraw(patron: &Patron, title: &Title, hold: &Hold) -> Result<Outcome<()>, Inconsistent> {
    let (mut patron, mut title) = (patron.clone(), title.clone());
    close(&mut patron, &mut title, hold)?;
    let changes = Changes::none()
        .delete(hold.clone())
        .update(patron)
        .update(title);
    Ok(Outcome::new((), changes))
}

/// R-HOLD-6: kept for one week from the day the patron was told, to the next open day if
/// that one is closed (R-CAL-1).
pub fn pickup_deadline(
    ready_on: NaiveDate,
    calendar: &Calendar,
    policy: &Policy,
) -> Result<NaiveDate, ClosedTooLong> {
    calendar.first_open_on_or_after(ready_on + Days::new(policy.pickup_days.into()))
}

/// R-DESK-2, R-HOLD-6: the first waiting hold gets `barcode` and becomes ready today. It
/// leaves the queue but keeps its slot of the patron's count until it is collected or lapses.
pub(in crate::domain) fn make_ready(
    title: &mut Title,
    hold: &Hold,
    barcode: &Barcode,
    day: Day,
    policy: &Policy,
) -> Result<Hold, ClosedTooLong> {
    let pickup_deadline = pickup_deadline(day.today, day.calendar, policy)?;
    title.queue.retain(|q| q.hold_id != hold.hold_id);
    let mut ready = hold.clone();
    ready.suspended_until = None;
    ready.state = HoldState::Ready {
        ready_on: day.today,
        pickup_deadline,
        barcode: barcode.clone(),
    };
    Ok(ready)
}

/// A hold that circulation ends: collected by a checkout (the ready hold the copy was kept
/// for, or the patron's waiting hold on the title they now borrow: R-HOLD-8, no hold on a
/// title on loan), or lapsed uncollected (R-HOLD-6). The patron's slot is free again.
pub(in crate::domain) fn end(
    patron: &mut Patron,
    title: &mut Title,
    hold: &Hold,
) -> Result<Changes, Inconsistent> {
    close(patron, title, hold)?;
    Ok(Changes::none().delete(hold.clone()))
}

/// What a patron asks to change on a hold (`PATCH /api/me/holds/{id}`); `None` leaves a
/// field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HoldChange {
    pub notify: Option<HoldNotice>,
    pub suspended_until: Option<Option<NaiveDate>>,
    pub not_needed_after: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefusal {
    /// R-HOLD-11: a ready hold cannot be suspended.
    #[error("a hold that is ready for pickup cannot be suspended")]
    ReadyForPickup,
    #[error("{0}")]
    InvalidDate(&'static str),
    /// R-HOLD-3: email notice needs an address.
    #[error("email notice needs a registered email address")]
    EmailNotRegistered,
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
}

/// R-HOLD-11..13: suspends or resumes a hold, sets or clears its not-needed-after date,
/// changes how the patron is told. A waiting hold's queue entry follows in the same commit;
/// it keeps its place in line. The contact method of a ready hold may change; only its
/// suspension is refused.
pub fn change(
    patron: &Patron,
    title: &Title,
    hold: &Hold,
    change: &HoldChange,
    today: NaiveDate,
    policy: &Policy,
) -> Result<Outcome<Hold>, ChangeRefusal> {
    let mut h = hold.clone();
    if let Some(notify) = change.notify {
        if notify == HoldNotice::Email && patron.email.is_none() {
            return Err(ChangeRefusal::EmailNotRegistered);
        }
        h.notify = notify;
    }
    if let Some(until) = change.suspended_until {
        if !hold.is_waiting() {
            return Err(ChangeRefusal::ReadyForPickup);
        }
        if let Some(d) = until {
            check_date(d, today, today + Days::new(1), policy)
                .map_err(ChangeRefusal::InvalidDate)?;
        }
        h.suspended_until = until;
    }
    if let Some(after) = change.not_needed_after {
        if let Some(d) = after {
            check_date(d, today, today, policy).map_err(ChangeRefusal::InvalidDate)?;
        }
        h.not_needed_after = after;
    }
    let mut changes = Changes::none().update(h.clone());
    if h.is_waiting()
        && (h.suspended_until, h.not_needed_after) != (hold.suspended_until, hold.not_needed_after)
    {
        let mut t = title.clone();
        requeue(&mut t, &h)?;
        changes = changes.update(t);
    }
    Ok(Outcome::new(h, changes))
}

/// R-HOLD-12: a waiting or suspended hold past its not-needed-after date lapses: the slot is
/// free and the queue moves up. A ready hold keeps its pickup week.
pub fn lapse_unneeded(
    patron: &Patron,
    title: &Title,
    hold: &Hold,
    today: NaiveDate,
) -> Result<Option<Outcome<()>>, Inconsistent> {
    if !hold.is_no_longer_needed(today) {
        return Ok(None);
    }
    withdraw(patron, title, hold).map(Some)
}

/// R-HOLD-14: when a waiting hold may be ready, as an estimate. The holds ahead of it that are
/// not suspended go first, one per copy per round: the first round ends when today's loans come
/// back (a loan period); each later round adds the pickup week and a loan period of the patron
/// served before.
pub fn estimated_ready_on(
    title: &Title,
    hold: &Hold,
    today: NaiveDate,
    policy: &Policy,
) -> Option<NaiveDate> {
    if hold.standing(today) != Standing::Waiting {
        return None;
    }
    let ahead = title
        .queue
        .iter()
        .take_while(|q| q.hold_id != hold.hold_id)
        .filter(|q| q.may_be_served(today))
        .count() as u64;
    let rounds = ahead / u64::from(title.copies.max(1)) + 1;
    let (loan, pickup) = (u64::from(policy.loan_days), u64::from(policy.pickup_days));
    Some(today + Days::new(loan + (rounds - 1) * (pickup + loan)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{card, d};
    use crate::domain::types::EmailAddress;

    fn patron(active: u32, email: bool) -> Patron {
        Patron {
            email: email.then(|| EmailAddress::parse("p@example.jp").unwrap()),
            active_holds: active,
            version: 1,
            ..crate::domain::patron::sample()
        }
    }
    fn title(on_shelf: u32) -> Title {
        let mut t = Title::catalogue(
            BibId::parse("B1").unwrap(),
            "t".into(),
            "a".into(),
            vec![],
            "2026-01-01T00:00:00Z".parse().unwrap(),
        );
        t.copies = 1;
        t.shelf = (0..on_shelf)
            .map(|i| Barcode::parse(&format!("C{i}")).unwrap())
            .collect();
        t.version = 1;
        t
    }
    fn loan_of(bib: &str) -> Loan {
        Loan {
            bib_id: BibId::parse(bib).unwrap(),
            ..crate::domain::loan::sample()
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
            notify: HoldNotice::NotNeeded,
            state,
            suspended_until: None,
            not_needed_after: None,
            version: 1,
        }
    }
    const P: fn() -> Policy = Policy::default;
    const NONE: HoldNotice = HoldNotice::NotNeeded;

    #[test]
    fn r_hold_1_only_when_no_copy_is_on_the_shelf() {
        assert_eq!(
            may_place(&patron(0, false), &title(1), &[], &[], NONE, &P()),
            Err(HoldRefusal::AvailableOnShelf)
        );
        assert_eq!(
            may_place(&patron(0, false), &title(0), &[], &[], NONE, &P()),
            Ok(())
        );
    }

    #[test]
    fn r_hold_2_at_most_ten_active_holds() {
        assert_eq!(
            may_place(&patron(9, false), &title(0), &[], &[], NONE, &P()),
            Ok(())
        );
        assert_eq!(
            may_place(&patron(10, false), &title(0), &[], &[], NONE, &P()),
            Err(HoldRefusal::HoldLimitReached)
        );
        let three = Policy {
            max_active_holds: 3,
            ..Policy::default()
        };
        assert_eq!(
            may_place(&patron(3, false), &title(0), &[], &[], NONE, &three),
            Err(HoldRefusal::HoldLimitReached)
        );
    }

    #[test]
    fn r_hold_3_email_notice_needs_an_address() {
        assert_eq!(
            may_place(
                &patron(0, false),
                &title(0),
                &[],
                &[],
                HoldNotice::Email,
                &P()
            ),
            Err(HoldRefusal::EmailNotRegistered)
        );
        assert_eq!(
            may_place(
                &patron(0, true),
                &title(0),
                &[],
                &[],
                HoldNotice::Email,
                &P()
            ),
            Ok(())
        );
    }

    #[test]
    fn r_hold_8_not_on_loan_and_no_duplicate() {
        let p = patron(1, false);
        assert_eq!(
            may_place(&p, &title(0), &[loan_of("B1")], &[], NONE, &P()),
            Err(HoldRefusal::AlreadyOnLoan)
        );
        assert_eq!(
            may_place(&p, &title(0), &[loan_of("B2")], &[], NONE, &P()),
            Ok(())
        );
        assert_eq!(
            may_place(
                &p,
                &title(0),
                &[],
                &[hold_on("B1", HoldState::Waiting)],
                NONE,
                &P()
            ),
            Err(HoldRefusal::DuplicateHold)
        );
        assert_eq!(
            may_place(
                &p,
                &title(0),
                &[],
                &[hold_on("B2", HoldState::Waiting)],
                NONE,
                &P()
            ),
            Ok(())
        );
    }

    #[test]
    fn r_hold_2_placing_takes_a_slot_and_joins_the_queue() {
        let now = "2026-12-01T01:00:00Z".parse().unwrap();
        let o = place(
            &patron(2, false),
            &title(0),
            &[],
            &[],
            NewHold {
                hold_id: HoldId::parse("H9").unwrap(),
                notify: NONE,
                not_needed_after: None,
                now,
            },
            &P(),
        )
        .unwrap();
        let records: Vec<_> = o.changes.iter().map(|c| c.record().clone()).collect();
        let p = records
            .iter()
            .find_map(|r| r.clone().into_patron())
            .unwrap();
        let t = records.iter().find_map(|r| r.clone().into_title()).unwrap();
        assert_eq!(p.active_holds(), 3);
        assert_eq!(t.queue_position(&o.value.hold_id), Some(1));
    }

    #[test]
    fn r_hold_5_ready_holds_are_not_cancelled_online() {
        assert_eq!(may_cancel(&hold_on("B1", HoldState::Waiting)), Ok(()));
        let ready = HoldState::Ready {
            ready_on: d("2026-12-01"),
            pickup_deadline: d("2026-12-08"),
            barcode: Barcode::parse("C1").unwrap(),
        };
        assert_eq!(
            may_cancel(&hold_on("B1", ready)),
            Err(CancelRefusal::ReadyForPickup)
        );
    }

    #[test]
    fn cancelling_a_hold_its_patron_does_not_count_is_reported_not_hidden() {
        let h = hold_on("B1", HoldState::Waiting);
        assert!(matches!(
            cancel(&patron(0, false), &title(0), &h),
            Err(CancelRefusal::Inconsistent(_))
        ));
    }

    #[test]
    fn r_hold_6_kept_one_week_then_lapses() {
        let open = Calendar::new(&P(), None);
        assert_eq!(
            pickup_deadline(d("2026-12-01"), &open, &P()),
            Ok(d("2026-12-08"))
        );
        // R-CAL-1: 2026-12-08 is a Tuesday; with Tuesdays closed the deadline is Wednesday.
        let tuesdays = Policy {
            closed_weekdays: crate::domain::policy::ClosedWeekdays::of(&[chrono::Weekday::Tue]),
            ..Policy::default()
        };
        let closed = Calendar::new(&tuesdays, None);
        assert_eq!(
            pickup_deadline(d("2026-12-01"), &closed, &tuesdays),
            Ok(d("2026-12-09"))
        );
        let ready = HoldState::Ready {
            ready_on: d("2026-12-01"),
            pickup_deadline: d("2026-12-08"),
            barcode: Barcode::parse("C1").unwrap(),
        };
        let h = hold_on("B1", ready);
        assert!(!h.has_lapsed(d("2026-12-08")));
        assert!(h.has_lapsed(d("2026-12-09")));
        assert!(!hold_on("B1", HoldState::Waiting).has_lapsed(d("2030-01-01")));
    }
}
