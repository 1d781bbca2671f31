use serde::{Deserialize, Serialize};

/// A patron's list of authors, subjects or keywords for new-arrival alerts (R-MAIL-2):
/// at most 20 entries, each 1 to 100 characters, trimmed, no duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct InterestTerms(Vec<String>);

pub const MAX_TERMS: usize = 20;
pub const MAX_TERM_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTerms {
    #[error("at most {MAX_TERMS} entries")]
    TooMany,
    #[error("each entry is 1 to {MAX_TERM_CHARS} characters")]
    BadLength,
    #[error("entries may not contain control characters")]
    ControlCharacter,
}

impl InterestTerms {
    pub fn parse(raw: Vec<String>) -> Result<Self, InvalidTerms> {
        if raw.len() > MAX_TERMS {
            return Err(InvalidTerms::TooMany);
        }
        let mut out: Vec<String> = Vec::with_capacity(raw.len());
        for t in raw {
            let t = t.trim();
            let n = t.chars().count();
            if n == 0 || n > MAX_TERM_CHARS {
                return Err(InvalidTerms::BadLength);
            }
            if t.chars().any(char::is_control) {
                return Err(InvalidTerms::ControlCharacter);
            }
            if !out.iter().any(|o| o == t) {
                out.push(t.to_owned());
            }
        }
        Ok(InterestTerms(out))
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<Vec<String>> for InterestTerms {
    type Error = InvalidTerms;
    fn try_from(v: Vec<String>) -> Result<Self, InvalidTerms> {
        InterestTerms::parse(v)
    }
}

impl From<InterestTerms> for Vec<String> {
    fn from(t: InterestTerms) -> Vec<String> {
        t.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_mail_2_terms_are_bounded() {
        assert!(InterestTerms::parse(vec!["村上春樹".into(); 1]).is_ok());
        assert_eq!(
            InterestTerms::parse(vec!["a".into(); 21]),
            Err(InvalidTerms::TooMany)
        );
        assert_eq!(
            InterestTerms::parse(vec!["  ".into()]),
            Err(InvalidTerms::BadLength)
        );
        assert_eq!(
            InterestTerms::parse(vec!["字".repeat(101)]),
            Err(InvalidTerms::BadLength)
        );
        assert!(InterestTerms::parse(vec!["字".repeat(100)]).is_ok());
        assert_eq!(
            InterestTerms::parse(vec!["a\u{0}b".into()]),
            Err(InvalidTerms::ControlCharacter)
        );
    }

    #[test]
    fn duplicates_and_padding_are_dropped() {
        let t = InterestTerms::parse(vec![" 歴史 ".into(), "歴史".into()]).unwrap();
        assert_eq!(t.iter().collect::<Vec<_>>(), vec!["歴史"]);
    }
}
