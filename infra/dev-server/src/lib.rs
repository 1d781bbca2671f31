//! The local stand-in for API Gateway: every route of `infra/routes.txt` is turned into the
//! `lambda_http::Request` API Gateway would send and handed to the same `handle` function
//! the Lambda runs. Also serves the website and a few `/dev` helpers (outbox, jobs, clock).

pub mod routes;
pub mod seed;

use axum::body::{to_bytes, Body as AxumBody};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::{header, HeaderValue, StatusCode};
use lambda_http::RequestExt;
use mypage::clock::PinnedClock;
use mypage::mail::Outbox;
use mypage::scheduler::LocalScheduler;
use mypage::App;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub struct DevServer {
    pub app: App,
    pub outbox: Arc<Outbox>,
    pub scheduler: Arc<LocalScheduler>,
    /// Set when the clock is pinned (`MYPAGE_NOW`): then `PUT /dev/clock` may move it.
    pub pinned_clock: Option<Arc<PinnedClock>>,
    pub web_root: Option<PathBuf>,
}

/// Bodies larger than this are refused before any handler (handlers refuse > 16 KiB).
const MAX_INCOMING_BODY: usize = 1024 * 1024;

const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

impl DevServer {
    pub fn router(self) -> Router {
        let mut router = Router::new()
            .route("/dev/outbox", get(outbox))
            .route("/dev/schedules", get(schedules))
            .route("/dev/run/hold-expiry", post(run_hold_expiry))
            .route("/dev/run/due-reminders", post(run_due_reminders))
            .route("/dev/run/new-arrivals", post(run_new_arrivals))
            .route("/dev/clock", put(set_clock).get(get_clock))
            .route("/config.json", get(site_config))
            .route("/api/{*rest}", axum::routing::any(api));
        if let Some(root) = &self.web_root {
            let static_files =
                tower_http::services::ServeDir::new(root).append_index_html_on_directories(true);
            router = router.fallback_service(static_files).layer(
                tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                ),
            );
        }
        router.with_state(self)
    }

    /// Runs the one-time expiry schedules that are due, then the daily sweep: what
    /// EventBridge Scheduler does in AWS.
    pub async fn run_hold_expiry(&self) -> Result<serde_json::Value, mypage::Error> {
        let now_local = self
            .app
            .clock
            .now()
            .with_timezone(&mypage::clock::jst())
            .naive_local();
        let mut ran = 0;
        for s in self.scheduler.take_due(now_local) {
            let input = serde_json::to_value(&s.input)
                .map_err(|e| mypage::Error::Internal(e.to_string()))?;
            hold_expiry::run(&self.app, input).await?;
            ran += 1;
        }
        let sweep = hold_expiry::run(&self.app, serde_json::json!({})).await?;
        Ok(serde_json::json!({ "schedules_run": ran, "sweep": sweep }))
    }
}

