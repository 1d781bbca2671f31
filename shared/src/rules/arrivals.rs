//! R-MAIL-2: does a new title match what a patron asked to hear about?

use crate::model::{NewArrivalSettings, Title};
use crate::types::fold_for_matching;

/// Authors match the title's author, subjects its subjects, keywords its title, author or
/// subjects; all compared as a librarian would (width, case and spaces ignored).
pub fn matches(settings: &NewArrivalSettings, title: &Title) -> bool {
    if !settings.enabled {
        return false;
    }
    let author = fold_for_matching(&title.author);
    let name = fold_for_matching(&title.title);
    let subjects: Vec<String> = title
        .subjects
        .iter()
        .map(|s| fold_for_matching(s))
        .collect();
    let contains = |hay: &str, term: &str| !term.is_empty() && hay.contains(term);
    settings
        .authors
        .iter()
        .map(fold_for_matching)
        .any(|a| contains(&author, &a))
        || settings
            .subjects
            .iter()
            .map(fold_for_matching)
            .any(|s| subjects.iter().any(|x| contains(x, &s)))
        || settings.keywords.iter().map(fold_for_matching).any(|k| {
            contains(&name, &k) || contains(&author, &k) || subjects.iter().any(|x| contains(x, &k))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{BibId, InterestTerms};

    fn title(name: &str, author: &str, subjects: &[&str]) -> Title {
        Title {
            bib_id: BibId::parse("B1").unwrap(),
            title: name.into(),
            author: author.into(),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            added_at: "2026-12-01T00:00:00Z".parse().unwrap(),
            added_on: "2026-12-01".parse().unwrap(),
            copies: 1,
            on_shelf: 1,
            queue: vec![],
            version: 1,
        }
    }
    fn terms(v: &[&str]) -> InterestTerms {
        InterestTerms::parse(v.iter().map(|s| s.to_string()).collect()).unwrap()
    }
    fn settings(authors: &[&str], subjects: &[&str], keywords: &[&str]) -> NewArrivalSettings {
        NewArrivalSettings {
            enabled: true,
            authors: terms(authors),
            subjects: terms(subjects),
            keywords: terms(keywords),
        }
    }

    #[test]
    fn r_mail_2_author_names_match_with_or_without_spaces() {
        let t = title("街とその不確かな壁", "村上春樹", &["日本文学"]);
        assert!(matches(&settings(&["村上 春樹"], &[], &[]), &t));
        assert!(matches(&settings(&["村上　春樹"], &[], &[]), &t));
        assert!(!matches(&settings(&["村上龍"], &[], &[]), &t));
        let spaced = title("x", "村上 春樹 著", &[]);
        assert!(matches(&settings(&["村上春樹"], &[], &[]), &spaced));
    }

    #[test]
    fn r_mail_2_width_and_case_are_ignored() {
        let t = title("ＰＹＴＨＯＮ入門", "Guido van Rossum", &["プログラミング"]);
        assert!(matches(&settings(&[], &[], &["python"]), &t));
        assert!(matches(&settings(&["GUIDO VAN ROSSUM"], &[], &[]), &t));
        assert!(matches(&settings(&[], &["ﾌﾟﾛｸﾞﾗﾐﾝｸﾞ"], &[]), &t));
    }

    #[test]
    fn r_mail_2_subjects_and_keywords() {
        let t = title("京都の庭園", "重森三玲", &["日本庭園", "京都"]);
        assert!(matches(&settings(&[], &["庭園"], &[]), &t));
        assert!(matches(&settings(&[], &[], &["京都"]), &t));
        assert!(!matches(&settings(&[], &["歴史"], &["大阪"]), &t));
        // A subject term is looked up in subjects only, not the title.
        assert!(!matches(&settings(&[], &["の庭"], &[]), &t));
    }

    #[test]
    fn r_mail_2_nothing_when_switched_off() {
        let t = title("京都の庭園", "重森三玲", &["京都"]);
        let mut s = settings(&[], &[], &["京都"]);
        s.enabled = false;
        assert!(!matches(&s, &t));
        assert!(!matches(&settings(&[], &[], &[]), &t));
    }
}
