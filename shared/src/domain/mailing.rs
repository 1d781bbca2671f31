//! The mail jobs' records (R-MAIL-1, R-MAIL-2): a run's claim on a patron, the titles
//! announced to a patron, a job's watermark; and what a new title must match to be announced.
//!
//! A patron is claimed before being mailed (a record another run cannot also create), and
//! what was mailed is recorded after the send succeeds; a claim whose run died is taken
//! over once its lease has passed.

use super::catalog::Title;
use super::patron::NewArrivalSettings;
use super::types::{fold_for_matching, BibId, CardNumber};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long a claim keeps other runs away from a patron before it counts as abandoned.
const CLAIM_LEASE_MINUTES: i64 = 15;

/// A mail job's claim on one patron, so that two runs never mail the same patron at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailClaim {
    /// e.g. `due:2026-12-03` or `new-arrivals`.
    pub job: String,
    pub card_number: CardNumber,
    pub state: ClaimState,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClaimState {
    Sending { lease_until: DateTime<Utc> },
    Sent { at: DateTime<Utc> },
}

impl ClaimState {
    pub fn lease(now: DateTime<Utc>) -> ClaimState {
        ClaimState::Sending {
            lease_until: now + Duration::minutes(CLAIM_LEASE_MINUTES),
        }
    }
    /// A run is sending under this claim now.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        matches!(self, ClaimState::Sending { lease_until } if *lease_until > now)
    }
    /// A run took this claim and never finished: another may take it over.
    pub fn is_abandoned(&self, now: DateTime<Utc>) -> bool {
        matches!(self, ClaimState::Sending { .. }) && !self.is_live(now)
    }
}

impl MailClaim {
    pub fn new(job: &str, card_number: &CardNumber, now: DateTime<Utc>) -> MailClaim {
        MailClaim {
            job: job.to_owned(),
            card_number: card_number.clone(),
            state: ClaimState::lease(now),
            version: 0,
        }
    }
    /// A finished or abandoned claim, taken for this run; None while another run holds it.
    pub fn take_over(&self, now: DateTime<Utc>) -> Option<MailClaim> {
        (!self.state.is_live(now)).then(|| MailClaim {
            state: ClaimState::lease(now),
            ..self.clone()
        })
    }
    pub fn sent(&self, now: DateTime<Utc>) -> MailClaim {
        MailClaim {
            state: ClaimState::Sent { at: now },
            ..self.clone()
        }
    }
}

/// A title announced (or being announced) to a patron (R-MAIL-2: at most once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Announcement {
    pub card_number: CardNumber,
    pub bib_id: BibId,
    pub state: ClaimState,
    #[serde(default)]
    pub version: u64,
}

impl Announcement {
    pub fn new(card_number: &CardNumber, bib_id: &BibId, now: DateTime<Utc>) -> Announcement {
        Announcement {
            card_number: card_number.clone(),
            bib_id: bib_id.clone(),
            state: ClaimState::lease(now),
            version: 0,
        }
    }
    pub fn sent(&self, now: DateTime<Utc>) -> Announcement {
        Announcement {
            state: ClaimState::Sent { at: now },
            ..self.clone()
        }
    }
}

/// Progress of a scheduled job (the new-arrivals watermark).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobState {
    pub job: String,
    pub watermark: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// R-MAIL-2: does a new title match what a patron asked to hear about? Authors match the
/// title's author, subjects its subjects, keywords its title, author or subjects; all
/// compared as a librarian would (width, case and spaces ignored).
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
    use crate::domain::types::{BibId, InterestTerms};

    fn title(name: &str, author: &str, subjects: &[&str]) -> Title {
        Title {
            bib_id: BibId::parse("B1").unwrap(),
            title: name.into(),
            author: author.into(),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            added_at: "2026-12-01T00:00:00Z".parse().unwrap(),
            added_on: "2026-12-01".parse().unwrap(),
            copies: 1,
            shelf: vec![],
            loans: vec![],
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
