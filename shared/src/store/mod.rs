//! The store port. Operations read records, decide with `rules`, and `commit` a set of writes
//! that succeeds only if every record is still at the version that was read (optimistic
//! concurrency). That is how "one renewal", "at most 10 holds" and "a copy to one hold" hold
//! under concurrent requests in every adapter: a lost race is a `Conflict`, and the operation
//! is re-run on fresh reads.

mod dynamodb;
mod memory;
mod records;

pub use dynamodb::{DynamoStore, TableDesign};

pub use memory::MemoryStore;
pub use records::{Key, Record};

use crate::model::{Hold, Loan, Patron, Title};
use crate::types::CardNumber;
use async_trait::async_trait;
use chrono::NaiveDate;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A record was not at the expected version (or already existed): re-read and retry.
    #[error("the records changed since they were read")]
    Conflict,
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("stored record is unreadable: {0}")]
    Corrupt(String),
}

/// What a write expects of the record it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The record must not exist yet.
    Absent,
    /// The record must exist at this version.
    Version(u64),
}

#[derive(Debug, Clone)]
pub enum Op {
    /// Write the record; the store sets its version to the expected one + 1 (or 1 when new).
    Put(Record, Expect),
    /// Delete the record, which must be at this version.
    Delete(Key, u64),
    /// Write nothing, but fail the commit unless the record is at this version.
    Check(Key, u64),
}

impl Op {
    pub fn key(&self) -> Key {
        match self {
            Op::Put(r, _) => r.key(),
            Op::Delete(k, _) | Op::Check(k, _) => k.clone(),
        }
    }
    /// Put a record that was read at its current version.
    pub fn update(record: impl Into<Record>) -> Op {
        let r = record.into();
        let v = r.version();
        Op::Put(r, Expect::Version(v))
    }
    pub fn create(record: impl Into<Record>) -> Op {
        Op::Put(record.into(), Expect::Absent)
    }
    pub fn delete(record: impl Into<Record>) -> Op {
        let r = record.into();
        Op::Delete(r.key(), r.version())
    }
}

/// Counters of store work, for the benchmarks (ACCESS-PATTERNS.md budgets round trips).
#[derive(Debug, Default)]
pub struct StoreStats {
    reads: AtomicU64,
    items_read: AtomicU64,
    writes: AtomicU64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Read requests: GetItem, BatchGetItem, Query pages.
    pub reads: u64,
    pub items_read: u64,
    /// Write requests: PutItem, DeleteItem, TransactWriteItems.
    pub writes: u64,
}

impl std::ops::Sub for StatsSnapshot {
    type Output = StatsSnapshot;
    fn sub(self, o: StatsSnapshot) -> StatsSnapshot {
        StatsSnapshot {
            reads: self.reads - o.reads,
            items_read: self.items_read - o.items_read,
            writes: self.writes - o.writes,
        }
    }
}

impl StoreStats {
    pub fn read(&self, items: u64) {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.items_read.fetch_add(items, Ordering::Relaxed);
    }
    pub fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            reads: self.reads.load(Ordering::Relaxed),
            items_read: self.items_read.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Record>, StoreError>;
    /// Several records in one round trip; missing ones are left out.
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Record>, StoreError>;
    /// A patron's profile, sessions, loans and holds, in one round trip.
    async fn patron_records(&self, card: &CardNumber) -> Result<Vec<Record>, StoreError>;
    /// Loans due on `date` whose patron wants a reminder (R-MAIL-1), read through a sparse
    /// index on the due date: the items read are the loans to remind, nothing else.
    async fn reminder_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError>;
    /// Ready holds whose pickup deadline is before `date` (R-HOLD-6).
    async fn holds_past_pickup(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError>;
    /// Titles added on `date` (Japan time), read through an index on that date.
    async fn titles_added_on(&self, date: NaiveDate) -> Result<Vec<Title>, StoreError>;
    /// Patrons who turned on new-arrival alerts (R-MAIL-2), through a sparse index.
    async fn new_arrival_subscribers(&self) -> Result<Vec<Patron>, StoreError>;
    /// All writes or none, each checked against its expectation.
    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError>;
    fn stats(&self) -> &StoreStats;
}

/// Typed reads over the port.
impl dyn Store {
    pub async fn patron(&self, card: &CardNumber) -> Result<Option<Patron>, StoreError> {
        Ok(self
            .get(&Key::Patron(card.clone()))
            .await?
            .and_then(Record::into_patron))
    }
    pub async fn title(&self, bib: &crate::types::BibId) -> Result<Option<Title>, StoreError> {
        Ok(self
            .get(&Key::Title(bib.clone()))
            .await?
            .and_then(Record::into_title))
    }
    pub async fn copy(
        &self,
        barcode: &crate::types::Barcode,
    ) -> Result<Option<crate::model::Copy>, StoreError> {
        Ok(self
            .get(&Key::Copy(barcode.clone()))
            .await?
            .and_then(Record::into_copy))
    }
    pub async fn hold(
        &self,
        card: &CardNumber,
        bib: &crate::types::BibId,
    ) -> Result<Option<Hold>, StoreError> {
        Ok(self
            .get(&Key::Hold(card.clone(), bib.clone()))
            .await?
            .and_then(Record::into_hold))
    }
    pub async fn titles(
        &self,
        bibs: impl IntoIterator<Item = crate::types::BibId>,
    ) -> Result<Vec<Title>, StoreError> {
        let mut keys: Vec<Key> = bibs.into_iter().map(Key::Title).collect();
        keys.sort_by_key(Key::storage_key);
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
