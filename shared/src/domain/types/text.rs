//! Text typed in at the counter: names, titles, authors, subjects. Trimmed, bounded, no
//! control characters.

use super::checked::{CheckedText, TextRule};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `MIN` to `MAX` characters after trimming, without control characters.
pub type Text<const MIN: usize, const MAX: usize> = CheckedText<CounterText<MIN, MAX>>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("text is {min} to {max} characters without control characters")]
pub struct InvalidText {
    pub min: usize,
    pub max: usize,
}

/// The rule of `Text`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CounterText<const MIN: usize, const MAX: usize>;

impl<const MIN: usize, const MAX: usize> TextRule for CounterText<MIN, MAX> {
    type Invalid = InvalidText;

    fn check(raw: &str) -> Result<String, InvalidText> {
        let v = raw.trim();
        let n = v.chars().count();
        if n < MIN || n > MAX || v.chars().any(char::is_control) {
            return Err(InvalidText { min: MIN, max: MAX });
        }
        Ok(v.to_owned())
    }

    fn debug(text: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{text:?}")
    }
}

/// Empty text, for the kinds that allow it (`MIN` = 0).
impl<const MAX: usize> Default for Text<0, MAX> {
    fn default() -> Self {
        Text::accepted(String::new())
    }
}

/// A patron's name as registered at the counter.
pub type PatronName = Text<1, 100>;
/// A title's name in the catalog.
pub type TitleName = Text<1, 500>;
/// A title's author (may be empty: anonymous works).
pub type AuthorName = Text<0, 200>;
/// One subject heading.
pub type Subject = Text<1, 100>;
/// Why the library is closed on a date (R-CAL-1), as staff enter it.
pub type ClosureReason = Text<1, 50>;
/// A title's reading in kana (ヨミ), for search; may be empty.
pub type TitleReading = Text<0, 500>;
/// An author's reading in kana; may be empty.
pub type AuthorReading = Text<0, 200>;

/// A title's subject headings: at most 20.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Subject>", into = "Vec<Subject>")]
pub struct Subjects(Vec<Subject>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at most {MAX_SUBJECTS} subjects")]
pub struct TooManySubjects;

pub const MAX_SUBJECTS: usize = 20;

impl TryFrom<Vec<Subject>> for Subjects {
    type Error = TooManySubjects;
    fn try_from(v: Vec<Subject>) -> Result<Self, TooManySubjects> {
        if v.len() > MAX_SUBJECTS {
            Err(TooManySubjects)
        } else {
            Ok(Subjects(v))
        }
    }
}

impl From<Subjects> for Vec<Subject> {
    fn from(s: Subjects) -> Vec<Subject> {
        s.0
    }
}

impl Subjects {
    pub fn into_strings(self) -> Vec<String> {
        self.0.into_iter().map(Text::into_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_desk_1_counter_text_is_trimmed_and_bounded() {
        assert_eq!(
            PatronName::parse("  山田 花子 ").unwrap().as_str(),
            "山田 花子"
        );
        assert!(PatronName::parse("").is_err());
        assert!(PatronName::parse("   ").is_err());
        assert!(PatronName::parse(&"字".repeat(100)).is_ok());
        assert!(PatronName::parse(&"字".repeat(101)).is_err());
        assert!(PatronName::parse("a\u{7}b").is_err());
        assert!(AuthorName::parse("").is_ok());
        let many: Vec<Subject> = (0..21)
            .map(|i| Subject::parse(&i.to_string()).unwrap())
            .collect();
        assert_eq!(Subjects::try_from(many), Err(TooManySubjects));
        assert!(serde_json::from_str::<PatronName>("\"\"").is_err());
    }
}
