//! Property test of the domain's transitions: for random sequences of what a library does
//! (register, catalogue, add copies, place and cancel holds, check out, check in, renew,
//! let days pass and lapse uncollected holds, keep, delete and purge a reading history, fail
//! logins), every derived fact stays in step with the records it derives from
//! (`domain::invariants`), after every step, and every date set on the way lands on a day the
//! library is open (R-CAL-1). And the same histories, committed to the embedded store and to
//! DynamoDB (moto, which `make test` starts), pass the store checker there.

use chrono::{DateTime, Duration, Utc};
use mypage::domain::calendar::{self, Calendar};
use mypage::domain::circulation::{self, CheckOutRefusal, Day, LoanTerms, Returned};
use mypage::domain::dates::japan_date;
use mypage::domain::history::{self, Purge};
use mypage::domain::hold::{self, HoldChange, NewHold};
use mypage::domain::invariants;
use mypage::domain::loan;
use mypage::domain::patron;
use mypage::domain::policy::ClosedWeekdays;
use mypage::domain::types::{
    Barcode, BibId, CardNumber, ClosureReason, EmailAddress, EntryId, HoldId, LoanId,
};
use mypage::domain::{
    Change, Changes, CopyState, HistoryEntry, Hold, HoldNotice, HoldState, Key, Loan,
    NotificationSettings, Patron, PhysicalCopy, Policy, Record, Title,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const PATRONS: usize = 4;
const TITLES: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    AddCopy(usize),
    Place(usize, usize, bool),
    Cancel(usize, usize),
    CheckOut(usize, usize),
    CheckIn(usize),
    Renew(usize, usize),
    Settings(usize, bool),
    /// Suspend for n days (0 = resume), R-HOLD-11.
    Suspend(usize, usize, u32),
    /// Not needed after n days from today, R-HOLD-12.
    NotNeededAfter(usize, usize, u32),
    PassDays(i64),
    /// A failed login on patron p's card (p == PATRONS: a card nobody holds), from a known
    /// device or not (R-ACCT-7).
    FailedLogin(usize, bool),
    History(usize, bool),
    DeleteHistory(usize),
    PurgeBatch(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..TITLES).prop_map(Step::AddCopy),
        (0..PATRONS, 0..TITLES, any::<bool>()).prop_map(|(p, t, e)| Step::Place(p, t, e)),
        (0..PATRONS, 0..TITLES).prop_map(|(p, t)| Step::Cancel(p, t)),
        (0..PATRONS, 0..8usize).prop_map(|(p, c)| Step::CheckOut(p, c)),
        (0..8usize).prop_map(Step::CheckIn),
        (0..PATRONS, 0..4usize).prop_map(|(p, l)| Step::Renew(p, l)),
        (0..PATRONS, any::<bool>()).prop_map(|(p, on)| Step::Settings(p, on)),
        (0..PATRONS, 0..TITLES, 0..12u32).prop_map(|(p, t, d)| Step::Suspend(p, t, d)),
        (0..PATRONS, 0..TITLES, 0..12u32).prop_map(|(p, t, d)| Step::NotNeededAfter(p, t, d)),
        (1..9i64).prop_map(Step::PassDays),
        (0..=PATRONS, any::<bool>()).prop_map(|(p, d)| Step::FailedLogin(p, d)),
        (0..PATRONS, any::<bool>()).prop_map(|(p, on)| Step::History(p, on)),
        (0..PATRONS).prop_map(Step::DeleteHistory),
        (0..PATRONS).prop_map(Step::PurgeBatch),
    ]
}

/// The records, applied as a store applies a commit (versions checked, then moved on).
struct World {
    records: BTreeMap<Key, Record>,
    now: DateTime<Utc>,
    policy: Policy,
    next_id: u64,
    /// Every commit applied, in order: a store given the same commits holds the same records.
    log: Vec<Changes>,
}

