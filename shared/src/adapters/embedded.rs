//! The embedded store: every record in memory behind one lock, so a commit's checks and
//! writes are atomic. Optionally persisted to a JSON file after every commit (written to a
//! temporary file and renamed, so a crash never leaves a half-written file). It keeps the
//! port's promises with plain maps; it does not imitate DynamoDB's keys.
//!
//! The search index is kept beside the records, in memory only: ordered postings per gram and
//! exact counts. It is not written to the file; opening a file rebuilds it from the titles
//! marked indexed (those still pending are the re-index's, as in DynamoDB).

use crate::domain::search::{self, OrderKey, Posting};
use crate::domain::types::{CardNumber, EntryId};
use crate::domain::{
    Change, Changes, HistoryEntry, Hold, HoldState, Key, Loan, Patron, Record, Title,
};
use crate::ports::store::{Commit, HistoryRange, PostingsRange, Store, StoreError, Written};
use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Default, Clone)]
struct Records {
    by_key: HashMap<Key, Record>,
    /// The keys of each patron's account, for `account` without a scan.
    accounts: HashMap<CardNumber, BTreeSet<Key>>,
    /// Each patron's reading-history entries, in (generation, entry id) order.
    history: HashMap<CardNumber, BTreeSet<(u32, EntryId)>>,
}

impl Records {
    fn insert(&mut self, r: Record) {
        let key = r.key();
        if let Some(card) = key.account_of() {
            self.accounts
                .entry(card.clone())
                .or_default()
                .insert(key.clone());
        }
        if let Key::HistoryEntry(card, g, e) = &key {
            self.history
                .entry(card.clone())
                .or_default()
                .insert((*g, e.clone()));
        }
        self.by_key.insert(key, r);
    }
    fn remove(&mut self, key: &Key) {
        if let Some(card) = key.account_of() {
            if let Some(keys) = self.accounts.get_mut(card) {
                keys.remove(key);
            }
        }
        if let Key::HistoryEntry(card, g, e) = key {
            if let Some(entries) = self.history.get_mut(card) {
                entries.remove(&(*g, e.clone()));
            }
        }
        self.by_key.remove(key);
    }
    /// The keys of a patron's reading-history entries, in (generation, entry id) order.
    fn history_keys(&self, card: &CardNumber) -> impl DoubleEndedIterator<Item = &(u32, EntryId)> {
        self.history.get(card).into_iter().flatten()
    }
    fn entry(&self, card: &CardNumber, (g, e): &(u32, EntryId)) -> Option<HistoryEntry> {
        self.by_key
            .get(&Key::HistoryEntry(card.clone(), *g, e.clone()))
            .cloned()
            .and_then(Record::into_history_entry)
    }
}

/// The search postings: per gram, the titles in hit order with their search text. A title's
/// postings share one order key and one text.
#[derive(Default)]
struct SearchIndex {
    postings: HashMap<String, BTreeMap<Arc<str>, Arc<str>>>,
    counts: HashMap<String, u64>,
}

impl SearchIndex {
    fn write(&mut self, postings: &[Posting]) {
        let mut shared: Option<(Arc<str>, Arc<str>)> = None;
        for p in postings {
            let (order, text) = match &shared {
                Some((o, t)) if **o == *p.order.as_str() && **t == *p.text => {
                    (o.clone(), t.clone())
                }
                _ => {
                    let pair: (Arc<str>, Arc<str>) =
                        (p.order.as_str().into(), p.text.as_str().into());
                    shared = Some(pair.clone());
                    pair
                }
            };
            self.postings
                .entry(p.gram.clone())
                .or_default()
                .insert(order, text);
        }
    }

    fn add_counts(&mut self, counts: &[(String, u64)]) {
        for (gram, n) in counts {
            *self.counts.entry(gram.clone()).or_default() += n;
        }
    }

    fn index(&mut self, title: &Title) {
        let postings = search::postings(title);
        self.add_counts(&search::gram_counts(&postings));
        self.write(&postings);
    }
}

