//! One conformance suite for the store port, run against the embedded store and against
//! DynamoDB (moto): the same expectations, the same answers.

use chrono::{Days, NaiveDate, Utc};
use mypage::adapters::MemoryStore;
use mypage::domain::search;
use mypage::domain::types::*;
use mypage::domain::*;
use mypage::ports::{Commit, HistoryRange, PostingsRange, Store, StoreError};
use mypage_tests::both_stores;
use mypage_tests::{at, store, StoreKind};
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::json;
use std::sync::Arc;

fn card(n: &str) -> CardNumber {
    CardNumber::parse(n).unwrap()
}
fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn patron(n: &str) -> Patron {
    let mut p = Patron::register(card(n), "試験 太郎".into(), false, Utc::now());
    p.email = Some(EmailAddress::parse("t@example.jp").unwrap());
    p
}

fn title(bib: &str, added_on: &str) -> Title {
    Title::catalogue(
        BibId::parse(bib).unwrap(),
        "題名".into(),
        "著者".into(),
        vec!["主題".into()],
        format!("{added_on}T00:00:00Z").parse().unwrap(),
    )
}

fn bib_ids(titles: Vec<Title>) -> Vec<String> {
    titles.iter().map(|t| t.bib_id.to_string()).collect()
}

/// What `id` names of each record found, sorted: the stores need not agree on the order.
fn sorted_ids<T>(found: Vec<T>, id: impl Fn(&T) -> String) -> Vec<String> {
    let mut ids: Vec<String> = found.iter().map(id).collect();
    ids.sort();
    ids
}

/// The stored patron `n`, who must exist.
async fn stored_patron(s: &Arc<dyn Store>, n: &str) -> Patron {
    s.patron(&card(n)).await.unwrap().unwrap()
}

/// The stored title `bib`, which must exist.
async fn stored_title(s: &Arc<dyn Store>, bib: &str) -> Title {
    s.title(&BibId::parse(bib).unwrap()).await.unwrap().unwrap()
}

/// Records as a store may hold them, whatever the domain would make: built from JSON.
fn record<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("a valid record")
}

fn loan(c: &str, id: &str, due: &str, reminder: bool) -> Loan {
    record(json!({
        "loan_id": id, "card_number": c, "barcode": "C-1", "bib_id": "B-1",
        "title": "題名", "author": "著者", "checked_out_on": "2026-11-20", "due_date": due,
        "renewals": 0, "interlibrary": false, "reminded_for": null,
        "reminder": reminder.then(|| json!({"email": "t@example.jp", "name": "t"})),
    }))
}

fn hold(c: &str, bib: &str, state: serde_json::Value) -> Hold {
    record(json!({
        "hold_id": HoldId::generate(), "card_number": c, "bib_id": bib, "title": "題名",
        "author": "著者", "placed_at": Utc::now(), "notify": "none", "state": state,
    }))
}

fn waiting() -> serde_json::Value {
    json!({"status": "waiting"})
}

fn ready(ready_on: &str, deadline: &str) -> serde_json::Value {
    json!({"status": "ready", "ready_on": ready_on, "pickup_deadline": deadline, "barcode": "C-1"})
}

async fn commit(s: &Arc<dyn Store>, changes: Changes) -> Commit {
    s.commit(changes).await.expect("the store answers")
}

async fn written(s: &Arc<dyn Store>, changes: Changes) {
    assert!(
        matches!(commit(s, changes).await, Commit::Done(_)),
        "the changes were written"
    );
}

async fn lost(s: &Arc<dyn Store>, changes: Changes) {
    assert!(
        matches!(commit(s, changes).await, Commit::LostRace),
        "the commit lost"
    );
}

fn new() -> Changes {
    Changes::none()
}

/// Patron 100001 and title B-1, created together.
fn a_patron_and_a_title() -> Changes {
    new()
        .create(patron("100001"))
        .create(title("B-1", "2026-12-01"))
}

/// A fresh directory under the system's temporary one, removed when dropped.
struct ScratchDir(std::path::PathBuf);

