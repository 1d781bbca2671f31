//! The one error type of the use cases. Each variant means one thing a caller can act on;
//! `crate::http` maps each to one HTTP status and one stable `code` (docs/api.md), and
//! nowhere else does.

use crate::domain::calendar::{ClosedTooLong, ClosureRefusal};
use crate::domain::catalog::Inconsistent;
use crate::domain::circulation::{CheckInRefusal, CheckOutRefusal, CirculationFault};
use crate::domain::history::EntryNotFound;
use crate::domain::hold::{ChangeRefusal, HoldRefusal};
use crate::domain::loan::{RenewFailure, RenewalRefusal};
use crate::domain::patron::EmailNotRegistered;
use crate::domain::search::{InvalidPageToken, InvalidQuery};
use crate::domain::types::{InvalidEmail, InvalidTerms, WeakPassword};
use crate::ports::store::StoreError;
use chrono::{DateTime, Utc};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- the request itself
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("no such route")]
    RouteNotFound,
    #[error("this method is not allowed here")]
    MethodNotAllowed,

    // --- accounts and sessions
    #[error("log in first")]
    Unauthenticated,
    #[error("the card number or password is wrong")]
    InvalidCredentials,
    #[error("too many failed logins: the card is locked until {until}")]
    AccountLocked {
        until: DateTime<Utc>,
        /// Seconds from now (the library's clock) until the lock passes.
        retry_after_secs: i64,
    },
    #[error("too many failed logins from here: please try again later")]
    TooManyAttempts {
        /// Seconds from now (the library's clock) until attempts are taken again.
        retry_after_secs: i64,
    },
    #[error("set your own password first")]
    PasswordChangeRequired,
    #[error("{0}")]
    WeakPassword(#[from] WeakPassword),
    #[error("{0}")]
    InvalidEmail(#[from] InvalidEmail),
    #[error("register an email address first")]
    EmailNotRegistered,
    #[error("{0}")]
    InvalidTerms(#[from] InvalidTerms),
    #[error("this request needs the X-MyPage-CSRF header")]
    CsrfCheckFailed,
    #[error("this route is for library staff")]
    StaffOnly,
    #[error(
        "the e-book and audiobook service is for those who live, study or work in the prefecture"
    )]
    NotEligible,

    // --- things that are not there (another patron's are not there either)
    #[error("no such loan")]
    LoanNotFound,
    #[error("no such hold")]
    HoldNotFound,
    #[error("no such title")]
    TitleNotFound,
    #[error("no such patron")]
    PatronNotFound,
    #[error("no such copy")]
    CopyNotFound,
    #[error("no such reading-history entry")]
    EntryNotFound,
    #[error("no such session")]
    SessionNotFound,

    // --- refusals by the rules
    #[error("{0}")]
    Renewal(#[from] RenewalRefusal),
    #[error("{0}")]
    Hold(#[from] HoldRefusal),
    #[error("a hold that is ready for pickup cannot be cancelled online: please call the library at {phone}")]
    ReadyForPickup { phone: String },
    #[error("a hold that is ready for pickup cannot be suspended")]
    ReadyCannotBeSuspended,
    #[error("{0}")]
    InvalidDate(&'static str),
    #[error("the hold cart is full")]
    CartFull,
    #[error("too many requests of this kind today: try again later")]
    TooManyRequests { retry_after_secs: i64 },
    #[error("the link is not valid (unknown, used or expired)")]
    InvalidToken,
    #[error("no such link (unknown, used or expired)")]
    LinkNotFound,
    #[error("no calendar feed")]
    FeedNotFound,
    #[error("a patron with this card number is already registered")]
    PatronExists,
    #[error("a title with this bib_id already exists")]
    TitleExists,
    #[error("a copy with this barcode already exists")]
    CopyExists,
    #[error("this copy is already checked out")]
    CopyOnLoan,
    #[error("this copy is kept for another patron's hold")]
    HeldForAnotherPatron,
    #[error("this copy is not checked out")]
    NotCheckedOut,
    #[error("the interlibrary due date is in the past")]
    DueDateInPast,
    #[error(
        "this closure would close the library for {run} days in a row; at most {max} are allowed"
    )]
    ClosedTooLong { run: u32, max: u32 },
    #[error("{0}")]
    InvalidQuery(#[from] InvalidQuery),

    // --- ours
    /// Lost the race for the same records every time it tried.
    #[error("the service is busy, please try again")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
    /// The calendar has no open day where a date must be set: a configuration error.
    #[error(transparent)]
    Calendar(#[from] ClosedTooLong),
    #[error("internal error")]
    Internal(String),
}

impl From<CirculationFault> for Error {
    fn from(f: CirculationFault) -> Self {
        match f {
            CirculationFault::Inconsistent(i) => Error::Inconsistent(i),
            CirculationFault::Calendar(c) => Error::Calendar(c),
        }
    }
}

impl From<RenewFailure> for Error {
    fn from(f: RenewFailure) -> Self {
        match f {
            RenewFailure::Refused(r) => Error::Renewal(r),
            RenewFailure::Calendar(c) => Error::Calendar(c),
        }
    }
}

impl From<ClosureRefusal> for Error {
    fn from(r: ClosureRefusal) -> Self {
        match r {
            ClosureRefusal::ClosedTooLong { run, max } => Error::ClosedTooLong { run, max },
            out_of_range @ ClosureRefusal::OutOfRange { .. } => {
                Error::InvalidRequest(out_of_range.to_string())
            }
        }
    }
}

impl From<EntryNotFound> for Error {
    fn from(_: EntryNotFound) -> Self {
        Error::EntryNotFound
    }
}

impl From<EmailNotRegistered> for Error {
    fn from(_: EmailNotRegistered) -> Self {
        Error::EmailNotRegistered
    }
}

impl From<ChangeRefusal> for Error {
    fn from(r: ChangeRefusal) -> Self {
        match r {
            ChangeRefusal::ReadyForPickup => Error::ReadyCannotBeSuspended,
            ChangeRefusal::InvalidDate(why) => Error::InvalidDate(why),
            ChangeRefusal::EmailNotRegistered => Error::EmailNotRegistered,
            ChangeRefusal::Inconsistent(i) => Error::Inconsistent(i),
        }
    }
}

impl From<crate::domain::cart::CartFull> for Error {
    fn from(_: crate::domain::cart::CartFull) -> Self {
        Error::CartFull
    }
}

impl From<InvalidPageToken> for Error {
    fn from(e: InvalidPageToken) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}

impl From<CheckInRefusal> for Error {
    fn from(r: CheckInRefusal) -> Self {
        match r {
            CheckInRefusal::NotCheckedOut => Error::NotCheckedOut,
            CheckInRefusal::Fault(f) => f.into(),
        }
    }
}

impl From<CheckOutRefusal> for Error {
    fn from(r: CheckOutRefusal) -> Self {
        match r {
            CheckOutRefusal::CopyOnLoan => Error::CopyOnLoan,
            CheckOutRefusal::HeldForAnotherPatron => Error::HeldForAnotherPatron,
            CheckOutRefusal::DueDateInPast => Error::DueDateInPast,
            // The use case retries on fresh reads; still stale, it is busy.
            CheckOutRefusal::StaleRead => Error::Busy,
            CheckOutRefusal::Inconsistent(i) => Error::Inconsistent(i),
            CheckOutRefusal::Calendar(c) => Error::Calendar(c),
        }
    }
}

impl Error {
    /// The message shown to the client: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Error::Internal(_) | Error::Inconsistent(_) => "internal error".to_owned(),
            Error::Calendar(_) => {
                "the library calendar has no open day for this date; please tell the library"
                    .to_owned()
            }
            Error::Store(StoreError::Unavailable(_)) => {
                "the service is unavailable for a moment, please try again".to_owned()
            }
            Error::Store(_) => "internal error".to_owned(),
            other => other.to_string(),
        }
    }
}
