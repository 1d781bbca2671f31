//! Who is asking. Patrons send their session token as `Authorization: Bearer <token>` or as
//! the HttpOnly session cookie; a state change made with the cookie must also carry the CSRF
//! header `X-MyPage-CSRF: 1`, which a cross-site form cannot set, and must come from the
//! site's own origin (`Sec-Fetch-Site` / `Origin`), on top of SameSite=Strict. Staff routes
//! are behind IAM authorization at API Gateway; where a staff key is configured (locally, in
//! tests) the `X-Staff-Key` header must carry it. No patron token opens a staff route.
//!
//! Also here: where a request comes from (the source address the login limits count, R-ACCT-7)
//! and the device cookie that marks a browser that logged in to a card before.

use crate::app::sessions::{self, Caller, Client};
use crate::error::Error;
use crate::App;
use axum::extract::FromRequestParts;
use cookie::{Cookie, SameSite};
use http::request::Parts;
use http::{header, HeaderMap, Method, Request};
use lambda_http::request::RequestContext;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "mypage_session";
pub const DEVICE_COOKIE: &str = "mypage_device";
pub const CSRF_HEADER: &str = "x-mypage-csrf";
/// The one value the CSRF header may have (the website sends it).
pub const CSRF_VALUE: &str = "1";
pub const STAFF_KEY_HEADER: &str = "x-staff-key";
/// The header CloudFront adds to every request it forwards to the API (its value is the
/// configured secret), and the viewer address it reports.
pub const ORIGIN_VERIFY_HEADER: &str = "x-origin-verify";
pub const VIEWER_ADDRESS_HEADER: &str = "cloudfront-viewer-address";

/// The peer address of the connection, set by a server that has one (the dev server);
/// API Gateway reports it in the request context instead.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub std::net::IpAddr);

/// The token and whether it came from the cookie.
fn token_of(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some((scheme, token)) = v.split_once(' ') {
            if scheme.eq_ignore_ascii_case("bearer") {
                return Some((token.trim().to_owned(), false));
            }
        }
    }
    cookie_value(headers, SESSION_COOKIE).map(|token| (token, true))
}

/// The session token of a request, if it carries one (log-out needs no live session).
pub fn raw_token(headers: &HeaderMap) -> Option<String> {
    token_of(headers).map(|(t, _)| t)
}

fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A state change authenticated by the cookie: the CSRF header with its fixed value, and,
/// where the browser says where the request comes from, the site's own origin.
/// `Sec-Fetch-Site` (set by the browser, not by page scripts) must be `same-origin`; else an
/// `Origin` header must be the site's. A client that sends neither is no browser, so no
/// cross-site form.
pub fn csrf_check(headers: &HeaderMap, site_origin: &str) -> Result<(), Error> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if header(CSRF_HEADER) != Some(CSRF_VALUE) {
        return Err(Error::CsrfCheckFailed);
    }
    if let Some(site) = header("sec-fetch-site") {
        return if site.eq_ignore_ascii_case("same-origin") {
            Ok(())
        } else {
            Err(Error::CsrfCheckFailed)
        };
    }
    match header(header::ORIGIN.as_str()) {
        Some(origin) if crate::config::origin_of(origin).as_deref() != Some(site_origin) => {
            Err(Error::CsrfCheckFailed)
        }
        _ => Ok(()),
    }
}

/// Whether this request authenticates by the cookie (no bearer token), and so needs the
/// CSRF check for a state change.
pub fn uses_cookie(headers: &HeaderMap) -> bool {
    token_of(headers).is_some_and(|(_, from_cookie)| from_cookie)
}

/// The address the request comes from: CloudFront's viewer address when the request proves
/// it came through the distribution; else the source API Gateway saw; else the connection's
/// peer (the dev server).
pub fn source_address(parts: &Parts, origin_verify: Option<&str>) -> Option<std::net::IpAddr> {
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let (Some(secret), Some(given)) = (origin_verify, header(ORIGIN_VERIFY_HEADER)) {
        if crate::credentials::same_secret(secret.as_bytes(), given.as_bytes()) {
            if let Some(ip) = header(VIEWER_ADDRESS_HEADER).and_then(parse_viewer_address) {
                return Some(ip);
            }
        }
    }
    match parts.extensions.get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(ctx)) => {
            ctx.http.source_ip.as_deref().and_then(|s| s.parse().ok())
        }
        _ => parts.extensions.get::<PeerAddr>().map(|p| p.0),
    }
}

/// `CloudFront-Viewer-Address` is `<ip>:<port>`, an IPv6 address unbracketed.
fn parse_viewer_address(v: &str) -> Option<std::net::IpAddr> {
    let (ip, port) = v.trim().rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.trim_matches(['[', ']']).parse().ok()
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

/// Who is trying a password: source address and device cookie (R-ACCT-7).
pub struct LoginClient(pub Client);

impl FromRequestParts<App> for LoginClient {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        Ok(LoginClient(Client {
            source: source_address(parts, app.settings.origin_verify_secret.as_deref()),
            device_cookie: cookie_value(&parts.headers, DEVICE_COOKIE),
        }))
    }
}

