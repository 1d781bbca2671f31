//! Reading history (R-HIST-1): off until the patron turns it on; while on, every return is
//! recorded in the same commit as the check-in. The patron reads, exports and deletes it;
//! turning it off deletes all of it.
//!
//! Entries belong to a *generation* of the patron's history. Turning the history off, or
//! deleting all of it, starts a new generation: from that commit on, only entries of the
//! current generation are ever listed, exported or deleted one by one, so the switch takes
//! effect at once. The older generations are then deleted in bounded batches; the patron
//! record says a purge is pending until none is left, so a purge that stops halfway (a
//! crash, a timeout) is resumed by the next request or by the daily `history-purge` run.

use super::loan::Loan;
use super::patron::Patron;
use super::record::{Changes, Outcome};
use super::types::{BibId, CardNumber, EntryId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The patron's choice and where its entries stand. Kept by this module only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingHistory {
    /// The patron turned the history on (off by default).
    pub enabled: bool,
    /// Entries of this generation are the history; older ones are being deleted.
    pub generation: u32,
    /// Entries of older generations may still be stored.
    pub purge_pending: bool,
}

/// One returned loan in a patron's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub card_number: CardNumber,
    pub generation: u32,
    pub entry_id: EntryId,
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub checked_out_on: NaiveDate,
    pub returned_on: NaiveDate,
    #[serde(default)]
    pub version: u64,
}

/// Most entries one purge commit deletes (one DynamoDB transaction).
pub const PURGE_BATCH: usize = 25;

impl Patron {
    pub fn reading_history(&self) -> ReadingHistory {
        self.reading_history
    }
    /// The generation to list, export and delete from: only while the history is on.
    pub fn visible_history(&self) -> Option<u32> {
        self.reading_history
            .enabled
            .then_some(self.reading_history.generation)
    }
}

/// The history's current entries are gone from the patron's view: a new generation begins
/// and the old one is left to the purge.
fn new_generation(h: &mut ReadingHistory) {
    h.generation += 1;
    h.purge_pending = true;
}

/// PUT /api/me/reading-history: on, or off (which also deletes everything recorded).
pub fn set_enabled(patron: &Patron, enabled: bool) -> Outcome<()> {
    let current = patron.reading_history;
    if current.enabled == enabled {
        return Outcome::new((), Changes::none());
    }
    let mut p = patron.clone();
    p.reading_history.enabled = enabled;
    if !enabled {
        new_generation(&mut p.reading_history);
    }
    Outcome::new((), Changes::none().update(p))
}

/// DELETE /api/me/reading-history: every entry goes; the history stays on.
pub fn delete_all(patron: &Patron) -> Outcome<()> {
    if !patron.reading_history.enabled {
        // Off: the current generation has no entries (turning it off began a new one).
        return Outcome::new((), Changes::none());
    }
    let mut p = patron.clone();
    new_generation(&mut p.reading_history);
    Outcome::new((), Changes::none().update(p))
}

