//! The embedded store: every record in memory behind one lock, so a commit's checks and
//! writes are atomic. Optionally persisted to a JSON file after every commit (written to a
//! temporary file and renamed, so a crash never leaves a half-written file).

use super::{Expect, Key, Op, Record, Store, StoreError, StoreStats};
use crate::model::{Hold, HoldState, Loan, Patron, Title};
use crate::types::CardNumber;
use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

type Table = BTreeMap<(String, String), Record>;

pub struct MemoryStore {
    records: Mutex<Table>,
    file: Option<PathBuf>,
    stats: StoreStats,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore {
            records: Mutex::new(Table::new()),
            file: None,
            stats: StoreStats::default(),
        }
    }

    /// Opens (or starts) a store persisted at `path`. Returns whether the file was new.
    pub fn open(path: &Path) -> Result<(Self, bool), StoreError> {
        let mut table = Table::new();
        let fresh = !path.exists();
        if !fresh {
            let bytes = std::fs::read(path)
                .map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
            let records: Vec<Record> = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", path.display())))?;
            for r in records {
                table.insert(r.key().storage_key(), r);
            }
        }
        Ok((
            MemoryStore {
                records: Mutex::new(table),
                file: Some(path.to_owned()),
                stats: StoreStats::default(),
            },
            fresh,
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // A panic elsewhere cannot leave a half-applied commit (commits apply after all checks).
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn persist(&self, table: &Table) -> Result<(), StoreError> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let records: Vec<&Record> = table.values().collect();
        let bytes = serde_json::to_vec(&records).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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

    fn scan<T>(&self, pick: impl Fn(&Record) -> Option<T>) -> Vec<T> {
        let table = self.lock();
        let out: Vec<T> = table.values().filter_map(pick).collect();
        self.stats.read(out.len() as u64);
        out
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, key: &Key) -> Result<Option<Record>, StoreError> {
        let r = self.lock().get(&key.storage_key()).cloned();
        self.stats.read(r.is_some() as u64);
        Ok(r)
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Record>, StoreError> {
        let table = self.lock();
        let out: Vec<Record> = keys
            .iter()
            .filter_map(|k| table.get(&k.storage_key()).cloned())
            .collect();
        self.stats.read(out.len() as u64);
        Ok(out)
    }

    async fn patron_records(&self, card: &CardNumber) -> Result<Vec<Record>, StoreError> {
        let (pk, _) = Key::Patron(card.clone()).storage_key();
        let table = self.lock();
        let out: Vec<Record> = table
            .range((pk.clone(), String::new())..)
            .take_while(|((p, _), _)| *p == pk)
            .map(|(_, r)| r.clone())
            .collect();
        self.stats.read(out.len() as u64);
        Ok(out)
    }

    async fn reminder_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Loan(l) if l.due_date == date && l.reminder.is_some() => Some(l.clone()),
            _ => None,
        }))
    }

    async fn holds_past_pickup(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        Ok(self.scan(|r| match r {
            Record::Hold(h) if matches!(h.state, HoldState::Ready { pickup_deadline, .. } if pickup_deadline < date) => {
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

    async fn commit(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        let mut table = self.lock();
        for op in &ops {
            let current = table.get(&op.key().storage_key()).map(Record::version);
            let ok = match op {
                Op::Put(_, Expect::Absent) => current.is_none(),
                Op::Put(_, Expect::Version(v)) | Op::Delete(_, v) | Op::Check(_, v) => {
                    current == Some(*v)
                }
            };
            if !ok {
                return Err(StoreError::Conflict);
            }
        }
        let before = self.file.as_ref().map(|_| table.clone());
        for op in ops {
            match op {
                Op::Put(mut r, expect) => {
                    r.set_version(match expect {
                        Expect::Absent => 1,
                        Expect::Version(v) => v + 1,
                    });
                    table.insert(r.key().storage_key(), r);
                }
                Op::Delete(k, _) => {
                    table.remove(&k.storage_key());
                }
                Op::Check(..) => {}
            }
        }
        self.stats.wrote();
        if let Err(e) = self.persist(&table) {
            // Keep memory and file in step: a commit that could not be saved did not happen.
            if let Some(before) = before {
                *table = before;
            }
            return Err(e);
        }
        Ok(())
    }

    fn stats(&self) -> &StoreStats {
        &self.stats
    }
}
