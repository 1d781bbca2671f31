//! Who is asking. Patrons send their session token as `Authorization: Bearer <token>` or as
//! the HttpOnly session cookie; a state change made with the cookie must also carry the CSRF
//! header, which a cross-site form cannot set (on top of SameSite=Strict). Staff routes are
//! behind IAM authorization at API Gateway; where a staff key is configured (locally, in
//! tests) the `X-Staff-Key` header must carry it. No patron token opens a staff route.

use crate::app::sessions::{self, Caller};
use crate::error::Error;
use crate::App;
use axum::extract::FromRequestParts;
use cookie::{Cookie, SameSite};
use http::request::Parts;
use http::{header, HeaderMap, Method, Request};
use lambda_http::request::RequestContext;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "mypage_session";
pub const CSRF_HEADER: &str = "x-mypage-csrf";
pub const STAFF_KEY_HEADER: &str = "x-staff-key";

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
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE && !c.value().is_empty())
        .map(|c| (c.value().to_owned(), true))
}

/// The session token of a request, if it carries one (log-out needs no live session).
pub fn raw_token(headers: &HeaderMap) -> Option<String> {
    token_of(headers).map(|(t, _)| t)
}

fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The logged-in patron, whatever kind of session: only the password change and log-out
/// take this (R-ACCT-3).
pub struct AnySession(pub Caller);

impl FromRequestParts<App> for AnySession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Error> {
        let (token, from_cookie) = token_of(&parts.headers).ok_or(Error::Unauthenticated)?;
        if from_cookie && changes_state(&parts.method) && !parts.headers.contains_key(CSRF_HEADER) {
            return Err(Error::CsrfCheckFailed);
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

/// The session cookie: the website's copy of the token, out of reach of scripts.
pub fn session_cookie(token: &str, max_age_seconds: i64) -> String {
    Cookie::build((SESSION_COOKIE, token.to_owned()))
        .path("/api")
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .build()
        .to_string()
}

pub fn cleared_session_cookie() -> String {
    session_cookie("", 0)
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
