use serde::{Deserialize, Serialize};
use std::fmt;

/// A library card's barcode number, the login ID: 6 to 14 ASCII digits (R-ACCT-1).
/// Full-width digits typed by a patron are accepted and normalised.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a card number is 6 to 14 digits")]
pub struct InvalidCardNumber;

impl CardNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidCardNumber> {
        let digits: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                _ => c,
            })
            .collect();
        if (6..=14).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(CardNumber(digits))
        } else {
            Err(InvalidCardNumber)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CardNumber {
    type Error = InvalidCardNumber;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CardNumber::parse(&s)
    }
}

impl From<CardNumber> for String {
    fn from(c: CardNumber) -> String {
        c.0
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug output masks the number: card numbers identify a patron's reading record (R-ACCT-8).
impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = &self.0[self.0.len() - 2..];
        write!(f, "CardNumber(****{tail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_acct_1_six_to_fourteen_digits() {
        assert!(CardNumber::parse("123456").is_ok());
        assert!(CardNumber::parse("12345678901234").is_ok());
        assert_eq!(CardNumber::parse("12345"), Err(InvalidCardNumber));
        assert_eq!(CardNumber::parse("123456789012345"), Err(InvalidCardNumber));
        assert_eq!(CardNumber::parse("12345a"), Err(InvalidCardNumber));
        assert_eq!(CardNumber::parse(""), Err(InvalidCardNumber));
        assert_eq!(CardNumber::parse("123 456"), Err(InvalidCardNumber));
        assert_eq!(CardNumber::parse("-123456"), Err(InvalidCardNumber));
        assert_eq!(CardNumber::parse("١٢٣٤٥٦"), Err(InvalidCardNumber)); // other scripts' digits
    }

    #[test]
    fn r_acct_1_full_width_digits_are_normalised() {
        assert_eq!(
            CardNumber::parse("１２３４５６７８").unwrap().as_str(),
            "12345678"
        );
        assert_eq!(
            CardNumber::parse(" 1234５６７８ ").unwrap().as_str(),
            "12345678"
        );
    }

    #[test]
    fn debug_does_not_print_the_number() {
        let c = CardNumber::parse("10000001").unwrap();
        assert!(!format!("{c:?}").contains("10000001"));
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<CardNumber>("\"1234\"").is_err());
        assert_eq!(
            serde_json::from_str::<CardNumber>("\"123456\"")
                .unwrap()
                .as_str(),
            "123456"
        );
    }
}
