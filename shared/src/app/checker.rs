//! The store checker (`make check-store`): reads every record and reports each broken
//! invariant (`domain::invariants`).
//!
//! On a live table the scan sees changes in flight: a hold placed between the read of its
//! title and the read of the patron's partition looks like a queue that misses a hold. So each
//! finding is checked again on a fresh, consistent read of the records it involves (the
//! patrons' accounts, the titles, their copies and holds), with the rest of the scan kept as
//! it was; only what is still broken is reported. On a point-in-time restore (nothing in
//! flight) the first pass is already exact (infra/DEPLOY.md).

use super::App;
use crate::credentials::sha256_hex;
use crate::domain::feed::{CalendarFeed, FeedLookup};
use crate::domain::invariants::{self, Violation};
use crate::domain::patron::EmailVerification;
use crate::domain::renewal_link::RenewalLink;
use crate::domain::types::{BibId, CardNumber};
use crate::domain::{CopyState, Hold, HoldState, Key, Loan, Record};
use crate::error::Error;
use crate::ports::Store;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What a run of the checker found.
#[derive(Debug, Default)]
pub struct Report {
    pub records: usize,
    /// Findings still broken after the re-read.
    pub violations: Vec<Violation>,
    /// Findings of the first pass that the re-read showed were changes in flight.
    pub withdrawn: Vec<Violation>,
}

/// Every record of the store, read in `segments` parallel parts.
pub async fn read_all(store: &Arc<dyn Store>, segments: u32) -> Result<Vec<Record>, Error> {
    let segments = segments.max(1);
    let tasks: Vec<_> = (0..segments)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.scan_segment(n, segments).await })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        let part = t
            .await
            .map_err(|e| Error::Internal(format!("scan task: {e}")))??;
        all.extend(part);
    }
    all.sort_by_key(Record::key);
    Ok(all)
}

/// Checks the whole store as of `now`.
pub async fn check_store(
    store: &Arc<dyn Store>,
    now: DateTime<Utc>,
    segments: u32,
) -> Result<Report, Error> {
    let records = read_all(store, segments).await?;
    let count = records.len();
    let first = invariants::check(&records, now);
    if first.is_empty() {
        return Ok(Report {
            records: count,
            ..Report::default()
        });
    }
    let mut world: BTreeMap<Key, Record> = records.into_iter().map(|r| (r.key(), r)).collect();
    let (cards, bibs) = involved(&first, &world);
    // Fresh reads: each involved patron's account, each involved title, and the copies and
    // holds of those titles known from the scan or named by the fresh titles.
    let mut fresh: Vec<Record> = Vec::new();
    let mut gone: BTreeSet<Key> = BTreeSet::new();
    for card in &cards {
        gone.extend(
            world
                .keys()
                .filter(|k| k.account_of() == Some(card))
                .cloned(),
        );
        fresh.extend(store.account(card).await?);
    }
    let mut keys: BTreeSet<Key> = BTreeSet::new();
    for bib in &bibs {
        keys.insert(Key::Title(bib.clone()));
        for r in world.values() {
            match r {
                Record::Copy(c) if &c.bib_id == bib => {
                    keys.insert(r.key());
                }
                Record::Hold(h) if &h.bib_id == bib => {
                    keys.insert(r.key());
                }
                _ => {}
            }
        }
    }
    for v in &first {
        keys.insert(v.key.clone());
        // A feed and its lookup are replaced together: read both again (R-CAL-3).
        match world.get(&v.key) {
            Some(Record::CalendarFeed(f)) => {
                keys.insert(Key::FeedLookup(sha256_hex(&f.secret)));
            }
            Some(Record::FeedLookup(l)) => {
                keys.insert(Key::CalendarFeed(l.card_number.clone()));
            }
            _ => {}
        }
    }
    let keys: Vec<Key> = keys.into_iter().collect();
    let mut read = Vec::new();
    for chunk in keys.chunks(100) {
        read.extend(store.get_many(chunk).await?);
    }
    // Holds the fresh titles queue that the scan had not seen.
    let queued: Vec<Key> = read
        .iter()
        .filter_map(|r| match r {
            Record::Title(t) => Some(t),
            _ => None,
        })
        .flat_map(|t| {
            t.queue()
                .iter()
                .map(|q| Key::Hold(q.card_number.clone(), t.bib_id.clone()))
        })
        .filter(|k| !keys.contains(k))
        .collect();
    for chunk in queued.chunks(100) {
        read.extend(store.get_many(chunk).await?);
    }
    gone.extend(keys);
    gone.extend(queued);
    for k in &gone {
        world.remove(k);
    }
    for r in fresh.into_iter().chain(read) {
        world.insert(r.key(), r);
    }
    let records: Vec<Record> = world.into_values().collect();
    let again: BTreeSet<(Key, &'static str)> = invariants::check(&records, now)
        .into_iter()
        .map(|v| (v.key, v.fact))
        .collect();
    let (violations, withdrawn) = first
        .into_iter()
        .partition(|v| again.contains(&(v.key.clone(), v.fact)));
    Ok(Report {
        records: count,
        violations,
        withdrawn,
    })
}

/// The patrons and titles whose records a finding involves.
fn involved(
    found: &[Violation],
    world: &BTreeMap<Key, Record>,
) -> (BTreeSet<CardNumber>, BTreeSet<BibId>) {
    let (mut cards, mut bibs) = (BTreeSet::new(), BTreeSet::new());
    for v in found {
        if let Some(c) = v.key.account_of() {
            cards.insert(c.clone());
        }
        match world.get(&v.key) {
            Some(Record::Hold(Hold { bib_id, .. }) | Record::Loan(Loan { bib_id, .. })) => {
                bibs.insert(bib_id.clone());
            }
            Some(Record::Copy(c)) => {
                bibs.insert(c.bib_id.clone());
                match c.state() {
                    CopyState::OnLoan { card_number, .. }
                    | CopyState::HeldForPickup { card_number, .. } => {
                        cards.insert(card_number.clone());
                    }
                    CopyState::OnShelf => {}
                }
            }
            Some(Record::Title(t)) => {
                bibs.insert(t.bib_id.clone());
                cards.extend(t.queue().iter().map(|q| q.card_number.clone()));
            }
            // Keyed by a hash, they name their patron inside: that patron's account is read
            // again (whether the patron exists).
            Some(
                Record::EmailVerification(EmailVerification { card_number, .. })
                | Record::RenewalLink(RenewalLink { card_number, .. })
                | Record::FeedLookup(FeedLookup { card_number, .. })
                | Record::CalendarFeed(CalendarFeed { card_number, .. }),
            ) => {
                cards.insert(card_number.clone());
            }
            _ => {}
        }
        if let Key::Title(b) = &v.key {
            bibs.insert(b.clone());
        }
    }
    // The patrons of the titles' holds and loans are involved too.
    for r in world.values() {
        match r {
            Record::Hold(h) if bibs.contains(&h.bib_id) => {
                cards.insert(h.card_number.clone());
                if let HoldState::Ready { .. } = h.state() {
                    bibs.insert(h.bib_id.clone());
                }
            }
            Record::Loan(l) if bibs.contains(&l.bib_id) => {
                cards.insert(l.card_number.clone());
            }
            _ => {}
        }
    }
    (cards, bibs)
}

/// The checker on an app's store, as of its clock.
pub async fn check_app(app: &App, segments: u32) -> Result<Report, Error> {
    check_store(&app.store, app.clock.now(), segments).await
}
