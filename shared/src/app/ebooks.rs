//! R-EBOOK-1: the e-book and audiobook service, for those who live, study or work in the
//! prefecture. Eligible patrons get a launch URL carrying a short-lived JWT (RFC 7519, HS256)
//! that the vendor verifies with any JWT library; it names the patron by a keyed pseudonym,
//! never by card number. The claims are described in docs/api.md.

use super::sessions::Caller;
use super::App;
use crate::error::Error;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug)]
pub struct EbookAccess {
    pub launch_url: String,
    pub expires_at: DateTime<Utc>,
}

/// Who the token is from and for.
pub const ISSUER: &str = "mypage";
pub const AUDIENCE: &str = "ebook-service";

/// The launch token's claims.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LaunchClaims {
    pub iss: String,
    pub aud: String,
    /// The patron's pseudonym: stable for one patron and one secret, unlinkable to the card.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// Unique per token, so the vendor can refuse a replay.
    pub jti: String,
}

/// A pseudonym for the patron: the first 128 bits of HMAC-SHA256(secret, "patron:" + card).
fn pseudonym(secret: &[u8], card: &str) -> Result<String, Error> {
    let mut m =
        Hmac::<Sha256>::new_from_slice(secret).map_err(|e| Error::Internal(e.to_string()))?;
    m.update(b"patron:");
    m.update(card.as_bytes());
    Ok(hex::encode(&m.finalize().into_bytes()[..16]))
}

pub fn launch(app: &App, caller: &Caller) -> Result<EbookAccess, Error> {
    if !caller.account.patron.ebook_eligible {
        return Err(Error::NotEligible);
    }
    let cfg = &app.settings.ebooks;
    let secret = cfg
        .signing_secret
        .as_deref()
        .ok_or_else(|| Error::Internal("the e-book signing secret is not configured".into()))?;
    let now = app.clock.now();
    let expires_at = now + Duration::seconds(app.policy().ebook_token_seconds.min(300));
    let claims = LaunchClaims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: pseudonym(secret, caller.card().as_str())?,
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
        jti: crate::credentials::random_token(16),
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|e| Error::Internal(format!("signing the launch token: {e}")))?;
    let sep = if cfg.launch_url.contains('?') {
        '&'
    } else {
        '?'
    };
    Ok(EbookAccess {
        launch_url: format!("{}{sep}token={token}", cfg.launch_url),
        expires_at,
    })
}

/// Checks a token as the e-book service would: signature, issuer, audience and expiry at
/// `now`. Returns the claims.
pub fn verify_token(secret: &[u8], token: &str, now: DateTime<Utc>) -> Option<LaunchClaims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    // Expiry is checked below against the given instant, not the system clock.
    v.validate_exp = false;
    v.leeway = 0;
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data =
        jsonwebtoken::decode::<LaunchClaims>(token, &DecodingKey::from_secret(secret), &v).ok()?;
    (data.claims.exp > now.timestamp()).then_some(data.claims)
}
