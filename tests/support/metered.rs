//! A store that counts the requests made through it: what `make bench` reports per access
//! pattern. Each port call is one request to DynamoDB (a Query's pages aside: no partition
//! read here spans more than one), except `get_many` and `gram_counts`, one BatchGetItem per
//! 100 keys, `write_postings`, one BatchWriteItem per 25, and `add_gram_counts`, one
//! UpdateItem per gram.

use async_trait::async_trait;
use chrono::NaiveDate;
use mypage::domain::search::Posting;
use mypage::domain::types::CardNumber;
use mypage::domain::{Changes, HistoryEntry, Hold, Key, Loan, Patron, Record, Title};
use mypage::ports::{Commit, HistoryRange, PostingsRange, Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub struct Metered {
    inner: Arc<dyn Store>,
    reads: AtomicU64,
    items_read: AtomicU64,
    writes: AtomicU64,
}

/// Requests counted between two snapshots.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Requests {
    /// GetItem, BatchGetItem, Query.
    pub reads: u64,
    pub items_read: u64,
    /// PutItem, DeleteItem, TransactWriteItems, BatchWriteItem, UpdateItem.
    pub writes: u64,
}

impl std::ops::Sub for Requests {
    type Output = Requests;
    fn sub(self, o: Requests) -> Requests {
        Requests {
            reads: self.reads - o.reads,
            items_read: self.items_read - o.items_read,
            writes: self.writes - o.writes,
        }
    }
}

impl Metered {
    pub fn new(inner: Arc<dyn Store>) -> Metered {
        Metered {
            inner,
            reads: AtomicU64::new(0),
            items_read: AtomicU64::new(0),
            writes: AtomicU64::new(0),
        }
    }

    pub fn snapshot(&self) -> Requests {
        Requests {
            reads: self.reads.load(Ordering::Relaxed),
            items_read: self.items_read.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        }
    }

    fn read<T>(&self, requests: u64, r: Result<Vec<T>, StoreError>) -> Result<Vec<T>, StoreError> {
        self.reads.fetch_add(requests, Ordering::Relaxed);
        if let Ok(v) = &r {
            self.items_read.fetch_add(v.len() as u64, Ordering::Relaxed);
        }
        r
    }
}

#[async_trait]
impl Store for Metered {
    async fn get(&self, key: &Key) -> Result<Option<Record>, StoreError> {
        let r = self
            .inner
            .get(key)
            .await
            .map(|o| o.into_iter().collect::<Vec<_>>());
        Ok(self.read(1, r)?.into_iter().next())
    }
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Record>, StoreError> {
        let requests = keys.len().div_ceil(100) as u64;
        self.read(requests, self.inner.get_many(keys).await)
    }
    async fn account(&self, card: &CardNumber) -> Result<Vec<Record>, StoreError> {
        self.read(1, self.inner.account(card).await)
    }
    async fn reminder_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        self.read(1, self.inner.reminder_loans_due_on(date).await)
    }
    async fn overdue_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        self.read(1, self.inner.overdue_loans_due_on(date).await)
    }
    async fn holds_past_pickup(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        self.read(1, self.inner.holds_past_pickup(date).await)
    }
    async fn titles_added_on(&self, date: NaiveDate) -> Result<Vec<Title>, StoreError> {
        self.read(1, self.inner.titles_added_on(date).await)
    }
    async fn new_arrival_subscribers(&self) -> Result<Vec<Patron>, StoreError> {
        self.read(1, self.inner.new_arrival_subscribers().await)
    }
    async fn scan_segment(&self, segment: u32, segments: u32) -> Result<Vec<Record>, StoreError> {
        self.read(1, self.inner.scan_segment(segment, segments).await)
    }
    async fn holds_not_needed_before(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        self.read(1, self.inner.holds_not_needed_before(date).await)
    }
    async fn titles_shelved_with_queue(&self) -> Result<Vec<Title>, StoreError> {
        self.read(1, self.inner.titles_shelved_with_queue().await)
    }
    async fn history(
        &self,
        card: &CardNumber,
        range: HistoryRange<'_>,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        self.read(1, self.inner.history(card, range).await)
    }
    async fn history_purges(&self) -> Result<Vec<CardNumber>, StoreError> {
        self.read(1, self.inner.history_purges().await)
    }
    async fn commit(&self, changes: Changes) -> Result<Commit, StoreError> {
        if !changes.is_empty() {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.commit(changes).await
    }
    async fn write_postings(&self, postings: &[Posting]) -> Result<(), StoreError> {
        self.writes
            .fetch_add(postings.len().div_ceil(25) as u64, Ordering::Relaxed);
        self.inner.write_postings(postings).await
    }
    async fn add_gram_counts(&self, counts: &[(String, u64)]) -> Result<(), StoreError> {
        self.writes
            .fetch_add(counts.len() as u64, Ordering::Relaxed);
        self.inner.add_gram_counts(counts).await
    }
    async fn gram_counts(&self, grams: &[String]) -> Result<Vec<(String, u64)>, StoreError> {
        let requests = grams.len().div_ceil(100) as u64;
        self.read(requests, self.inner.gram_counts(grams).await)
    }
    async fn postings(&self, range: PostingsRange<'_>) -> Result<Vec<Posting>, StoreError> {
        self.read(1, self.inner.postings(range).await)
    }
    async fn titles_pending_index(&self) -> Result<Vec<Title>, StoreError> {
        self.read(1, self.inner.titles_pending_index().await)
    }
}
