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
    /// Readings in kana (ヨミ), for search (R-FIND-1); empty when not given.
    #[serde(default)]
    pub title_reading: String,
    #[serde(default)]
    pub author_reading: String,
    pub added_at: DateTime<Utc>,
    /// Japan-time date of `added_at`, the key of new-arrival look-ups.
    pub added_on: NaiveDate,
    pub(in crate::domain) copies: u32,
    pub(in crate::domain) on_shelf: u32,
    /// Waiting holds, first come first served (R-HOLD-8). Ready holds have left the queue.
    /// Kept by `domain::hold`.
    pub(in crate::domain) queue: Vec<QueuedHold>,
    /// Its search postings are not all written yet (R-FIND-2): set when catalogued, cleared
    /// by `domain::search::mark_indexed` once they are. A record stored without it is taken
    /// to be waiting, so that the re-index covers it.
    #[serde(default = "waiting_for_index")]
    pub(in crate::domain) search_pending: bool,
    #[serde(default)]
    pub version: u64,
}

fn waiting_for_index() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedHold {
    pub hold_id: HoldId,
    pub card_number: CardNumber,
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
            title_reading: String::new(),
            author_reading: String::new(),
            added_at: now,
            added_on: japan_date(now),
            copies: 0,
            on_shelf: 0,
            queue: Vec::new(),
            search_pending: true,
            version: 0,
        }
    }

    /// The same title with its readings (R-FIND-1).
    pub fn read_as(mut self, title_reading: String, author_reading: String) -> Title {
        self.title_reading = title_reading;
        self.author_reading = author_reading;
        self
    }

    /// Its search postings are not all written yet.
    pub fn search_pending(&self) -> bool {
        self.search_pending
    }

    pub fn copies(&self) -> u32 {
        self.copies
    }
    pub fn on_shelf(&self) -> u32 {
        self.on_shelf
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
    /// R-RENEW-3: is someone other than `card` waiting for this title?
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

/// How a copy's state moves the title's shelf count: the one rule for `on_shelf`.
fn recount_shelf(
    title: &mut Title,
    from: Option<&CopyState>,
    to: &CopyState,
) -> Result<(), Inconsistent> {
    if from == Some(&CopyState::OnShelf) {
        title.on_shelf = title.on_shelf.checked_sub(1).ok_or(Inconsistent(
            "a copy on the shelf that its title does not count",
        ))?;
    }
    if *to == CopyState::OnShelf {
        title.on_shelf += 1;
    }
    Ok(())
}

/// A new copy of `title`, counted on it, put where `to` says.
pub(in crate::domain) fn new_copy(
    title: &mut Title,
    barcode: Barcode,
    to: CopyState,
) -> Result<PhysicalCopy, Inconsistent> {
    recount_shelf(title, None, &to)?;
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
    recount_shelf(title, Some(&copy.state), &to)?;
    copy.state = to;
    Ok(())
}
