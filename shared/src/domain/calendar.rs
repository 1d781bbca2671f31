//! The library calendar (R-CAL-1, R-CAL-2): weekly closed days from the policy, dated
//! closures entered by staff, and the one question the rules ask of it: the first day on or
//! after a date when the library is open. A due date or pickup deadline is moved by it once,
//! when it is set; nothing here ever recomputes a date already given.

use super::policy::{ClosedWeekdays, Policy};
use super::record::{Changes, Outcome};
use super::types::ClosureReason;
use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The reason shown for a weekly closed day (R-CAL-2).
pub const WEEKLY_REASON: &str = "定休日";

/// How far back a dated closure is kept, and may be set or cleared: the public calendar
/// shows the past year, and nothing older is needed to set a date.
pub const KEPT_DAYS_BACK: u64 = 366;
/// How far ahead a dated closure may be set.
pub const SET_DAYS_AHEAD: u64 = 2 * 366;

/// Every dated closure, in one record: a library has a few dozen a year, and a checkout,
/// renewal or check-in reads them all in the same round trip as the records it reads anyway.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClosedDays {
    /// Date -> reason, as staff entered it. Kept by `set_closure` / `clear_closure`.
    pub(in crate::domain) days: BTreeMap<NaiveDate, String>,
    #[serde(default)]
    pub version: u64,
}

impl ClosedDays {
    pub fn days(&self) -> &BTreeMap<NaiveDate, String> {
        &self.days
    }
}

/// The calendar a transition is given: the policy's weekly closed days and the dated
/// closures as read. Transitions never read it themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    weekly: ClosedWeekdays,
    dated: BTreeMap<NaiveDate, String>,
    max_run: u32,
}

/// The calendar has no open day within the longest closed run the policy allows: it was set
/// up wrong (the PUT refuses such closures; a later change of the weekly days or of the
/// policy can still cause it). Never a loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the library calendar is closed on every one of the {days} days from {from}: \
     more than {max} closed days in a row is a configuration error; \
     remove dated closures or weekly closed days (POLICY_CLOSED_WEEKDAYS)"
)]
pub struct ClosedTooLong {
    pub from: NaiveDate,
    pub days: u32,
    pub max: u32,
}

impl Calendar {
    /// The calendar of `policy` with the dated closures `stored` (none if never set).
    pub fn new(policy: &Policy, stored: Option<&ClosedDays>) -> Calendar {
        Calendar {
            weekly: policy.closed_weekdays,
            dated: stored.map(|s| s.days.clone()).unwrap_or_default(),
            max_run: policy.max_closed_run_days,
        }
    }

    /// Why the library is closed on `date`, or None if it is open. A dated closure's own
    /// reason wins over the weekly one.
    pub fn closure(&self, date: NaiveDate) -> Option<&str> {
        if let Some(reason) = self.dated.get(&date) {
            return Some(reason);
        }
        self.weekly
            .contains(date.weekday())
            .then_some(WEEKLY_REASON)
    }

    pub fn is_open(&self, date: NaiveDate) -> bool {
        self.closure(date).is_none()
    }

    /// R-CAL-1: `date` itself if the library is open then, else the first open day after it.
    /// Looks at most one day past the longest closed run the policy allows.
    pub fn first_open_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, ClosedTooLong> {
        let mut day = date;
        for _ in 0..=self.max_run {
            if self.is_open(day) {
                return Ok(day);
            }
            day = day.succ_opt().ok_or(self.too_long(date))?;
        }
        Err(self.too_long(date))
    }

    fn too_long(&self, from: NaiveDate) -> ClosedTooLong {
        ClosedTooLong {
            from,
            days: self.max_run + 1,
            max: self.max_run,
        }
    }

    /// R-CAL-2: every closed date from `from` to `to`, both included, with its reason.
    pub fn closed_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, String)> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .filter_map(|d| self.closure(d).map(|r| (d, r.to_owned())))
            .collect()
    }

    /// How many days in a row are closed through `date` if it is closed too, counting at most
    /// `max_run + 1` on each side (enough to know whether the run is too long).
    fn run_through(&self, date: NaiveDate) -> u32 {
        let closed_beside = |step: fn(&NaiveDate) -> Option<NaiveDate>| {
            std::iter::successors(step(&date), step)
                .take(self.max_run as usize + 1)
                .take_while(|d| !self.is_open(*d))
                .count() as u32
        };
        1 + closed_beside(NaiveDate::pred_opt) + closed_beside(NaiveDate::succ_opt)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClosureRefusal {
    /// R-CAL-1: the closure would make a run of closed days longer than the policy allows.
    #[error(
        "this closure would close the library for {run} days in a row; at most {max} are allowed"
    )]
    ClosedTooLong { run: u32, max: u32 },
    #[error("a closure can be set from {earliest} to {latest}")]
    OutOfRange {
        earliest: NaiveDate,
        latest: NaiveDate,
    },
}

