//! The facts that must hold between records whatever happened: derived counts and queues
//! agree with what they count, copies and loans and ready holds point at each other, and
//! nothing is left without its owner. The property tests check them after every step; the
//! store checker checks them on a whole table.

use super::catalog::CopyState;
use super::hold::HoldState;
use super::loan::reminder_contact;
use super::record::{Key, Record};
use super::types::{BibId, CardNumber};
use super::{HistoryEntry, Hold, Loan, Patron, PhysicalCopy, Policy, Title};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One broken fact about one record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    pub key: Key,
    pub fact: &'static str,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {} ({})", self.key, self.fact, self.detail)
    }
}

/// How long past its expiry a record with a time-to-live may still be seen (DynamoDB deletes
/// expired items within days, not at once).
const TTL_GRACE_DAYS: i64 = 3;

#[derive(Default)]
struct Library<'a> {
    patrons: BTreeMap<&'a CardNumber, &'a Patron>,
    titles: BTreeMap<&'a BibId, &'a Title>,
    copies: Vec<&'a PhysicalCopy>,
    loans: Vec<&'a Loan>,
    holds: Vec<&'a Hold>,
    history: Vec<&'a HistoryEntry>,
}

/// Every violation among `records` (a whole store's worth), in key order, under the default
/// policy.
pub fn check(records: &[Record], now: DateTime<Utc>) -> Vec<Violation> {
    check_with(records, now, &Policy::default())
}

