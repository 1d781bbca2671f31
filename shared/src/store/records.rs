use crate::model::{Announcement, Copy, Hold, JobState, Loan, MailClaim, Patron, Session, Title};
use crate::types::{Barcode, BibId, CardNumber, LoanId};
use serde::{Deserialize, Serialize};

/// Where a record lives. `storage_key` gives the (partition, sort) pair both adapters use:
/// a patron's profile, sessions, loans and holds share the partition `PATRON#<card>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Patron(CardNumber),
    Session(CardNumber, String),
    Loan(CardNumber, LoanId),
    /// A patron holds a title at most once (R-HOLD-8), so the title names the hold.
    Hold(CardNumber, BibId),
    Title(BibId),
    Copy(Barcode),
    MailClaim(String, CardNumber),
    Announcement(CardNumber, BibId),
    Job(String),
}

pub const PATRON_PREFIX: &str = "PATRON#";

impl Key {
    pub fn storage_key(&self) -> (String, String) {
        match self {
            Key::Patron(c) => (format!("{PATRON_PREFIX}{c}"), "PROFILE".into()),
            Key::Session(c, h) => (format!("{PATRON_PREFIX}{c}"), format!("SESSION#{h}")),
            Key::Loan(c, l) => (format!("{PATRON_PREFIX}{c}"), format!("LOAN#{l}")),
            Key::Hold(c, b) => (format!("{PATRON_PREFIX}{c}"), format!("HOLD#{b}")),
            Key::Title(b) => (format!("TITLE#{b}"), "TITLE".into()),
            Key::Copy(b) => (format!("COPY#{b}"), "COPY".into()),
            Key::MailClaim(job, c) => (format!("CLAIM#{job}"), c.to_string()),
            Key::Announcement(c, b) => (format!("ANNOUNCED#{c}"), b.to_string()),
            Key::Job(j) => (format!("JOB#{j}"), "STATE".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Patron(Patron),
    Session(Session),
    Loan(Loan),
    Hold(Hold),
    Title(Title),
    Copy(Copy),
    MailClaim(MailClaim),
    Announcement(Announcement),
    Job(JobState),
}

macro_rules! record_kinds {
    ($($variant:ident($ty:ty) => $into:ident),* $(,)?) => {
        $(
            impl From<$ty> for Record {
                fn from(v: $ty) -> Record { Record::$variant(v) }
            }
        )*
        impl Record {
            $(
                pub fn $into(self) -> Option<$ty> {
                    match self { Record::$variant(v) => Some(v), _ => None }
                }
            )*
            pub fn version(&self) -> u64 {
                match self { $(Record::$variant(v) => v.version,)* }
            }
            pub fn set_version(&mut self, version: u64) {
                match self { $(Record::$variant(v) => v.version = version,)* }
            }
        }
    };
}

record_kinds! {
    Patron(Patron) => into_patron,
    Session(Session) => into_session,
    Loan(Loan) => into_loan,
    Hold(Hold) => into_hold,
    Title(Title) => into_title,
    Copy(Copy) => into_copy,
    MailClaim(MailClaim) => into_mail_claim,
    Announcement(Announcement) => into_announcement,
    Job(JobState) => into_job,
}

impl Record {
    pub fn key(&self) -> Key {
        match self {
            Record::Patron(p) => Key::Patron(p.card_number.clone()),
            Record::Session(s) => Key::Session(s.card_number.clone(), s.token_hash.clone()),
            Record::Loan(l) => Key::Loan(l.card_number.clone(), l.loan_id.clone()),
            Record::Hold(h) => Key::Hold(h.card_number.clone(), h.bib_id.clone()),
            Record::Title(t) => Key::Title(t.bib_id.clone()),
            Record::Copy(c) => Key::Copy(c.barcode.clone()),
            Record::MailClaim(m) => Key::MailClaim(m.job.clone(), m.card_number.clone()),
            Record::Announcement(a) => Key::Announcement(a.card_number.clone(), a.bib_id.clone()),
            Record::Job(j) => Key::Job(j.job.clone()),
        }
    }
}
