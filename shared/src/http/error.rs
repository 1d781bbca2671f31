//! The one mapping from an `Error` to an HTTP status, a stable `code` and the JSON body
//! `{"error": {"code", "message"}}` (docs/api.md).

use crate::domain::hold::HoldRefusal;
use crate::error::Error;
use crate::ports::store::StoreError;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

/// How long a caller should wait after a 503.
const RETRY_AFTER_UNAVAILABLE_SECS: i64 = 1;

pub fn status_and_code(e: &Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    match e {
        Error::MalformedJson(_) => (S::BAD_REQUEST, "malformed_json"),
        Error::InvalidRequest(_) => (S::BAD_REQUEST, "invalid_request"),
        Error::UnsupportedMediaType => (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        Error::PayloadTooLarge(_) => (S::PAYLOAD_TOO_LARGE, "payload_too_large"),
        Error::RouteNotFound => (S::NOT_FOUND, "not_found"),
        Error::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, "method_not_allowed"),
        Error::Unauthenticated => (S::UNAUTHORIZED, "unauthenticated"),
        Error::InvalidCredentials => (S::UNAUTHORIZED, "invalid_credentials"),
        Error::AccountLocked { .. } => (S::TOO_MANY_REQUESTS, "account_locked"),
        Error::TooManyAttempts { .. } => (S::TOO_MANY_REQUESTS, "too_many_attempts"),
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
        Error::EntryNotFound => (S::NOT_FOUND, "entry_not_found"),
        Error::SessionNotFound => (S::NOT_FOUND, "session_not_found"),
        Error::ClosedTooLong { .. } => (S::CONFLICT, "closed_too_long"),
        Error::Renewal(r) => (S::CONFLICT, r.code()),
        Error::Hold(r) => match r {
            HoldRefusal::AvailableOnShelf => (S::CONFLICT, "available_on_shelf"),
            HoldRefusal::AlreadyOnLoan => (S::CONFLICT, "already_on_loan"),
            HoldRefusal::DuplicateHold => (S::CONFLICT, "duplicate_hold"),
            HoldRefusal::HoldLimitReached => (S::CONFLICT, "hold_limit_reached"),
            // R-HOLD-3: the request asks for something the account cannot do yet.
            HoldRefusal::EmailNotRegistered => (S::BAD_REQUEST, "email_not_registered"),
            HoldRefusal::InvalidDate(_) => (S::BAD_REQUEST, "invalid_date"),
        },
        Error::ReadyCannotBeSuspended => (S::CONFLICT, "ready_for_pickup"),
        Error::InvalidDate(_) => (S::BAD_REQUEST, "invalid_date"),
        Error::CartFull => (S::CONFLICT, "cart_full"),
        Error::TooManyRequests { .. } => (S::TOO_MANY_REQUESTS, "too_many_requests"),
        Error::InvalidToken => (S::BAD_REQUEST, "invalid_token"),
        Error::LinkNotFound => (S::NOT_FOUND, "link_not_found"),
        Error::FeedNotFound => (S::NOT_FOUND, "feed_not_found"),
        Error::ReadyForPickup { .. } => (S::CONFLICT, "ready_for_pickup"),
        Error::PatronExists => (S::CONFLICT, "patron_exists"),
        Error::TitleExists => (S::CONFLICT, "title_exists"),
        Error::CopyExists => (S::CONFLICT, "copy_exists"),
        Error::CopyOnLoan => (S::CONFLICT, "copy_on_loan"),
        Error::HeldForAnotherPatron => (S::CONFLICT, "held_for_another_patron"),
        Error::NotCheckedOut => (S::CONFLICT, "not_checked_out"),
        Error::DueDateInPast => (S::BAD_REQUEST, "invalid_request"),
        Error::InvalidQuery(_) => (S::BAD_REQUEST, "invalid_query"),
        Error::Busy => (S::SERVICE_UNAVAILABLE, "busy"),
        Error::Store(StoreError::Unavailable(_)) => (S::SERVICE_UNAVAILABLE, "service_unavailable"),
        Error::Store(_) | Error::Inconsistent(_) | Error::Calendar(_) | Error::Internal(_) => {
            (S::INTERNAL_SERVER_ERROR, "internal_error")
        }
    }
}

/// When the caller may try again, if the answer says so.
fn retry_after_secs(e: &Error) -> Option<i64> {
    match e {
        Error::AccountLocked {
            retry_after_secs, ..
        }
        | Error::TooManyAttempts { retry_after_secs }
        | Error::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
        Error::Busy | Error::Store(StoreError::Unavailable(_)) => {
            Some(RETRY_AFTER_UNAVAILABLE_SECS)
        }
        _ => None,
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
}

/// The body of an error, also used inside other answers (the hold cart's per-title results).
pub fn error_detail(e: &Error) -> serde_json::Value {
    let (_, code) = status_and_code(e);
    serde_json::json!({ "code": code, "message": e.public_message() })
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self);
        if status.is_server_error() {
            tracing::error!(code, error = %self, "request failed");
        } else {
            tracing::info!(code, status = status.as_u16(), "request refused");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.public_message(),
            },
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after_secs(&self) {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_says_when_it_passes_by_the_library_clock() {
        let e = Error::AccountLocked {
            until: "2026-12-01T01:15:00Z".parse().unwrap(),
            retry_after_secs: 900,
        };
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()[header::RETRY_AFTER], "900");
    }

    #[test]
    fn a_store_that_is_unavailable_is_a_503_with_retry_after_and_a_bug_is_a_500() {
        let r = Error::Store(StoreError::Unavailable("throttled".into())).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers().contains_key(header::RETRY_AFTER));
        let r = Error::Store(StoreError::Rejected("validation".into())).into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!r.headers().contains_key(header::RETRY_AFTER));
    }
}
