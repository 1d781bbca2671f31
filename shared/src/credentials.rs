//! Secrets: Argon2id password hashes (R-ACCT-5), temporary passwords (R-ACCT-2) and the
//! random parts of tokens. CPU-heavy hashing runs on a blocking thread (see `app::blocking`).

use crate::domain::types::{NewPassword, PasswordAttempt};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Argon2id with the OWASP parameters (m = 19456 KiB, t = 2, p = 1).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("OWASP Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC-format Argon2id hash. CPU-heavy: call from a blocking thread.
pub fn hash_password(plain: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(plain.as_bytes(), &salt)
        .expect("hashing with valid parameters cannot fail")
        .to_string()
}

/// Hashes a password that passed the rules.
pub fn hash_password_for(p: &NewPassword) -> String {
    hash_password(p.expose())
}

/// Verifies against a stored hash; with `None` (unknown card) it verifies against a dummy
/// hash so that an unknown card costs the same time as a wrong password.
pub fn verify_password(stored: Option<&str>, attempt: &PasswordAttempt) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (
            DUMMY
                .get_or_init(|| hash_password("dummy-password-never-matches-1"))
                .as_str(),
            false,
        ),
    };
    let ok = PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(attempt.expose().as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}

/// A random single-use temporary password (R-ACCT-2, R-ACCT-5): 10 characters without
/// look-alikes (0/O, 1/l/I), always mixing letters and digits so it passes R-ACCT-4 itself.
pub fn generate_temporary_password() -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rngs::OsRng;
    let mut chars: Vec<u8> = (0..8)
        .map(|_| {
            let pool = if rng.gen_bool(0.7) { LETTERS } else { DIGITS };
            pool[rng.gen_range(0..pool.len())]
        })
        .collect();
    chars.push(LETTERS[rng.gen_range(0..LETTERS.len())]);
    chars.push(DIGITS[rng.gen_range(0..DIGITS.len())]);
    chars.shuffle(&mut rng);
    String::from_utf8(chars).expect("ASCII")
}

/// `bytes` random bytes from the operating system, URL-safe base64 without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256, hex: how a token's secret is stored (never the token itself).
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// HMAC-SHA256 of `parts` (joined by NUL) under `key`, with `label` first so that one key
/// serves several purposes without one's MAC standing in for another's.
pub fn keyed_mac(key: &[u8], label: &str, parts: &[&str]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    for p in parts {
        mac.update(b"\0");
        mac.update(p.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

/// A short keyed hash, hex: how a source address is stored and logged (never in clear).
pub fn keyed_hash(key: &[u8], label: &str, value: &str) -> String {
    hex::encode(&keyed_mac(key, label, &[value])[..16])
}

/// Constant-time equality of two MACs (or any two secrets).
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_acct_5_hash_is_argon2id_and_compared_exactly() {
        let h = hash_password("Tosho2026x");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let attempt = |s: &str| PasswordAttempt::new(s.into()).unwrap();
        assert!(verify_password(Some(&h), &attempt("Tosho2026x")));
        assert!(!verify_password(Some(&h), &attempt("tosho2026x")));
        assert!(!verify_password(Some(&h), &attempt("Tosho2026")));
        assert!(!verify_password(Some(&h), &attempt("Tosho2026x ")));
        assert!(!verify_password(
            None,
            &attempt("dummy-password-never-matches-1")
        ));
        assert!(!verify_password(Some("not a hash"), &attempt("x")));
    }

    #[test]
    fn r_acct_5_temporary_passwords_are_random_and_valid() {
        let a = generate_temporary_password();
        let b = generate_temporary_password();
        assert_ne!(a, b);
        for _ in 0..200 {
            let t = generate_temporary_password();
            assert_eq!(t.len(), 10);
            assert!(
                t.chars().any(|c| c.is_ascii_digit()) && t.chars().any(|c| c.is_ascii_alphabetic())
            );
            assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }
}
