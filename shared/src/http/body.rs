//! Response bodies that more than one function answers with. They are the API's shapes
//! (openapi.yaml), built from the domain, never the stored records themselves.

use crate::app::holds::HoldStatus;
use crate::domain::types::{BibId, HoldId};
use crate::domain::{HoldNotice, HoldState, Standing, Title};
use chrono::NaiveDate;
use serde::Serialize;

/// A title and its availability: the catalog, and the counter's answer when adding one.
#[derive(Debug, Serialize)]
pub struct TitleBody {
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub subjects: Vec<String>,
    pub added_on: NaiveDate,
    pub copies: u32,
    pub available: u32,
    pub waiting_holds: u32,
}

impl From<&Title> for TitleBody {
    fn from(t: &Title) -> Self {
        TitleBody {
            bib_id: t.bib_id.clone(),
            title: t.title.clone(),
            author: t.author.clone(),
            subjects: t.subjects.clone(),
            added_on: t.added_on,
            copies: t.copies(),
            available: t.on_shelf(),
            waiting_holds: t.waiting_holds(),
        }
    }
}

/// A hold: the patron's list, and the answer to placing one (patron or counter).
#[derive(Debug, Serialize)]
pub struct HoldBody {
    pub hold_id: HoldId,
    pub bib_id: BibId,
    pub title: String,
    /// `waiting`, `suspended` or `ready`
    pub status: &'static str,
    pub queue_position: Option<u32>,
    pub ready_on: Option<NaiveDate>,
    pub pickup_deadline: Option<NaiveDate>,
    pub notify: HoldNotice,
    pub cancellable: bool,
    pub suspended_until: Option<NaiveDate>,
    pub not_needed_after: Option<NaiveDate>,
    /// An estimate (R-HOLD-14), while waiting.
    pub estimated_ready_on: Option<NaiveDate>,
}

impl From<&HoldStatus> for HoldBody {
    fn from(s: &HoldStatus) -> Self {
        let h = &s.hold;
        let (ready_on, pickup_deadline) = match h.state() {
            HoldState::Waiting => (None, None),
            HoldState::Ready {
                ready_on,
                pickup_deadline,
                ..
            } => (Some(*ready_on), Some(*pickup_deadline)),
        };
        let status = match s.standing {
            Standing::Waiting => "waiting",
            Standing::Suspended => "suspended",
            Standing::Ready => "ready",
        };
        HoldBody {
            hold_id: h.hold_id.clone(),
            bib_id: h.bib_id.clone(),
            title: h.title.clone(),
            status,
            queue_position: s.queue_position,
            ready_on,
            pickup_deadline,
            notify: h.notify,
            cancellable: s.cancellable,
            suspended_until: (s.standing == Standing::Suspended)
                .then(|| h.suspended_until())
                .flatten(),
            not_needed_after: h.not_needed_after(),
            estimated_ready_on: s.estimated_ready_on,
        }
    }
}