impl World {
    fn new() -> World {
        let mut w = World {
            records: BTreeMap::new(),
            now: "2026-12-01T01:00:00Z".parse().unwrap(),
            // R-CAL-1: Mondays closed, and the dated closures set below.
            policy: Policy {
                closed_weekdays: ClosedWeekdays::of(&[chrono::Weekday::Mon]),
                ..Policy::default()
            },
            next_id: 0,
            log: Vec::new(),
        };
        let mut closed = None;
        for (date, why) in [
            ("2026-12-15", "蔵書点検"),
            ("2026-12-16", "蔵書点検"),
            ("2026-12-29", "年末"),
        ] {
            let o = calendar::set_closure(
                closed.as_ref(),
                date.parse().unwrap(),
                ClosureReason::parse(why).unwrap(),
                japan_date(w.now),
                &w.policy,
            )
            .unwrap();
            w.apply(o.changes);
            closed = w.records[&Key::ClosedDays].clone().into_closed_days();
        }
        for p in 0..PATRONS {
            let mut patron = Patron::register(card(p), format!("p{p}"), false, w.now);
            patron.email =
                (p % 2 == 0).then(|| EmailAddress::parse(&format!("p{p}@example.jp")).unwrap());
            w.apply(Changes::none().create(patron));
        }
        for t in 0..TITLES {
            let title = Title::catalogue(bib(t), format!("t{t}"), "a".into(), vec![], w.now);
            w.apply(Changes::none().create(title));
        }
        w
    }