/// The logged-in patron, whatever kind of session: only the password change and log-out
/// take this (R-ACCT-3).
pub struct AnySession(pub Caller);

impl FromRequestParts<App> for AnySession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        let (token, from_cookie) = token_of(&parts.headers).ok_or(Error::Unauthenticated)?;
        if from_cookie && changes_state(&parts.method) {
            csrf_check(&parts.headers, &app.settings.site_origin)?;
        }
        Ok(AnySession(sessions::authenticate(app, &token).await?))
    }
}

/// The logged-in patron with their own password set: every other /api/me route.
pub struct Patron(pub Caller);

impl FromRequestParts<App> for Patron {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        let AnySession(caller) = AnySession::from_request_parts(parts, app).await?;
        Ok(Patron(caller.require_own_password()?))
    }
}

/// Library staff.
pub struct Staff;

impl FromRequestParts<App> for Staff {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        let allowed = match &app.settings.staff_api_key {
            Some(key) => {
                let given = parts
                    .headers
                    .get(STAFF_KEY_HEADER)
                    .map(|v| v.as_bytes())
                    .unwrap_or_default();
                bool::from(given.ct_eq(key.as_bytes()))
            }
            None => matches!(
                parts.extensions.get::<RequestContext>(),
                Some(RequestContext::ApiGatewayV2(ctx))
                    if ctx.authorizer.as_ref().is_some_and(|a| a.iam.is_some())
            ),
        };
        if allowed {
            Ok(Staff)
        } else {
            Err(Error::StaffOnly)
        }
    }
}

/// The id API Gateway gave the request, else the caller's `X-Request-Id`.
pub fn request_id<B>(req: &Request<B>) -> Option<String> {
    match req.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(64).collect()),
    }
}

/// A cookie only the API is sent and no script can read.
fn api_cookie(name: &'static str, value: &str, max_age: cookie::time::Duration) -> String {
    Cookie::build((name, value.to_owned()))
        .path("/api")
        .max_age(max_age)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .build()
        .to_string()
}

/// The session cookie: the website's copy of the token.
pub fn session_cookie(token: &str, max_age_seconds: i64) -> String {
    api_cookie(
        SESSION_COOKIE,
        token,
        cookie::time::Duration::seconds(max_age_seconds),
    )
}

pub fn cleared_session_cookie() -> String {
    session_cookie("", 0)
}

/// The device cookie (R-ACCT-7).
pub fn device_cookie(value: &str, max_age_days: i64) -> String {
    api_cookie(
        DEVICE_COOKIE,
        value,
        cookie::time::Duration::days(max_age_days),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in headers {
            m.append(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn r_acct_8_the_bearer_scheme_is_case_insensitive_and_the_cookie_is_found_among_others() {
        assert_eq!(
            token_of(&parts(&[("authorization", "Bearer abc")])),
            Some(("abc".into(), false))
        );
        assert_eq!(
            token_of(&parts(&[("authorization", "bearer abc")])),
            Some(("abc".into(), false))
        );
        assert_eq!(
            token_of(&parts(&[(
                "cookie",
                "theme=dark; mypage_session=xyz; lang=ja"
            )])),
            Some(("xyz".into(), true))
        );
        assert_eq!(token_of(&parts(&[("cookie", "mypage_session=")])), None);
        assert_eq!(token_of(&parts(&[("authorization", "Basic abc")])), None);
    }

    /// ASVS 5.0 V3.5.1 (CSRF defence for cookie-authenticated state changes).
    #[test]
    fn csrf_needs_the_fixed_header_value_and_the_sites_own_origin() {
        let site = "https://www.library.example.jp";
        let csrf = ("x-mypage-csrf", "1");
        for (headers, passes) in [
            (vec![csrf], true),
            (vec![], false),
            (vec![("x-mypage-csrf", "")], false),
            (vec![("x-mypage-csrf", "yes")], false),
            (vec![csrf, ("sec-fetch-site", "same-origin")], true),
            (vec![csrf, ("sec-fetch-site", "same-site")], false),
            (vec![csrf, ("sec-fetch-site", "cross-site")], false),
            (vec![csrf, ("origin", site)], true),
            (vec![csrf, ("origin", "https://evil.example")], false),
            (vec![csrf, ("origin", "null")], false),
        ] {
            let answer = csrf_check(&parts(&headers), site);
            assert_eq!(answer.is_ok(), passes, "{headers:?}");
        }
    }

    #[test]
    fn the_viewer_address_is_an_ip_and_a_port() {
        assert_eq!(
            parse_viewer_address("198.51.100.10:46532"),
            Some("198.51.100.10".parse().unwrap())
        );
        assert_eq!(
            parse_viewer_address("2001:db8::1:46532"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(parse_viewer_address("nonsense"), None);
    }

    #[test]
    fn r_acct_8_the_session_cookie_is_httponly_secure_strict() {
        let c = session_cookie("tok", 60);
        for attr in [
            "mypage_session=tok",
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/api",
            "Max-Age=60",
        ] {
            assert!(c.contains(attr), "{c}");
        }
        assert!(cleared_session_cookie().contains("Max-Age=0"));
    }
}
