//! R-EBOOK-1: the e-book and audiobook service, for those who live, study or work in the
//! prefecture. Eligible patrons get a launch URL carrying a short-lived signed token; the
//! token names the patron by a keyed pseudonym, never by card number.

use super::sessions::Caller;
use super::App;
use crate::error::Error;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

#[derive(Debug, Serialize)]
pub struct EbookAccess {
    pub launch_url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    iat: i64,
    exp: i64,
    nonce: String,
}

fn mac(secret: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>, Error> {
    let mut m =
        Hmac::<Sha256>::new_from_slice(secret).map_err(|e| Error::Internal(e.to_string()))?;
    for p in parts {
        m.update(p);
    }
    Ok(m.finalize().into_bytes().to_vec())
}

pub fn launch(app: &App, caller: &Caller) -> Result<EbookAccess, Error> {
    if !caller.account.patron.ebook_eligible {
        return Err(Error::NotEligible);
    }
    let cfg = &app.config.ebooks;
    let secret = cfg
        .signing_secret
        .as_deref()
        .ok_or_else(|| Error::Internal("EBOOK_SIGNING_SECRET is not configured".into()))?;
    let now = app.clock.now();
    let expires_at = now + Duration::seconds(app.policy().ebook_token_seconds.min(300));
    let pseudonym =
        hex::encode(&mac(secret, &[b"patron:", caller.card().as_str().as_bytes()])?[..16]);
    let nonce = hex::encode(rand::random::<[u8; 12]>());
    let claims = Claims {
        sub: &pseudonym,
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
        nonce,
    };
    let payload = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&claims).map_err(|e| Error::Internal(e.to_string()))?);
    let signature = URL_SAFE_NO_PAD.encode(mac(secret, &[payload.as_bytes()])?);
    let sep = if cfg.launch_url.contains('?') {
        '&'
    } else {
        '?'
    };
    Ok(EbookAccess {
        launch_url: format!("{}{sep}token={payload}.{signature}", cfg.launch_url),
        expires_at,
    })
}

/// Checks a token as the e-book service would: signature and expiry. Returns the pseudonym.
pub fn verify_token(secret: &[u8], token: &str, now: DateTime<Utc>) -> Option<String> {
    let (payload, signature) = token.split_once('.')?;
    let given = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut check = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    check.update(payload.as_bytes());
    check.verify_slice(&given).ok()?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    (claims["exp"].as_i64()? > now.timestamp())
        .then(|| claims["sub"].as_str().map(str::to_owned))?
}
