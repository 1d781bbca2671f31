//! The catalog: titles and their physical copies (R-DESK-1), and the one place a copy's
//! state changes, which keeps the title's shelf count in step.

use super::dates::japan_date;
use super::types::{Barcode, BibId, CardNumber, HoldId, LoanId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Title {
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub subjects: Vec<String>,
    pub added_at: DateTime<Utc>,
    /// Japan-time date of `added_at`, the key of new-arrival look-ups.
    pub added_on: NaiveDate,
    pub(in crate::domain) copies: u32,
    /// The copies on the shelf, by barcode: a hold that resumes while one is there takes it.
    pub(in crate::domain) shelf: Vec<Barcode>,
    /// The current loans of its copies, each with the "someone else is waiting" fact as that
    /// loan carries it, so a change to the queue knows which loans it must update
    /// (`domain::loan::sync_waiting`).
    #[serde(default)]
    pub(in crate::domain) loans: Vec<LoanOfTitle>,
    /// Waiting holds, first come first served (R-HOLD-8). Ready holds have left the queue.
    /// Kept by `domain::hold`.
    pub(in crate::domain) queue: Vec<QueuedHold>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanOfTitle {
    pub card_number: CardNumber,
    pub loan_id: LoanId,
    /// As the loan itself has it (`Loan::others_waiting`).
    pub others_waiting: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedHold {
    pub hold_id: HoldId,
    pub card_number: CardNumber,
    /// The hold's own dates, copied here so a check-in can pass over it (R-HOLD-11, -12).
    #[serde(default)]
    pub suspended_until: Option<NaiveDate>,
    #[serde(default)]
    pub not_needed_after: Option<NaiveDate>,
}

impl Title {
    /// R-DESK-1: a title added to the catalog at `now`, with no copies yet.
    pub fn catalogue(
        bib_id: BibId,
        title: String,
        author: String,
        subjects: Vec<String>,
        now: DateTime<Utc>,
    ) -> Title {
        Title {
            bib_id,
            title,
            author,
            subjects,
            added_at: now,
            added_on: japan_date(now),
            copies: 0,
            shelf: Vec::new(),
            loans: Vec::new(),
            queue: Vec::new(),
            version: 0,
        }
    }

    pub fn copies(&self) -> u32 {
        self.copies
    }
    pub fn on_shelf(&self) -> u32 {
        self.shelf.len() as u32
    }
    /// A copy on the shelf, if any.
    pub fn shelf_copy(&self) -> Option<&Barcode> {
        self.shelf.first()
    }
    pub fn queue(&self) -> &[QueuedHold] {
        &self.queue
    }
    pub fn waiting_holds(&self) -> u32 {
        self.queue.len() as u32
    }
    /// 1 = next in line.
    pub fn queue_position(&self, hold: &HoldId) -> Option<u32> {
        self.queue
            .iter()
            .position(|q| &q.hold_id == hold)
            .map(|i| i as u32 + 1)
    }
    pub fn loans(&self) -> &[LoanOfTitle] {
        &self.loans
    }
    /// R-RENEW-3: is someone other than `card` waiting for this title? Suspended holds wait
    /// too (they keep their place in the queue).
    pub fn has_waiting_hold_by_other_than(&self, card: &CardNumber) -> bool {
        self.queue.iter().any(|q| &q.card_number != card)
    }
}

/// One physical copy of a title, named by its barcode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhysicalCopy {
    pub barcode: Barcode,
    pub bib_id: BibId,
    pub(in crate::domain) state: CopyState,
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

impl PhysicalCopy {
    pub fn state(&self) -> &CopyState {
        &self.state
    }
}

/// A count that disagrees with the records it counts: stored data has drifted (the store
/// checker reports how). The operation stops rather than hide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stored counts disagree: {0}")]
pub struct Inconsistent(pub &'static str);

/// How a copy's state moves the title's shelf list: the one rule for `shelf`.
fn reshelve(
    title: &mut Title,
    barcode: &Barcode,
    from: Option<&CopyState>,
    to: &CopyState,
) -> Result<(), Inconsistent> {
    if from == Some(&CopyState::OnShelf) {
        let at = title
            .shelf
            .iter()
            .position(|b| b == barcode)
            .ok_or(Inconsistent(
                "a copy on the shelf that its title does not list",
            ))?;
        title.shelf.remove(at);
    }
    if *to == CopyState::OnShelf {
        title.shelf.push(barcode.clone());
    }
    if let Some(CopyState::OnLoan { loan_id, .. }) = from {
        title.loans.retain(|l| &l.loan_id != loan_id);
    }
    if let CopyState::OnLoan {
        card_number,
        loan_id,
    } = to
    {
        title.loans.push(LoanOfTitle {
            card_number: card_number.clone(),
            loan_id: loan_id.clone(),
            others_waiting: title.has_waiting_hold_by_other_than(card_number),
        });
    }
    Ok(())
}

/// A new copy of `title`, counted on it, put where `to` says.
pub(in crate::domain) fn new_copy(
    title: &mut Title,
    barcode: Barcode,
    to: CopyState,
) -> Result<PhysicalCopy, Inconsistent> {
    reshelve(title, &barcode, None, &to)?;
    title.copies += 1;
    Ok(PhysicalCopy {
        barcode,
        bib_id: title.bib_id.clone(),
        state: to,
        version: 0,
    })
}

/// The one place an existing copy's state changes.
pub(in crate::domain) fn move_copy(
    title: &mut Title,
    copy: &mut PhysicalCopy,
    to: CopyState,
) -> Result<(), Inconsistent> {
    reshelve(title, &copy.barcode, Some(&copy.state), &to)?;
    copy.state = to;
    Ok(())
}
