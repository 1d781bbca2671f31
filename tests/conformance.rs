//! One conformance suite for the store port, run against the embedded store and against
//! DynamoDB (moto): the same expectations, the same answers.

use chrono::{Days, NaiveDate, Utc};
use mypage::model::*;
use mypage::store::{Expect, Key, Op, Record, Store, StoreError};
use mypage::types::*;
use mypage_tests::{both_stores, store};
use std::sync::Arc;

fn card(n: &str) -> CardNumber {
    CardNumber::parse(n).unwrap()
}
fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn patron(n: &str) -> Patron {
    Patron {
        card_number: card(n),
        name: "試験 太郎".into(),
        email: Some(EmailAddress::parse("t@example.jp").unwrap()),
        ebook_eligible: false,
        password: None,
        credential_version: 0,
        failed_logins: 0,
        locked_until: None,
        active_holds: 0,
        notifications: NotificationSettings::default(),
        registered_at: Utc::now(),
        version: 0,
    }
}

fn title(bib: &str, added_on: &str) -> Title {
    Title {
        bib_id: BibId::parse(bib).unwrap(),
        title: "題名".into(),
        author: "著者".into(),
        subjects: vec!["主題".into()],
        added_at: format!("{added_on}T00:00:00Z").parse().unwrap(),
        added_on: d(added_on),
        copies: 1,
        on_shelf: 0,
        queue: vec![],
        version: 0,
    }
}

fn loan(c: &str, id: &str, due: &str, reminder: bool) -> Loan {
    Loan {
        loan_id: LoanId::parse(id).unwrap(),
        card_number: card(c),
        barcode: Barcode::parse("C-1").unwrap(),
        bib_id: BibId::parse("B-1").unwrap(),
        title: "題名".into(),
        author: "著者".into(),
        checked_out_on: d("2026-11-20"),
        due_date: d(due),
        renewals: 0,
        interlibrary: false,
        reminded_for: None,
        reminder: reminder.then(|| ReminderContact {
            email: EmailAddress::parse("t@example.jp").unwrap(),
            name: "t".into(),
        }),
        version: 0,
    }
}

fn hold(c: &str, bib: &str, state: HoldState) -> Hold {
    Hold {
        hold_id: HoldId::generate(),
        card_number: card(c),
        bib_id: BibId::parse(bib).unwrap(),
        title: "題名".into(),
        author: "著者".into(),
        placed_at: Utc::now(),
        notify: NotifyBy::None,
        state,
        version: 0,
    }
}