/// The dates staff may set or clear a closure on, seen from `today`.
pub fn settable(date: NaiveDate, today: NaiveDate) -> Result<(), ClosureRefusal> {
    let earliest = today - Days::new(KEPT_DAYS_BACK);
    let latest = today + Days::new(SET_DAYS_AHEAD);
    if date < earliest || date > latest {
        return Err(ClosureRefusal::OutOfRange { earliest, latest });
    }
    Ok(())
}

/// The stored closures with those too old to matter dropped.
fn pruned(stored: Option<&ClosedDays>, today: NaiveDate) -> ClosedDays {
    let mut days = stored.cloned().unwrap_or_default();
    let oldest = today - Days::new(KEPT_DAYS_BACK);
    days.days.retain(|d, _| *d >= oldest);
    days
}

/// R-CAL-1: staff close the library on `date` for `reason` (replacing an earlier reason).
/// Refused when it would make more consecutive closed days than the policy allows; the
/// record is written at the version read, so two closures racing are judged one after the
/// other.
pub fn set_closure(
    stored: Option<&ClosedDays>,
    date: NaiveDate,
    reason: ClosureReason,
    today: NaiveDate,
    policy: &Policy,
) -> Result<Outcome<()>, ClosureRefusal> {
    settable(date, today)?;
    let mut new = pruned(stored, today);
    new.days.insert(date, reason.into_string());
    let calendar = Calendar::new(policy, Some(&new));
    let run = calendar.run_through(date);
    if run > policy.max_closed_run_days {
        return Err(ClosureRefusal::ClosedTooLong {
            run,
            max: policy.max_closed_run_days,
        });
    }
    Ok(Outcome::new((), write(stored, new)))
}

/// The closures as written back: the record is created the first time.
fn write(stored: Option<&ClosedDays>, new: ClosedDays) -> Changes {
    Changes::none().create_or_update(stored.is_some(), new)
}

