use crate::domain::policy::Policy;
use crate::domain::types::CardNumber;
use std::fmt;

/// What a patron typed into the login form. Never validated against the password rules
/// (an old password must still log in), only bounded so hashing cannot be abused.
#[derive(Clone)]
pub struct PasswordAttempt(String);

impl PasswordAttempt {
    pub const MAX_LEN: usize = 1024;

    pub fn new(raw: String) -> Option<Self> {
        (!raw.is_empty() && raw.len() <= Self::MAX_LEN).then_some(PasswordAttempt(raw))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordAttempt(***)")
    }
}

/// A password a patron chose, checked against R-ACCT-4 and R-ACCT-5.
#[derive(Clone)]
pub struct NewPassword(String);

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the password must be at least {0} characters")]
    TooShort(usize),
    #[error("the password must be at most {0} characters")]
    TooLong(usize),
    #[error("the password may use only half-width letters and digits")]
    NotAlphanumeric,
    #[error("the password must mix letters and digits")]
    NeedsLettersAndDigits,
    #[error("the password must differ from the card number")]
    SameAsCardNumber,
    #[error("the password must differ from the current one")]
    SameAsCurrent,
    #[error("this password is too commonly used")]
    TooCommon,
}

impl NewPassword {
    /// R-ACCT-4: ASCII letters and digits, both present, at least `password_min_len`.
    /// R-ACCT-5: at most `password_max_len`, not the card number, not a common password.
    /// Compared exactly: no trimming, no case folding.
    pub fn parse(raw: &str, card: &CardNumber, policy: &Policy) -> Result<Self, WeakPassword> {
        let len = raw.chars().count();
        if !raw.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(WeakPassword::NotAlphanumeric);
        }
        if len < policy.password_min_len {
            return Err(WeakPassword::TooShort(policy.password_min_len));
        }
        if len > policy.password_max_len {
            return Err(WeakPassword::TooLong(policy.password_max_len));
        }
        if !(raw.chars().any(|c| c.is_ascii_alphabetic())
            && raw.chars().any(|c| c.is_ascii_digit()))
        {
            return Err(WeakPassword::NeedsLettersAndDigits);
        }
        if raw.contains(card.as_str()) {
            return Err(WeakPassword::SameAsCardNumber);
        }
        if is_common(raw, card) {
            return Err(WeakPassword::TooCommon);
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Common means: guessable in under 10^3 tries, or found whole in zxcvbn's list of frequent
/// passwords (which also catches keyboard walks like "qwerty123").
fn is_common(raw: &str, card: &CardNumber) -> bool {
    let entropy = zxcvbn::zxcvbn(raw, &[card.as_str()]);
    if entropy.score() == zxcvbn::Score::Zero {
        return true;
    }
    match entropy.sequence() {
        [only] => matches!(&only.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
            if format!("{:?}", d.dictionary_name) == "Passwords"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{card, CARD};

    fn parse(s: &str) -> Result<NewPassword, WeakPassword> {
        NewPassword::parse(s, &card(CARD), &Policy::default())
    }

    #[test]
    fn r_acct_4_letters_and_digits_both_present_at_least_six() {
        assert!(parse("tosho7").is_ok());
        assert!(parse("Kyoto2026lib").is_ok());
        for (weak, why) in [
            ("abc12", WeakPassword::TooShort(6)),
            ("abcdefgh", WeakPassword::NeedsLettersAndDigits),
            ("73915682", WeakPassword::NeedsLettersAndDigits),
            ("tosho 77", WeakPassword::NotAlphanumeric),
            ("tosho_77", WeakPassword::NotAlphanumeric),
            ("ｔｏｓｈｏ７７", WeakPassword::NotAlphanumeric), // full-width
            ("図書館2026ab", WeakPassword::NotAlphanumeric),
        ] {
            assert_eq!(parse(weak).unwrap_err(), why, "{weak}");
        }
    }

    #[test]
    fn r_acct_5_upper_bound_card_number_and_common_passwords() {
        assert!(parse(&format!("a1{}", "x".repeat(62))).is_ok());
        assert_eq!(
            parse(&format!("a1{}", "x".repeat(63))).unwrap_err(),
            WeakPassword::TooLong(64)
        );
        assert_eq!(
            parse("10000001a").unwrap_err(),
            WeakPassword::SameAsCardNumber
        );
        for common in [
            "abc123",
            "password1",
            "qwerty123",
            "letmein1",
            "1q2w3e4r",
            "abcd1234",
        ] {
            assert_eq!(
                parse(common).unwrap_err(),
                WeakPassword::TooCommon,
                "{common}"
            );
        }
    }

    #[test]
    fn attempts_are_bounded_and_never_printed() {
        assert!(PasswordAttempt::new(String::new()).is_none());
        assert!(PasswordAttempt::new("x".repeat(1025)).is_none());
        let a = PasswordAttempt::new("secret1".into()).unwrap();
        assert!(!format!("{a:?}").contains("secret1"));
    }
}
