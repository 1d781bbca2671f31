use super::checked::{CheckedText, TextRule};
use std::fmt;

/// A library card's barcode number, the login ID: 6 to 14 ASCII digits (R-ACCT-1).
/// Full-width digits typed by a patron are accepted and normalised.
pub type CardNumber = CheckedText<CardDigits>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a card number is 6 to 14 digits")]
pub struct InvalidCardNumber;

/// The rule of `CardNumber`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardDigits;

impl TextRule for CardDigits {
    type Invalid = InvalidCardNumber;

    fn check(raw: &str) -> Result<String, InvalidCardNumber> {
        let digits: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                _ => c,
            })
            .collect();
        if (6..=14).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(digits)
        } else {
            Err(InvalidCardNumber)
        }
    }

    /// Debug output masks the number: card numbers identify a patron's reading record (R-ACCT-8).
    fn debug(number: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = &number[number.len() - 2..];
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
