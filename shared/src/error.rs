//! The one error type of the API. Each variant maps to one HTTP status and one stable
//! `code` (API.md) in `status_and_code`, and nowhere else.

use crate::rules::holds::{CancelRefusal, HoldRefusal};
use crate::rules::renewal::RenewalRefusal;
use crate::store::StoreError;
use crate::types::{InvalidEmail, InvalidTerms, WeakPassword};
use chrono::{DateTime, Utc};
use http::StatusCode;

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
    #[error("too many failed logins: the card is locked until {0}")]
    AccountLocked(DateTime<Utc>),
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

    // --- refusals by the rules
    #[error("{0}")]
    Renewal(#[from] RenewalRefusal),
    #[error("{0}")]
    Hold(HoldRefusal),
    #[error("a hold that is ready for pickup cannot be cancelled online: please call the library at {phone}")]
    ReadyForPickup { phone: String },
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

    // --- ours
    #[error("the service is busy, please try again")]
    Busy,
    #[error("internal error")]
    Internal(String),
}

impl From<HoldRefusal> for Error {
    fn from(r: HoldRefusal) -> Self {
        match r {
            HoldRefusal::EmailNotRegistered => Error::EmailNotRegistered,
            other => Error::Hold(other),
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => Error::Busy,
            other => Error::Internal(other.to_string()),
        }
    }
}

impl Error {
    pub fn from_cancel(r: CancelRefusal, phone: &str) -> Self {
        match r {
            CancelRefusal::ReadyForPickup => Error::ReadyForPickup {
                phone: phone.to_owned(),
            },
        }
    }

    /// The one mapping from error to HTTP status and API code.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Error::MalformedJson(_) => (S::BAD_REQUEST, "malformed_json"),
            Error::InvalidRequest(_) => (S::BAD_REQUEST, "invalid_request"),
            Error::UnsupportedMediaType => (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            Error::PayloadTooLarge(_) => (S::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Error::RouteNotFound => (S::NOT_FOUND, "not_found"),
            Error::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Error::Unauthenticated => (S::UNAUTHORIZED, "unauthenticated"),
            Error::InvalidCredentials => (S::UNAUTHORIZED, "invalid_credentials"),
            Error::AccountLocked(_) => (S::TOO_MANY_REQUESTS, "account_locked"),
            Error::PasswordChangeRequired => (S::FORBIDDEN, "password_change_required"),
            Error::WeakPassword(_) => (S::BAD_REQUEST, "weak_password"),
            Error::InvalidEmail(_) => (S::BAD_REQUEST, "invalid_email"),
            Error::EmailNotRegistered => (S::BAD_REQUEST, "email_not_registered"),
            Error::InvalidTerms(_) => (S::BAD_REQUEST, "invalid_request"),
            Error::CsrfCheckFailed => (S::FORBIDDEN, "csrf_check_failed"),
            Error::StaffOnly => (S::FORBIDDEN, "staff_only"),
            Error::NotEligible => (S::FORBIDDEN, "not_eligible"),
            Error::LoanNotFound => (S::NOT_FOUND, "loan_not_found"),
            Error::HoldNotFound => (S::NOT_FOUND, "hold_not_found"),
            Error::TitleNotFound => (S::NOT_FOUND, "title_not_found"),
            Error::PatronNotFound => (S::NOT_FOUND, "patron_not_found"),
            Error::CopyNotFound => (S::NOT_FOUND, "copy_not_found"),
            Error::Renewal(r) => (S::CONFLICT, r.code()),
            Error::Hold(r) => (
                S::CONFLICT,
                match r {
                    HoldRefusal::AvailableOnShelf => "available_on_shelf",
                    HoldRefusal::AlreadyOnLoan => "already_on_loan",
                    HoldRefusal::DuplicateHold => "duplicate_hold",
                    HoldRefusal::HoldLimitReached => "hold_limit_reached",
                    HoldRefusal::EmailNotRegistered => "email_not_registered",
                },
            ),
            Error::ReadyForPickup { .. } => (S::CONFLICT, "ready_for_pickup"),
            Error::PatronExists => (S::CONFLICT, "patron_exists"),
            Error::TitleExists => (S::CONFLICT, "title_exists"),
            Error::CopyExists => (S::CONFLICT, "copy_exists"),
            Error::CopyOnLoan => (S::CONFLICT, "copy_on_loan"),
            Error::HeldForAnotherPatron => (S::CONFLICT, "held_for_another_patron"),
            Error::NotCheckedOut => (S::CONFLICT, "not_checked_out"),
            Error::DueDateInPast => (S::BAD_REQUEST, "invalid_request"),
            Error::Busy => (S::SERVICE_UNAVAILABLE, "busy"),
            Error::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }

    /// The message shown to the client: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Error::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        }
    }
}