impl ScratchDir {
    fn new(prefix: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(mypage_tests::unique(prefix));
        std::fs::create_dir_all(&dir).unwrap();
        ScratchDir(dir)
    }
    fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The embedded store kept in `path`, and whether it started empty (no file yet).
fn open_embedded(path: &std::path::Path) -> (Arc<dyn Store>, bool) {
    let (s, fresh) = MemoryStore::open(path).unwrap();
    (Arc::new(s), fresh)
}

#[apply(both_stores)]
async fn create_then_read_back_at_version_one(#[case] kind: StoreKind) {
    let s = store(kind).await;
    written(&s, new().create(patron("100001"))).await;
    let p = stored_patron(&s, "100001").await;
    assert_eq!(p.version, 1);
    assert_eq!(p.name, "試験 太郎");
    assert_eq!(p.email.unwrap().as_str(), "t@example.jp");
    assert!(s.patron(&card("100002")).await.unwrap().is_none());
}

#[apply(both_stores)]
async fn creating_twice_is_a_conflict(#[case] kind: StoreKind) {
    let s = store(kind).await;
    written(&s, new().create(patron("100001"))).await;
    lost(&s, new().create(patron("100001"))).await;
}

#[apply(both_stores)]
async fn a_commit_answers_with_the_records_at_their_new_versions(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let Commit::Done(w) = commit(&s, a_patron_and_a_title()).await else {
        panic!("written")
    };
    let versions: Vec<u64> = w.into_records().iter().map(Record::version).collect();
    assert_eq!(versions, vec![1, 1]);
    let p = stored_patron(&s, "100001").await;
    let t = stored_title(&s, "B-1").await;
    let Commit::Done(w) = commit(&s, new().update(p).check(t)).await else {
        panic!("written")
    };
    let back = w.into_records();
    assert_eq!(back.len(), 1, "a checked record is not written");
    assert_eq!(back[0].version(), 2);
    assert_eq!(stored_patron(&s, "100001").await.version, 2);
}

#[apply(both_stores)]
async fn updates_need_the_version_read(#[case] kind: StoreKind) {
    let s = store(kind).await;
    written(&s, new().create(patron("100001"))).await;
    let mut p = stored_patron(&s, "100001").await;
    let stale = p.clone();
    p.credential_version = 3;
    written(&s, new().update(p)).await;
    let now = stored_patron(&s, "100001").await;
    assert_eq!((now.credential_version, now.version), (3, 2));
    // A write based on the old read loses.
    lost(&s, new().update(stale)).await;
    assert_eq!(stored_patron(&s, "100001").await.credential_version, 3);
    // Updating what does not exist is a conflict too.
    let mut ghost = patron("100009");
    ghost.version = 1;
    lost(&s, new().update(ghost)).await;
}

#[apply(both_stores)]
async fn a_transaction_is_all_or_nothing(#[case] kind: StoreKind) {
    let s = store(kind).await;
    written(&s, a_patron_and_a_title()).await;
    let p = stored_patron(&s, "100001").await;
    let mut stale_title = stored_title(&s, "B-1").await;
    stale_title.version = 7; // not the stored version
    let mut p2 = p.clone();
    p2.credential_version = 1;
    lost(
        &s,
        new()
            .update(p2)
            .create(hold("100001", "B-1", waiting()))
            .update(stale_title),
    )
    .await;
    let after = s.account(&card("100001")).await.unwrap();
    assert_eq!(after.len(), 1, "no hold was written");
    assert_eq!(stored_patron(&s, "100001").await.credential_version, 0);
}

#[apply(both_stores)]
async fn deletes_and_checks_compare_versions(#[case] kind: StoreKind) {
    let s = store(kind).await;
    written(&s, a_patron_and_a_title()).await;
    let t = stored_title(&s, "B-1").await;
    let p = stored_patron(&s, "100001").await;
    let mut wrong_version = p.clone();
    wrong_version.version = 5;
    lost(&s, new().delete(wrong_version)).await;
    let mut newer = t.clone();
    newer.version += 1;
    lost(&s, new().check(newer).delete(p.clone())).await;
    assert!(s.patron(&card("100001")).await.unwrap().is_some());
    written(&s, new().check(t).delete(p)).await;
    assert!(s.patron(&card("100001")).await.unwrap().is_none());
}

#[apply(both_stores)]
async fn a_patron_account_holds_profile_sessions_loans_and_holds_only(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let session = Session {
        card_number: card("100001"),
        token_hash: "ab".repeat(32),
        temporary: false,
        credential_version: 0,
        created_at: Utc::now(),
        last_seen_at: Utc::now(),
        expires_at: Utc::now() + chrono::Duration::hours(1),
        session_id: Some(SessionId::generate()),
        user_agent: None,
        version: 0,
    };
    let changes = new()
        .create(patron("100001"))
        .create(patron("1000010")) // a card number that extends the first one
        .create(session)
        .create(loan("100001", "L-1", "2026-12-04", false))
        .create(hold("100001", "B-2", waiting()))
        .create(loan("1000010", "L-2", "2026-12-04", false));
    written(&s, changes).await;
    let mut kinds: Vec<&str> = s
        .account(&card("100001"))
        .await
        .unwrap()
        .iter()
        .map(|r| match r {
            Record::Patron(_) => "patron",
            Record::Session(_) => "session",
            Record::Loan(_) => "loan",
            Record::Hold(_) => "hold",
            _ => "other",
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, vec!["hold", "loan", "patron", "session"]);
}

#[apply(both_stores)]
async fn get_many_reads_what_exists(#[case] kind: StoreKind) {
    let s = store(kind).await;
    for chunk in (0..120).collect::<Vec<_>>().chunks(25) {
        let changes = chunk.iter().fold(new(), |c, i| {
            c.create(title(&format!("B-{i}"), "2026-12-01"))
        });
        written(&s, changes).await;
    }
    let titles = s
        .titles((0..130).map(|i| BibId::parse(&format!("B-{i}")).unwrap()))
        .await
        .unwrap();
    assert_eq!(
        titles.len(),
        120,
        "more than one batch, missing ones left out"
    );
}

#[apply(both_stores)]
async fn reminder_index_holds_only_loans_due_that_day_with_a_contact(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let changes = new()
        .create(loan("100001", "L-1", "2026-12-04", true))
        .create(loan("100001", "L-2", "2026-12-05", true))
        .create(loan("100002", "L-3", "2026-12-04", true))
        .create(loan("100003", "L-4", "2026-12-04", false));
    written(&s, changes).await;
    let due_on = |day: &str| {
        let (s, day) = (s.clone(), d(day));
        async move {
            let loans = s.reminder_loans_due_on(day).await.unwrap();
            sorted_ids(loans, |l| l.loan_id.to_string())
        }
    };
    assert_eq!(due_on("2026-12-04").await, vec!["L-1", "L-3"]);
    // A renewal moves the loan to its new due date in the index.
    let mut l1 = s
        .loan(&card("100001"), &LoanId::parse("L-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    l1.due_date = d("2026-12-15");
    written(&s, new().update(l1)).await;
    assert_eq!(due_on("2026-12-04").await.len(), 1);
    assert_eq!(due_on("2026-12-15").await.len(), 1);
}

#[apply(both_stores)]
async fn ready_holds_past_pickup_are_found_by_deadline(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let changes = new()
        .create(hold("100001", "B-1", ready("2026-11-20", "2026-11-30")))
        .create(hold("100002", "B-1", ready("2026-11-20", "2026-12-01")))
        .create(hold("100003", "B-1", waiting()));
    written(&s, changes).await;
    let past = s.holds_past_pickup(d("2026-12-01")).await.unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!(past[0].card_number, card("100001"));
    assert_eq!(s.holds_past_pickup(d("2026-12-02")).await.unwrap().len(), 2);
}

#[apply(both_stores)]
async fn titles_are_found_by_the_day_they_were_added(#[case] kind: StoreKind) {
    let s = store(kind).await;
    written(
        &s,
        new()
            .create(title("B-1", "2026-11-30"))
            .create(title("B-2", "2026-12-01"))
            .create(title("B-3", "2026-12-01")),
    )
    .await;
    assert_eq!(s.titles_added_on(d("2026-12-01")).await.unwrap().len(), 2);
    assert_eq!(s.titles_added_on(d("2026-11-30")).await.unwrap().len(), 1);
    assert_eq!(s.titles_added_on(d("2026-11-29")).await.unwrap().len(), 0);
}

#[apply(both_stores)]
async fn only_subscribed_patrons_are_in_the_new_arrivals_index(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let mut on = patron("100001");
    on.notifications.new_arrivals.enabled = true;
    written(&s, new().create(on).create(patron("100002"))).await;
    let subs = s.new_arrival_subscribers().await.unwrap();
    assert_eq!(subs.len(), 1);
    let mut p = subs.into_iter().next().unwrap();
    p.notifications.new_arrivals.enabled = false;
    written(&s, new().update(p)).await;
    assert!(s.new_arrival_subscribers().await.unwrap().is_empty());
}

#[apply(both_stores)]
async fn concurrent_read_modify_writes_lose_no_update(#[case] kind: StoreKind) {
    let s = store(kind).await;
    written(&s, new().create(patron("100001"))).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                loop {
                    let mut p = stored_patron(&s, "100001").await;
                    p.credential_version += 1;
                    match s.commit(new().update(p)).await {
                        Ok(Commit::Done(_)) => return,
                        Ok(Commit::LostRace) => tokio::task::yield_now().await,
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let p = stored_patron(&s, "100001").await;
    assert_eq!(p.credential_version, 20);
    assert_eq!(p.version, 21);
}

#[apply(both_stores)]
async fn records_round_trip_exactly(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let mut t: Title = record(json!({
        "bib_id": "B-1", "title": "題名", "author": "著者", "subjects": ["主題"],
        "added_at": "2026-12-01T00:00:00Z", "added_on": "2026-12-01", "copies": 2, "shelf": ["C-9"],
        "queue": [{"hold_id": HoldId::generate(), "card_number": "100002", "suspended_until": "2026-12-20", "not_needed_after": null}],
    }));
    let mut p = patron("100001");
    p.password = Some(Credential {
        hash: "$argon2id$x".into(),
        temporary: true,
        expires_at: Some(Utc::now()),
    });
    p.notifications.new_arrivals.authors = InterestTerms::parse(vec!["村上 春樹".into()]).unwrap();
    let deadline = (d("2026-12-01") + Days::new(7)).to_string();
    let h = hold("100001", "B-1", ready("2026-12-01", &deadline));
    written(
        &s,
        new().create(t.clone()).create(p.clone()).create(h.clone()),
    )
    .await;
    t.version = 1;
    p.version = 1;
    let mut h1 = h.clone();
    h1.version = 1;
    assert_eq!(s.title(&t.bib_id).await.unwrap().unwrap(), t);
    let back = s.patron(&p.card_number).await.unwrap().unwrap();
    assert_eq!(back, p);
    assert_eq!(
        s.hold(&h.card_number, &h.bib_id).await.unwrap().unwrap(),
        h1
    );
}

#[apply(both_stores)]
async fn the_hold_cart_is_the_patrons_but_not_part_of_the_account_read(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let cart: HoldCart = record(json!({
        "card_number": "100001", "items": [{"bib_id": "B-1", "added_at": "2026-12-01T00:00:00Z"}],
    }));
    written(&s, new().create(patron("100001")).create(cart.clone())).await;
    let account = s.account(&card("100001")).await.unwrap();
    assert_eq!(
        account.len(),
        1,
        "only the profile: the cart does not ride along"
    );
    let back = s.hold_cart(&card("100001")).await.unwrap().unwrap();
    assert_eq!(back.items(), cart.items());
    assert!(s.hold_cart(&card("100002")).await.unwrap().is_none());
}

#[apply(both_stores)]
async fn holds_no_longer_needed_are_found_by_their_date_and_only_while_waiting(
    #[case] kind: StoreKind,
) {
    let s = store(kind).await;
    let with_date = |c: &str, state: serde_json::Value, date: Option<&str>| {
        let mut h = serde_json::to_value(hold(c, "B-1", state)).unwrap();
        h["not_needed_after"] = json!(date);
        record::<Hold>(h)
    };
    let changes = new()
        .create(with_date("100001", waiting(), Some("2026-11-30")))
        .create(with_date("100002", waiting(), Some("2026-12-01")))
        .create(with_date("100003", waiting(), None))
        .create(with_date(
            "100004",
            ready("2026-11-20", "2026-11-27"),
            Some("2026-11-01"),
        ));
    written(&s, changes).await;
    let before = |d| {
        let s = s.clone();
        async move {
            let holds = s.holds_not_needed_before(d).await.unwrap();
            sorted_ids(holds, |h| h.card_number.to_string())
        }
    };
    assert_eq!(before(d("2026-12-01")).await, vec!["100001"]);
    assert_eq!(before(d("2026-12-02")).await, vec!["100001", "100002"]);
}

#[apply(both_stores)]
async fn titles_with_a_shelf_copy_and_a_queue_are_found(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let t = |bib: &str, shelf: serde_json::Value, queue: serde_json::Value| -> Title {
        record(json!({
            "bib_id": bib, "title": "題名", "author": "著者", "subjects": [],
            "added_at": "2026-12-01T00:00:00Z", "added_on": "2026-12-01", "copies": 1,
            "shelf": shelf, "queue": queue,
        }))
    };
    let queued =
        json!([{"hold_id": "H-1", "card_number": "100002", "suspended_until": "2026-12-09"}]);
    written(
        &s,
        new()
            .create(t("B-1", json!(["C-1"]), queued.clone()))
            .create(t("B-2", json!(["C-2"]), json!([])))
            .create(t("B-3", json!([]), queued)),
    )
    .await;
    let found = bib_ids(s.titles_shelved_with_queue().await.unwrap());
    assert_eq!(found, vec!["B-1"]);
}

// ---------------------------------------------------------------- the search index

fn titled(bib: &str, name: &str, at: &str) -> Title {
    Title::catalogue(
        BibId::parse(bib).unwrap(),
        name.into(),
        "著者".into(),
        vec![],
        at.parse().unwrap(),
    )
}

fn page<'a>(gram: &'a str, after: Option<&'a search::OrderKey>, limit: usize) -> PostingsRange<'a> {
    PostingsRange { gram, after, limit }
}

fn bibs(postings: &[search::Posting]) -> Vec<String> {
    postings.iter().map(|p| p.bib_id().to_string()).collect()
}

#[apply(both_stores)]
async fn r_find_2_postings_come_back_in_hit_order_from_after_a_key(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let titles = [
        titled("OLD", "猫の本", "2026-01-01T00:00:00Z"),
        titled("NEW", "猫と犬", "2026-03-01T00:00:00Z"),
        titled("B", "黒猫", "2026-02-01T00:00:00Z"),
        titled("A", "白猫", "2026-02-01T00:00:00Z"),
    ];
    let all: Vec<search::Posting> = titles.iter().flat_map(search::postings).collect();
    s.write_postings(&all).await.unwrap();
    // Unconditional and idempotent: a second write changes nothing.
    s.write_postings(&all).await.unwrap();
    let cat = s.postings(page("猫", None, 10)).await.unwrap();
    assert_eq!(bibs(&cat), ["NEW", "A", "B", "OLD"]);
    assert_eq!(cat[0].text, search::search_text(&titles[1]));
    assert_eq!(cat[0].gram, "猫");
    let after = s
        .postings(page("猫", Some(&cat[1].order), 2))
        .await
        .unwrap();
    assert_eq!(bibs(&after), ["B", "OLD"]);
    assert!(s
        .postings(page("猫", Some(&cat[3].order), 5))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        bibs(&s.postings(page("黒猫", None, 10)).await.unwrap()),
        ["B"]
    );
    assert!(s.postings(page("象", None, 10)).await.unwrap().is_empty());
}

#[apply(both_stores)]
async fn search_writes_and_reads_span_several_requests(#[case] kind: StoreKind) {
    let s = store(kind).await;
    // 60 postings (three batch writes), texts long enough that one Query page (1 MB) cannot
    // hold 250 of them.
    let long = "長".repeat(1500);
    let many: Vec<search::Posting> = (0..250)
        .map(|i| {
            let t = titled(&format!("T{i:03}"), "x", "2026-01-01T00:00:00Z");
            search::Posting {
                gram: "長".into(),
                order: search::OrderKey::of(&t),
                text: long.clone(),
            }
        })
        .collect();
    s.write_postings(&many).await.unwrap();
    let back = s.postings(page("長", None, 300)).await.unwrap();
    assert_eq!(back.len(), 250);
    assert_eq!(back, many);
    assert_eq!(s.postings(page("長", None, 7)).await.unwrap().len(), 7);
    // Counts for 150 grams: two batch reads.
    let counts: Vec<(String, u64)> = (0..150).map(|i| (format!("g{i}"), i + 1)).collect();
    s.add_gram_counts(&counts).await.unwrap();
    let mut grams: Vec<String> = counts.iter().map(|(g, _)| g.clone()).collect();
    grams.push("none".into());
    let mut got = s.gram_counts(&grams).await.unwrap();
    got.sort_by_key(|(_, n)| *n);
    assert_eq!(got, counts);
}

#[apply(both_stores)]
async fn gram_counts_add_up_and_grams_without_postings_are_left_out(#[case] kind: StoreKind) {
    let s = store(kind).await;
    s.add_gram_counts(&[("猫".into(), 2), ("犬".into(), 1)])
        .await
        .unwrap();
    s.add_gram_counts(&[("猫".into(), 3)]).await.unwrap();
    let mut counts = s
        .gram_counts(&["猫".into(), "犬".into(), "象".into()])
        .await
        .unwrap();
    counts.sort();
    assert_eq!(counts, [("犬".to_owned(), 1), ("猫".to_owned(), 5)]);
    assert!(s.gram_counts(&[]).await.unwrap().is_empty());
}

#[apply(both_stores)]
async fn titles_waiting_for_their_postings_are_listed_until_marked_indexed(
    #[case] kind: StoreKind,
) {
    let s = store(kind).await;
    written(
        &s,
        new()
            .create(titled("WAIT", "猫", "2026-01-01T00:00:00Z"))
            .create(titled("DONE", "犬", "2026-01-01T00:00:00Z")),
    )
    .await;
    let done = stored_title(&s, "DONE").await;
    assert!(done.search_pending());
    written(&s, search::mark_indexed(&done).unwrap()).await;
    let pending = bib_ids(s.titles_pending_index().await.unwrap());
    assert_eq!(pending, ["WAIT"]);
    let done = stored_title(&s, "DONE").await;
    assert!(!done.search_pending());
    assert_eq!(search::mark_indexed(&done), None);
}

/// The embedded store keeps its search index in memory only and rebuilds it, exact, from the
/// titles marked indexed when it opens its file.
#[tokio::test]
async fn the_embedded_store_rebuilds_its_search_index_when_it_opens() {
    let dir = ScratchDir::new("mypage-search");
    let path = dir.join("data.json");
    let (s, _) = open_embedded(&path);
    let indexed = titled("DONE", "黒猫", "2026-01-02T00:00:00Z");
    let waiting = titled("WAIT", "白猫", "2026-01-01T00:00:00Z");
    written(&s, new().create(indexed.clone()).create(waiting.clone())).await;
    for t in [&indexed, &waiting] {
        let p = search::postings(t);
        s.add_gram_counts(&search::gram_counts(&p)).await.unwrap();
        s.write_postings(&p).await.unwrap();
    }
    let done = s.title(&indexed.bib_id).await.unwrap().unwrap();
    written(&s, search::mark_indexed(&done).unwrap()).await;
    assert_eq!(s.postings(page("猫", None, 9)).await.unwrap().len(), 2);
    drop(s);
    let file: Vec<Record> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        file.len(),
        2,
        "the file holds the two titles and no postings"
    );
    let (s, _) = open_embedded(&path);
    let cat = s.postings(page("猫", None, 9)).await.unwrap();
    assert_eq!(bibs(&cat), ["DONE"], "the pending title is the re-index's");
    assert_eq!(
        s.gram_counts(&["猫".into(), "白".into()]).await.unwrap(),
        [("猫".to_owned(), 1)]
    );
}

/// The embedded store keeps its data across a dev-server restart, and a write that was cut
/// short (a leftover temporary file) never replaces the last good file.
#[tokio::test]
async fn the_embedded_store_survives_a_restart() {
    let dir = ScratchDir::new("mypage-store");
    let path = dir.join("data.json");
    let (s, fresh) = open_embedded(&path);
    assert!(fresh);
    written(&s, a_patron_and_a_title()).await;
    drop(s);
    std::fs::write(path.with_extension("tmp"), b"{ half a fi").unwrap();
    let (s, fresh) = open_embedded(&path);
    assert!(!fresh);
    assert_eq!(stored_patron(&s, "100001").await.version, 1);
    assert!(s
        .title(&BibId::parse("B-1").unwrap())
        .await
        .unwrap()
        .is_some());
    // A corrupt file is reported, not silently replaced by an empty store.
    std::fs::write(&path, b"not json").unwrap();
    assert!(matches!(
        mypage::adapters::MemoryStore::open(&path),
        Err(StoreError::Corrupt(_))
    ));
}

/// `make check-store` (the checker binary) reads every record and names each broken
/// invariant, exiting 1; a sound store exits 0. The corruption is planted on purpose: a
/// patron's hold count that disagrees with their holds, and a loan of nobody.
#[apply(both_stores)]
async fn the_store_checker_finds_a_corruption_planted_on_purpose(#[case] kind: StoreKind) {
    use mypage::app::checker;
    let dir = ScratchDir::new("mypage-check");
    let file = dir.join("store.json");
    let (s, table): (Arc<dyn Store>, Option<String>) = match kind {
        StoreKind::Memory => (open_embedded(&file).0, None),
        StoreKind::Dynamo => {
            let client = aws_sdk_dynamodb::Client::new(&mypage_tests::aws().await);
            let table = mypage_tests::unique("mypage-check");
            mypage::adapters::TableDesign::create(&client, &table)
                .await
                .unwrap();
            (
                Arc::new(mypage::adapters::DynamoStore::new(client, table.clone())),
                Some(table),
            )
        }
    };
    let run = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_check-store"));
        match &table {
            Some(t) => cmd.env("TABLE_NAME", t).env_remove("STORE"),
            None => cmd.env("STORE", "embedded").env("MYPAGE_DATA", &file),
        };
        cmd.output().expect("the checker runs")
    };
    written(&s, new().create(patron("100001"))).await;
    let sound = run();
    assert_eq!(sound.status.code(), Some(0), "{sound:?}");
    // Plant: the patron counts three active holds and has none; a loan belongs to nobody.
    let p = stored_patron(&s, "100001").await;
    let mut v = serde_json::to_value(Record::Patron(p)).unwrap();
    v["active_holds"] = 3.into();
    let bad: Record = serde_json::from_value(v).unwrap();
    written(&s, Changes::none().update(bad)).await;
    written(&s, new().create(loan("199999", "L-1", "2026-12-10", false))).await;
    let found = run();
    let out = String::from_utf8_lossy(&found.stdout);
    assert_eq!(found.status.code(), Some(1), "{out}");
    assert!(out.contains("active-hold count"), "{out}");
    assert!(out.contains("belongs to no patron"), "{out}");
    let report = checker::check_store(&s, at(mypage_tests::NOW), 2)
        .await
        .unwrap();
    let facts: Vec<&str> = report.violations.iter().map(|v| v.fact).collect();
    assert!(facts.contains(&"active-hold count"), "{facts:?}");
    assert!(facts.contains(&"belongs to no patron"), "{facts:?}");
}

/// The checker reads the store in parallel segments that together hold every record once.
#[apply(both_stores)]
async fn scan_segments_hold_every_record_once(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let mut c = new();
    for n in 0..30 {
        c = c.create(patron(&format!("2000{n:02}")));
    }
    written(&s, c).await;
    // The search index lives in the same table but is not records: the scan leaves it out.
    let indexed = titled("IDX", "黒猫の本", "2026-01-01T00:00:00Z");
    let postings = search::postings(&indexed);
    s.add_gram_counts(&search::gram_counts(&postings))
        .await
        .unwrap();
    s.write_postings(&postings).await.unwrap();
    let all = mypage::app::checker::read_all(&s, 4).await.unwrap();
    assert_eq!(all.len(), 30);
    let mut keys: Vec<_> = all.iter().map(Record::key).collect();
    keys.dedup();
    assert_eq!(keys.len(), 30);
}

fn entry(c: &str, generation: u32, n: u64) -> HistoryEntry {
    record(json!({
        "card_number": c, "generation": generation,
        "entry_id": format!("E{:013}-bbbbbbbbbbbb", 1_764_000_000_000u64 + n),
        "bib_id": "B-1", "title": format!("題名 {n}"), "author": "著者",
        "checked_out_on": "2026-11-01", "returned_on": "2026-11-20",
    }))
}

/// R-HIST-1: entries live beside the account (never in its read), newest first by
/// generation, from after a page's last entry; older generations are found for the purge,
/// and a patron with a purge pending is found through the index.
#[apply(both_stores)]
async fn history_entries_stay_out_of_the_account_and_page_newest_first(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let mut p = patron("100002");
    let mut changes = new();
    for n in 0..7 {
        changes = changes.create(entry("100002", 1, n));
    }
    changes = changes
        .create(entry("100002", 0, 99))
        .create(entry("1000020", 1, 5));
    written(&s, changes.create(p.clone())).await;
    let account = s.account(&card("100002")).await.unwrap();
    assert_eq!(account.len(), 1, "the account is the profile alone");
    let ids = |v: Vec<HistoryEntry>| {
        v.into_iter()
            .map(|e| e.entry_id.to_string())
            .collect::<Vec<_>>()
    };
    let visible = |after, limit| HistoryRange::Visible {
        generation: 1,
        after,
        limit,
    };
    let patron = card("100002");
    let read = |range| s.history(&patron, range);
    let first = read(visible(None, Some(3))).await.unwrap();
    assert_eq!(
        ids(first.clone()),
        ids(vec![
            entry("100002", 1, 6),
            entry("100002", 1, 5),
            entry("100002", 1, 4)
        ])
    );
    let after = first.last().unwrap().entry_id.clone();
    let rest = read(visible(Some(&after), None)).await.unwrap();
    assert_eq!(rest.len(), 4);
    assert_eq!(rest[0].entry_id, entry("100002", 1, 3).entry_id);
    let purgeable = |before, limit| HistoryRange::Purgeable { before, limit };
    let older = read(purgeable(1, 10)).await.unwrap();
    assert_eq!(ids(older), ids(vec![entry("100002", 0, 99)]));
    assert!(read(purgeable(0, 10)).await.unwrap().is_empty());
    assert_eq!(read(purgeable(2, 5)).await.unwrap().len(), 5);
    // The purge index holds a patron exactly while their purge is pending.
    assert!(s.history_purges().await.unwrap().is_empty());
    p.version = 1;
    let off = mypage::domain::history::set_enabled(
        &mypage::domain::history::set_enabled(&p, true)
            .changes
            .into_iter()
            .next()
            .unwrap()
            .record()
            .clone()
            .into_patron()
            .unwrap(),
        false,
    );
    let mut flipped = off.changes.into_iter().next().unwrap().record().clone();
    flipped.set_version(1);
    written(&s, Changes::from(Change::Update(flipped))).await;
    assert_eq!(s.history_purges().await.unwrap(), vec![card("100002")]);
}

/// R-CAL-1: the dated closures are one record, read with others in one request.
#[apply(both_stores)]
async fn the_closed_days_are_one_record_read_with_others(#[case] kind: StoreKind) {
    let s = store(kind).await;
    let today = d("2026-12-01");
    let o = mypage::domain::calendar::set_closure(
        None,
        d("2026-12-29"),
        ClosureReason::parse("年末").unwrap(),
        today,
        &Policy::default(),
    )
    .unwrap();
    written(&s, o.changes).await;
    written(&s, new().create(title("B-1", "2026-11-01"))).await;
    let got = s
        .get_many(&[Key::Title(BibId::parse("B-1").unwrap()), Key::ClosedDays])
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    let closed = got.into_iter().find_map(Record::into_closed_days).unwrap();
    assert_eq!(
        closed.days().get(&d("2026-12-29")).map(String::as_str),
        Some("年末")
    );
}