/// R-HIST-1: the entry a check-in records for `loan`, if its patron has the history on. The
/// patron record is checked in the same commit, so a check-in racing the switch-off either
/// commits before it (and the purge deletes the entry) or is retried and records nothing.
pub fn record_return(
    patron: &Patron,
    loan: &Loan,
    entry_id: EntryId,
    today: NaiveDate,
) -> Option<Changes> {
    if patron.card_number != loan.card_number {
        return None;
    }
    let generation = patron.visible_history()?;
    let entry = HistoryEntry {
        card_number: patron.card_number.clone(),
        generation,
        entry_id,
        bib_id: loan.bib_id.clone(),
        title: loan.title.clone(),
        author: loan.author.clone(),
        checked_out_on: loan.checked_out_on,
        returned_on: today,
        version: 0,
    };
    Some(Changes::none().create(entry).check(patron.clone()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no such reading-history entry")]
pub struct EntryNotFound;

/// DELETE /api/me/reading-history/{entry_id}: one entry of the history as the patron sees it.
pub fn delete_entry(patron: &Patron, entry: &HistoryEntry) -> Result<Changes, EntryNotFound> {
    if entry.card_number != patron.card_number || patron.visible_history() != Some(entry.generation)
    {
        return Err(EntryNotFound);
    }
    Ok(Changes::none().delete(entry.clone()))
}

/// What one purge step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
    /// Nothing was pending.
    Idle,
    /// This many entries of older generations are deleted; more may be left.
    Deleted(usize),
    /// None was left: the patron's marker is cleared.
    Finished,
}

/// One bounded step of a purge: `older` are (up to a batch of) the patron's entries of
/// generations before the current one, as just read. With none left, the marker is cleared;
/// the patron record is written at the version read, so entries recorded meanwhile for an
/// older generation cannot be missed.
pub fn purge_step(patron: &Patron, older: &[HistoryEntry]) -> Outcome<Purge> {
    if !patron.reading_history.purge_pending {
        return Outcome::new(Purge::Idle, Changes::none());
    }
    let mine = |e: &&HistoryEntry| {
        e.card_number == patron.card_number && e.generation < patron.reading_history.generation
    };
    let batch: Changes = older
        .iter()
        .filter(mine)
        .take(PURGE_BATCH)
        .cloned()
        .fold(Changes::none(), Changes::delete);
    if batch.is_empty() {
        let mut p = patron.clone();
        p.reading_history.purge_pending = false;
        return Outcome::new(Purge::Finished, Changes::none().update(p));
    }
    let n = batch.len();
    Outcome::new(Purge::Deleted(n), batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Change;

    fn patron() -> Patron {
        Patron {
            version: 1,
            ..crate::domain::patron::sample()
        }
    }
    fn loan() -> Loan {
        Loan {
            title: "こころ".into(),
            author: "夏目 漱石".into(),
            ..crate::domain::loan::sample()
        }
    }
    fn updated(o: &Outcome<()>) -> Patron {
        match o.changes.iter().next() {
            Some(Change::Update(r)) => r.clone().into_patron().unwrap(),
            _ => panic!("the patron is updated"),
        }
    }
    fn id() -> EntryId {
        EntryId::parse("E0000000000001-a").unwrap()
    }

    #[test]
    fn r_hist_1_off_by_default_and_nothing_is_recorded_while_off() {
        let p = patron();
        assert!(!p.reading_history().enabled);
        assert_eq!(
            record_return(&p, &loan(), id(), "2026-12-01".parse().unwrap()),
            None
        );
    }

    #[test]
    fn r_hist_1_a_return_is_recorded_with_a_check_of_the_patron() {
        let on = updated(&set_enabled(&patron(), true));
        let changes = record_return(&on, &loan(), id(), "2026-12-01".parse().unwrap()).unwrap();
        let kinds: Vec<_> = changes
            .iter()
            .map(|c| match c {
                Change::Create(r) => format!("create {:?}", r.key()),
                Change::Check(r) => format!("check {:?}", r.key()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(kinds.len(), 2);
        assert!(kinds[0].starts_with("create HistoryEntry"));
        assert!(kinds[1].starts_with("check Patron"));
    }

    #[test]
    fn r_hist_1_turning_it_off_hides_everything_at_once_and_the_purge_finishes() {
        let on = updated(&set_enabled(&patron(), true));
        let Some(Change::Create(r)) =
            record_return(&on, &loan(), id(), "2026-12-01".parse().unwrap())
                .unwrap()
                .into_iter()
                .next()
        else {
            panic!()
        };
        let entry = r.into_history_entry().unwrap();
        assert_eq!(delete_entry(&on, &entry).map(|c| c.len()), Ok(1));
        let off = updated(&set_enabled(&on, false));
        assert_eq!(off.visible_history(), None);
        assert!(off.reading_history().purge_pending);
        assert_eq!(delete_entry(&off, &entry), Err(EntryNotFound));
        // On again: the old generation stays out of view and is still purged.
        let again = updated(&set_enabled(&off, true));
        assert_eq!(delete_entry(&again, &entry), Err(EntryNotFound));
        let step = purge_step(&again, std::slice::from_ref(&entry));
        assert_eq!(step.value, Purge::Deleted(1));
        let done = purge_step(&again, &[]);
        assert_eq!(done.value, Purge::Finished);
        let Some(Change::Update(r)) = done.changes.iter().next() else {
            panic!()
        };
        assert!(
            !r.clone()
                .into_patron()
                .unwrap()
                .reading_history()
                .purge_pending
        );
        assert_eq!(purge_step(&patron(), &[]).value, Purge::Idle);
    }

    #[test]
    fn r_hist_1_delete_all_keeps_it_on() {
        let on = updated(&set_enabled(&patron(), true));
        let cleared = updated(&delete_all(&on));
        assert!(cleared.reading_history().enabled);
        assert_eq!(
            cleared.visible_history(),
            Some(on.reading_history().generation + 1)
        );
        assert!(delete_all(&patron()).changes.is_empty());
    }
}
