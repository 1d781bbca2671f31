//! Managing holds and the hold cart through the HTTP API, on both stores: suspending,
//! resuming, not-needed-after dates, the contact method, the estimate (R-HOLD-11..14), and the
//! hold cart, 予約候補一覧 (R-HOLD-10). Test names carry the rule IDs of docs/rules.md.

use mypage_tests::both_stores;
use mypage_tests::{pick, Reply, StoreKind, TestServer};
use reqwest::Method;
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::{json, Value};

const POST: Method = Method::POST;

/// The test clock starts on 2026-12-01 in Japan.
const TODAY: &str = "2026-12-01";

fn day(offset: i64) -> String {
    (TODAY.parse::<chrono::NaiveDate>().unwrap() + chrono::Duration::days(offset)).to_string()
}

async fn place(s: &TestServer, token: &str, bib: &str, extra: Value) -> Value {
    let mut body = json!({"bib_id": bib, "notify": "none"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    s.call(POST, "/api/me/holds", Some(token), Some(body))
        .await
        .expect(201)
        .body
}

async fn holds(s: &TestServer, token: &str) -> Vec<Value> {
    s.holds(token).await.as_array().unwrap().clone()
}

async fn hold_on(s: &TestServer, token: &str, bib: &str) -> Option<Value> {
    holds(s, token)
        .await
        .into_iter()
        .find(|h| h["bib_id"] == bib)
}

/// The status of `card`'s hold on `bib`, seen in a new session (the clock has moved on).
async fn status_on(s: &TestServer, card: &str, bib: &str) -> Value {
    let t = s.relog(card).await;
    hold_on(s, &t, bib).await.expect("a hold on the title")["status"].clone()
}

async fn patch(s: &TestServer, token: &str, hold: &Value, changes: Value) -> Reply {
    s.patch_hold(token, hold["hold_id"].as_str().unwrap(), changes)
        .await
}

async fn run_hold_expiry(s: &TestServer) -> Value {
    s.run_job("hold-expiry", None).await
}

// ---------------------------------------------------------------- R-HOLD-11 suspending

#[apply(both_stores)]
async fn r_hold_11_a_suspended_hold_keeps_its_place_and_is_passed_over_at_check_in(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let [(b, hb), (c, _)] = s.queue("S-1", "21000001", ["21000002", "21000003"]).await;
    let r = s
        .patch_hold(&b, &hb, json!({"suspended_until": day(10)}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(r.body["suspended_until"], day(10));
    assert_eq!(
        r.body["queue_position"], 1,
        "a suspended hold keeps its place"
    );
    assert_eq!(r.body["cancellable"], true);
    assert_eq!(
        r.body["estimated_ready_on"],
        Value::Null,
        "no estimate while suspended"
    );
    // The copy comes back: it goes to the next hold that is not suspended.
    let ready = s.check_in("S-1-1").await.expect(200);
    assert_eq!(ready.body["hold_ready"]["card_number"], "21000003");
    let still = hold_on(&s, &b, "S-1").await.unwrap();
    assert_eq!(
        pick(&still, &["status", "queue_position"]),
        json!({"status": "suspended", "queue_position": 1})
    );
    assert_eq!(hold_on(&s, &c, "S-1").await.unwrap()["status"], "ready");
    // Waiting holds of a title count the suspended one.
    assert_eq!(s.catalog_title("S-1").await["waiting_holds"], 1);
    // From its date on, it is waiting again, by itself.
    s.advance_days(10);
    assert_eq!(status_on(&s, "21000002", "S-1").await, "waiting");
}

#[apply(both_stores)]
async fn r_hold_11_suspension_dates_are_bounded_and_a_ready_hold_cannot_be_suspended(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    s.lent_out("21000011", ["S-2"]).await;
    let b = s.patron_with_email("21000012").await;
    let h = place(&s, &b, "S-2", json!({})).await;
    for bad in [day(0), day(-1), day(366)] {
        patch(&s, &b, &h, json!({"suspended_until": bad}))
            .await
            .expect_error(400, "invalid_date");
    }
    for bad in [day(-1), day(366)] {
        patch(&s, &b, &h, json!({"not_needed_after": bad}))
            .await
            .expect_error(400, "invalid_date");
    }
    patch(&s, &b, &h, json!({"suspended_until": "tomorrow"}))
        .await
        .expect_error(400, "invalid_request");
    patch(&s, &b, &h, json!({"suspended_until": day(1)}))
        .await
        .expect(200);
    patch(
        &s,
        &b,
        &h,
        json!({"suspended_until": day(365), "not_needed_after": day(0)}),
    )
    .await
    .expect(200);
    // Resume at once; nothing else changes.
    let r = patch(&s, &b, &h, json!({"suspended_until": null}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "waiting");
    assert_eq!(r.body["not_needed_after"], day(0));
    s.check_in("S-2-1").await.expect(200);
    let ready = hold_on(&s, &b, "S-2").await.unwrap();
    assert_eq!(ready["status"], "ready");
    patch(&s, &b, &ready, json!({"suspended_until": day(5)}))
        .await
        .expect_error(409, "ready_for_pickup");
    // The contact method of a ready hold may change (R-HOLD-13).
    let r = patch(&s, &b, &ready, json!({"notify": "email"}))
        .await
        .expect(200);
    assert_eq!(
        pick(&r.body, &["notify", "status"]),
        json!({"notify": "email", "status": "ready"})
    );
    s.patch_hold(&b, "H-nope", json!({}))
        .await
        .expect_error(404, "hold_not_found");
}

#[apply(both_stores)]
async fn r_hold_11_a_hold_that_resumes_while_a_copy_is_on_the_shelf_becomes_ready(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    s.lent_out("21000021", ["S-3"]).await;
    let b = s.patron_with_email("21000022").await;
    let c = s.patron("21000023").await;
    let hb = place(&s, &b, "S-3", json!({"notify": "email"})).await;
    let hc = place(&s, &c, "S-3", json!({})).await;
    patch(&s, &b, &hb, json!({"suspended_until": day(20)}))
        .await
        .expect(200);
    patch(&s, &c, &hc, json!({"suspended_until": day(3)}))
        .await
        .expect(200);
    // Everyone waiting is suspended: the copy goes to the shelf.
    let r = s.check_in("S-3-1").await.expect(200);
    assert_eq!(r.body["hold_ready"], Value::Null);
    assert_eq!(
        pick(
            &s.catalog_title("S-3").await,
            &["available", "waiting_holds"]
        ),
        json!({"available": 1, "waiting_holds": 2})
    );
    // B resumes at the PATCH: the shelf copy is theirs at once, and the email goes out.
    let sent_before = s.mail_mark();
    let r = patch(&s, &b, &hb, json!({"suspended_until": null}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "ready", "{}", r.body);
    assert_eq!(r.body["pickup_deadline"], day(7));
    assert_eq!(s.mail_since(sent_before).len(), 1, "the hold-ready email");
    assert_eq!(
        s.dev.scheduler.schedules().len(),
        1,
        "its expiry is scheduled"
    );
    assert_eq!(s.catalog_title("S-3").await["available"], 0);
    // C's suspension ends by date while another copy waits on the shelf: the daily run serves it.
    s.add_copy("S-3-2", "S-3").await.expect(201);
    assert_eq!(
        s.catalog_title("S-3").await["available"],
        1,
        "C is still suspended: the new copy is shelved"
    );
    s.advance_days(3);
    let swept = run_hold_expiry(&s).await;
    assert_eq!(swept["sweep"]["served_from_shelf"], 1, "{swept}");
    assert_eq!(status_on(&s, "21000023", "S-3").await, "ready");
    assert_eq!(
        run_hold_expiry(&s).await["sweep"]["served_from_shelf"],
        0,
        "once"
    );
}

#[apply(both_stores)]
async fn r_hold_11_a_suspended_hold_counts_toward_the_ten_and_blocks_renewal(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let b = s.patron("21000032").await;
    s.lent_out("21000031", (0..11).map(|i| format!("T-{i}")))
        .await;
    let first = place(&s, &b, "T-0", json!({})).await;
    patch(&s, &b, &first, json!({"suspended_until": day(30)}))
        .await
        .expect(200);
    for i in 1..10 {
        place(&s, &b, &format!("T-{i}"), json!({})).await;
    }
    s.place_hold(&b, "T-10", "none")
        .await
        .expect_error(409, "hold_limit_reached");
    let me = s.get("/api/me", Some(&b)).await.expect(200);
    assert_eq!(me.body["holds"]["active"], 10);
    // R-RENEW-3: a suspended hold is another patron waiting.
    s.advance_days(3);
    let a = s.relog("21000031").await;
    let loans = s.get("/api/me/loans", Some(&a)).await.expect(200);
    let t0 = loans.body["loans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["bib_id"] == "T-0")
        .unwrap()
        .clone();
    assert_eq!(t0["not_renewable_reason"], "on_hold_for_other_patron");
    s.renew(&a, t0["loan_id"].as_str().unwrap())
        .await
        .expect_error(409, "on_hold_for_other_patron");
    // A suspended hold can be cancelled, and frees its slot.
    let b = s.relog("21000032").await;
    let id = first["hold_id"].as_str().unwrap();
    s.cancel_hold(&b, id).await.expect(204);
    place(&s, &b, "T-10", json!({})).await;
}

// ---------------------------------------------------------------- R-HOLD-12 not needed after

#[apply(both_stores)]
async fn r_hold_12_a_hold_past_its_not_needed_after_date_lapses_but_a_ready_one_keeps_its_week(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    s.lent_out("21000041", ["N-1", "N-2"]).await;
    let b = s.patron("21000042").await;
    let c = s.patron("21000043").await;
    let hb = place(&s, &b, "N-1", json!({"not_needed_after": day(2)})).await;
    assert_eq!(hb["not_needed_after"], day(2));
    place(&s, &c, "N-1", json!({})).await;
    let suspended = place(&s, &b, "N-2", json!({"not_needed_after": day(1)})).await;
    patch(&s, &b, &suspended, json!({"suspended_until": day(30)}))
        .await
        .expect(200);
    s.call(
        POST,
        "/api/me/holds",
        Some(&b),
        Some(json!({"bib_id": "N-1", "notify": "none", "not_needed_after": day(-1)})),
    )
    .await
    .expect_error(409, "duplicate_hold");
    // On the last day it is still needed; the day after, a check-in passes it over.
    s.advance_days(3);
    let r = s.check_in("N-1-1").await.expect(200);
    assert_eq!(
        r.body["hold_ready"]["card_number"], "21000043",
        "check-in never readies a hold no longer needed"
    );
    // The daily run lapses both (waiting and suspended), freeing the slots.
    let swept = run_hold_expiry(&s).await;
    assert_eq!(swept["sweep"]["lapsed_unneeded"], 2, "{swept}");
    let b = s.relog("21000042").await;
    assert!(holds(&s, &b).await.is_empty());
    assert_eq!(s.get("/api/me", Some(&b)).await.body["holds"]["active"], 0);
    // A ready hold keeps its pickup week whatever its date says.
    let c = s.relog("21000043").await;
    let ready = hold_on(&s, &c, "N-1").await.unwrap();
    patch(&s, &c, &ready, json!({"not_needed_after": day(3)}))
        .await
        .expect(200);
    s.advance_days(2);
    run_hold_expiry(&s).await;
    assert_eq!(status_on(&s, "21000043", "N-1").await, "ready");
}

// ---------------------------------------------------------------- R-HOLD-13, R-HOLD-14

#[apply(both_stores)]
async fn r_hold_13_the_contact_method_can_be_changed_and_email_needs_an_address(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let [(b, h)] = s.queue("M-1", "21000051", ["21000052"]).await;
    s.patch_hold(&b, &h, json!({"notify": "email"}))
        .await
        .expect_error(400, "email_not_registered");
    s.patch_hold(&b, &h, json!({"notify": "pigeon"}))
        .await
        .expect_error(400, "invalid_request");
    s.put_email(&b, "b@example.jp").await.expect(202);
    let r = s
        .patch_hold(&b, &h, json!({"notify": "email"}))
        .await
        .expect(200);
    assert_eq!(r.body["notify"], "email");
    assert_eq!(hold_on(&s, &b, "M-1").await.unwrap()["notify"], "email");
}

#[apply(both_stores)]
async fn r_hold_14_the_estimate_counts_the_holds_ahead_that_are_not_suspended(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    s.patron("21000061").await;
    let mut p = Vec::new();
    for i in 2..6 {
        p.push(s.patron(&format!("2100006{i}")).await);
    }
    s.title_on_loan("E-1", 1, "21000061").await;
    s.title_on_loan("E-2", 2, "21000061").await;
    let mut first = None;
    for (i, t) in p.iter().enumerate() {
        let h = place(&s, t, "E-1", json!({})).await;
        // A loan period (14 days) for today's loans to come back, then the pickup week (7) and a
        // loan period per patron ahead: 14, 35, 56, 77.
        assert_eq!(
            h["estimated_ready_on"],
            day(14 + 21 * i as i64),
            "position {}",
            i + 1
        );
        first.get_or_insert(h);
    }
    patch(
        &s,
        &p[0],
        first.as_ref().unwrap(),
        json!({"suspended_until": day(60)}),
    )
    .await
    .expect(200);
    let second = hold_on(&s, &p[1], "E-1").await.unwrap();
    assert_eq!(
        (
            second["queue_position"].as_u64(),
            second["estimated_ready_on"].as_str()
        ),
        (Some(2), Some(day(14).as_str()))
    );
    // Two copies serve two patrons per period.
    let a = place(&s, &p[0], "E-2", json!({})).await;
    let b = place(&s, &p[1], "E-2", json!({})).await;
    let c = place(&s, &p[2], "E-2", json!({})).await;
    assert_eq!(
        (
            a["estimated_ready_on"].clone(),
            b["estimated_ready_on"].clone(),
            c["estimated_ready_on"].clone()
        ),
        (json!(day(14)), json!(day(14)), json!(day(35)))
    );
}

// ---------------------------------------------------------------- R-HOLD-10 the hold cart

async fn cart(s: &TestServer, token: &str) -> Vec<String> {
    s.get("/api/me/hold-cart", Some(token))
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["bib_id"].as_str().unwrap().to_owned())
        .collect()
}

#[apply(both_stores)]
async fn r_hold_10_the_cart_keeps_twenty_titles_in_the_order_added_on_every_device(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let t = s.patron("21000071").await;
    for i in 0..21 {
        s.title(&format!("C-{i:02}"), 1).await;
    }
    for i in 0..20 {
        s.add_to_cart(&t, &format!("C-{i:02}")).await.expect(204);
    }
    s.add_to_cart(&t, "C-20")
        .await
        .expect_error(409, "cart_full");
    // Already there: fine even when full, and it keeps its place.
    s.add_to_cart(&t, "C-05").await.expect(204);
    for unknown in ["NOPE", "..%2Fx"] {
        s.add_to_cart(&t, unknown)
            .await
            .expect_error(404, "title_not_found");
    }
    let want: Vec<String> = (0..20).map(|i| format!("C-{i:02}")).collect();
    // Another device, another session: the same cart.
    let other = s.relog("21000071").await;
    assert_ne!(other, t);
    assert_eq!(cart(&s, &other).await, want);
    s.delete("/api/me/hold-cart/C-05", &other).await.expect(204);
    s.delete("/api/me/hold-cart/C-05", &other).await.expect(204);
    s.add_to_cart(&t, "C-20").await.expect(204);
    let items = s.get("/api/me/hold-cart", Some(&t)).await.expect(200).body["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 20);
    assert_eq!(
        items[19],
        json!({"bib_id": "C-20", "title": "本 C-20", "author": "著者", "available": 1, "waiting_holds": 0})
    );
    // Nobody else sees it.
    let stranger = s.patron("21000072").await;
    assert!(cart(&s, &stranger).await.is_empty());
}

#[apply(both_stores)]
async fn r_hold_10_placing_the_cart_holds_each_title_in_cart_order_under_every_rule(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let t = s.patron("21000082").await;
    s.lent_out("21000081", (0..12).map(|i| format!("P-{i:02}")))
        .await;
    s.title("P-SHELF", 1).await;
    let on_loan = (0..11).map(|i| format!("P-{i:02}"));
    for bib in on_loan.chain(["P-SHELF".to_owned(), "P-11".to_owned()]) {
        s.add_to_cart(&t, &bib).await.expect(204);
    }
    s.place_cart_holds(&t, "email")
        .await
        .expect_error(400, "email_not_registered");
    let r = s.place_cart_holds(&t, "none").await.expect(200);
    let results = r.body["results"].as_array().unwrap();
    let outcome = |bib: &str| results.iter().find(|x| x["bib_id"] == bib).unwrap().clone();
    for i in 0..10 {
        let o = outcome(&format!("P-{i:02}"));
        assert_eq!(o["outcome"], "placed", "{o}");
        assert_eq!(o["hold"]["status"], "waiting");
    }
    assert_eq!(outcome("P-10")["error"]["code"], "hold_limit_reached");
    assert_eq!(outcome("P-SHELF")["error"]["code"], "available_on_shelf");
    assert_eq!(outcome("P-11")["error"]["code"], "hold_limit_reached");
    assert!(outcome("P-11")["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    // Placed titles left the cart; refused ones stay, in their order.
    assert_eq!(cart(&s, &t).await, vec!["P-10", "P-SHELF", "P-11"]);
    assert_eq!(holds(&s, &t).await.len(), 10);
    // Placing again: nothing new, each refusal says why.
    let again = s.place_cart_holds(&t, "none").await.expect(200);
    assert!(again.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["outcome"] == "refused"));
}
