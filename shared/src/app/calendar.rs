//! The library calendar (R-CAL-1, R-CAL-2): the public list of closed days, the dated
//! closures staff set and clear, and the calendar that checkout, renewal and check-in read in
//! the same round trip as the records they read anyway.

use super::{committed, until_committed, App};
use crate::domain::calendar::{self, Calendar};
use crate::domain::types::ClosureReason;
use crate::domain::{Key, Record};
use crate::error::Error;
use chrono::NaiveDate;

/// The longest period `GET /api/catalog/calendar` answers for, both ends counted.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// R-CAL-2: every closed date from `from` to `to` (both included, at most 366 dates), weekly
/// closures included.
pub async fn closed_days(
    app: &App,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, String)>, Error> {
    let dates = (to - from).num_days() + 1;
    if !(1..=MAX_PERIOD_DAYS).contains(&dates) {
        return Err(Error::InvalidRequest(format!(
            "from must not be after to, and the period is at most {MAX_PERIOD_DAYS} days"
        )));
    }
    let stored = app.store.closed_days().await?;
    Ok(Calendar::new(app.policy(), stored.as_ref()).closed_between(from, to))
}

/// R-CAL-1: PUT /api/staff/calendar/closed-days/{date}.
pub async fn set_closure(app: &App, date: NaiveDate, reason: ClosureReason) -> Result<(), Error> {
    let today = app.clock.today();
    until_committed(|| async {
        let stored = app.store.closed_days().await?;
        let outcome =
            calendar::set_closure(stored.as_ref(), date, reason.clone(), today, app.policy())?;
        Ok(committed(app.store.commit(outcome.changes).await?, ()))
    })
    .await
}

/// R-CAL-1: DELETE /api/staff/calendar/closed-days/{date}.
pub async fn clear_closure(app: &App, date: NaiveDate) -> Result<(), Error> {
    let today = app.clock.today();
    until_committed(|| async {
        let stored = app.store.closed_days().await?;
        let outcome = calendar::clear_closure(stored.as_ref(), date, today)?;
        Ok(committed(app.store.commit(outcome.changes).await?, ()))
    })
    .await
}

/// The records of `keys` and the calendar, in one round trip (one BatchGetItem). Whatever
/// sets a date reads the calendar this way, so it costs no request of its own.
pub(crate) async fn with_calendar(
    app: &App,
    mut keys: Vec<Key>,
) -> Result<(Vec<Record>, Calendar), Error> {
    keys.push(Key::ClosedDays);
    let mut stored = None;
    let mut records = Vec::with_capacity(keys.len());
    for r in app.store.get_many(&keys).await? {
        match r {
            Record::ClosedDays(c) => stored = Some(c),
            other => records.push(other),
        }
    }
    Ok((records, Calendar::new(app.policy(), stored.as_ref())))
}