/// R-CAL-1: staff remove the closure on `date` (nothing to do if there is none). Dates
/// already set stay as they are.
pub fn clear_closure(
    stored: Option<&ClosedDays>,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<Outcome<()>, ClosureRefusal> {
    settable(date, today)?;
    match stored {
        Some(s) if s.days.contains_key(&date) => {
            let mut new = pruned(stored, today);
            new.days.remove(&date);
            Ok(Outcome::new((), write(stored, new)))
        }
        _ => Ok(Outcome::new((), Changes::none())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::d;
    use chrono::Weekday;

    fn reason(s: &str) -> ClosureReason {
        ClosureReason::parse(s).unwrap()
    }
    fn mondays() -> Policy {
        Policy {
            closed_weekdays: ClosedWeekdays::of(&[Weekday::Mon]),
            ..Policy::default()
        }
    }
    fn stored(days: &[(&str, &str)]) -> ClosedDays {
        ClosedDays {
            days: days.iter().map(|(a, b)| (d(a), (*b).to_owned())).collect(),
            version: 1,
        }
    }
    /// The record a set of closures leaves, applied one after the other.
    fn closed_from(first: &str, count: u64) -> ClosedDays {
        let start = d(first);
        ClosedDays {
            days: (0..count)
                .map(|i| (start + Days::new(i), "点検".to_owned()))
                .collect(),
            version: 1,
        }
    }

    #[test]
    fn r_cal_1_an_open_day_is_its_own_answer_and_a_closed_one_moves_forward() {
        let c = Calendar::new(&mondays(), Some(&stored(&[("2026-12-15", "蔵書点検")])));
        // 2026-12-14 is a Monday; 12-15 a dated closure; 12-16 open.
        assert_eq!(
            c.first_open_on_or_after(d("2026-12-13")),
            Ok(d("2026-12-13"))
        );
        assert_eq!(
            c.first_open_on_or_after(d("2026-12-14")),
            Ok(d("2026-12-16"))
        );
        assert_eq!(c.closure(d("2026-12-14")), Some(WEEKLY_REASON));
        assert_eq!(c.closure(d("2026-12-15")), Some("蔵書点検"));
        // With no closures at all, every day is open.
        let none = Calendar::new(&Policy::default(), None);
        assert_eq!(
            none.first_open_on_or_after(d("2026-12-14")),
            Ok(d("2026-12-14"))
        );
    }

    #[test]
    fn r_cal_1_a_calendar_closed_too_long_is_an_error_not_a_loop() {
        let c = Calendar::new(&Policy::default(), Some(&closed_from("2027-01-01", 61)));
        let e = c.first_open_on_or_after(d("2027-01-01")).unwrap_err();
        assert_eq!((e.from, e.max), (d("2027-01-01"), 60));
        assert!(e.to_string().contains("configuration error"));
        // Sixty closed days are allowed: the 61st is open.
        let c = Calendar::new(&Policy::default(), Some(&closed_from("2027-01-01", 60)));
        assert_eq!(
            c.first_open_on_or_after(d("2027-01-01")),
            Ok(d("2027-03-02"))
        );
    }

    #[test]
    fn r_cal_1_a_closure_that_makes_more_than_sixty_days_in_a_row_is_refused() {
        let today = d("2026-12-01");
        // 2027-01-01..=01-30 and 02-01..=03-02 closed, 01-31 open: closing 01-31 makes 61.
        let mut s = closed_from("2027-01-01", 30);
        s.days.extend(closed_from("2027-02-01", 30).days);
        let close_jan_31 = |s: &ClosedDays| {
            set_closure(
                Some(s),
                d("2027-01-31"),
                reason("整理"),
                today,
                &Policy::default(),
            )
        };
        assert_eq!(
            close_jan_31(&s).unwrap_err(),
            ClosureRefusal::ClosedTooLong { run: 61, max: 60 }
        );
        // One day less on either side is allowed.
        s.days.remove(&d("2027-03-02"));
        assert!(close_jan_31(&s).is_ok());
        // Weekly closed days count in the run.
        let s = closed_from("2027-01-05", 59); // Tue 01-05 ..= Thu 03-04
        let p = Policy::default();
        assert!(set_closure(Some(&s), d("2027-03-05"), reason("x"), today, &p).is_ok());
        // With Mondays closed, Mon 01-04 joins the run: closing Fri 03-05 would make 61.
        let r = set_closure(Some(&s), d("2027-03-05"), reason("x"), today, &mondays());
        assert_eq!(
            r.unwrap_err(),
            ClosureRefusal::ClosedTooLong { run: 61, max: 60 }
        );
    }

    #[test]
    fn r_cal_1_closures_are_set_only_within_the_years_around_today() {
        let today = d("2026-12-01");
        let p = Policy::default();
        assert!(set_closure(None, d("2028-12-01"), reason("x"), today, &p).is_ok());
        assert!(matches!(
            set_closure(None, d("2029-01-01"), reason("x"), today, &p),
            Err(ClosureRefusal::OutOfRange { .. })
        ));
        assert!(matches!(
            clear_closure(None, d("2025-01-01"), today),
            Err(ClosureRefusal::OutOfRange { .. })
        ));
        // Closures more than a year old are dropped when the record is next written.
        let s = stored(&[("2025-11-01", "old"), ("2026-11-01", "recent")]);
        let o = set_closure(Some(&s), d("2026-12-24"), reason("x"), today, &p).unwrap();
        let written = o.changes.iter().next().unwrap().record().clone();
        let crate::domain::Record::ClosedDays(w) = written else {
            panic!()
        };
        assert_eq!(
            w.days.keys().copied().collect::<Vec<_>>(),
            vec![d("2026-11-01"), d("2026-12-24")]
        );
    }

    #[test]
    fn r_cal_2_closed_days_of_a_period_one_entry_a_date() {
        let c = Calendar::new(
            &mondays(),
            Some(&stored(&[
                ("2026-12-14", "臨時休館"),
                ("2026-12-16", "点検"),
            ])),
        );
        let closed = c.closed_between(d("2026-12-13"), d("2026-12-21"));
        assert_eq!(
            closed,
            vec![
                (d("2026-12-14"), "臨時休館".to_owned()),
                (d("2026-12-16"), "点検".to_owned()),
                (d("2026-12-21"), WEEKLY_REASON.to_owned()),
            ]
        );
    }
}
