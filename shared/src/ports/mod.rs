//! The ports: what the use cases need from the world, as traits. Each has an AWS adapter and
//! an embedded one in `crate::adapters`; only the entry points choose which.

pub mod clock;
pub mod mailer;
pub mod scheduler;
pub mod store;

pub use clock::Clock;
pub use mailer::{EmailMessage, MailError, Mailer};
pub use scheduler::{ExpiryScheduler, HoldExpiry, SchedulerError};
pub use store::{Commit, HistoryRange, PostingsRange, Store, StoreError, Written};