fn error_json(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

async fn api(State(dev): State<DevServer>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let candidates: Vec<(&routes::Route, HashMap<String, String>)> = routes::all()
        .iter()
        .filter_map(|r| routes::match_path(&r.path, &path).map(|p| (r, p)))
        .collect();
    let Some((route, params)) = candidates
        .iter()
        .find(|(r, _)| r.method == parts.method)
        .cloned()
    else {
        return if candidates.is_empty() {
            error_json(StatusCode::NOT_FOUND, "not_found", "no such route")
        } else {
            error_json(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this method is not allowed here",
            )
        };
    };
    let Ok(bytes) = to_bytes(body, MAX_INCOMING_BODY).await else {
        // The rest of the body is never read: the connection cannot be reused.
        let mut resp = error_json(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        );
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return resp;
    };
    let query: HashMap<String, String> = parts
        .uri
        .query()
        .map(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut builder = http::Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone());
    for (k, v) in &parts.headers {
        builder = builder.header(k, v);
    }
    let body = if bytes.is_empty() {
        lambda_http::Body::Empty
    } else {
        lambda_http::Body::Binary(bytes.to_vec())
    };
    let Ok(lreq) = builder.body(body) else {
        return error_json(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "unreadable request",
        );
    };
    let lreq = lreq
        .with_path_parameters(params)
        .with_query_string_parameters(query)
        .with_request_context(mypage::http::api_gateway_context(
            &route.key(),
            &parts.method,
            &path,
        ));
    let started = std::time::Instant::now();
    let resp = dispatch(&dev.app, &route.function, lreq).await;
    tracing::info!(method = %parts.method, path = %path, function = %route.function, status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64, "request");
    let (rparts, rbody) = resp.into_parts();
    let bytes: Vec<u8> = match rbody {
        lambda_http::Body::Empty => Vec::new(),
        lambda_http::Body::Text(t) => t.into_bytes(),
        lambda_http::Body::Binary(b) => b,
        _ => Vec::new(),
    };
    Response::from_parts(rparts, AxumBody::from(bytes))
}

/// The function a route belongs to, called exactly as its Lambda entry point calls it.
pub async fn dispatch(
    app: &App,
    function: &str,
    req: lambda_http::Request,
) -> lambda_http::Response<lambda_http::Body> {
    match function {
        "session" => session::handle(app, req).await,
        "account" => account::handle(app, req).await,
        "loans" => loans::handle(app, req).await,
        "renewal" => renewal::handle(app, req).await,
        "holds" => holds::handle(app, req).await,
        "notifications" => notifications::handle(app, req).await,
        "ebooks" => ebooks::handle(app, req).await,
        "catalog" => catalog::handle(app, req).await,
        "staff" => staff::handle(app, req).await,
        other => {
            mypage::http::error_response(&mypage::Error::Internal(format!("no function {other}")))
        }
    }
}

/// The functions the dev server can dispatch to (checked against routes.txt in tests).
pub const HTTP_FUNCTIONS: &[&str] = &[
    "session",
    "account",
    "loans",
    "renewal",
    "holds",
    "notifications",
    "ebooks",
    "catalog",
    "staff",
];

fn job_result<T: serde::Serialize>(r: Result<T, mypage::Error>) -> Response {
    match r {
        Ok(v) => Json(serde_json::to_value(v).unwrap_or_default()).into_response(),
        Err(e) => {
            let (status, code) = e.status_and_code();
            error_json(status, code, &e.public_message())
        }
    }
}

async fn outbox(State(dev): State<DevServer>) -> Response {
    Json(dev.outbox.messages()).into_response()
}

async fn schedules(State(dev): State<DevServer>) -> Response {
    Json(dev.scheduler.schedules()).into_response()
}

async fn run_hold_expiry(State(dev): State<DevServer>) -> Response {
    job_result(dev.run_hold_expiry().await)
}

async fn run_due_reminders(State(dev): State<DevServer>, body: axum::body::Bytes) -> Response {
    let input: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::json!({}));
    job_result(due_reminders::run(&dev.app, input).await)
}

async fn run_new_arrivals(State(dev): State<DevServer>) -> Response {
    job_result(new_arrivals::run(&dev.app, serde_json::json!({})).await)
}

#[derive(Deserialize)]
struct ClockBody {
    now: chrono::DateTime<chrono::Utc>,
}

async fn set_clock(State(dev): State<DevServer>, body: axum::body::Bytes) -> Response {
    let Some(clock) = &dev.pinned_clock else {
        return error_json(
            StatusCode::CONFLICT,
            "clock_not_pinned",
            "start the dev server with MYPAGE_NOW to move the clock",
        );
    };
    match serde_json::from_slice::<ClockBody>(&body) {
        Ok(b) => {
            clock.set(b.now);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => error_json(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("expected {{\"now\": RFC 3339}}: {e}"),
        ),
    }
}

async fn get_clock(State(dev): State<DevServer>) -> Response {
    Json(serde_json::json!({ "now": dev.app.clock.now(), "today": dev.app.clock.today(), "pinned": dev.pinned_clock.is_some() }))
        .into_response()
}

async fn site_config(State(dev): State<DevServer>) -> Response {
    let l = &dev.app.config.library;
    Json(serde_json::json!({ "library_name": l.name, "library_phone": l.phone, "library_url": l.mypage_url })).into_response()
}
