//! The local stand-in for API Gateway: the HTTP functions' routers merged into one, served
//! exactly as each Lambda serves its own. Also serves the website and a few `/dev` helpers
//! (outbox, schedules, jobs, clock).

pub mod seed;
pub mod serve;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::{header, HeaderValue, StatusCode};
use mypage::adapters::{LocalScheduler, Outbox, PinnedClock};
use mypage::ports::scheduler::HoldExpiryInput;
use mypage::App;
use serde::Deserialize;
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

/// What the site's pages send as the Referer: nothing (tokens can sit in links).
pub const REFERRER_POLICY: &str = "no-referrer";

/// The website's Content-Security-Policy (template.yaml's response-headers policy sends the
/// same in AWS; a test compares the two).
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

impl DevServer {
    pub fn router(self) -> Router {
        let router = Router::new()
            .route("/dev/outbox", get(outbox))
            .route("/dev/schedules", get(schedules))
            .route("/dev/run/hold-expiry", post(run_hold_expiry))
            .route("/dev/run/due-reminders", post(run_due_reminders))
            .route("/dev/run/new-arrivals", post(run_new_arrivals))
            .route("/dev/run/overdue-notices", post(run_overdue_notices))
            .route("/dev/run/history-purge", post(run_history_purge))
            .route("/dev/run/search-index", post(run_search_index))
            .route("/dev/clock", put(set_clock).get(get_clock))
            .route("/config.json", get(site_config))
            .with_state(self.clone());
        let router = router.merge(mypage::http::with_api_layers(
            api_routes(),
            self.app.clone(),
        ));
        // A path no route has: under /api the API's JSON 404, elsewhere the website's files
        // (read with GET or HEAD only; any other method is the API's JSON 405).
        let static_files = self.web_root.clone().map(|root| {
            tower_http::services::ServeDir::new(root).append_index_html_on_directories(true)
        });
        let mut router = router.fallback(move |req: axum::extract::Request| {
            let static_files = static_files.clone();
            async move {
                let path = req.uri().path();
                let api = path == "/api" || path.starts_with("/api/");
                if !api && !matches!(*req.method(), http::Method::GET | http::Method::HEAD) {
                    return mypage::Error::MethodNotAllowed.into_response();
                }
                match static_files {
                    Some(files) if !api => {
                        use tower::ServiceExt;
                        match files.oneshot(req).await {
                            Ok(resp) => resp.into_response(),
                            Err(never) => match never {},
                        }
                    }
                    _ => mypage::http::not_found().await,
                }
            }
        });
        if self.web_root.is_some() {
            router = router.layer(
                tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                ),
            );
        }
        // Every answer, the website's files too: no MIME sniffing, no Referer to elsewhere
        // (template.yaml's CloudFront response-headers policy sets the same).
        router
            .layer(
                tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            )
            .layer(
                tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static(REFERRER_POLICY),
                ),
            )
    }

    /// Runs the one-time expiry schedules that are due, then the daily sweep: what
    /// EventBridge Scheduler does in AWS.
    pub async fn run_hold_expiry(&self) -> Result<serde_json::Value, mypage::Error> {
        let now_local = self
            .app
            .clock
            .now()
            .with_timezone(&mypage::domain::dates::jst())
            .naive_local();
        let mut ran = 0;
        for s in self.scheduler.take_due(now_local) {
            hold_expiry::run(self.app.clone(), HoldExpiryInput::Hold(s.input)).await?;
            ran += 1;
        }
        let sweep = hold_expiry::run(self.app.clone(), HoldExpiryInput::Sweep {}).await?;
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

/// Every HTTP function's routes, merged: what API Gateway routes to the twelve functions.
pub fn api_routes() -> Router<App> {
    Router::new()
        .merge(session::routes())
        .merge(account::routes())
        .merge(loans::routes())
        .merge(renewal::routes())
        .merge(holds::routes())
        .merge(notifications::routes())
        .merge(ebooks::routes())
        .merge(catalog::routes())
        .merge(staff::routes())
}

fn job_result<T: serde::Serialize>(r: Result<T, mypage::Error>) -> Response {
    match r {
        Ok(v) => Json(serde_json::to_value(v).unwrap_or_default()).into_response(),
        Err(e) => e.into_response(),
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

/// The job's input as the schedule would send it; an empty body is `{}`.
fn job_input<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, mypage::Error> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| mypage::Error::InvalidRequest(format!("the job's input does not parse: {e}")))
}

/// Runs a scheduled job on the dev server's app with the input its schedule would send.
async fn run_job<I, T, F>(dev: &DevServer, body: &[u8], job: impl FnOnce(App, I) -> F) -> Response
where
    I: serde::de::DeserializeOwned,
    T: serde::Serialize,
    F: std::future::Future<Output = Result<T, mypage::Error>>,
{
    match job_input::<I>(body) {
        Ok(input) => job_result(job(dev.app.clone(), input).await),
        Err(e) => e.into_response(),
    }
}

async fn run_due_reminders(State(dev): State<DevServer>, body: axum::body::Bytes) -> Response {
    run_job(&dev, &body, due_reminders::run).await
}

async fn run_overdue_notices(State(dev): State<DevServer>, body: axum::body::Bytes) -> Response {
    run_job(&dev, &body, overdue_notices::run).await
}

async fn run_search_index(State(dev): State<DevServer>, body: axum::body::Bytes) -> Response {
    run_job(&dev, &body, search_index::run).await
}

async fn run_new_arrivals(State(dev): State<DevServer>, body: axum::body::Bytes) -> Response {
    run_job(&dev, &body, new_arrivals::run).await
}

async fn run_history_purge(State(dev): State<DevServer>, body: axum::body::Bytes) -> Response {
    run_job(&dev, &body, history_purge::run).await
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
    let l = &dev.app.settings.library;
    Json(serde_json::json!({ "library_name": l.name, "library_phone": l.phone, "library_url": l.mypage_url })).into_response()
}
