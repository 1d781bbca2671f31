//! The private calendar feed (R-CAL-3): the patron makes (and remakes, and deletes) a feed
//! whose secret URL their phone's calendar reads: one all-day event per loan's due date and
//! per ready hold's pickup deadline, with titles only if the patron chose so.

use super::sessions::Caller;
use super::{commit, committed, until_committed, Account, App, Attempt};
use crate::credentials::{random_token, sha256_hex};
use crate::domain::feed::{self, CalendarFeed, FeedLookup};
use crate::domain::types::CardNumber;
use crate::domain::{Key, Record};
use crate::error::Error;
use icalendar::{Calendar, Component, Event, EventLike};

/// The feed as My Page shows it.
#[derive(Debug)]
pub struct FeedView {
    pub url: String,
    pub include_titles: bool,
}

fn url_of(app: &App, secret: &str) -> String {
    format!(
        "{}/api/calendar-feeds/{secret}",
        app.settings.library.mypage_url
    )
}

async fn current(
    app: &App,
    card: &CardNumber,
) -> Result<Option<(CalendarFeed, Option<FeedLookup>)>, Error> {
    let Some(f) = app
        .store
        .get(&Key::CalendarFeed(card.clone()))
        .await?
        .and_then(Record::into_calendar_feed)
    else {
        return Ok(None);
    };
    let lookup = app
        .store
        .get(&Key::FeedLookup(sha256_hex(&f.secret)))
        .await?
        .and_then(Record::into_feed_lookup);
    Ok(Some((f, lookup)))
}

/// GET /api/me/calendar-feed.
pub async fn show(app: &App, caller: &Caller) -> Result<FeedView, Error> {
    let (f, _) = current(app, caller.card())
        .await?
        .ok_or(Error::FeedNotFound)?;
    Ok(FeedView {
        url: url_of(app, &f.secret),
        include_titles: f.include_titles,
    })
}

/// POST /api/me/calendar-feed: a new secret (256 bits); the old URL stops working.
pub async fn create(app: &App, caller: &Caller, include_titles: bool) -> Result<FeedView, Error> {
    let secret = random_token(32);
    let now = app.clock.now();
    until_committed(|| async {
        let existing = current(app, caller.card()).await?;
        let (f, lookup) = match &existing {
            Some((f, l)) => (Some(f), l.as_ref()),
            None => (None, None),
        };
        let outcome = feed::replace_feed(
            caller.card(),
            f,
            lookup,
            secret.clone(),
            sha256_hex(&secret),
            include_titles,
            now,
        );
        Ok(committed(
            commit(app, outcome.changes).await?,
            outcome.value,
        ))
    })
    .await
    .map(|f| FeedView {
        url: url_of(app, &f.secret),
        include_titles: f.include_titles,
    })
}

/// DELETE /api/me/calendar-feed (204 whether or not there was one).
pub async fn delete(app: &App, card: &CardNumber) -> Result<(), Error> {
    until_committed(|| async {
        let Some((f, lookup)) = current(app, card).await? else {
            return Ok(Attempt::Done(()));
        };
        Ok(committed(
            commit(app, feed::delete_feed(&f, lookup.as_ref())).await?,
            (),
        ))
    })
    .await
}

/// The changes that delete the patron's feed, if there is one (a password change ends it).
pub(crate) async fn deletion(
    app: &App,
    card: &CardNumber,
) -> Result<crate::domain::Changes, Error> {
    Ok(match current(app, card).await? {
        Some((f, lookup)) => feed::delete_feed(&f, lookup.as_ref()),
        None => crate::domain::Changes::none(),
    })
}

/// GET /api/calendar-feeds/{secret} (no login): the feed as iCalendar (RFC 5545).
pub async fn render(app: &App, secret: &str) -> Result<String, Error> {
    if !super::well_formed_secret(secret, 32..=64) {
        return Err(Error::FeedNotFound);
    }
    let lookup = app
        .store
        .get(&Key::FeedLookup(sha256_hex(secret)))
        .await?
        .and_then(Record::into_feed_lookup)
        .ok_or(Error::FeedNotFound)?;
    let (f, _) = current(app, &lookup.card_number)
        .await?
        .ok_or(Error::FeedNotFound)?;
    if f.secret != secret {
        return Err(Error::FeedNotFound);
    }
    let account = Account::load(app.store.as_ref(), &f.card_number)
        .await?
        .ok_or(Error::FeedNotFound)?;
    Ok(ics(app, &account, f.include_titles))
}

/// The end of an all-day event on `day`: RFC 5545 wants DTEND after DTSTART, and an end on
/// the same date (what `EventLike::all_day` writes) makes an event of no length.
fn day_after(day: chrono::NaiveDate) -> chrono::NaiveDate {
    day.succ_opt().unwrap_or(day)
}

/// One all-day event per loan (its due date) and per ready hold (its pickup deadline), with
/// a UID stable per loan or hold, so a phone updates an event rather than adding one.
fn ics(app: &App, account: &Account, include_titles: bool) -> String {
    let now = app.clock.now();
    let host = app
        .settings
        .library
        .mypage_url
        .split("://")
        .nth(1)
        .unwrap_or("mypage")
        .split('/')
        .next()
        .unwrap_or("mypage")
        .to_owned();
    let library = &app.settings.library.name;
    let description = format!("{library}（{}）", app.settings.library.phone);
    let event = |uid: String, day: chrono::NaiveDate, summary: String| {
        Event::new()
            .uid(&uid)
            .timestamp(now)
            .starts(day)
            .ends(day_after(day))
            .summary(&summary)
            .description(&description)
            .done()
    };
    // Titles only if the patron chose so (R-CAL-3); else a summary says what the date is.
    let summary = |label: &str, title: &str, untitled: &str| {
        if include_titles {
            format!("{label}: {title}")
        } else {
            untitled.to_owned()
        }
    };
    let mut cal = Calendar::new();
    cal.name(&format!("{library} マイページ"));
    for l in &account.loans {
        cal.push(event(
            format!("loan-{}@{host}", l.loan_id),
            l.due_date,
            summary("返却期限日", &l.title, "図書館の資料の返却期限日"),
        ));
    }
    for h in &account.holds {
        let Some(deadline) = h.pickup_deadline() else {
            continue;
        };
        cal.push(event(
            format!("hold-{}@{host}", h.hold_id),
            deadline,
            summary("予約の取り置き期限", &h.title, "予約の資料の取り置き期限"),
        ));
    }
    cal.done().to_string()
}