#[derive(Default)]
pub struct MemoryStore {
    records: Mutex<Records>,
    index: Mutex<SearchIndex>,
    file: Option<PathBuf>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Opens (or starts) a store persisted at `path`. Returns whether the file was new.
    pub fn open(path: &Path) -> Result<(Self, bool), StoreError> {
        let mut records = Records::default();
        let mut index = SearchIndex::default();
        let fresh = !path.exists();
        if !fresh {
            let bytes = std::fs::read(path)
                .map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
            let list: Vec<Record> = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", path.display())))?;
            for r in list {
                if let Record::Title(t) = &r {
                    if !t.search_pending() {
                        index.index(t);
                    }
                }
                records.insert(r);
            }
        }
        Ok((
            MemoryStore {
                records: Mutex::new(records),
                index: Mutex::new(index),
                file: Some(path.to_owned()),
            },
            fresh,
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Records> {
        // A panic elsewhere cannot leave a half-applied commit (commits apply after all checks).
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn search_index(&self) -> std::sync::MutexGuard<'_, SearchIndex> {
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn persist(&self, records: &Records) -> Result<(), StoreError> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let mut list: Vec<&Record> = records.by_key.values().collect();
        list.sort_by_key(|r| r.key());
        let bytes = serde_json::to_vec(&list).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tmp = path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))
    }

    /// The index reads: the embedded store has no indexes and looks at every record.
    fn scan<T>(&self, pick: impl Fn(&Record) -> Option<T>) -> Vec<T> {
        self.lock().by_key.values().filter_map(pick).collect()
    }

    /// Every record, in key order (the store checker, tests).
    pub fn all(&self) -> Vec<Record> {
        let mut all: Vec<Record> = self.lock().by_key.values().cloned().collect();
        all.sort_by_key(|r| r.key());
        all
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, key: &Key) -> Result<Option<Record>, StoreError> {
        Ok(self.lock().by_key.get(key).cloned())
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Record>, StoreError> {
        let records = self.lock();
        Ok(keys
            .iter()
            .filter_map(|k| records.by_key.get(k).cloned())
            .collect())
    }

    async fn account(&self, card: &CardNumber) -> Result<Vec<Record>, StoreError> {
        let records = self.lock();
        Ok(records
            .accounts
            .get(card)
            .into_iter()
            .flatten()
            .filter_map(|k| records.by_key.get(k).cloned())
            .collect())
    }

    async fn reminder_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Loan(l) if l.due_date == date && l.reminder().is_some() => Some(l.clone()),
            _ => None,
        }))
    }

    async fn overdue_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Loan(l) if l.due_date == date && l.overdue_contact().is_some() => {
                Some(l.clone())
            }
            _ => None,
        }))
    }

    async fn holds_past_pickup(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Hold(h) if matches!(h.state(), HoldState::Ready { pickup_deadline, .. } if *pickup_deadline < date) => {
                Some(h.clone())
            }
            _ => None,
        }))
    }

    async fn titles_added_on(&self, date: NaiveDate) -> Result<Vec<Title>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Title(t) if t.added_on == date => Some(t.clone()),
            _ => None,
        }))
    }

    async fn new_arrival_subscribers(&self) -> Result<Vec<Patron>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Patron(p) if p.notifications.new_arrivals.enabled => Some(p.clone()),
            _ => None,
        }))
    }

    async fn scan_segment(&self, segment: u32, segments: u32) -> Result<Vec<Record>, StoreError> {
        if segments == 0 || segment >= segments {
            return Err(StoreError::Rejected(format!(
                "segment {segment} of {segments}"
            )));
        }
        // Each record goes to the segment its key hashes to.
        use std::hash::{Hash, Hasher};
        let mine = |k: &Key| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            k.hash(&mut h);
            h.finish() % u64::from(segments) == u64::from(segment)
        };
        let mut out: Vec<Record> = self
            .lock()
            .by_key
            .iter()
            .filter(|(k, _)| mine(k))
            .map(|(_, r)| r.clone())
            .collect();
        out.sort_by_key(|r| r.key());
        Ok(out)
    }

    async fn holds_not_needed_before(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Hold(h) if h.is_waiting() && h.not_needed_after().is_some_and(|d| d < date) => {
                Some(h.clone())
            }
            _ => None,
        }))
    }

    async fn titles_shelved_with_queue(&self) -> Result<Vec<Title>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Title(t) if t.on_shelf() > 0 && !t.queue().is_empty() => Some(t.clone()),
            _ => None,
        }))
    }

    async fn history(
        &self,
        card: &CardNumber,
        range: HistoryRange<'_>,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let records = self.lock();
        let keys: Vec<_> = match range {
            HistoryRange::Visible {
                generation,
                after,
                limit,
            } => records
                .history_keys(card)
                .rev()
                .filter(|(g, e)| *g == generation && after.is_none_or(|a| e < a))
                .take(limit.unwrap_or(usize::MAX))
                .collect(),
            HistoryRange::Purgeable { before, limit } => records
                .history_keys(card)
                .filter(|(g, _)| *g < before)
                .take(limit)
                .collect(),
        };
        Ok(keys
            .into_iter()
            .filter_map(|k| records.entry(card, k))
            .collect())
    }

    async fn history_purges(&self) -> Result<Vec<CardNumber>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Patron(p) if p.reading_history().purge_pending => Some(p.card_number.clone()),
            _ => None,
        }))
    }

    async fn commit(&self, changes: Changes) -> Result<Commit, StoreError> {
        let mut records = self.lock();
        for change in changes.iter() {
            let current = records.by_key.get(&change.key()).map(Record::version);
            let ok = match change {
                Change::Create(_) => current.is_none(),
                Change::Update(r) | Change::Delete(r) | Change::Check(r) => {
                    current == Some(r.version())
                }
            };
            if !ok {
                return Ok(Commit::LostRace);
            }
        }
        let before = self.file.as_ref().map(|_| records.clone());
        let mut written = Vec::new();
        for change in changes {
            match change {
                Change::Create(mut r) => {
                    r.set_version(1);
                    records.insert(r.clone());
                    written.push(r);
                }
                Change::Update(mut r) => {
                    r.set_version(r.version() + 1);
                    records.insert(r.clone());
                    written.push(r);
                }
                Change::Delete(r) => records.remove(&r.key()),
                Change::Check(_) => {}
            }
        }
        if let Err(e) = self.persist(&records) {
            // Keep memory and file in step: a commit that could not be saved did not happen.
            if let Some(before) = before {
                *records = before;
            }
            return Err(e);
        }
        Ok(Commit::Done(Written(written)))
    }

    async fn write_postings(&self, postings: &[Posting]) -> Result<(), StoreError> {
        self.search_index().write(postings);
        Ok(())
    }

    async fn add_gram_counts(&self, counts: &[(String, u64)]) -> Result<(), StoreError> {
        self.search_index().add_counts(counts);
        Ok(())
    }

    async fn gram_counts(&self, grams: &[String]) -> Result<Vec<(String, u64)>, StoreError> {
        let index = self.search_index();
        Ok(grams
            .iter()
            .filter_map(|g| index.counts.get(g).map(|n| (g.clone(), *n)))
            .collect())
    }

    async fn postings(&self, range: PostingsRange<'_>) -> Result<Vec<Posting>, StoreError> {
        let PostingsRange { gram, after, limit } = range;
        let index = self.search_index();
        let Some(list) = index.postings.get(gram) else {
            return Ok(Vec::new());
        };
        let from = match after {
            Some(k) => Bound::Excluded(k.as_str()),
            None => Bound::Unbounded,
        };
        list.range::<str, _>((from, Bound::Unbounded))
            .take(limit)
            .map(|(order, text)| {
                Ok(Posting {
                    gram: gram.to_owned(),
                    order: OrderKey::parse(order)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    text: text.to_string(),
                })
            })
            .collect()
    }

    async fn titles_pending_index(&self) -> Result<Vec<Title>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Title(t) if t.search_pending() => Some(t.clone()),
            _ => None,
        }))
    }
}