/// Every violation among `records` under `policy` (the bounds it sets, e.g. the cart size).
pub fn check_with(records: &[Record], now: DateTime<Utc>, policy: &Policy) -> Vec<Violation> {
    let mut lib = Library::default();
    let mut out = Vec::new();
    let mut flag =
        |key: Key, fact: &'static str, detail: String| out.push(Violation { key, fact, detail });
    let grace = Duration::days(TTL_GRACE_DAYS);
    for r in records {
        match r {
            Record::Patron(p) => {
                lib.patrons.insert(&p.card_number, p);
            }
            Record::Title(t) => {
                lib.titles.insert(&t.bib_id, t);
            }
            Record::Copy(c) => lib.copies.push(c),
            Record::Loan(l) => lib.loans.push(l),
            Record::Hold(h) => lib.holds.push(h),
            Record::HistoryEntry(e) => lib.history.push(e),
            Record::HoldCart(c) if c.items.len() > policy.hold_cart_max as usize => flag(
                r.key(),
                "hold cart over its size",
                format!("{} titles", c.items.len()),
            ),
            _ => {}
        }
        // A record past its time to live (and the days DynamoDB may take to remove it) is
        // a leftover: the store's expiry is not set, or not working.
        if let Some(at) = r.expires_at().filter(|at| *at + grace < now) {
            let fact = match r {
                Record::Session(_) => "expired session not removed",
                _ => "expired record not removed",
            };
            flag(r.key(), fact, format!("expired {at}"));
        }
    }
    for r in records {
        let key = r.key();
        // A login guard needs no patron: a card nobody holds is guarded too (R-ACCT-7).
        let owner = match &key {
            Key::MailClaim(_, c) => Some(c),
            other => other.owner(),
        };
        if let Some(card) = owner {
            if !lib.patrons.contains_key(card) {
                flag(r.key(), "belongs to no patron", String::new());
            }
        }
    }
    for (card, p) in &lib.patrons {
        let holds = lib.holds.iter().filter(|h| &h.card_number == *card).count() as u32;
        if p.active_holds != holds {
            flag(
                Key::Patron((*card).clone()),
                "active-hold count",
                format!("counts {}, has {holds}", p.active_holds),
            );
        }
    }
    for (bib, t) in &lib.titles {
        let key = || Key::Title((*bib).clone());
        let copies: Vec<_> = lib.copies.iter().filter(|c| &c.bib_id == *bib).collect();
        if t.copies != copies.len() as u32 {
            flag(
                key(),
                "copy count",
                format!("counts {}, has {}", t.copies, copies.len()),
            );
        }
        let on_shelf: BTreeSet<_> = copies
            .iter()
            .filter(|c| c.state == CopyState::OnShelf)
            .map(|c| &c.barcode)
            .collect();
        let listed: BTreeSet<_> = t.shelf.iter().collect();
        if listed != on_shelf || listed.len() != t.shelf.len() {
            flag(
                key(),
                "shelf list",
                format!("lists {}, has {}", t.shelf.len(), on_shelf.len()),
            );
        }
        let mut waiting: Vec<&&Hold> = lib
            .holds
            .iter()
            .filter(|h| &h.bib_id == *bib && h.state == HoldState::Waiting)
            .collect();
        waiting.sort_by_key(|h| h.placed_at);
        let queued: BTreeSet<_> = t
            .queue
            .iter()
            .map(|q| (&q.card_number, &q.hold_id))
            .collect();
        let held: BTreeSet<_> = waiting
            .iter()
            .map(|h| (&h.card_number, &h.hold_id))
            .collect();
        if queued != held || queued.len() != t.queue.len() {
            flag(
                key(),
                "queue vs waiting holds",
                format!("queue {}, waiting {}", t.queue.len(), waiting.len()),
            );
        } else {
            let order_ok = t.queue.windows(2).all(|w| {
                let at = |id| {
                    waiting
                        .iter()
                        .find(|h| h.hold_id == id)
                        .map(|h| h.placed_at)
                };
                at(w[0].hold_id.clone()) <= at(w[1].hold_id.clone())
            });
            if !order_ok {
                flag(key(), "queue order", "not first come, first served".into());
            }
            let dates_ok = t.queue.iter().all(|q| {
                waiting.iter().any(|h| {
                    h.hold_id == q.hold_id
                        && h.suspended_until == q.suspended_until
                        && h.not_needed_after == q.not_needed_after
                })
            });
            if !dates_ok {
                flag(key(), "queue dates vs the holds' own", String::new());
            }
        }
        let stray = t
            .loans
            .iter()
            .filter(|e| {
                !lib.loans
                    .iter()
                    .any(|l| l.loan_id == e.loan_id && l.card_number == e.card_number)
            })
            .count();
        if stray > 0 {
            flag(key(), "lists loans that do not exist", format!("{stray}"));
        }
    }
    for c in &lib.copies {
        let key = || Key::Copy(c.barcode.clone());
        if !lib.titles.contains_key(&c.bib_id) {
            flag(key(), "copy of no title", c.bib_id.to_string());
        }
        match &c.state {
            CopyState::OnShelf => {}
            CopyState::OnLoan {
                card_number,
                loan_id,
            } => {
                let found = lib.loans.iter().any(|l| {
                    &l.card_number == card_number && &l.loan_id == loan_id && l.barcode == c.barcode
                });
                if !found {
                    flag(key(), "on loan without its loan", loan_id.to_string());
                }
            }
            CopyState::HeldForPickup {
                card_number,
                hold_id,
            } => {
                let found = lib.holds.iter().any(|h| {
                    &h.card_number == card_number
                        && &h.hold_id == hold_id
                        && matches!(&h.state, HoldState::Ready { barcode, .. } if *barcode == c.barcode)
                });
                if !found {
                    flag(
                        key(),
                        "held for a hold that is not ready for it",
                        hold_id.to_string(),
                    );
                }
            }
        }
    }
    for l in &lib.loans {
        let key = || Key::Loan(l.card_number.clone(), l.loan_id.clone());
        let copy_agrees = lib.copies.iter().any(|c| {
            c.barcode == l.barcode
                && matches!(&c.state, CopyState::OnLoan { loan_id, .. } if *loan_id == l.loan_id)
        });
        if !copy_agrees {
            flag(
                key(),
                "loan whose copy is not on loan for it",
                l.barcode.to_string(),
            );
        }
        match lib.titles.get(&l.bib_id) {
            None => flag(key(), "loan of no title", l.bib_id.to_string()),
            Some(t) => {
                let waiting = t.has_waiting_hold_by_other_than(&l.card_number);
                if l.others_waiting != waiting {
                    flag(
                        key(),
                        "waiting fact vs the title's queue",
                        format!("loan says {}", l.others_waiting),
                    );
                }
                let listed = t
                    .loans
                    .iter()
                    .find(|e| e.loan_id == l.loan_id && e.card_number == l.card_number);
                match listed {
                    None => flag(key(), "loan its title does not list", String::new()),
                    Some(e) if e.others_waiting != l.others_waiting => {
                        flag(key(), "the title's copy of the waiting fact", String::new())
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(p) = lib.patrons.get(&l.card_number) {
            if l.reminder != reminder_contact(p) {
                flag(
                    key(),
                    "reminder contact vs the patron's settings",
                    String::new(),
                );
            }
        }
    }
    for h in &lib.holds {
        let key = || Key::Hold(h.card_number.clone(), h.bib_id.clone());
        if !lib.titles.contains_key(&h.bib_id) {
            flag(key(), "hold on no title", h.bib_id.to_string());
        }
        if h.suspended_until.is_some() && h.state != HoldState::Waiting {
            flag(key(), "a ready hold that is suspended", String::new());
        }
        if let HoldState::Ready { barcode, .. } = &h.state {
            let kept = lib.copies.iter().any(|c| {
                &c.barcode == barcode
                    && matches!(&c.state, CopyState::HeldForPickup { hold_id, .. } if *hold_id == h.hold_id)
            });
            if !kept {
                flag(
                    key(),
                    "ready hold whose copy is not kept for it",
                    barcode.to_string(),
                );
            }
        }
    }
    // R-HIST-1: an entry is in the history its patron keeps now, or waits for the purge
    // that turning it off (or deleting it all) began. Never a history the patron does not keep.
    for e in &lib.history {
        let Some(p) = lib.patrons.get(&e.card_number) else {
            continue; // reported above as belonging to no patron
        };
        let h = p.reading_history;
        let key = || Key::HistoryEntry(e.card_number.clone(), e.generation, e.entry_id.clone());
        let kept = e.generation == h.generation && h.enabled;
        let purging = e.generation < h.generation && h.purge_pending;
        if !kept && !purging {
            flag(
                key(),
                "history entry of a history the patron does not keep",
                format!(
                    "entry generation {}, patron generation {} (on: {}, purge pending: {})",
                    e.generation, h.generation, h.enabled, h.purge_pending
                ),
            );
        }
    }
    out.sort();
    out
}
