//! Serving the router on a socket the way API Gateway fronts the functions: HTTP/1.1 with
//! bounded heads, a read timeout (a half-sent request is answered and closed, not kept),
//! the connection's peer address handed to the router (the source the login limits count,
//! R-ACCT-7), and a JSON error body even for the errors the HTTP parser answers itself
//! (a bad header, a URI or head that is too long).

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use mypage::http::auth::PeerAddr;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The limits of one connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request's head (request line and headers) must arrive within this.
    pub head_timeout: Duration,
    /// The whole request, body included, must be read and answered within this.
    pub request_timeout: Duration,
    /// Longest request target; longer is 414.
    pub max_uri_bytes: usize,
    /// Largest head; larger is 431.
    pub max_head_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            head_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(20),
            max_uri_bytes: 8 * 1024,
            max_head_bytes: 16 * 1024,
        }
    }
}

fn error_json(status: http::StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

/// Serves `router` on `listener` until the future `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> io::Result<()> {
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    async move {
                        req.extensions_mut().insert(PeerAddr(peer.ip()));
                        Ok::<_, std::convert::Infallible>(
                            answer(router, req.map(axum::body::Body::new), limits).await,
                        )
                    }
                });
            let io = TokioIo::new(JsonParseErrors::new(stream));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.head_timeout)
                .max_buf_size(limits.max_head_bytes.max(8192) * 4)
                .serve_connection(io, service);
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
}

/// One request: the head's limits first, then the router within the request timeout.
async fn answer(router: Router, req: Request, limits: Limits) -> Response {
    let uri_len = req.uri().to_string().len();
    if uri_len > limits.max_uri_bytes {
        return error_json(
            http::StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "the request target is too long",
        );
    }
    let head: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if head + uri_len > limits.max_head_bytes {
        return error_json(
            http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "the request's headers are too large",
        );
    }
    match tokio::time::timeout(limits.request_timeout, router.oneshot(req)).await {
        Ok(Ok(resp)) => resp,
        Ok(Err(never)) => match never {},
        Err(_) => {
            let mut r = error_json(
                http::StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request did not arrive in time",
            );
            r.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
            r
        }
    }
}

/// The bytes of a JSON error answer for a request the parser refused, connection closing.
fn parse_error_answer(status: u16) -> Option<Vec<u8>> {
    let (reason, code, message) = match status {
        400 => (
            "Bad Request",
            "invalid_request",
            "the request is not valid HTTP",
        ),
        414 => (
            "URI Too Long",
            "uri_too_long",
            "the request target is too long",
        ),
        431 => (
            "Request Header Fields Too Large",
            "headers_too_large",
            "the request's headers are too large",
        ),
        _ => return None,
    };
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

/// The socket, with one change on the way out: the answer hyper writes itself when it cannot
/// parse a request (a 400, 414 or 431 head with no body and no content type, something the
/// router never answers) is replaced by the same status with the API's JSON error body.
struct JsonParseErrors<S> {
    inner: S,
    pending: Vec<u8>,
}

impl<S> JsonParseErrors<S> {
    fn new(inner: S) -> Self {
        JsonParseErrors {
            inner,
            pending: Vec::new(),
        }
    }
}

/// The status of `buf` if it is a whole response head that hyper wrote for a parse error.
fn parser_error_status(buf: &[u8]) -> Option<u16> {
    let head = std::str::from_utf8(buf).ok()?;
    let rest = head.strip_prefix("HTTP/1.1 ")?;
    let status: u16 = rest.get(..3)?.parse().ok()?;
    if !matches!(status, 400 | 414 | 431) || !head.ends_with("\r\n\r\n") {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    (lower.contains("\r\ncontent-length: 0\r\n") && !lower.contains("\r\ncontent-type:"))
        .then_some(status)
}

impl<S: AsyncWrite + Unpin> JsonParseErrors<S> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.pending) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    self.pending.drain(..n);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonParseErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.drain(cx)?.is_pending() {
            return Poll::Pending;
        }
        if let Some(answer) = parser_error_status(buf).and_then(parse_error_answer) {
            this.pending = answer;
            let _ = this.drain(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.drain(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.drain(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_parsers_bodiless_error_heads_are_replaced() {
        let hyper_400 = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(parser_error_status(hyper_400), Some(400));
        assert_eq!(
            parser_error_status(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n"
            ),
            Some(431)
        );
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(parser_error_status(ours), None);
        assert_eq!(
            parser_error_status(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        let answer = String::from_utf8(parse_error_answer(414).unwrap()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(answer.ends_with(
            r#"{"error":{"code":"uri_too_long","message":"the request target is too long"}}"#
        ));
    }
}
