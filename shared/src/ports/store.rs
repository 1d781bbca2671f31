//! The store port. Use cases read records, let the domain decide, and `commit` its changes,
//! which succeeds only if every record is still at the version that was read (optimistic
//! concurrency). That is how "one renewal", "at most 10 holds" and "a copy to one hold" hold
//! under concurrent requests in every adapter: a lost race is `Commit::LostRace`, and the use
//! case runs again on fresh reads.

use crate::domain::search::{OrderKey, Posting};
use crate::domain::types::{Barcode, BibId, CardNumber, EntryId, LoanId};
use crate::domain::{
    Changes, ClosedDays, HistoryEntry, Hold, HoldCart, Key, Loan, Patron, PhysicalCopy, Record,
    Title,
};
use async_trait::async_trait;
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store could not answer now (unreachable, throttling, timing out after its own
    /// retries): the caller may try again later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store refused the request itself: a fault in this program, not in the store.
    #[error("store refused the request: {0}")]
    Rejected(String),
    #[error("stored record is unreadable: {0}")]
    Corrupt(String),
}

/// What a commit did.
#[derive(Debug)]
#[must_use]
pub enum Commit {
    /// Every change was written.
    Done(Written),
    /// A record was not at the version read (or already existed): nothing was written.
    LostRace,
}

/// The records a commit created or updated, at their new versions.
#[derive(Debug, Default)]
pub struct Written(pub Vec<Record>);

impl Written {
    pub fn into_records(self) -> Vec<Record> {
        self.0
    }
}

/// Which postings a read of the search index returns: up to `limit` of `gram`, in order,
/// after `after` (from the start if None).
#[derive(Debug, Clone, Copy)]
pub struct PostingsRange<'a> {
    pub gram: &'a str,
    pub after: Option<&'a OrderKey>,
    pub limit: usize,
}

/// Which of a patron's reading-history entries a read returns.
#[derive(Debug, Clone, Copy)]
pub enum HistoryRange<'a> {
    /// Entries of `generation`, the one the patron sees, newest first: after `after` (the last
    /// entry of the previous page), at most `limit` (None: all).
    Visible {
        generation: u32,
        after: Option<&'a EntryId>,
        limit: Option<usize>,
    },
    /// At most `limit` entries of generations before `before`, oldest first: what a purge
    /// still has to delete.
    Purgeable { before: u32, limit: usize },
}

