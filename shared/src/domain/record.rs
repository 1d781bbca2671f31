//! The records the library keeps, their keys, and the changes a transition makes to them.
//!
//! Each record carries a `version`. A change is written only if the record is still at the
//! version it was read at (or, for a new record, does not exist yet): that is how the rules
//! that involve two requests at once hold in every store.

use super::catalog::{PhysicalCopy, Title};
use super::hold::Hold;
use super::loan::Loan;
use super::login::{BrakeShard, LoginGuard, SourceCounter};
use super::mailing::{Announcement, ClaimState, JobState, MailClaim};
use super::patron::Patron;
use super::session::Session;
use super::types::{Barcode, BibId, CardNumber, HoldId, LoanId};
use serde::{Deserialize, Serialize};

/// Names one record. The patron-owned kinds (profile, session, loan, hold) together make a
/// patron's account, read in one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Patron(CardNumber),
    /// A session, by the SHA-256 of its token's secret.
    Session(CardNumber, String),
    Loan(CardNumber, LoanId),
    /// A patron holds a title at most once (R-HOLD-8), so the title names the hold.
    Hold(CardNumber, BibId),
    Title(BibId),
    Copy(Barcode),
    MailClaim(String, CardNumber),
    Announcement(CardNumber, BibId),
    Job(String),
    /// The failed logins on a card number, registered or not (R-ACCT-7).
    LoginGuard(CardNumber),
    /// Failed logins from one source address, by its keyed hash.
    LoginSource(String),
    /// One shard of the global count of failed logins.
    LoginBrake(u8),
}

impl Key {
    /// The patron whose account this record belongs to, if any.
    pub fn account_of(&self) -> Option<&CardNumber> {
        match self {
            Key::Patron(c) | Key::Session(c, _) | Key::Loan(c, _) | Key::Hold(c, _) => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Patron(Patron),
    Session(Session),
    Loan(Loan),
    Hold(Hold),
    Title(Title),
    Copy(PhysicalCopy),
    MailClaim(MailClaim),
    Announcement(Announcement),
    Job(JobState),
    LoginGuard(LoginGuard),
    LoginSource(SourceCounter),
    LoginBrake(BrakeShard),
}

macro_rules! record_kinds {
    ($($variant:ident($ty:ty) => $into:ident),* $(,)?) => {
        $(
            impl From<$ty> for Record {
                fn from(v: $ty) -> Record { Record::$variant(v) }
            }
        )*
        impl Record {
            $(
                pub fn $into(self) -> Option<$ty> {
                    match self { Record::$variant(v) => Some(v), _ => None }
                }
            )*
            pub fn version(&self) -> u64 {
                match self { $(Record::$variant(v) => v.version,)* }
            }
            /// Only stores set versions: to what a write made them.
            pub fn set_version(&mut self, version: u64) {
                match self { $(Record::$variant(v) => v.version = version,)* }
            }
        }
    };
}

record_kinds! {
    Patron(Patron) => into_patron,
    Session(Session) => into_session,
    Loan(Loan) => into_loan,
    Hold(Hold) => into_hold,
    Title(Title) => into_title,
    Copy(PhysicalCopy) => into_copy,
    MailClaim(MailClaim) => into_mail_claim,
    Announcement(Announcement) => into_announcement,
    Job(JobState) => into_job,
    LoginGuard(LoginGuard) => into_login_guard,
    LoginSource(SourceCounter) => into_login_source,
    LoginBrake(BrakeShard) => into_login_brake,
}

impl Record {
    pub fn key(&self) -> Key {
        match self {
            Record::Patron(p) => Key::Patron(p.card_number.clone()),
            Record::Session(s) => Key::Session(s.card_number.clone(), s.token_hash.clone()),
            Record::Loan(l) => Key::Loan(l.card_number.clone(), l.loan_id.clone()),
            Record::Hold(h) => Key::Hold(h.card_number.clone(), h.bib_id.clone()),
            Record::Title(t) => Key::Title(t.bib_id.clone()),
            Record::Copy(c) => Key::Copy(c.barcode.clone()),
            Record::MailClaim(m) => Key::MailClaim(m.job.clone(), m.card_number.clone()),
            Record::Announcement(a) => Key::Announcement(a.card_number.clone(), a.bib_id.clone()),
            Record::Job(j) => Key::Job(j.job.clone()),
            Record::LoginGuard(g) => Key::LoginGuard(g.card_number.clone()),
            Record::LoginSource(s) => Key::LoginSource(s.source.clone()),
            Record::LoginBrake(b) => Key::LoginBrake(b.shard),
        }
    }
}

impl Record {
    /// When the record is no longer needed and a store may remove it by itself (DynamoDB's
    /// time to live); None for records kept until a transition deletes them.
    pub fn expires_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::Duration;
        let after = |state: &ClaimState, days| match state {
            ClaimState::Sending { lease_until } => *lease_until + Duration::days(days),
            ClaimState::Sent { at } => *at + Duration::days(days),
        };
        let policy = super::Policy::default();
        match self {
            Record::Session(s) => Some(s.expires_at),
            // A reminder claim is needed until its due date has passed.
            Record::MailClaim(c) => Some(after(&c.state, 60)),
            // An announcement must outlive the new-arrivals window it guards.
            Record::Announcement(a) => Some(after(&a.state, 400)),
            // Login records outlive their window by a day (the windows are minutes).
            Record::LoginGuard(g) => Some(g.expires_at()),
            Record::LoginSource(s) => Some(s.expires_at(&policy)),
            Record::LoginBrake(b) => Some(b.expires_at(&policy)),
            _ => None,
        }
    }
}

/// One change to one record. The record's `version` is the version it was read at.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new record: there must be none with its key.
    Create(Record),
    /// The record as changed: it must still be at the version read.
    Update(Record),
    /// The record goes: it must still be at the version read.
    Delete(Record),
    /// Nothing is written, but the record must still be at the version read: the decision
    /// depended on it.
    Check(Record),
}

