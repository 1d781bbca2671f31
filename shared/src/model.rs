//! The records the library keeps. Each carries a `version` that the store bumps on every
//! write: operations read, decide with `rules`, and commit on "nothing changed since".

use crate::types::{Barcode, BibId, CardNumber, EmailAddress, HoldId, InterestTerms, LoanId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patron {
    pub card_number: CardNumber,
    pub name: String,
    pub email: Option<EmailAddress>,
    /// Lives, studies or works in the prefecture (R-EBOOK-1), recorded by staff.
    pub ebook_eligible: bool,
    /// None until the counter issues a temporary password (R-ACCT-2).
    pub password: Option<Credential>,
    /// Bumped on every password change; sessions of an older version are dead (R-ACCT-8).
    pub credential_version: u32,
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    /// Waiting and ready holds, web and counter together (R-HOLD-2).
    pub active_holds: u32,
    pub notifications: NotificationSettings,
    pub registered_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    /// Argon2id PHC string.
    pub hash: String,
    /// Issued at the counter: logs in only to the password-change step (R-ACCT-3).
    pub temporary: bool,
    /// A temporary password expires if never used (R-ACCT-5).
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub due_reminder: bool,
    pub new_arrivals: NewArrivalSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewArrivalSettings {
    pub enabled: bool,
    #[serde(default)]
    pub authors: InterestTerms,
    #[serde(default)]
    pub subjects: InterestTerms,
    #[serde(default)]
    pub keywords: InterestTerms,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub card_number: CardNumber,
    /// SHA-256 of the token's secret part, hex. The token itself is never stored.
    pub token_hash: String,
    pub temporary: bool,
    pub credential_version: u32,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Title {
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub subjects: Vec<String>,
    pub added_at: DateTime<Utc>,
    /// Japan-time date of `added_at`, the key of new-arrival look-ups.
    pub added_on: NaiveDate,
    pub copies: u32,
    pub on_shelf: u32,
    /// Waiting holds, first come first served (R-HOLD-8). Ready holds have left the queue.
    pub queue: Vec<QueuedHold>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedHold {
    pub hold_id: HoldId,
    pub card_number: CardNumber,
}

impl Title {
    pub fn queue_position(&self, hold: &HoldId) -> Option<u32> {
        self.queue
            .iter()
            .position(|q| &q.hold_id == hold)
            .map(|i| i as u32 + 1)
    }
    pub fn has_waiting_hold_by_other_than(&self, card: &CardNumber) -> bool {
        self.queue.iter().any(|q| &q.card_number != card)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Copy {
    pub barcode: Barcode,
    pub bib_id: BibId,
    pub state: CopyState,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CopyState {
    OnShelf,
    OnLoan {
        card_number: CardNumber,
        loan_id: LoanId,
    },
    /// Kept at the counter for a ready hold (R-HOLD-6).
    HeldForPickup {
        card_number: CardNumber,
        hold_id: HoldId,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loan {
    pub loan_id: LoanId,
    pub card_number: CardNumber,
    pub barcode: Barcode,
    pub bib_id: BibId,
    /// Denormalised at checkout so the loan list is one read.
    pub title: String,
    pub author: String,
    pub checked_out_on: NaiveDate,
    pub due_date: NaiveDate,
    pub renewals: u32,
    /// Borrowed from another library (R-RENEW-4).
    pub interlibrary: bool,
    /// The due date a reminder was last sent for (R-MAIL-1: never twice for one due date).
    pub reminded_for: Option<NaiveDate>,
    /// Where the due-date reminder goes: set while the patron has signed up and has an
    /// address, kept in step with the patron's settings, so that the reminder job reads
    /// only the loans due (ACCESS-PATTERNS #10) and never the patrons.
    #[serde(default)]
    pub reminder: Option<ReminderContact>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderContact {
    pub email: EmailAddress,
    pub name: String,
}

impl Patron {
    /// The contact for due-date reminders, if the patron wants them and can receive them.
    pub fn reminder_contact(&self) -> Option<ReminderContact> {
        match (&self.email, self.notifications.due_reminder) {
            (Some(email), true) => Some(ReminderContact {
                email: email.clone(),
                name: self.name.clone(),
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyBy {
    /// 不要: nobody contacts the patron; My Page shows the state.
    None,
    /// メール: an email when the hold is ready (R-HOLD-7).
    Email,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub hold_id: HoldId,
    pub card_number: CardNumber,
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub placed_at: DateTime<Utc>,
    pub notify: NotifyBy,
    pub state: HoldState,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum HoldState {
    Waiting,
    /// 準備ができました: a copy is kept for the patron until `pickup_deadline` (R-HOLD-6).
    Ready {
        ready_on: NaiveDate,
        pickup_deadline: NaiveDate,
        barcode: Barcode,
    },
}

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

/// A title announced (or being announced) to a patron (R-MAIL-2: at most once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Announcement {
    pub card_number: CardNumber,
    pub bib_id: BibId,
    pub state: ClaimState,
    #[serde(default)]
    pub version: u64,
}

/// Progress of a scheduled job (the new-arrivals watermark).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobState {
    pub job: String,
    pub watermark: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}