    /// As the app's commit path does: the loans whose waiting fact the changes flip come along.
    fn apply(&mut self, changes: Changes) {
        let flips = loan::waiting_flips_in(&changes);
        let loans: Vec<Loan> = flips
            .iter()
            .map(|k| self.records[k].clone().into_loan().expect("a loan"))
            .collect();
        let changes = loan::sync_waiting_in(changes, &loans).unwrap();
        if !changes.is_empty() {
            self.log.push(changes.clone());
        }
        for c in changes.iter() {
            let current = self.records.get(&c.key()).map(Record::version);
            let expected = match c {
                Change::Create(_) => None,
                other => Some(other.record().version()),
            };
            assert_eq!(
                current,
                expected,
                "a transition changed {:?} at a version it did not read",
                c.key()
            );
        }
        for c in changes {
            match c {
                Change::Create(mut r) => {
                    r.set_version(1);
                    self.records.insert(r.key(), r);
                }
                Change::Update(mut r) => {
                    r.set_version(r.version() + 1);
                    self.records.insert(r.key(), r);
                }
                Change::Delete(r) => {
                    self.records.remove(&r.key());
                }
                Change::Check(_) => {}
            }
        }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
    fn today(&self) -> chrono::NaiveDate {
        japan_date(self.now)
    }
    fn calendar(&self) -> Calendar {
        let stored = self
            .records
            .get(&Key::ClosedDays)
            .and_then(|r| r.clone().into_closed_days());
        Calendar::new(&self.policy, stored.as_ref())
    }
    /// Every record of one kind, as `into` (`Record::into_loan`, say) picks it out.
    fn all<'a, T: 'a>(&'a self, into: fn(Record) -> Option<T>) -> impl Iterator<Item = T> + 'a {
        self.records.values().filter_map(move |r| into(r.clone()))
    }
    fn older_history(&self, p: usize) -> Vec<HistoryEntry> {
        let generation = self.patron(p).reading_history().generation;
        self.all(Record::into_history_entry)
            .filter(|e| e.card_number == card(p) && e.generation < generation)
            .collect()
    }
    fn patron(&self, p: usize) -> Patron {
        self.patron_of(&card(p))
    }
    fn patron_of(&self, c: &CardNumber) -> Patron {
        self.records[&Key::Patron(c.clone())]
            .clone()
            .into_patron()
            .unwrap()
    }
    fn title(&self, t: &BibId) -> Title {
        self.records[&Key::Title(t.clone())]
            .clone()
            .into_title()
            .unwrap()
    }
    fn loans_of(&self, p: usize) -> Vec<Loan> {
        self.all(Record::into_loan)
            .filter(|l| l.card_number == card(p))
            .collect()
    }
    fn holds_of(&self, p: usize) -> Vec<Hold> {
        self.all(Record::into_hold)
            .filter(|h| h.card_number == card(p))
            .collect()
    }
    fn copies(&self) -> Vec<PhysicalCopy> {
        self.all(Record::into_copy).collect()
    }
    fn hold(&self, c: &CardNumber, b: &BibId) -> Option<Hold> {
        self.records
            .get(&Key::Hold(c.clone(), b.clone()))
            .and_then(|r| r.clone().into_hold())
    }
    /// The hold the title's queue names first, as a use case reads it.
    fn first_in_line(&self, t: &Title) -> Option<Hold> {
        circulation::first_in_line(t, self.today()).map(|q| {
            self.hold(&q.card_number, &t.bib_id)
                .expect("the queue names a hold")
        })
    }

    fn run(&mut self, step: &Step) {
        let policy = self.policy.clone();
        let today = self.today();
        let calendar = self.calendar();
        let day = Day {
            today,
            calendar: &calendar,
        };
        match *step {
            Step::AddCopy(t) => {
                let title = self.title(&bib(t));
                let barcode = Barcode::parse(&format!("C{}", self.id())).unwrap();
                let next = self.first_in_line(&title);
                let o =
                    circulation::add_copy(&title, barcode, next.as_ref(), day, &policy).unwrap();
                self.apply(o.changes);
            }
            Step::Place(p, t, email) => {
                let notify = if email {
                    HoldNotice::Email
                } else {
                    HoldNotice::NotNeeded
                };
                let new = NewHold {
                    hold_id: HoldId::parse(&format!("H{}", self.id())).unwrap(),
                    notify,
                    not_needed_after: None,
                    now: self.now,
                };
                let (patron, title) = (self.patron(p), self.title(&bib(t)));
                if let Ok(o) = hold::place(
                    &patron,
                    &title,
                    &self.loans_of(p),
                    &self.holds_of(p),
                    new,
                    &policy,
                ) {
                    self.apply(o.changes);
                }
            }
            Step::Cancel(p, t) => {
                if let Some(h) = self.hold(&card(p), &bib(t)) {
                    let (patron, title) = (self.patron(p), self.title(&bib(t)));
                    if let Ok(o) = hold::cancel(&patron, &title, &h) {
                        self.apply(o.changes);
                    }
                }
            }
            Step::CheckOut(p, c) => {
                let Some(copy) = self.copies().into_iter().nth(c) else {
                    return;
                };
                let title = self.title(&copy.bib_id);
                let terms = LoanTerms {
                    loan_id: LoanId::parse(&format!("L{}", self.id())).unwrap(),
                    today,
                    interlibrary_due: None,
                };
                match circulation::check_out(
                    &self.patron(p),
                    &self.holds_of(p),
                    &copy,
                    &title,
                    terms,
                    &calendar,
                    &policy,
                ) {
                    Ok(o) => self.apply(o.changes),
                    Err(CheckOutRefusal::Inconsistent(i)) => panic!("{i}"),
                    Err(CheckOutRefusal::StaleRead) => {
                        panic!("nothing is stale in a sequential world")
                    }
                    Err(_) => {}
                }
            }
            Step::CheckIn(c) => {
                let Some(copy) = self.copies().into_iter().nth(c) else {
                    return;
                };
                let CopyState::OnLoan {
                    card_number,
                    loan_id,
                } = copy.state().clone()
                else {
                    return;
                };
                let title = self.title(&copy.bib_id);
                let loan = self
                    .records
                    .get(&Key::Loan(card_number, loan_id))
                    .and_then(|r| r.clone().into_loan());
                let next = self.first_in_line(&title);
                let borrower = loan.as_ref().map(|l| self.patron_of(&l.card_number));
                let entry_id = EntryId::parse(&format!("E{:013}", self.id())).unwrap();
                let returned = Returned {
                    loan: loan.as_ref(),
                    borrower: borrower.as_ref(),
                    entry_id,
                };
                let o = circulation::check_in(&copy, &title, returned, next.as_ref(), day, &policy)
                    .unwrap();
                self.apply(o.changes);
            }
            Step::Renew(p, l) => {
                let Some(loan) = self.loans_of(p).into_iter().nth(l) else {
                    return;
                };
                if let Ok(o) = loan::renew(&loan, today, &calendar, &policy) {
                    self.apply(o.changes);
                }
            }
            Step::Settings(p, on) => {
                let settings = NotificationSettings {
                    due_reminder: on,
                    ..Default::default()
                };
                if let Ok(o) =
                    patron::set_notifications(&self.patron(p), &self.loans_of(p), settings)
                {
                    self.apply(o.changes);
                }
            }
            Step::FailedLogin(p, known) => {
                use mypage::domain::login;
                let c = if p < PATRONS {
                    card(p)
                } else {
                    CardNumber::parse("19999999").unwrap()
                };
                let shard = (self.id() % u64::from(policy.brake_shards)) as u8;
                let attempt = login::Attempt {
                    card: Some(c.clone()),
                    device: known.then(|| "device-1".to_owned()),
                    source: Some("source-1".into()),
                    shard,
                };
                let get = |k: Key| self.records.get(&k).cloned();
                let guard = get(Key::LoginGuard(c)).and_then(Record::into_login_guard);
                let source =
                    get(Key::LoginSource("source-1".into())).and_then(Record::into_login_source);
                let brake = get(Key::LoginBrake(shard)).and_then(Record::into_login_brake);
                let o = login::record_failure(
                    &attempt,
                    guard.as_ref(),
                    source.as_ref(),
                    brake.as_ref(),
                    self.now,
                    &policy,
                );
                self.apply(o.changes);
            }
            Step::Suspend(p, t, days) | Step::NotNeededAfter(p, t, days) => {
                let Some(h) = self.hold(&card(p), &bib(t)) else {
                    return;
                };
                let date = (days > 0).then(|| today + chrono::Days::new(days.into()));
                let change = match *step {
                    Step::Suspend(..) => HoldChange {
                        suspended_until: Some(date),
                        ..Default::default()
                    },
                    _ => HoldChange {
                        not_needed_after: Some(date.or(Some(today))),
                        ..Default::default()
                    },
                };
                let title = self.title(&bib(t));
                let Ok(o) = hold::change(&self.patron(p), &title, &h, &change, today, &policy)
                else {
                    return;
                };
                self.apply(o.changes);
                self.serve_shelf(&bib(t));
            }
            Step::History(p, on) => {
                let o = history::set_enabled(&self.patron(p), on);
                self.apply(o.changes);
            }
            Step::DeleteHistory(p) => {
                let o = history::delete_all(&self.patron(p));
                self.apply(o.changes);
            }
            Step::PurgeBatch(p) => {
                let older = self.older_history(p);
                let o = history::purge_step(&self.patron(p), &older);
                if o.value == Purge::Finished {
                    assert!(
                        older.is_empty(),
                        "a purge finishes only when nothing is left"
                    );
                }
                self.apply(o.changes);
            }
            Step::PassDays(days) => {
                self.now += Duration::days(days);
                // What the store's time to live removes (DynamoDB does so within days).
                let expired: Vec<Record> = self
                    .records
                    .values()
                    .filter(|r| r.expires_at().is_some_and(|at| at < self.now))
                    .cloned()
                    .collect();
                if !expired.is_empty() {
                    self.apply(
                        expired
                            .into_iter()
                            .fold(Changes::none(), |c, r| c.delete(r)),
                    );
                }
                let today = self.today();
                let unneeded: Vec<Hold> = self
                    .all(Record::into_hold)
                    .filter(|h| h.is_no_longer_needed(today))
                    .collect();
                for h in unneeded {
                    let p = self.patron_of(&h.card_number);
                    let title = self.title(&h.bib_id);
                    let o = hold::lapse_unneeded(&p, &title, &h, today)
                        .unwrap()
                        .expect("no longer needed");
                    self.apply(o.changes);
                }
                for t in 0..TITLES {
                    self.serve_shelf(&bib(t));
                }
                let day = Day {
                    today,
                    calendar: &calendar,
                };
                let lapsed: Vec<Hold> = self
                    .all(Record::into_hold)
                    .filter(|h| h.has_lapsed(today))
                    .collect();
                for h in lapsed {
                    // Each lapse reads afresh: an earlier one may have readied a later hold.
                    let Some(h) = self.hold(&h.card_number, &h.bib_id) else {
                        continue;
                    };
                    let p = self.patron_of(&h.card_number);
                    let title = self.title(&h.bib_id);
                    let mypage::domain::HoldState::Ready { barcode, .. } = h.state().clone() else {
                        continue;
                    };
                    let copy = self
                        .records
                        .get(&Key::Copy(barcode))
                        .and_then(|r| r.clone().into_copy());
                    let next = self.first_in_line(&title);
                    let o = circulation::lapse_hold(
                        &p,
                        &title,
                        &h,
                        copy.as_ref(),
                        next.as_ref(),
                        day,
                        &policy,
                    )
                    .unwrap();
                    self.apply(o.changes);
                }
            }
        }
    }
}

impl World {
    /// A copy left on the shelf goes to the first hold that may now be served (R-HOLD-11).
    fn serve_shelf(&mut self, t: &BibId) {
        let title = self.title(t);
        let (Some(barcode), Some(next)) = (title.shelf_copy().cloned(), self.first_in_line(&title))
        else {
            return;
        };
        let copy = self.records[&Key::Copy(barcode)]
            .clone()
            .into_copy()
            .unwrap();
        let calendar = self.calendar();
        let day = Day {
            today: self.today(),
            calendar: &calendar,
        };
        let o = circulation::serve_from_shelf(&title, &copy, &next, day, &self.policy).unwrap();
        self.apply(o.changes);
    }
}

fn card(p: usize) -> CardNumber {
    CardNumber::parse(&format!("{:08}", 10_000_000 + p)).unwrap()
}
fn bib(t: usize) -> BibId {
    BibId::parse(&format!("B{t}")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// R-HOLD-2, R-HOLD-8, R-DESK-2, R-HOLD-6, R-MAIL-1: counts, queues, copy states and
    /// reminder contacts agree with the records after every step.
    #[test]
    fn every_derived_fact_stays_in_step(steps in proptest::collection::vec(step(), 1..60)) {
        let mut w = World::new();
        for s in &steps {
            w.run(s);
            let records: Vec<Record> = w.records.values().cloned().collect();
            let broken = invariants::check(&records, w.now);
            prop_assert!(broken.is_empty(), "after {s:?}: {:?}", broken);
            for p in 0..PATRONS {
                prop_assert!(w.patron(p).active_holds() <= w.policy.max_active_holds, "R-HOLD-2");
            }
            // R-CAL-1: every due date and pickup deadline set on the way is an open day.
            let calendar = w.calendar();
            for r in &records {
                let date = match r {
                    Record::Loan(l) if !l.interlibrary => Some(l.due_date),
                    Record::Hold(h) => match h.state() {
                        HoldState::Ready { pickup_deadline, .. } => Some(*pickup_deadline),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(d) = date {
                    prop_assert!(calendar.is_open(d), "after {s:?}: {d} is a closed day");
                }
            }
        }
    }
}

/// The same random histories, committed to each store as the World committed them, pass
/// the store checker (`make check-store`) on the embedded store and on DynamoDB.
#[test]
fn random_histories_committed_to_both_stores_pass_the_store_checker() {
    use mypage::adapters::{DynamoStore, MemoryStore, TableDesign};
    use mypage::ports::{Commit, Store};
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::Arc;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok();
    assert!(
        endpoint.is_some(),
        "AWS_ENDPOINT_URL is not set: run the tests with `make test`, which starts moto"
    );
    let sdk = rt.block_on(mypage::aws::sdk_config(mypage::aws::TlsRoots::default()));
    let mut runner = TestRunner::new(Config {
        cases: 6,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(step(), 10..50), |steps| {
            let mut w = World::new();
            for s in &steps {
                w.run(s);
            }
            rt.block_on(async {
                let client = aws_sdk_dynamodb::Client::new(&sdk);
                let table = format!("mypage-prop-{}", rand::random::<u64>());
                TableDesign::create(&client, &table).await.unwrap();
                let stores: [Arc<dyn Store>; 2] = [
                    Arc::new(MemoryStore::new()),
                    Arc::new(DynamoStore::new(client, table)),
                ];
                for store in stores {
                    for c in &w.log {
                        assert!(
                            matches!(store.commit(c.clone()).await.unwrap(), Commit::Done(_)),
                            "the store takes the World's commits as they came"
                        );
                    }
                    let report = mypage::app::checker::check_store(&store, w.now, 2)
                        .await
                        .unwrap();
                    assert_eq!(report.records, w.records.len());
                    assert!(report.violations.is_empty(), "{:?}", report.violations);
                }
            });
            Ok(())
        })
        .unwrap();
}

/// The checker itself finds what it should: a planted drift in each derived fact.
#[test]
fn the_invariant_checker_finds_planted_drift() {
    let mut w = World::new();
    w.run(&Step::AddCopy(0));
    w.run(&Step::CheckOut(0, 0));
    w.run(&Step::Place(1, 0, false));
    let clean: Vec<Record> = w.records.values().cloned().collect();
    assert!(invariants::check(&clean, w.now).is_empty());
    let plant = |edit: &dyn Fn(&mut serde_json::Value), kind: &str| {
        let mut records = clean.clone();
        let i = records
            .iter()
            .position(|r| serde_json::to_value(r).unwrap()["kind"] == kind)
            .unwrap();
        let mut v = serde_json::to_value(&records[i]).unwrap();
        edit(&mut v);
        records[i] = serde_json::from_value(v).unwrap();
        invariants::check(&records, w.now)
    };
    let facts = |v: Vec<invariants::Violation>| v.into_iter().map(|x| x.fact).collect::<Vec<_>>();
    assert!(
        facts(plant(&|v| v["active_holds"] = 7.into(), "patron")).contains(&"active-hold count")
    );
    assert!(
        facts(plant(&|v| v["shelf"] = serde_json::json!(["C-X"]), "title")).contains(&"shelf list")
    );
    assert!(
        facts(plant(&|v| v["queue"] = serde_json::json!([]), "title"))
            .contains(&"queue vs waiting holds")
    );
    assert!(facts(plant(
        &|v| v["state"] = serde_json::json!({"state": "on_shelf"}),
        "copy"
    ))
    .contains(&"loan whose copy is not on loan for it"));

    // R-HIST-1: an entry of a history its patron does not keep (off, no purge pending).
    let mut w = World::new();
    w.run(&Step::History(0, true));
    w.run(&Step::AddCopy(0));
    w.run(&Step::CheckOut(0, 0));
    w.run(&Step::CheckIn(0));
    let kept: Vec<Record> = w.records.values().cloned().collect();
    assert!(kept.iter().any(|r| matches!(r, Record::HistoryEntry(_))));
    assert!(invariants::check(&kept, w.now).is_empty());
    let mut off = kept.clone();
    for r in off.iter_mut() {
        if let Record::Patron(p) = r {
            if p.card_number == card(0) {
                let mut v = serde_json::to_value(&*p).unwrap();
                v["reading_history"] =
                    serde_json::json!({"enabled": false, "generation": 0, "purge_pending": false});
                *p = serde_json::from_value(v).unwrap();
            }
        }
    }
    assert!(facts(invariants::check(&off, w.now))
        .contains(&"history entry of a history the patron does not keep"));
}
