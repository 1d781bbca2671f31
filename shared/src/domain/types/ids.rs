use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is 1 to 32 characters of A-Z a-z 0-9 -")]
pub struct InvalidId {
    pub what: &'static str,
}

fn valid_catalog_id(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

macro_rules! catalog_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                if valid_catalog_id(raw) { Ok($name(raw.to_owned())) } else { Err(InvalidId { what: $what }) }
            }
            pub fn as_str(&self) -> &str { &self.0 }
        }
        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> { $name::parse(&s) }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String { v.0 }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
    };
}

catalog_id!(
    /// A title in the catalog (書誌 ID).
    BibId, "bib_id"
);
catalog_id!(
    /// One physical copy of a title.
    Barcode, "barcode"
);
catalog_id!(
    /// A loan, chosen by the server (opaque to clients).
    LoanId, "loan_id"
);
catalog_id!(
    /// A hold, chosen by the server (opaque to clients).
    HoldId, "hold_id"
);
catalog_id!(
    /// A reading-history entry, chosen by the server (opaque to clients). Entries of one
    /// patron sort by it in the order they were recorded (R-HIST-1).
    EntryId, "entry_id"
);
catalog_id!(
    /// A session as its patron sees it in the session list (R-ACCT-9): random, never the
    /// token nor anything derived from it.
    SessionId, "session_id"
);

/// 128 random bits, as 26 characters of lower-case base32: ids no one can guess or enumerate.
fn random_id() -> String {
    use rand::RngCore;
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 17];
    rand::thread_rng().fill_bytes(&mut bytes[..16]);
    let mut out = String::with_capacity(26);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in &bytes[..16] {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

impl LoanId {
    pub fn generate() -> Self {
        LoanId(format!("L-{}", random_id()))
    }
}

impl HoldId {
    pub fn generate() -> Self {
        HoldId(format!("H-{}", random_id()))
    }
}

impl EntryId {
    /// An id that sorts after every id generated at an earlier instant: the milliseconds of
    /// `at`, then 60 random bits for entries recorded in the same millisecond.
    pub fn generate(at: chrono::DateTime<chrono::Utc>) -> Self {
        let millis = at.timestamp_millis().clamp(0, 9_999_999_999_999);
        EntryId(format!("E{millis:013}-{}", &random_id()[..12]))
    }
}

impl SessionId {
    pub fn generate() -> Self {
        SessionId(format!("S-{}", random_id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_follow_the_api_alphabet() {
        assert!(BibId::parse("BIB-0001").is_ok());
        assert!(Barcode::parse(&"9".repeat(32)).is_ok());
        assert!(Barcode::parse(&"9".repeat(33)).is_err());
        assert!(BibId::parse("").is_err());
        assert!(BibId::parse("a b").is_err());
        assert!(BibId::parse("本").is_err());
        assert!(BibId::parse("../x").is_err());
    }

    #[test]
    fn generated_ids_are_valid_and_distinct() {
        let a = LoanId::generate();
        let b = LoanId::generate();
        assert_ne!(a, b);
        assert!(LoanId::parse(a.as_str()).is_ok());
        assert_eq!(HoldId::generate().as_str().len(), 28);
        assert!(SessionId::parse(SessionId::generate().as_str()).is_ok());
    }

    #[test]
    fn r_hist_1_entry_ids_sort_in_the_order_they_were_recorded() {
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        let a = EntryId::generate(at("2026-12-01T01:00:00Z"));
        let b = EntryId::generate(at("2026-12-01T01:00:00.001Z"));
        let c = EntryId::generate(at("2027-01-01T00:00:00Z"));
        assert!(a < b && b < c);
        assert!(EntryId::parse(c.as_str()).is_ok());
    }
}
