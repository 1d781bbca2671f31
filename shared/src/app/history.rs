//! The reading history (R-HIST-1): the patron's own list, its export, switching it on and
//! off, deleting entries, and the purge that deletes what turning it off (or deleting it
//! all) left behind, in bounded batches that resume where they stopped.
//!
//! Nothing here logs an entry or a patron: a purge logs how many entries it deleted.

use super::sessions::Caller;
use super::{committed, until_committed, App, Attempt};
use crate::domain::history::{self, Purge, PURGE_BATCH};
use crate::domain::types::{CardNumber, EntryId};
use crate::domain::{HistoryEntry, Key, Patron, Record};
use crate::error::Error;
use crate::ports::HistoryRange;
use serde::Serialize;

/// A page of the history as the patron sees it.
#[derive(Debug)]
pub struct HistoryPage {
    pub enabled: bool,
    pub entries: Vec<HistoryEntry>,
    /// The last entry of this page, when more follow.
    pub next_after: Option<EntryId>,
}

/// Purge batches a patron's own request carries out before it answers (25 entries each):
/// a history of up to 1,000 entries is gone when the request returns; the rest follows on the
/// patron's next history request or in the daily `history-purge` run.
pub const REQUEST_PURGE_BATCHES: usize = 40;

/// Batches one patron's purge may take in the daily run (2.5 million entries).
pub const JOB_PURGE_BATCHES: usize = 100_000;

/// GET /api/me/reading-history: newest first, `limit` entries after `after`.
pub async fn page(
    app: &App,
    caller: &Caller,
    after: Option<&EntryId>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    let patron = &caller.account.patron;
    let Some(generation) = patron.visible_history() else {
        return Ok(HistoryPage {
            enabled: false,
            entries: Vec::new(),
            next_after: None,
        });
    };
    let mut entries = app
        .store
        .history(
            caller.card(),
            HistoryRange::Visible {
                generation,
                after,
                limit: Some(limit + 1),
            },
        )
        .await?;
    let next_after = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| e.entry_id.clone())
    } else {
        None
    };
    Ok(HistoryPage {
        enabled: true,
        entries,
        next_after,
    })
}

/// GET /api/me/reading-history/export: every entry, newest first (none while off).
pub async fn export(app: &App, caller: &Caller) -> Result<Vec<HistoryEntry>, Error> {
    match caller.account.patron.visible_history() {
        None => Ok(Vec::new()),
        Some(generation) => Ok(app
            .store
            .history(
                caller.card(),
                HistoryRange::Visible {
                    generation,
                    after: None,
                    limit: None,
                },
            )
            .await?),
    }
}

async fn change_patron(
    app: &App,
    card: &CardNumber,
    change: impl Fn(&Patron) -> crate::domain::Outcome<()>,
) -> Result<(), Error> {
    until_committed(|| async {
        let patron = app
            .store
            .patron(card)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let outcome = change(&patron);
        if outcome.changes.is_empty() {
            return Ok(Attempt::Done(()));
        }
        Ok(committed(app.store.commit(outcome.changes).await?, ()))
    })
    .await
}

/// PUT /api/me/reading-history: on, or off. Off takes effect with its commit (nothing is
/// listed, exported or recorded after it); the entries are then deleted.
pub async fn set_enabled(app: &App, caller: &Caller, enabled: bool) -> Result<(), Error> {
    change_patron(app, caller.card(), |p| history::set_enabled(p, enabled)).await?;
    purge(app, caller.card(), REQUEST_PURGE_BATCHES).await?;
    Ok(())
}

/// DELETE /api/me/reading-history: every entry goes; the history stays as it was (on).
pub async fn delete_all(app: &App, caller: &Caller) -> Result<(), Error> {
    change_patron(app, caller.card(), history::delete_all).await?;
    purge(app, caller.card(), REQUEST_PURGE_BATCHES).await?;
    Ok(())
}

/// DELETE /api/me/reading-history/{entry_id}: one entry of the caller's own history.
/// Another patron's entry is not in the caller's partition: 404 like one that never was.
pub async fn delete_entry(app: &App, caller: &Caller, entry_id: &EntryId) -> Result<(), Error> {
    // Also the moment to finish a purge a crash left halfway.
    purge(app, caller.card(), REQUEST_PURGE_BATCHES).await?;
    until_committed(|| async {
        let patron = app
            .store
            .patron(caller.card())
            .await?
            .ok_or(Error::Unauthenticated)?;
        let generation = patron.visible_history().ok_or(Error::EntryNotFound)?;
        let key = Key::HistoryEntry(caller.card().clone(), generation, entry_id.clone());
        let entry = app
            .store
            .get(&key)
            .await?
            .and_then(Record::into_history_entry)
            .ok_or(Error::EntryNotFound)?;
        let changes = history::delete_entry(&patron, &entry)?;
        Ok(committed(app.store.commit(changes).await?, ()))
    })
    .await
}

/// What purging did.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct PurgeReport {
    pub patrons: u32,
    pub entries_deleted: u64,
    pub finished: u32,
    pub failed: u32,
}

/// Deletes what is left of a patron's older history generations, at most `max_batches`
/// batches of 25 (each one commit). Stopped anywhere, the patron's marker stays and the next
/// call goes on from there.
pub async fn purge(app: &App, card: &CardNumber, max_batches: usize) -> Result<PurgeReport, Error> {
    let mut report = PurgeReport::default();
    for _ in 0..max_batches {
        let Some(patron) = app.store.patron(card).await? else {
            break;
        };
        let generation = patron.reading_history().generation;
        if !patron.reading_history().purge_pending {
            break;
        }
        let older = app
            .store
            .history(
                card,
                HistoryRange::Purgeable {
                    before: generation,
                    limit: PURGE_BATCH,
                },
            )
            .await?;
        let outcome = history::purge_step(&patron, &older);
        let step = outcome.value;
        match app.store.commit(outcome.changes).await? {
            crate::ports::Commit::LostRace => continue, // read again and go on
            crate::ports::Commit::Done(_) => match step {
                Purge::Idle => break,
                Purge::Deleted(n) => report.entries_deleted += n as u64,
                Purge::Finished => {
                    report.finished += 1;
                    break;
                }
            },
        }
    }
    Ok(report)
}

/// `history-purge` (daily): finishes every purge that a request left unfinished.
pub async fn purge_pending(app: &App) -> Result<PurgeReport, Error> {
    let mut total = PurgeReport::default();
    for card in app.store.history_purges().await? {
        total.patrons += 1;
        match purge(app, &card, JOB_PURGE_BATCHES).await {
            Ok(r) => {
                total.entries_deleted += r.entries_deleted;
                total.finished += r.finished;
            }
            Err(e) => {
                total.failed += 1;
                tracing::error!(error = %e, "a reading-history purge failed; the next run goes on with it");
            }
        }
    }
    super::log_run_done("history-purge", &total);
    Ok(total)
}