#[async_trait]
pub trait Store: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Record>, StoreError>;
    /// Several records in one round trip; missing ones are left out. Either every key was
    /// looked up or the call fails: never a partial answer.
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Record>, StoreError>;
    /// A patron's account: profile, sessions, loans and holds, in one round trip.
    async fn account(&self, card: &CardNumber) -> Result<Vec<Record>, StoreError>;
    /// Loans due on `date` whose patron wants a reminder (R-MAIL-1), read through a sparse
    /// index on the due date: the items read are the loans to remind, nothing else.
    async fn reminder_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError>;
    /// Loans due on `date` whose patron wants an overdue notice (R-MAIL-6), through their own
    /// sparse index on the due date.
    async fn overdue_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError>;
    /// Ready holds whose pickup deadline is before `date` (R-HOLD-6).
    async fn holds_past_pickup(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError>;
    /// Titles added on `date` (Japan time), read through an index on that date.
    async fn titles_added_on(&self, date: NaiveDate) -> Result<Vec<Title>, StoreError>;
    /// Patrons who turned on new-arrival alerts (R-MAIL-2), through a sparse index.
    async fn new_arrival_subscribers(&self) -> Result<Vec<Patron>, StoreError>;
    /// Waiting or suspended holds whose not-needed-after date is before `date` (R-HOLD-12),
    /// through a sparse index on that date.
    async fn holds_not_needed_before(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError>;
    /// Titles with a copy on the shelf and holds in their queue: every hold was suspended when
    /// the copy came back, so it waits for one to resume (R-HOLD-11). Through a sparse index.
    async fn titles_shelved_with_queue(&self) -> Result<Vec<Title>, StoreError>;
    /// A patron's reading-history entries in `range` (R-HIST-1). They live beside the account,
    /// not in it: no other request reads them.
    async fn history(
        &self,
        card: &CardNumber,
        range: HistoryRange<'_>,
    ) -> Result<Vec<HistoryEntry>, StoreError>;
    /// Patrons whose history purge has not finished, through a sparse index.
    async fn history_purges(&self) -> Result<Vec<CardNumber>, StoreError>;
    /// All changes or none, each checked against the version it was read at.
    async fn commit(&self, changes: Changes) -> Result<Commit, StoreError>;

    // --- the search index (R-FIND-1, R-FIND-2; docs/table-design.md)

    /// Writes search postings, unconditionally: writing one twice leaves it as written once.
    /// Either all are written or the call fails (a retry writes them again).
    async fn write_postings(&self, postings: &[Posting]) -> Result<(), StoreError>;
    /// Adds to the posting counts of grams. A count may be added twice when an interrupted
    /// indexing is finished again; it is never less than the postings of its gram.
    async fn add_gram_counts(&self, counts: &[(String, u64)]) -> Result<(), StoreError>;
    /// The counts of these grams, in one round trip (per 100); grams without postings are
    /// left out.
    async fn gram_counts(&self, grams: &[String]) -> Result<Vec<(String, u64)>, StoreError>;
    /// The postings of one gram in order: one page of them, as `range` says.
    async fn postings(&self, range: PostingsRange<'_>) -> Result<Vec<Posting>, StoreError>;
    /// Titles whose postings are not all written yet (`Title::search_pending`), through a
    /// sparse index: the re-index reads only these.
    async fn titles_pending_index(&self) -> Result<Vec<Title>, StoreError>;
    /// Every record in part `segment` of `segments` of the store (0-based), read page by
    /// page: the store checker's whole-table read, never a request's. The parts are
    /// disjoint and together hold every record, so they may be read in parallel (DynamoDB:
    /// a parallel Scan). The search index is not records and is left out; any other item
    /// that is not a record is `Corrupt`.
    async fn scan_segment(&self, segment: u32, segments: u32) -> Result<Vec<Record>, StoreError>;
}

/// Typed reads over the port.
impl dyn Store {
    /// The record at `key`, if it is there and of the kind `into` takes.
    async fn get_as<T>(
        &self,
        key: Key,
        into: fn(Record) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.get(&key).await?.and_then(into))
    }
    pub async fn patron(&self, card: &CardNumber) -> Result<Option<Patron>, StoreError> {
        self.get_as(Key::Patron(card.clone()), Record::into_patron)
            .await
    }
    pub async fn title(&self, bib: &BibId) -> Result<Option<Title>, StoreError> {
        self.get_as(Key::Title(bib.clone()), Record::into_title)
            .await
    }
    pub async fn copy(&self, barcode: &Barcode) -> Result<Option<PhysicalCopy>, StoreError> {
        self.get_as(Key::Copy(barcode.clone()), Record::into_copy)
            .await
    }
    pub async fn hold(&self, card: &CardNumber, bib: &BibId) -> Result<Option<Hold>, StoreError> {
        self.get_as(Key::Hold(card.clone(), bib.clone()), Record::into_hold)
            .await
    }
    pub async fn hold_cart(&self, card: &CardNumber) -> Result<Option<HoldCart>, StoreError> {
        self.get_as(Key::HoldCart(card.clone()), Record::into_hold_cart)
            .await
    }
    pub async fn loan(&self, card: &CardNumber, id: &LoanId) -> Result<Option<Loan>, StoreError> {
        self.get_as(Key::Loan(card.clone(), id.clone()), Record::into_loan)
            .await
    }
    pub async fn closed_days(&self) -> Result<Option<ClosedDays>, StoreError> {
        self.get_as(Key::ClosedDays, Record::into_closed_days).await
    }
    pub async fn titles(
        &self,
        bibs: impl IntoIterator<Item = BibId>,
    ) -> Result<Vec<Title>, StoreError> {
        let mut keys: Vec<Key> = bibs.into_iter().map(Key::Title).collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .get_many(&keys)
            .await?
            .into_iter()
            .filter_map(Record::into_title)
            .collect())
    }
}
