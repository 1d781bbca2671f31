use super::checked::{CheckedText, TextRule};
use std::fmt;

/// An email address a patron registered (R-ACCT-6). Deliberately plain: one `@`, a dotted
/// domain, no spaces or control characters, at most 254 characters.
pub type EmailAddress = CheckedText<PlainAddress>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct InvalidEmail;

/// The rule of `EmailAddress`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlainAddress;

impl TextRule for PlainAddress {
    type Invalid = InvalidEmail;

    fn check(raw: &str) -> Result<String, InvalidEmail> {
        let s = raw.trim();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidEmail);
        }
        let (local, domain) = s.split_once('@').ok_or(InvalidEmail)?;
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if labels_ok && local_ok {
            Ok(format!("{local}@{}", domain.to_lowercase()))
        } else {
            Err(InvalidEmail)
        }
    }

    /// Masked in logs and debug output.
    fn debug(address: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = address.split_once('@').map(|(_, d)| d).unwrap_or("");
        write!(f, "EmailAddress(***@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_acct_6_plain_addresses_parse() {
        assert_eq!(
            EmailAddress::parse(" Hanako@Example.JP ").unwrap().as_str(),
            "Hanako@example.jp"
        );
        assert!(EmailAddress::parse("a.b+tag@mail.example.co.jp").is_ok());
    }

    #[test]
    fn r_acct_6_malformed_addresses_are_refused() {
        for bad in [
            "",
            "no-at",
            "@example.jp",
            "a@",
            "a@localhost",
            "a b@example.jp",
            "a@@example.jp",
            "a@example..jp",
            ".a@example.jp",
            "a..b@example.jp",
            "a@-x.jp",
            "a@exa\nmple.jp",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(InvalidEmail), "{bad:?}");
        }
        assert!(EmailAddress::parse(&format!("{}@example.jp", "a".repeat(65))).is_err());
    }
}
