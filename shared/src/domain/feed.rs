//! A private calendar feed of the patron's due dates and pickup deadlines (R-CAL-3), for a
//! phone's calendar. Its URL carries a secret; a new one replaces the old, which stops working.

use super::record::{Changes, Outcome};
use super::types::CardNumber;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The patron's feed, kept beside their account: the URL's secret, so My Page can show the
/// URL again, and whether events carry titles (titles are reading data: the patron chooses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarFeed {
    pub card_number: CardNumber,
    pub secret: String,
    pub include_titles: bool,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// Finds a feed's patron from the URL's secret (by its SHA-256, hex).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedLookup {
    pub secret_hash: String,
    pub card_number: CardNumber,
    #[serde(default)]
    pub version: u64,
}

/// A new feed for `card` with this secret; the feed it replaces (if any) and its lookup go.
pub fn replace_feed(
    card: &CardNumber,
    current: Option<&CalendarFeed>,
    current_lookup: Option<&FeedLookup>,
    secret: String,
    secret_hash: String,
    include_titles: bool,
    now: DateTime<Utc>,
) -> Outcome<CalendarFeed> {
    let feed = CalendarFeed {
        card_number: card.clone(),
        secret,
        include_titles,
        created_at: now,
        version: current.map_or(0, |f| f.version),
    };
    let lookup = FeedLookup {
        secret_hash,
        card_number: card.clone(),
        version: 0,
    };
    let mut changes = Changes::none().create_or_update(current.is_some(), feed.clone());
    if let Some(old) = current_lookup {
        changes = changes.delete(old.clone());
    }
    Outcome::new(feed, changes.create(lookup))
}

/// The feed goes (deleted by the patron, or their password changed).
pub fn delete_feed(feed: &CalendarFeed, lookup: Option<&FeedLookup>) -> Changes {
    let changes = Changes::none().delete(feed.clone());
    match lookup {
        Some(l) => changes.delete(l.clone()),
        None => changes,
    }
}