both_stores! {
    async fn create_then_read_back_at_version_one(kind: StoreKind) {
        let s = store(kind).await;
        s.commit(vec![Op::create(patron("100001"))]).await.unwrap();
        let p = s.patron(&card("100001")).await.unwrap().unwrap();
        assert_eq!(p.version, 1);
        assert_eq!(p.name, "試験 太郎");
        assert_eq!(p.email.unwrap().as_str(), "t@example.jp");
        assert!(s.patron(&card("100002")).await.unwrap().is_none());
    }

    async fn creating_twice_is_a_conflict(kind: StoreKind) {
        let s = store(kind).await;
        s.commit(vec![Op::create(patron("100001"))]).await.unwrap();
        assert!(matches!(s.commit(vec![Op::create(patron("100001"))]).await, Err(StoreError::Conflict)));
    }

    async fn updates_need_the_version_read(kind: StoreKind) {
        let s = store(kind).await;
        s.commit(vec![Op::create(patron("100001"))]).await.unwrap();
        let mut p = s.patron(&card("100001")).await.unwrap().unwrap();
        let stale = p.clone();
        p.failed_logins = 3;
        s.commit(vec![Op::update(p)]).await.unwrap();
        let now = s.patron(&card("100001")).await.unwrap().unwrap();
        assert_eq!((now.failed_logins, now.version), (3, 2));
        // A write based on the old read loses.
        assert!(matches!(s.commit(vec![Op::update(stale)]).await, Err(StoreError::Conflict)));
        assert_eq!(s.patron(&card("100001")).await.unwrap().unwrap().failed_logins, 3);
        // Updating what does not exist is a conflict too.
        let mut ghost = patron("100009");
        ghost.version = 1;
        assert!(matches!(s.commit(vec![Op::update(ghost)]).await, Err(StoreError::Conflict)));
    }

    async fn a_transaction_is_all_or_nothing(kind: StoreKind) {
        let s = store(kind).await;
        s.commit(vec![Op::create(patron("100001")), Op::create(title("B-1", "2026-12-01"))]).await.unwrap();
        let p = s.patron(&card("100001")).await.unwrap().unwrap();
        let mut stale_title = s.title(&BibId::parse("B-1").unwrap()).await.unwrap().unwrap();
        stale_title.version = 7; // not the stored version
        let mut p2 = p.clone();
        p2.active_holds = 1;
        let r = s.commit(vec![Op::update(p2), Op::create(hold("100001", "B-1", HoldState::Waiting)), Op::update(stale_title)]).await;
        assert!(matches!(r, Err(StoreError::Conflict)));
        let after = s.patron_records(&card("100001")).await.unwrap();
        assert_eq!(after.len(), 1, "no hold was written");
        assert_eq!(s.patron(&card("100001")).await.unwrap().unwrap().active_holds, 0);
    }

    async fn deletes_and_checks_compare_versions(kind: StoreKind) {
        let s = store(kind).await;
        s.commit(vec![Op::create(patron("100001")), Op::create(title("B-1", "2026-12-01"))]).await.unwrap();
        let t = s.title(&BibId::parse("B-1").unwrap()).await.unwrap().unwrap();
        let p = s.patron(&card("100001")).await.unwrap().unwrap();
        assert!(matches!(s.commit(vec![Op::Delete(Key::Patron(card("100001")), 5)]).await, Err(StoreError::Conflict)));
        assert!(matches!(s.commit(vec![Op::Check(Key::Title(t.bib_id.clone()), t.version + 1), Op::delete(p.clone())]).await, Err(StoreError::Conflict)));
        assert!(s.patron(&card("100001")).await.unwrap().is_some());
        s.commit(vec![Op::Check(Key::Title(t.bib_id.clone()), t.version), Op::delete(p)]).await.unwrap();
        assert!(s.patron(&card("100001")).await.unwrap().is_none());
    }

    async fn a_patron_partition_holds_profile_sessions_loans_and_holds_only(kind: StoreKind) {
        let s = store(kind).await;
        let session = Session {
            card_number: card("100001"),
            token_hash: "ab".repeat(32),
            temporary: false,
            credential_version: 0,
            created_at: Utc::now(),
            last_seen_at: Utc::now(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            version: 0,
        };
        s.commit(vec![
            Op::create(patron("100001")),
            Op::create(patron("1000010")), // a card number that extends the first one
            Op::create(session),
            Op::create(loan("100001", "L-1", "2026-12-04", false)),
            Op::create(hold("100001", "B-2", HoldState::Waiting)),
            Op::create(loan("1000010", "L-2", "2026-12-04", false)),
        ])
        .await
        .unwrap();
        let mut kinds: Vec<&str> = s
            .patron_records(&card("100001"))
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

    async fn get_many_reads_what_exists(kind: StoreKind) {
        let s = store(kind).await;
        let ops: Vec<Op> = (0..120).map(|i| Op::create(title(&format!("B-{i}"), "2026-12-01"))).collect();
        for chunk in ops.chunks(25) {
            s.commit(chunk.to_vec()).await.unwrap();
        }
        let titles = s.titles((0..130).map(|i| BibId::parse(&format!("B-{i}")).unwrap())).await.unwrap();
        assert_eq!(titles.len(), 120, "more than one batch, missing ones left out");
    }

    async fn reminder_index_holds_only_loans_due_that_day_with_a_contact(kind: StoreKind) {
        let s = store(kind).await;
        s.commit(vec![
            Op::create(loan("100001", "L-1", "2026-12-04", true)),
            Op::create(loan("100001", "L-2", "2026-12-05", true)),
            Op::create(loan("100002", "L-3", "2026-12-04", true)),
            Op::create(loan("100003", "L-4", "2026-12-04", false)),
        ])
        .await
        .unwrap();
        let mut ids: Vec<String> = s.reminder_loans_due_on(d("2026-12-04")).await.unwrap().into_iter().map(|l| l.loan_id.to_string()).collect();
        ids.sort();
        assert_eq!(ids, vec!["L-1", "L-3"]);
        // A renewal moves the loan to its new due date in the index.
        let mut l1 = s.patron_records(&card("100001")).await.unwrap().into_iter().filter_map(Record::into_loan).find(|l| l.loan_id.as_str() == "L-1").unwrap();
        l1.due_date = d("2026-12-15");
        s.commit(vec![Op::update(l1)]).await.unwrap();
        assert_eq!(s.reminder_loans_due_on(d("2026-12-04")).await.unwrap().len(), 1);
        assert_eq!(s.reminder_loans_due_on(d("2026-12-15")).await.unwrap().len(), 1);
    }

    async fn ready_holds_past_pickup_are_found_by_deadline(kind: StoreKind) {
        let s = store(kind).await;
        let ready = |deadline: &str| HoldState::Ready { ready_on: d("2026-11-20"), pickup_deadline: d(deadline), barcode: Barcode::parse("C-1").unwrap() };
        s.commit(vec![
            Op::create(hold("100001", "B-1", ready("2026-11-30"))),
            Op::create(hold("100002", "B-1", ready("2026-12-01"))),
            Op::create(hold("100003", "B-1", HoldState::Waiting)),
        ])
        .await
        .unwrap();
        let past = s.holds_past_pickup(d("2026-12-01")).await.unwrap();
        assert_eq!(past.len(), 1);
        assert_eq!(past[0].card_number, card("100001"));
        assert_eq!(s.holds_past_pickup(d("2026-12-02")).await.unwrap().len(), 2);
    }

    async fn titles_are_found_by_the_day_they_were_added(kind: StoreKind) {
        let s = store(kind).await;
        s.commit(vec![Op::create(title("B-1", "2026-11-30")), Op::create(title("B-2", "2026-12-01")), Op::create(title("B-3", "2026-12-01"))])
            .await
            .unwrap();
        assert_eq!(s.titles_added_on(d("2026-12-01")).await.unwrap().len(), 2);
        assert_eq!(s.titles_added_on(d("2026-11-30")).await.unwrap().len(), 1);
        assert_eq!(s.titles_added_on(d("2026-11-29")).await.unwrap().len(), 0);
    }

    async fn only_subscribed_patrons_are_in_the_new_arrivals_index(kind: StoreKind) {
        let s = store(kind).await;
        let mut on = patron("100001");
        on.notifications.new_arrivals.enabled = true;
        s.commit(vec![Op::create(on), Op::create(patron("100002"))]).await.unwrap();
        let subs = s.new_arrival_subscribers().await.unwrap();
        assert_eq!(subs.len(), 1);
        let mut p = subs.into_iter().next().unwrap();
        p.notifications.new_arrivals.enabled = false;
        s.commit(vec![Op::update(p)]).await.unwrap();
        assert!(s.new_arrival_subscribers().await.unwrap().is_empty());
    }

    async fn concurrent_read_modify_writes_lose_no_update(kind: StoreKind) {
        let s: Arc<dyn Store> = store(kind).await;
        s.commit(vec![Op::create(patron("100001"))]).await.unwrap();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move {
                    loop {
                        let mut p = s.patron(&card("100001")).await.unwrap().unwrap();
                        p.failed_logins += 1;
                        match s.commit(vec![Op::update(p)]).await {
                            Ok(()) => return,
                            Err(StoreError::Conflict) => tokio::task::yield_now().await,
                            Err(e) => panic!("{e}"),
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let p = s.patron(&card("100001")).await.unwrap().unwrap();
        assert_eq!(p.failed_logins, 20);
        assert_eq!(p.version, 21);
    }

    async fn records_round_trip_exactly(kind: StoreKind) {
        let s = store(kind).await;
        let mut t = title("B-1", "2026-12-01");
        t.queue = vec![QueuedHold { hold_id: HoldId::generate(), card_number: card("100002") }];
        let mut p = patron("100001");
        p.password = Some(Credential { hash: "$argon2id$x".into(), temporary: true, expires_at: Some(Utc::now()) });
        p.notifications.new_arrivals.authors = InterestTerms::parse(vec!["村上 春樹".into()]).unwrap();
        let h = hold("100001", "B-1", HoldState::Ready { ready_on: d("2026-12-01"), pickup_deadline: d("2026-12-01") + Days::new(7), barcode: Barcode::parse("C-1").unwrap() });
        s.commit(vec![Op::create(t.clone()), Op::create(p.clone()), Op::create(h.clone())]).await.unwrap();
        t.version = 1;
        p.version = 1;
        let mut h1 = h.clone();
        h1.version = 1;
        assert_eq!(s.title(&t.bib_id).await.unwrap().unwrap(), t);
        let back = s.patron(&p.card_number).await.unwrap().unwrap();
        assert_eq!(back.notifications, p.notifications);
        assert_eq!(back.password.as_ref().map(|c| c.temporary), Some(true));
        assert_eq!(s.hold(&h.card_number, &h.bib_id).await.unwrap().unwrap(), h1);
        let _ = Expect::Absent;
    }
}

/// The embedded store keeps its data across a dev-server restart, and a write that was cut
/// short (a leftover temporary file) never replaces the last good file.
#[tokio::test]
async fn the_embedded_store_survives_a_restart() {
    let dir = std::env::temp_dir().join(mypage_tests::unique("mypage-store"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("data.json");
    let (s, fresh) = mypage::store::MemoryStore::open(&path).unwrap();
    assert!(fresh);
    let s: Arc<dyn Store> = Arc::new(s);
    s.commit(vec![
        Op::create(patron("100001")),
        Op::create(title("B-1", "2026-12-01")),
    ])
    .await
    .unwrap();
    drop(s);
    std::fs::write(path.with_extension("tmp"), b"{ half a fi").unwrap();
    let (s, fresh) = mypage::store::MemoryStore::open(&path).unwrap();
    assert!(!fresh);
    let s: Arc<dyn Store> = Arc::new(s);
    assert_eq!(s.patron(&card("100001")).await.unwrap().unwrap().version, 1);
    assert!(s
        .title(&BibId::parse("B-1").unwrap())
        .await
        .unwrap()
        .is_some());
    // A corrupt file is reported, not silently replaced by an empty store.
    std::fs::write(&path, b"not json").unwrap();
    assert!(matches!(
        mypage::store::MemoryStore::open(&path),
        Err(StoreError::Corrupt(_))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
