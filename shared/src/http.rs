//! What every HTTP function does the same way: find the route, read the JSON body, find the
//! patron or check staff access, and turn results and errors into API responses. The
//! error-to-response mapping lives here and in `Error::status_and_code`, nowhere else.

use crate::app::sessions::{self, Caller};
use crate::app::App;
use crate::error::Error;
pub use http::StatusCode;
use http::{header, HeaderValue, Method};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// API.md: bodies over 16 KiB are refused.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
pub const SESSION_COOKIE: &str = "mypage_session";
/// State-changing requests authenticated by the cookie must carry this header: a cross-site
/// form cannot set it (CSRF defence on top of SameSite=Strict).
pub const CSRF_HEADER: &str = "x-mypage-csrf";
pub const STAFF_KEY_HEADER: &str = "x-staff-key";

/// The API Gateway route key, e.g. `POST /api/me/loans/{loan_id}/renewal`.
pub fn route_key(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.route_key.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// A request context as API Gateway would send it, for the dev server and tests.
pub fn api_gateway_context(route_key: &str, method: &Method, path: &str) -> RequestContext {
    let mut ctx = lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
    ctx.route_key = Some(route_key.to_owned());
    ctx.http.method = method.clone();
    ctx.http.path = Some(path.to_owned());
    RequestContext::ApiGatewayV2(ctx)
}

pub fn path_param<T, E>(
    req: &Request,
    name: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, Error> {
    let params = req.path_parameters();
    let raw = params
        .first(name)
        .ok_or_else(|| Error::InvalidRequest(format!("missing path parameter {name}")))?;
    parse(raw).map_err(|_| Error::InvalidRequest(format!("{name} is not valid")))
}

/// The JSON body as `T`, refusing other media types, oversized bodies and anything that does
/// not fit `T` exactly (request types deny unknown fields).
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, Error> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(Error::PayloadTooLarge(MAX_BODY_BYTES));
    }
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
        .unwrap_or(false);
    if !is_json {
        return Err(Error::UnsupportedMediaType);
    }
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Error::InvalidRequest(e.to_string()),
        _ => Error::MalformedJson(e.to_string()),
    })
}

pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name).map(str::to_owned))
}

fn base(status: StatusCode) -> http::response::Builder {
    Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
        .header("x-content-type-options", "nosniff")
}

pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response<Body> {
    match serde_json::to_vec(body) {
        Ok(bytes) => base(status)
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(Body::from(bytes))
            .unwrap_or_else(|_| Response::new(Body::Empty)),
        Err(e) => error_response(&Error::Internal(format!("serialising the response: {e}"))),
    }
}

pub fn no_content() -> Response<Body> {
    base(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .unwrap_or_else(|_| Response::new(Body::Empty))
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

pub fn error_response(e: &Error) -> Response<Body> {
    let (status, code) = e.status_and_code();
    if status.is_server_error() {
        tracing::error!(code, error = %e, "request failed");
    } else {
        tracing::info!(code, status = status.as_u16(), "request refused");
    }
    let mut resp = json(
        status,
        &ErrorBody {
            error: ErrorDetail {
                code,
                message: e.public_message(),
            },
        },
    );
    if let Error::AccountLocked(until) = e {
        let secs = (*until - chrono::Utc::now()).num_seconds().max(1);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

/// The end of every handler: a result into a response.
pub fn respond(result: Result<Response<Body>, Error>) -> Response<Body> {
    result.unwrap_or_else(|e| error_response(&e))
}

/// Where the session token came from: a cookie needs the CSRF header for state changes.
fn token_of(req: &Request) -> Option<(String, bool)> {
    if let Some(v) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some((t.trim().to_owned(), false));
        }
    }
    for v in req.headers().get_all(header::COOKIE) {
        let Ok(v) = v.to_str() else { continue };
        for pair in v.split(';') {
            if let Some((k, val)) = pair.trim().split_once('=') {
                if k == SESSION_COOKIE && !val.is_empty() {
                    return Some((val.to_owned(), true));
                }
            }
        }
    }
    None
}

pub fn raw_token(req: &Request) -> Option<String> {
    token_of(req).map(|(t, _)| t)
}

fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The logged-in patron, whatever kind of session (only the password change and log-out use
/// this: R-ACCT-3).
pub async fn any_session(app: &App, req: &Request) -> Result<Caller, Error> {
    let (token, from_cookie) = token_of(req).ok_or(Error::Unauthenticated)?;
    if from_cookie && changes_state(req.method()) && !req.headers().contains_key(CSRF_HEADER) {
        return Err(Error::CsrfCheckFailed);
    }
    sessions::authenticate(app, &token).await
}

/// The logged-in patron with their own password set: every other /api/me route.
pub async fn patron(app: &App, req: &Request) -> Result<Caller, Error> {
    any_session(app, req).await?.require_own_password()
}

/// Staff routes: IAM authorization at API Gateway in AWS; where a staff key is configured
/// (locally, in tests) the `X-Staff-Key` header must carry it. Patron tokens open nothing.
pub fn require_staff(app: &App, req: &Request) -> Result<(), Error> {
    match &app.config.staff_api_key {
        Some(key) => {
            let given = req
                .headers()
                .get(STAFF_KEY_HEADER)
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            if constant_time_eq(given, key.as_bytes()) {
                Ok(())
            } else {
                Err(Error::StaffOnly)
            }
        }
        None => match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx))
                if ctx.authorizer.as_ref().is_some_and(|a| a.iam.is_some()) =>
            {
                Ok(())
            }
            _ => Err(Error::StaffOnly),
        },
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn session_cookie(token: &str, max_age_seconds: i64) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/api; Max-Age={max_age_seconds}; HttpOnly; Secure; SameSite=Strict")
}

pub fn cleared_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/api; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
}

pub fn with_cookie(mut resp: Response<Body>, cookie: &str) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Answers for routes a function does not have (never reached behind API Gateway).
pub fn unknown_route() -> Result<Response<Body>, Error> {
    Err(Error::RouteNotFound)
}
