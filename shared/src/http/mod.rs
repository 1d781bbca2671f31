//! The HTTP layer every function shares. A function crate declares its routes on an
//! `axum::Router<App>`; `service` turns them into the service Lambda runs (and the dev
//! server runs, merged): the 16 KiB body limit, JSON answers for unknown routes and methods,
//! no-store and nosniff headers, and one log line per request.
//!
//! - `extract`: JSON body, path, record id and query extractors whose rejections are the
//!   API's errors.
//! - `auth`: the patron behind a request (bearer token or cookie), and staff access.
//! - `error`: the one mapping from `Error` to status, code and body.
//! - `body`: response bodies more than one function answers with.

pub mod auth;
pub mod body;
pub mod error;
pub mod extract;

pub use auth::{AnySession, Patron, Staff};
pub use extract::{Json, Path, PathId, Query};

use crate::error::Error;
use crate::App;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::{header, HeaderValue};
use std::time::Instant;

/// Request bodies over 16 KiB are refused (docs/api.md).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A function's routes as the service Lambda runs.
pub fn service(routes: Router<App>, app: App) -> Router {
    with_api_layers(routes, app).fallback(not_found)
}

/// The routes with everything but the fallback for paths no route has (the dev server adds
/// its own, which also serves the website).
pub fn with_api_layers(routes: Router<App>, app: App) -> Router {
    routes
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed.into_response() })
        .layer(middleware::from_fn(api_headers_and_log))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// The answer for a path no route has.
pub async fn not_found() -> Response {
    Error::RouteNotFound.into_response()
}

/// API answers are never cached and never sniffed; each request leaves one log line with its
/// route pattern (never the concrete path: it can carry a card number).
async fn api_headers_and_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let request_id = auth::request_id(&req);
    let started = Instant::now();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    tracing::info!(
        request_id = request_id.as_deref().unwrap_or(""),
        method = %method,
        route = %route,
        status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    resp
}