impl Change {
    pub fn record(&self) -> &Record {
        match self {
            Change::Create(r) | Change::Update(r) | Change::Delete(r) | Change::Check(r) => r,
        }
    }
    pub fn key(&self) -> Key {
        self.record().key()
    }
}

/// Everything a transition changed, committed together or not at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes(Vec<Change>);

impl Changes {
    pub fn none() -> Self {
        Changes::default()
    }
    pub fn create(mut self, r: impl Into<Record>) -> Self {
        self.0.push(Change::Create(r.into()));
        self
    }
    pub fn update(mut self, r: impl Into<Record>) -> Self {
        self.0.push(Change::Update(r.into()));
        self
    }
    pub fn delete(mut self, r: impl Into<Record>) -> Self {
        self.0.push(Change::Delete(r.into()));
        self
    }
    pub fn check(mut self, r: impl Into<Record>) -> Self {
        self.0.push(Change::Check(r.into()));
        self
    }
    pub fn and(mut self, more: Changes) -> Self {
        self.0.extend(more.0);
        self
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Change> {
        self.0.iter()
    }
    pub fn into_vec(self) -> Vec<Change> {
        self.0
    }
}

impl From<Change> for Changes {
    fn from(c: Change) -> Self {
        Changes(vec![c])
    }
}

impl FromIterator<Change> for Changes {
    fn from_iter<I: IntoIterator<Item = Change>>(iter: I) -> Self {
        Changes(iter.into_iter().collect())
    }
}

impl IntoIterator for Changes {
    type Item = Change;
    type IntoIter = std::vec::IntoIter<Change>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// What must happen once a transition's changes are committed; none of it can undo them.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowUp {
    /// A hold became ready: its lapse is scheduled and, if the patron asked, they are emailed
    /// (R-HOLD-6, R-HOLD-7).
    HoldReady(Hold),
    /// A ready hold was collected: the schedule that would lapse it is no longer needed.
    HoldCollected(HoldId),
}

/// A transition's result: its answer, its changes, what follows.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T> {
    pub value: T,
    pub changes: Changes,
    pub follow_ups: Vec<FollowUp>,
}

impl<T> Outcome<T> {
    pub fn new(value: T, changes: Changes) -> Self {
        Outcome {
            value,
            changes,
            follow_ups: Vec::new(),
        }
    }
    pub fn then(mut self, follow_ups: impl IntoIterator<Item = FollowUp>) -> Self {
        self.follow_ups.extend(follow_ups);
        self
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        Outcome {
            value: f(self.value),
            changes: self.changes,
            follow_ups: self.follow_ups,
        }
    }
}
