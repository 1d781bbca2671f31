//! Types that can only hold valid values: each has one `parse`, the only way to build it.

mod card;
mod checked;
mod email;
mod ids;
mod password;
mod terms;
mod text;

pub use card::{CardDigits, CardNumber, InvalidCardNumber};
pub use checked::{CheckedText, TextRule};
pub use email::{EmailAddress, InvalidEmail, PlainAddress};
pub use ids::{Barcode, BibId, EntryId, HoldId, InvalidId, LoanId, SessionId};
pub use password::{NewPassword, PasswordAttempt, WeakPassword};
pub use terms::{InterestTerms, InvalidTerms};
pub use text::{
    AuthorName, AuthorReading, ClosureReason, CounterText, InvalidText, PatronName, Subject,
    Subjects, Text, TitleName, TitleReading, TooManySubjects,
};

/// How a librarian compares names and words (R-FIND-1, R-MAIL-2): NFKC, lower case,
/// katakana as hiragana (the long vowel mark ー stays), and no white space, `・` or `＝`
/// (which NFKC makes `=`): "村上 春樹" = "村上春樹", "ＡＢＣ" = "abc", "ムラカミ" = "むらかみ",
/// "ミヒャエル・エンデ" = "ミヒャエルエンデ". Control characters go too.
pub fn fold_for_matching(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '・' | '='))
        .map(hiragana)
        .collect()
}

/// Katakana ァ..ヶ as the hiragana of the same sound.
fn hiragana(c: char) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
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
        assert_eq!(fold_for_matching("ムラカミ"), fold_for_matching("むらかみ"));
        assert_eq!(fold_for_matching("ﾐﾋｬｴﾙ･ｴﾝﾃﾞ"), "みひゃえるえんで");
        assert_eq!(fold_for_matching("ラーメン"), "らーめん");
    }
}
