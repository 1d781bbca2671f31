//! Axum's extractors with the API's errors as their rejections, so a bad body, path or query
//! gets the JSON error and its 400/413/415 code, not axum's plain text.

use crate::domain::types::{BibId, EntryId, HoldId, LoanId, SessionId};
use crate::error::Error;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use http::request::Parts;
use http::StatusCode;
use serde::de::DeserializeOwned;

/// A JSON body as `T`. Request types deny unknown fields, so anything that does not fit `T`
/// exactly is refused.
pub struct Json<T>(pub T);

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => Error::InvalidRequest(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => Error::MalformedJson(e.body_text()),
            JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType,
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Error::PayloadTooLarge(super::MAX_BODY_BYTES)
            }
            other => Error::InvalidRequest(other.body_text()),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(v))
    }
}

/// Path parameters as `T` (a `String`, a tuple, or a struct).
pub struct Path<T>(pub T);

impl From<PathRejection> for Error {
    fn from(r: PathRejection) -> Self {
        Error::InvalidRequest(r.body_text())
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let axum::extract::Path(v) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(v))
    }
}

/// A record's id as the path's one parameter. An id that could never be one names no record,
/// so it is answered like an id of no record: that record's 404 (`hold_not_found`, ...).
pub struct PathId<T>(pub T);

/// An id that names one kind of record, with the error for a record of it that is not there.
pub trait RecordId: TryFrom<String> {
    const NOT_FOUND: Error;
}

impl RecordId for BibId {
    const NOT_FOUND: Error = Error::TitleNotFound;
}

impl RecordId for LoanId {
    const NOT_FOUND: Error = Error::LoanNotFound;
}

impl RecordId for HoldId {
    const NOT_FOUND: Error = Error::HoldNotFound;
}

impl RecordId for EntryId {
    const NOT_FOUND: Error = Error::EntryNotFound;
}

impl RecordId for SessionId {
    const NOT_FOUND: Error = Error::SessionNotFound;
}

impl<S: Send + Sync, T: RecordId> FromRequestParts<S> for PathId<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        T::try_from(raw).map(PathId).map_err(|_| T::NOT_FOUND)
    }
}

/// The query string as `T`.
pub struct Query<T>(pub T);

impl From<QueryRejection> for Error {
    fn from(r: QueryRejection) -> Self {
        Error::InvalidRequest(r.body_text())
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let axum::extract::Query(v) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(v))
    }
}

/// A date parameter (a path segment or a query value), exactly `YYYY-MM-DD`.
pub fn date_param(name: &str, raw: &str) -> Result<chrono::NaiveDate, Error> {
    let bad = || Error::InvalidRequest(format!("{name} is a date written YYYY-MM-DD"));
    if raw.len() != 10 || raw.as_bytes()[4] != b'-' || raw.as_bytes()[7] != b'-' {
        return Err(bad());
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::date_param;

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert!(date_param("d", "2026-12-01").is_ok());
        for bad in [
            "2026-2-01",
            "2026-02-30",
            "20261201",
            "2026-12-01x",
            "",
            "２０２６-12-01",
        ] {
            assert!(date_param("d", bad).is_err(), "{bad}");
        }
    }
}
