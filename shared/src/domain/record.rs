//! The records the library keeps, their keys, and the changes a transition makes to them.
//!
//! Each record carries a `version`. A change is written only if the record is still at the
//! version it was read at (or, for a new record, does not exist yet): that is how the rules
//! that involve two requests at once hold in every store.

use super::calendar::ClosedDays;
use super::cart::HoldCart;
use super::catalog::{PhysicalCopy, Title};
use super::feed::{CalendarFeed, FeedLookup};
use super::history::HistoryEntry;
use super::hold::Hold;
use super::loan::Loan;
use super::login::{BrakeShard, LoginGuard, SourceCounter};
use super::mailing::{Announcement, ClaimState, JobState, MailClaim};
use super::patron::EmailVerification;
use super::patron::Patron;
use super::renewal_link::RenewalLink;
use super::session::Session;
use super::types::{Barcode, BibId, CardNumber, EntryId, HoldId, LoanId};
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
    /// A patron's hold cart: theirs, but read only by its own routes, not with the account.
    HoldCart(CardNumber),
    /// A pending address verification, by the SHA-256 of its token.
    EmailVerification(String),
    /// A renewal link, by the SHA-256 of its token.
    RenewalLink(String),
    /// A patron's calendar feed: beside the account, like the cart.
    CalendarFeed(CardNumber),
    /// A calendar feed, by the SHA-256 of its URL's secret.
    FeedLookup(String),
    /// A reading-history entry (R-HIST-1), by its generation and id. The patron's own, but
    /// not part of the account: it is read only by the history's routes.
    HistoryEntry(CardNumber, u32, EntryId),
    /// Every dated closure of the library (R-CAL-1).
    ClosedDays,
}

impl Key {
    /// The patron whose account this record belongs to, if any: the records read together
    /// to authenticate and answer a patron's request.
    pub fn account_of(&self) -> Option<&CardNumber> {
        match self {
            Key::Patron(c) | Key::Session(c, _) | Key::Loan(c, _) | Key::Hold(c, _) => Some(c),
            _ => None,
        }
    }

    /// The patron this record belongs to, in the account or beside it.
    pub fn owner(&self) -> Option<&CardNumber> {
        match self {
            Key::HoldCart(c) | Key::CalendarFeed(c) | Key::Announcement(c, _) => Some(c),
            Key::HistoryEntry(c, _, _) => Some(c),
            other => other.account_of(),
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
    HoldCart(HoldCart),
    EmailVerification(EmailVerification),
    RenewalLink(RenewalLink),
    CalendarFeed(CalendarFeed),
    FeedLookup(FeedLookup),
    HistoryEntry(HistoryEntry),
    ClosedDays(ClosedDays),
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
    HoldCart(HoldCart) => into_hold_cart,
    EmailVerification(EmailVerification) => into_email_verification,
    RenewalLink(RenewalLink) => into_renewal_link,
    CalendarFeed(CalendarFeed) => into_calendar_feed,
    FeedLookup(FeedLookup) => into_feed_lookup,
    HistoryEntry(HistoryEntry) => into_history_entry,
    ClosedDays(ClosedDays) => into_closed_days,
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
            Record::HoldCart(c) => Key::HoldCart(c.card_number.clone()),
            Record::EmailVerification(v) => Key::EmailVerification(v.token_hash.clone()),
            Record::RenewalLink(l) => Key::RenewalLink(l.token_hash.clone()),
            Record::CalendarFeed(f) => Key::CalendarFeed(f.card_number.clone()),
            Record::FeedLookup(f) => Key::FeedLookup(f.secret_hash.clone()),
            Record::HistoryEntry(e) => {
                Key::HistoryEntry(e.card_number.clone(), e.generation, e.entry_id.clone())
            }
            Record::ClosedDays(_) => Key::ClosedDays,
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
            Record::EmailVerification(v) => Some(v.expires_at),
            Record::RenewalLink(l) => Some(l.expires_at),
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
    /// Adds a change. A record changed twice (two transitions in one commit) keeps one
    /// change with its last state: created stays created, a check becomes what follows it.
    fn push(mut self, change: Change) -> Self {
        let key = change.key();
        match self.0.iter().position(|c| c.key() == key) {
            None => self.0.push(change),
            Some(i) => {
                let merged = match (&self.0[i], change) {
                    (Change::Create(_), Change::Update(r)) => Change::Create(r),
                    (Change::Create(_), Change::Delete(_)) => {
                        self.0.remove(i);
                        return self;
                    }
                    (Change::Create(r), Change::Check(_)) => Change::Create(r.clone()),
                    (Change::Update(r), Change::Check(_)) => Change::Update(r.clone()),
                    (Change::Delete(r), _) => Change::Delete(r.clone()),
                    (_, later) => later,
                };
                self.0[i] = merged;
            }
        }
        self
    }
    pub fn create(self, r: impl Into<Record>) -> Self {
        self.push(Change::Create(r.into()))
    }
    pub fn update(self, r: impl Into<Record>) -> Self {
        self.push(Change::Update(r.into()))
    }
    /// A record as a transition leaves it: updated if it was stored when read, else created.
    pub fn create_or_update(self, stored: bool, r: impl Into<Record>) -> Self {
        if stored {
            self.update(r)
        } else {
            self.create(r)
        }
    }
    pub fn delete(self, r: impl Into<Record>) -> Self {
        self.push(Change::Delete(r.into()))
    }
    pub fn check(self, r: impl Into<Record>) -> Self {
        self.push(Change::Check(r.into()))
    }
    pub fn and(self, more: Changes) -> Self {
        more.0.into_iter().fold(self, Changes::push)
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
    /// The same outcome with more changes.
    pub fn also(mut self, more: Changes) -> Self {
        self.changes = self.changes.and(more);
        self
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::types::BibId;

    fn title(name: &str, version: u64) -> Title {
        let mut t = Title::catalogue(
            BibId::parse("B1").unwrap(),
            name.into(),
            "a".into(),
            vec![],
            "2026-12-01T00:00:00Z".parse().unwrap(),
        );
        t.version = version;
        t
    }

    #[test]
    fn a_record_changed_twice_in_one_commit_is_written_once_at_its_last_state() {
        let c = Changes::none().update(title("a", 3)).update(title("b", 3));
        assert_eq!(c.len(), 1);
        assert!(
            matches!(c.iter().next(), Some(Change::Update(Record::Title(t))) if t.title == "b" && t.version == 3)
        );
        let c = Changes::none().create(title("a", 0)).update(title("b", 0));
        assert!(
            matches!(c.iter().next(), Some(Change::Create(Record::Title(t))) if t.title == "b")
        );
        let c = Changes::none().check(title("a", 2)).update(title("b", 2));
        assert!(matches!(c.iter().next(), Some(Change::Update(_))));
        let c = Changes::none().update(title("a", 2)).check(title("a", 2));
        assert!(
            matches!(c.iter().next(), Some(Change::Update(Record::Title(t))) if t.title == "a")
        );
        assert!(Changes::none()
            .create(title("a", 0))
            .delete(title("a", 0))
            .is_empty());
    }
}
