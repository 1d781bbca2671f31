//! The Lambda Runtime API, as much of it as one cold start uses: one event on the first
//! `next` poll, then the response, invocation error or init error, each answered 202.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

pub const API: &str = "/2018-06-01/runtime";
pub const REQUEST_ID: &str = "bench-0001";

/// What the bootstrap did, stamped when the emulator had read the whole request.
#[derive(Debug)]
pub enum Ev {
    Next(Instant),
    Response(Instant, String),
    InvokeError(Instant, String),
    InitError(Instant, String),
}

/// A Runtime API on 127.0.0.1 for one bootstrap; stops when dropped.
pub struct Emulator {
    pub addr: SocketAddr,
    pub events: mpsc::UnboundedReceiver<Ev>,
    stop: watch::Sender<bool>,
}

struct Shared {
    event: String,
    function_name: String,
    served: AtomicBool,
    events: mpsc::UnboundedSender<Ev>,
    stopped: watch::Receiver<bool>,
}

impl Emulator {
    pub async fn start(event: String, function_name: &str) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, events) = mpsc::unbounded_channel();
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared {
            event,
            function_name: function_name.to_string(),
            served: AtomicBool::new(false),
            events: tx,
            stopped: stopped.clone(),
        });
        let app = router(shared);
        // The client sends small requests and waits for each answer: no Nagle delay.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let mut stopped = stopped;
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await;
        });
        Ok(Emulator { addr, events, stop })
    }

    /// Closes the port and answers a held `next` poll, so nothing outlives the run.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(&format!("{API}/invocation/next"), get(next))
        .route(
            &format!("{API}/invocation/{{request_id}}/response"),
            post(response),
        )
        .route(
            &format!("{API}/invocation/{{request_id}}/error"),
            post(invoke_error),
        )
        .route(&format!("{API}/init/error"), post(init_error))
        .fallback(unknown)
        .method_not_allowed_fallback(unknown)
        .with_state(shared)
}

async fn next(State(s): State<Arc<Shared>>) -> Response {
    let _ = s.events.send(Ev::Next(Instant::now()));
    if s.served.swap(true, Ordering::SeqCst) {
        // Lambda freezes the sandbox here until the next invocation: hold the poll open.
        let mut stopped = s.stopped.clone();
        let _ = stopped.wait_for(|s| *s).await;
        return (
            StatusCode::GONE,
            Json(json!({"errorMessage": "emulator stopped"})),
        )
            .into_response();
    }
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        + Duration::from_secs(30);
    let arn = format!(
        "arn:aws:lambda:ap-northeast-1:123456789012:function:{}",
        s.function_name
    );
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::try_from(value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    set("lambda-runtime-aws-request-id", REQUEST_ID.into());
    set(
        "lambda-runtime-deadline-ms",
        deadline.as_millis().to_string(),
    );
    set("lambda-runtime-invoked-function-arn", arn);
    set(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000;Sampled=0".into(),
    );
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (headers, s.event.clone()).into_response()
}

// The body extractor has read the whole request before these run, as a runtime client's
// post only counts once it has been sent in full.
async fn response(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    accepted(&s, Ev::Response(Instant::now(), text(&body)))
}

async fn invoke_error(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    accepted(&s, Ev::InvokeError(Instant::now(), text(&body)))
}

async fn init_error(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    accepted(&s, Ev::InitError(Instant::now(), text(&body)))
}

async fn unknown() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"errorMessage": "unknown path"})),
    )
        .into_response()
}

fn accepted(s: &Shared, ev: Ev) -> Response {
    let _ = s.events.send(ev);
    (StatusCode::ACCEPTED, Json(json!({"status": "OK"}))).into_response()
}

fn text(body: &Bytes) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{http_event, status_of};
    use http_body_util::BodyExt;
    use lambda_runtime::{Config, Context};
    use lambda_runtime_api_client::body::Body;
    use lambda_runtime_api_client::{build_request, Client};

    async fn call(
        client: &Client,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, HeaderMap, String) {
        let req = build_request()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let resp = client.call(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status.as_u16(),
            parts.headers,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn speaks_the_runtime_api_like_a_lambda_client_expects() {
        let event = http_event("GET", "/api/catalog/titles/{bib_id}").to_string();
        let mut emu = Emulator::start(event.clone(), "catalog").await.unwrap();
        // The client lambda_runtime polls with, pointed at the emulator.
        let client = Client::builder()
            .with_endpoint(format!("http://{}", emu.addr).parse().unwrap())
            .build()
            .unwrap();

        let (status, headers, body) =
            call(&client, "GET", &format!("{API}/invocation/next"), "").await;
        assert_eq!(status, 200);
        assert_eq!(body, event);
        let id = headers["lambda-runtime-aws-request-id"].to_str().unwrap();
        let ctx = Context::new(id, Arc::new(Config::default()), &headers).unwrap();
        assert_eq!(ctx.request_id, REQUEST_ID);
        assert!(ctx.deadline() > SystemTime::now());
        assert_eq!(
            ctx.invoked_function_arn,
            "arn:aws:lambda:ap-northeast-1:123456789012:function:catalog"
        );
        assert!(ctx.xray_trace_id.is_some_and(|t| t.starts_with("Root=1-")));
        assert!(matches!(emu.events.recv().await, Some(Ev::Next(_))));

        let inv = format!("{API}/invocation/{REQUEST_ID}");
        let (status, _, _) = call(
            &client,
            "POST",
            &format!("{inv}/response"),
            r#"{"statusCode":404}"#,
        )
        .await;
        assert_eq!(status, 202);
        match emu.events.recv().await {
            Some(Ev::Response(_, body)) => assert_eq!(status_of(&body), "404"),
            other => panic!("expected a response, got {other:?}"),
        }

        let (status, _, _) = call(
            &client,
            "POST",
            &format!("{inv}/error"),
            r#"{"errorType":"x"}"#,
        )
        .await;
        assert_eq!(status, 202);
        assert!(
            matches!(emu.events.recv().await, Some(Ev::InvokeError(_, b)) if b.contains("errorType"))
        );
        let (status, _, _) = call(&client, "POST", &format!("{API}/init/error"), "{}").await;
        assert_eq!(status, 202);
        assert!(matches!(emu.events.recv().await, Some(Ev::InitError(..))));
        let (status, _, _) = call(&client, "GET", &format!("{API}/nothing"), "").await;
        assert_eq!(status, 404);
        let (status, _, _) = call(&client, "DELETE", &format!("{API}/invocation/next"), "").await;
        assert_eq!(status, 404);

        // The second poll waits until the emulator stops.
        let held = tokio::spawn(async move {
            call(&client, "GET", &format!("{API}/invocation/next"), "")
                .await
                .0
        });
        assert!(matches!(emu.events.recv().await, Some(Ev::Next(_))));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!held.is_finished());
        emu.stop();
        let status = tokio::time::timeout(Duration::from_secs(5), held).await;
        assert_eq!(status.unwrap().unwrap(), 410);
    }
}
