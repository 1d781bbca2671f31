//! Rules that involve two requests at once hold under concurrency, on both stores
//! (R-ACCT-7, R-RENEW-8, R-HOLD-2, R-HOLD-8, R-DESK-2, R-CAL-1, R-HIST-1, R-ACCT-9).
//! `make stress` repeats this suite. Each test ends with the store checker: every invariant
//! holds on the whole store.

use futures::future::join_all;
use mypage::ports::HistoryRange;
use mypage_tests::both_stores;
use mypage_tests::StoreKind;
use mypage_tests::{pick, Reply, TestServer};
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::json;
use std::collections::BTreeMap;

/// How many answers came with each status and error code (none for a success): what a race
/// ended in.
fn outcomes(answers: &[Reply]) -> BTreeMap<(u16, &str), usize> {
    let mut tally = BTreeMap::new();
    for r in answers {
        *tally.entry((r.status.as_u16(), r.code())).or_default() += 1;
    }
    tally
}

#[apply(both_stores)]
async fn r_acct_7_twenty_concurrent_wrong_passwords_lock_exactly_as_the_policy_says(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    s.patron("40000001").await;
    let answers = join_all((0..20).map(|_| s.log_in("40000001", "Wrong12345"))).await;
    let unauthorised = answers.iter().filter(|r| r.status == 401).count();
    let locked = answers.iter().filter(|r| r.status == 429).count();
    // Four failures are counted; the fifth locks; every later one finds the card locked.
    assert_eq!(
        (unauthorised, locked),
        (4, 16),
        "{:?}",
        answers
            .iter()
            .map(|r| r.status.as_u16())
            .collect::<Vec<_>>()
    );
    s.log_in_own("40000001")
        .await
        .expect_error(429, "account_locked");
    s.clock.advance(chrono::Duration::minutes(16));
    s.log_in_own("40000001").await.expect(200);
    mypage_tests::checker::assert_store_sound(&s).await;
}

#[apply(both_stores)]
async fn r_renew_8_fifty_concurrent_renewals_renew_once(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("40000002").await;
    s.title("B-1", 1).await;
    let loan = s.loan_id_days_ago("40000002", "B-1-1", 3).await;
    let answers = join_all((0..50).map(|_| s.renew(&t, &loan))).await;
    assert_eq!(
        outcomes(&answers),
        BTreeMap::from([((200, ""), 1), ((409, "already_renewed"), 49)])
    );
    let loans = s.get("/api/me/loans", Some(&t)).await.expect(200);
    assert_eq!(loans.body["loans"][0]["due_date"], "2026-12-15");
    assert_eq!(loans.body["loans"][0]["renewed"], true);
    mypage_tests::checker::assert_store_sound(&s).await;
}

#[apply(both_stores)]
async fn r_renew_3_a_renewal_racing_a_hold_never_ignores_it(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let borrower = s.patron("40000003").await;
    let waiter = s.patron("40000004").await;
    s.title("B-1", 1).await;
    let loan = s.loan_id_days_ago("40000003", "B-1-1", 3).await;
    let (renewal, hold) = tokio::join!(
        s.renew(&borrower, &loan),
        s.place_hold(&waiter, "B-1", "none")
    );
    hold.expect(201);
    // Either the renewal came first (and was allowed), or it saw the hold and refused.
    match renewal.status.as_u16() {
        200 => {}
        409 => assert_eq!(renewal.code(), "on_hold_for_other_patron"),
        other => panic!("unexpected {other}: {}", renewal.body),
    }
    s.renew(&borrower, &loan).await.expect(409);
    mypage_tests::checker::assert_store_sound(&s).await;
}

