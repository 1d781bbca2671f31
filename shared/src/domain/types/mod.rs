//! Types that can only hold valid values: each has one `parse`, the only way to build it.

mod card;
mod email;
mod ids;
mod password;
mod terms;
mod text;

pub use card::{CardNumber, InvalidCardNumber};
pub use email::{EmailAddress, InvalidEmail};
pub use ids::{Barcode, BibId, EntryId, HoldId, InvalidId, LoanId, SessionId};
pub use password::{NewPassword, PasswordAttempt, WeakPassword};
pub use terms::{InterestTerms, InvalidTerms};
pub use text::{
    AuthorName, ClosureReason, InvalidText, PatronName, Subject, Subjects, Text, TitleName,
    TooManySubjects,
};

/// NFKC, lower case, no white space: how a librarian compares names and words
/// ("村上 春樹" = "村上春樹", "ＡＢＣ" = "abc").
pub fn fold_for_matching(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold_for_matching;

    #[test]
    fn folding_ignores_width_case_and_spaces() {
        assert_eq!(
            fold_for_matching("村上 春樹"),
            fold_for_matching("村上春樹")
        );
        assert_eq!(fold_for_matching("村上　春樹"), "村上春樹"); // ideographic space
        assert_eq!(fold_for_matching("ＡＢＣ ｄｅｆ"), "abcdef");
        assert_eq!(fold_for_matching("ﾊﾙｷ"), fold_for_matching("ハルキ")); // half-width kana
        assert_ne!(fold_for_matching("村上"), fold_for_matching("春樹"));
    }
}
