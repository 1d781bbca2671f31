//! The library's domain: its records, its rules, and every change it makes to them.
//!
//! Plain types and functions: no I/O, no clock reads, no randomness the caller does not pass
//! in. Each transition (place a hold, check in, renew, ...) takes the records it needs and
//! returns an [`Outcome`]: its result, every record it changed, and what must follow once
//! those changes are committed. The derived facts (a patron's active-hold count, a title's
//! queue and shelf count, a copy's state, a loan's reminder contact) are kept in step in one
//! place each, in this module; code outside it can read them but not set them.

pub mod calendar;
pub mod cart;
pub mod catalog;
pub mod circulation;
pub mod dates;
pub mod feed;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod history;
pub mod hold;
pub mod invariants;
pub mod loan;
pub mod login;
pub mod mailing;
pub mod patron;
pub mod policy;
pub mod record;
pub mod renewal_link;
pub mod search;
pub mod session;
pub mod types;

pub use calendar::{Calendar, ClosedDays};
pub use cart::HoldCart;
pub use catalog::{CopyState, PhysicalCopy, Title};
pub use history::{HistoryEntry, ReadingHistory};
pub use hold::{Hold, HoldNotice, HoldState, Standing};
pub use loan::{Loan, ReminderContact};
pub use login::{BrakeShard, LoginGuard, SourceCounter};
pub use mailing::{Announcement, ClaimState, JobState, MailClaim};
pub use patron::{Credential, NewArrivalSettings, NotificationSettings, Patron};
pub use policy::Policy;
pub use record::{Change, Changes, FollowUp, Key, Outcome, Record};
pub use session::Session;