#[apply(both_stores)]
async fn r_hold_2_thirty_concurrent_holds_leave_exactly_ten(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("40000005").await;
    s.lent_out("40000006", (0..30).map(|i| format!("T{i}")))
        .await;
    let answers = join_all((0..30).map(|i| {
        let (s, t) = (&s, &t);
        async move {
            let bib = format!("T{i}");
            if i % 3 == 0 {
                s.staff_hold("40000005", &bib, "none").await
            } else {
                s.place_hold(t, &bib, "none").await
            }
        }
    }))
    .await;
    assert_eq!(
        outcomes(&answers),
        BTreeMap::from([((201, ""), 10), ((409, "hold_limit_reached"), 20)])
    );
    let holds = s.get("/api/me/holds", Some(&t)).await.expect(200);
    assert_eq!(holds.body["holds"].as_array().unwrap().len(), 10);
    assert_eq!(s.get("/api/me", Some(&t)).await.body["holds"]["active"], 10);
    // Every title's queue agrees with the holds that exist.
    let mut queued = 0;
    for i in 0..30 {
        queued += s.get(&format!("/api/catalog/titles/T{i}"), None).await.body["waiting_holds"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(queued, 10);
    mypage_tests::checker::assert_store_sound(&s).await;
}

#[apply(both_stores)]
async fn r_hold_8_concurrent_duplicate_holds_make_one(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("40000007").await;
    s.lent_out("40000008", ["B-1"]).await;
    let answers = join_all((0..10).map(|_| s.place_hold(&t, "B-1", "none"))).await;
    assert_eq!(answers.iter().filter(|r| r.status == 201).count(), 1);
    assert!(answers
        .iter()
        .filter(|r| r.status != 201)
        .all(|r| r.code() == "duplicate_hold"));
    assert_eq!(s.get("/api/me", Some(&t)).await.body["holds"]["active"], 1);
    assert_eq!(s.catalog_title("B-1").await["waiting_holds"], 1);
    mypage_tests::checker::assert_store_sound(&s).await;
}

#[apply(both_stores)]
async fn r_desk_2_two_check_ins_racing_give_each_copy_to_one_hold(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.patron("40000009").await;
    s.patron("40000010").await;
    let waiter = s.patron("40000011").await;
    s.title("B-1", 2).await;
    s.check_out("40000009", "B-1-1").await.expect(201);
    s.check_out("40000010", "B-1-2").await.expect(201);
    s.place_hold(&waiter, "B-1", "none").await.expect(201);
    let (a, b) = tokio::join!(s.check_in("B-1-1"), s.check_in("B-1-2"));
    let (a, b) = (a.expect(200), b.expect(200));
    let readied = [&a, &b]
        .iter()
        .filter(|r| !r.body["hold_ready"].is_null())
        .count();
    assert_eq!(
        readied, 1,
        "one copy for the one hold: {} / {}",
        a.body, b.body
    );
    assert_eq!(
        pick(
            &s.catalog_title("B-1").await,
            &["available", "waiting_holds"]
        ),
        json!({"available": 1, "waiting_holds": 0})
    );
    let holds = s.get("/api/me/holds", Some(&waiter)).await.body;
    assert_eq!(holds["holds"][0]["status"], "ready");
    mypage_tests::checker::assert_store_sound(&s).await;
}

#[apply(both_stores)]
async fn r_desk_2_one_copy_for_two_waiting_holds_goes_to_the_first(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let [(first, _), (second, _)] = s.queue("B-1", "40000012", ["40000013", "40000014"]).await;
    // The same copy checked in twice at once (a double scan): one closes the loan.
    let (a, b) = tokio::join!(s.check_in("B-1-1"), s.check_in("B-1-1"));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(s.holds(&first).await[0]["status"], "ready");
    assert_eq!(s.holds(&second).await[0]["queue_position"], 1);
    mypage_tests::checker::assert_store_sound(&s).await;
}

#[apply(both_stores)]
async fn r_hold_10_a_cart_of_twelve_placed_twice_at_once_gives_exactly_ten_holds(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let t = s.patron("40000022").await;
    let cart: Vec<String> = (0..12).map(|i| format!("K-{i:02}")).collect();
    s.lent_out("40000021", &cart).await;
    for bib in &cart {
        s.add_to_cart(&t, bib).await.expect(204);
    }
    let (a, b) = tokio::join!(
        s.place_cart_holds(&t, "none"),
        s.place_cart_holds(&t, "none")
    );
    let placed: Vec<String> = [a.expect(200), b.expect(200)]
        .iter()
        .flat_map(|r| r.body["results"].as_array().unwrap().clone())
        .filter(|x| x["outcome"] == "placed")
        .map(|x| x["bib_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(placed.len(), 10, "{placed:?}");
    let distinct: std::collections::BTreeSet<_> = placed.iter().collect();
    assert_eq!(distinct.len(), 10, "each title placed once");
    // The limit counts in cart order: the first ten.
    let want: std::collections::BTreeSet<String> = (0..10).map(|i| format!("K-{i:02}")).collect();
    assert_eq!(
        distinct
            .into_iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        want
    );
    let holds = s.get("/api/me/holds", Some(&t)).await.expect(200);
    assert_eq!(holds.body["holds"].as_array().unwrap().len(), 10);
    let me = s.get("/api/me", Some(&t)).await.expect(200);
    assert_eq!(me.body["holds"]["active"], 10);
    let cart = s.get("/api/me/hold-cart", Some(&t)).await.expect(200);
    assert_eq!(cart.body["items"].as_array().unwrap().len(), 2);
}

#[apply(both_stores)]
async fn r_hold_11_a_suspension_racing_a_check_in_leaves_one_consistent_queue(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let [(b, hb), (c, _)] = s.queue("R-1", "40000031", ["40000032", "40000033"]).await;
    let (suspend, checkin) = tokio::join!(
        s.patch_hold(&b, &hb, json!({"suspended_until": "2026-12-20"})),
        s.check_in("R-1-1")
    );
    checkin.expect(200);
    let status_of = |t: &str| {
        let t = t.to_owned();
        let s = &s;
        async move { s.holds(&t).await[0].clone() }
    };
    let (sb, sc) = (status_of(&b).await, status_of(&c).await);
    match suspend.status.as_u16() {
        // Suspended first: the copy passed B over and went to C.
        200 => {
            assert_eq!(
                (sb["status"].as_str(), sc["status"].as_str()),
                (Some("suspended"), Some("ready"))
            );
            assert_eq!(sb["queue_position"], 1);
        }
        // Checked in first: B was ready, and a ready hold cannot be suspended.
        409 => {
            assert_eq!(suspend.code(), "ready_for_pickup");
            assert_eq!(
                (sb["status"].as_str(), sc["status"].as_str()),
                (Some("ready"), Some("waiting"))
            );
            assert_eq!(sc["queue_position"], 1);
        }
        other => panic!("unexpected {other}: {}", suspend.body),
    }
    assert_eq!(
        pick(
            &s.catalog_title("R-1").await,
            &["available", "waiting_holds"]
        ),
        json!({"available": 0, "waiting_holds": 1})
    );
}

#[apply(both_stores)]
async fn r_cal_1_two_closures_racing_cannot_close_more_than_60_days_in_a_row(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    // 2027-01-01..=01-30 and 02-02..=03-03 closed (30 days each). Closing 01-31 or 02-01
    // alone makes 31 in a row; both would make 62.
    let start: chrono::NaiveDate = "2027-01-01".parse().unwrap();
    for i in (0..30).chain(32..62) {
        let d = start + chrono::Days::new(i);
        s.close_day(&d.to_string(), "工事").await.expect(204);
    }
    let (a, b) = tokio::join!(
        s.close_day("2027-01-31", "工事"),
        s.close_day("2027-02-01", "工事")
    );
    let mut answers = [a.status.as_u16(), b.status.as_u16()];
    answers.sort();
    assert_eq!(
        answers,
        [204, 409],
        "exactly one of the two closures is refused"
    );
    let r = s
        .get("/api/catalog/calendar?from=2027-01-01&to=2027-03-31", None)
        .await
        .expect(200);
    assert_eq!(r.body["closed"].as_array().unwrap().len(), 61);
}

#[apply(both_stores)]
async fn r_hist_1_a_check_in_racing_the_switch_off_leaves_no_entry(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("40000020").await;
    s.title("RACE", 6).await;
    let card = mypage::domain::types::CardNumber::parse("40000020").unwrap();
    for round in 1..=6 {
        s.set_reading_history(&t, true).await.expect(204);
        let barcode = format!("RACE-{round}");
        s.check_out("40000020", &barcode).await.expect(201);
        let off = s.set_reading_history(&t, false);
        let (back, off) = tokio::join!(s.check_in(&barcode), off);
        back.expect(200);
        off.expect(204);
        // Whichever committed first, nothing of the history is left once both have answered:
        // an entry committed before the switch was purged by it; a check-in after it saw the
        // history off and recorded nothing.
        let stored = s
            .app()
            .store
            .history(
                &card,
                HistoryRange::Purgeable {
                    before: u32::MAX,
                    limit: 100,
                },
            )
            .await
            .unwrap();
        assert!(
            stored.is_empty(),
            "round {round}: {} entries left",
            stored.len()
        );
        let r = s.get("/api/me/reading-history", Some(&t)).await.expect(200);
        assert_eq!(r.body["entries"], json!([]));
    }
}

#[apply(both_stores)]
async fn r_acct_9_two_requests_ending_one_session_end_it_once(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let home = s.patron("40000021").await;
    let phone = s.relog("40000021").await;
    let pc = s.relog("40000021").await;
    let list = s.mine("/api/me/sessions", &pc).await;
    let pc_id = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == true)
        .unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/me/sessions/{pc_id}");
    let (a, b) = tokio::join!(s.delete(&path, &home), s.delete(&path, &phone));
    let mut codes = [a.status.as_u16(), b.status.as_u16()];
    codes.sort();
    assert_eq!(codes, [204, 404], "{} / {}", a.body, b.body);
    s.assert_no_session(Some(&pc)).await;
    s.get("/api/me", Some(&home)).await.expect(200);
    s.get("/api/me", Some(&phone)).await.expect(200);
}
