//! The facts that must hold between records whatever happened: derived counts and queues
//! agree with what they count, copies and loans and ready holds point at each other, and
//! nothing is left without its owner. The property tests check them after every step; the
//! store checker checks them on a whole table.

use super::catalog::CopyState;
use super::dates::japan_date;
use super::feed::{CalendarFeed, FeedLookup};
use super::hold::HoldState;
use super::loan::{overdue_contact, reminder_contact};
use super::record::{Key, Record};
use super::renewal_link::end_of;
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
    feeds: Vec<&'a CalendarFeed>,
    lookups: Vec<&'a FeedLookup>,
}

/// How a feed's URL secret is found again (`credentials::sha256_hex`, which the app uses).
fn secret_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A copy kept for pickup and the ready hold it is kept for, each naming the other.
fn kept_for(copy: &PhysicalCopy, hold: &Hold) -> bool {
    matches!(&copy.state, CopyState::HeldForPickup { hold_id, .. } if *hold_id == hold.hold_id)
        && matches!(&hold.state, HoldState::Ready { barcode, .. } if *barcode == copy.barcode)
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
            Record::CalendarFeed(f) => lib.feeds.push(f),
            Record::FeedLookup(f) => lib.lookups.push(f),
            // R-MAIL-5: a link good for longer than the policy's hours was never one it made.
            Record::EmailVerification(v)
                if v.expires_at > now + Duration::hours(policy.verification_link_hours) =>
            {
                flag(
                    r.key(),
                    "verification link outlives its hours",
                    format!("expires {}", v.expires_at),
                )
            }
            // R-MAIL-7: a link stops at the end of its due date. One whose loan was renewed or
            // returned since is dead already (it names the due date it was made for) and is
            // left to its expiry, not a fault.
            Record::RenewalLink(l) if l.expires_at > end_of(l.due_date) => flag(
                r.key(),
                "renewal link outlives its due date",
                format!("due {}, expires {}", l.due_date, l.expires_at),
            ),
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
        // Records keyed by a token's hash name their patron inside.
        let owner = match (&key, r) {
            (Key::MailClaim(_, c), _) => Some(c),
            (_, Record::EmailVerification(v)) => Some(&v.card_number),
            (_, Record::RenewalLink(l)) => Some(&l.card_number),
            (_, Record::FeedLookup(f)) => Some(&f.card_number),
            (other, _) => other.owner(),
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
                let found = lib
                    .holds
                    .iter()
                    .any(|h| &h.card_number == card_number && kept_for(c, h));
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
            if l.overdue != overdue_contact(p) {
                flag(
                    key(),
                    "overdue contact vs the patron's settings",
                    String::new(),
                );
            }
        }
        // R-MAIL-6: a notice goes the day after a due date the loan had (an overdue loan is
        // never renewed, so its due date cannot have moved on since).
        if let Some(noticed) = l.overdue_noticed_for {
            if noticed > l.due_date || noticed >= japan_date(now) {
                flag(
                    key(),
                    "overdue notice for a due date not yet past",
                    format!("noticed for {noticed}, due {}", l.due_date),
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
            let kept = lib.copies.iter().any(|c| kept_for(c, h));
            if !kept {
                flag(
                    key(),
                    "ready hold whose copy is not kept for it",
                    barcode.to_string(),
                );
            }
        }
    }
    // R-CAL-3: a feed and the lookup that finds it from its URL point at each other, one to
    // one; a lookup left behind would be a URL that outlived its feed.
    for f in &lib.feeds {
        let hash = secret_hash(&f.secret);
        let found = lib
            .lookups
            .iter()
            .any(|l| l.secret_hash == hash && l.card_number == f.card_number);
        if !found {
            flag(
                Key::CalendarFeed(f.card_number.clone()),
                "calendar feed without its lookup",
                String::new(),
            );
        }
    }
    for l in &lib.lookups {
        let found = lib
            .feeds
            .iter()
            .any(|f| f.card_number == l.card_number && secret_hash(&f.secret) == l.secret_hash);
        if !found {
            flag(
                Key::FeedLookup(l.secret_hash.clone()),
                "feed lookup without its feed",
                String::new(),
            );
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

#[cfg(test)]
mod tests {
    //! Each fact about the mail and feed records, seen flagged on a store that breaks it and
    //! not on one that keeps it.
    use super::*;
    use crate::domain::fixtures::{card, t, CARD};
    use crate::domain::loan::ReminderContact;
    use crate::domain::patron::EmailVerification;
    use crate::domain::renewal_link::RenewalLink;
    use crate::domain::types::{EmailAddress, LoanId};

    fn now() -> DateTime<Utc> {
        t("2026-12-01T01:00:00Z")
    }
    fn patron() -> Record {
        Record::Patron(Patron::register(card(CARD), "n".into(), false, now()))
    }
    fn facts(records: &[Record]) -> Vec<&'static str> {
        check(records, now()).into_iter().map(|v| v.fact).collect()
    }
    fn loan(due: &str) -> Loan {
        Loan {
            loan_id: LoanId::parse("L-1").unwrap(),
            card_number: card(CARD),
            checked_out_on: "2026-11-10".parse().unwrap(),
            due_date: due.parse().unwrap(),
            ..crate::domain::loan::sample()
        }
    }
    fn verification(expires_at: DateTime<Utc>) -> Record {
        Record::EmailVerification(EmailVerification {
            token_hash: "h".into(),
            card_number: card(CARD),
            email: EmailAddress::parse("p@example.jp").unwrap(),
            expires_at,
            version: 1,
        })
    }
    fn link(due: &str) -> RenewalLink {
        RenewalLink::for_loan(&loan(due), "h".into())
    }
    fn feed(secret: &str) -> Record {
        Record::CalendarFeed(CalendarFeed {
            card_number: card(CARD),
            secret: secret.into(),
            include_titles: false,
            created_at: now(),
            version: 1,
        })
    }
    fn lookup(secret: &str, card_number: &str) -> Record {
        Record::FeedLookup(FeedLookup {
            secret_hash: secret_hash(secret),
            card_number: card(card_number),
            version: 1,
        })
    }

    #[test]
    fn r_mail_5_a_verification_needs_its_patron_and_lives_no_longer_than_the_policy() {
        let fresh = verification(now() + Duration::hours(24));
        assert!(facts(&[patron(), fresh.clone()]).is_empty());
        assert_eq!(facts(&[fresh]), ["belongs to no patron"]);
        let long = verification(now() + Duration::hours(25));
        assert_eq!(
            facts(&[patron(), long]),
            ["verification link outlives its hours"]
        );
    }

    #[test]
    fn r_mail_7_a_renewal_link_needs_its_patron_and_ends_with_its_due_date() {
        // A link whose loan is gone (returned, say) is dead already and left to expire.
        let ok = Record::RenewalLink(link("2026-12-04"));
        assert!(facts(&[patron(), ok.clone()]).is_empty());
        assert_eq!(facts(&[ok]), ["belongs to no patron"]);
        let mut late = link("2026-12-04");
        late.expires_at += Duration::minutes(1);
        assert_eq!(
            facts(&[patron(), Record::RenewalLink(late)]),
            ["renewal link outlives its due date"]
        );
    }

    #[test]
    fn r_mail_6_a_loan_carries_the_overdue_contact_the_patron_asked_for() {
        let only = |facts: Vec<&'static str>, fact: &str| facts.contains(&fact);
        let mut l = loan("2026-11-30");
        l.overdue = Some(ReminderContact {
            email: EmailAddress::parse("p@example.jp").unwrap(),
            name: "n".into(),
        });
        let fact = "overdue contact vs the patron's settings";
        assert!(only(facts(&[patron(), Record::Loan(l.clone())]), fact));
        l.overdue = None;
        assert!(!only(facts(&[patron(), Record::Loan(l)]), fact));
    }

    #[test]
    fn r_mail_6_an_overdue_notice_is_only_for_a_due_date_that_has_passed() {
        let fact = "overdue notice for a due date not yet past";
        let flagged = |due: &str, noticed: &str| {
            let mut l = loan(due);
            l.overdue_noticed_for = Some(noticed.parse().unwrap());
            facts(&[patron(), Record::Loan(l)]).contains(&fact)
        };
        assert!(!flagged("2026-11-30", "2026-11-30"), "noticed on 12-01");
        assert!(
            flagged("2026-12-01", "2026-12-01"),
            "due today: not overdue"
        );
        assert!(flagged("2026-11-29", "2026-11-30"), "not a due date it had");
    }

    #[test]
    fn r_cal_3_a_feed_and_its_lookup_point_at_each_other() {
        assert!(facts(&[patron(), feed("s1"), lookup("s1", CARD)]).is_empty());
        assert_eq!(
            facts(&[patron(), feed("s2"), lookup("s1", CARD)]),
            [
                "calendar feed without its lookup",
                "feed lookup without its feed"
            ]
        );
        assert_eq!(
            facts(&[patron(), lookup("s1", CARD)]),
            ["feed lookup without its feed"]
        );
        assert_eq!(
            facts(&[patron(), feed("s1")]),
            ["calendar feed without its lookup"]
        );
        // Another patron's lookup for this secret finds no feed of theirs.
        let mut both = facts(&[patron(), feed("s1"), lookup("s1", "10000002")]);
        both.sort();
        assert_eq!(
            both,
            [
                "belongs to no patron",
                "calendar feed without its lookup",
                "feed lookup without its feed"
            ]
        );
    }
}
