//! The HTTP API through the dev server's router (the very handlers Lambda runs), on both
//! stores. Test names carry the rule IDs of docs/rules.md they prove.

use mypage::ports::Clock;
use mypage_tests::both_stores;
use mypage_tests::StoreKind;
use mypage_tests::{id_in, own_password, pick, TestServer, TITLE_COUNTS};
use reqwest::Method;
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::{json, Value};

const POST: Method = Method::POST;
const PUT: Method = Method::PUT;

/// A ready hold's status and dates, for [`pick`].
const READY_DATES: &[&str] = &["status", "ready_on", "pickup_deadline"];

fn loans_by_bib(body: &Value) -> std::collections::HashMap<String, Value> {
    body["loans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["bib_id"].as_str().unwrap().to_owned(), l.clone()))
        .collect()
}

// ---------------------------------------------------------------- accounts (R-ACCT-*)

#[apply(both_stores)]
async fn r_acct_3_temporary_password_reaches_only_the_password_change(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let temp = s.register("20000001", "山田 花子", false).await;
    let r = s.log_in("20000001", &temp).await.expect(200);
    assert_eq!(r.body["must_change_password"], true);
    let t = r.body["token"].as_str().unwrap().to_owned();
    for path in [
        "/api/me",
        "/api/me/loans",
        "/api/me/holds",
        "/api/me/notifications",
        "/api/me/ebooks",
    ] {
        s.get(path, Some(&t))
            .await
            .expect_error(403, "password_change_required");
    }
    s.place_hold(&t, "B-1", "none")
        .await
        .expect_error(403, "password_change_required");
    // The rules still apply to the new password (R-ACCT-4).
    for (current, new, status, code) in [
        (temp.as_str(), "abcdef", 400, "weak_password"),
        (temp.as_str(), temp.as_str(), 400, "weak_password"),
        ("wrong1", "Hanako2026x", 401, "invalid_credentials"),
    ] {
        s.change_password(&t, current, new)
            .await
            .expect_error(status, code);
    }
    s.change_password(&t, &temp, "Hanako2026x")
        .await
        .expect(204);
    // This session continues with the patron's own password; the temporary one is gone.
    s.get("/api/me/loans", Some(&t)).await.expect(200);
    s.log_in("20000001", &temp)
        .await
        .expect_error(401, "invalid_credentials");
    let r = s.log_in("20000001", "Hanako2026x").await.expect(200);
    assert_eq!(r.body["must_change_password"], false);
}

#[apply(both_stores)]
async fn r_acct_1_full_width_card_numbers_log_in(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.patron("20000002").await;
    s.log_in("２０００００02", &own_password("20000002"))
        .await
        .expect(200);
}

#[apply(both_stores)]
async fn r_acct_7_unknown_card_and_wrong_password_get_the_same_answer(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.patron("20000003").await;
    let wrong = s
        .log_in("20000003", "Wrong12345")
        .await
        .expect_error(401, "invalid_credentials");
    let unknown = s
        .log_in("29999999", "Wrong12345")
        .await
        .expect_error(401, "invalid_credentials");
    let malformed = s
        .log_in("12", "Wrong12345")
        .await
        .expect_error(401, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(unknown.body, malformed.body);
    // A registered card without a password yet answers the same.
    s.staff(
        "/api/staff/patrons",
        json!({"card_number": "20000004", "name": "x"}),
    )
    .await
    .expect(201);
    assert_eq!(
        s.log_in("20000004", "Wrong12345").await.expect(401).body,
        wrong.body
    );
}

#[apply(both_stores)]
async fn r_acct_7_five_failures_lock_the_card_for_fifteen_minutes(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.patron("20000005").await;
    for _ in 0..4 {
        s.log_in("20000005", "Wrong12345")
            .await
            .expect_error(401, "invalid_credentials");
    }
    let locked = s
        .log_in("20000005", "Wrong12345")
        .await
        .expect_error(429, "account_locked");
    assert!(locked.headers.get("retry-after").is_some());
    // Even the right password waits for the lock to pass.
    s.log_in_own("20000005")
        .await
        .expect_error(429, "account_locked");
    s.clock.advance(chrono::Duration::minutes(14));
    s.log_in_own("20000005")
        .await
        .expect_error(429, "account_locked");
    s.clock.advance(chrono::Duration::minutes(2));
    s.log_in_own("20000005").await.expect(200);
    // A success starts the count again.
    for _ in 0..4 {
        s.log_in("20000005", "Wrong12345")
            .await
            .expect_error(401, "invalid_credentials");
    }
    s.log_in_own("20000005").await.expect(200);
    s.log_in("20000005", "Wrong12345")
        .await
        .expect_error(401, "invalid_credentials");
}

#[apply(both_stores)]
async fn r_acct_2_a_new_temporary_password_lifts_a_lock_and_ends_sessions(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000006").await;
    for _ in 0..5 {
        s.log_in("20000006", "Wrong12345").await;
    }
    s.log_in_own("20000006")
        .await
        .expect_error(429, "account_locked");
    let temp = s.new_temporary_password("20000006").await;
    s.assert_no_session(Some(&t)).await;
    s.log_in_own("20000006")
        .await
        .expect_error(401, "invalid_credentials");
    assert_eq!(
        s.log_in("20000006", &temp).await.expect(200).body["must_change_password"],
        true
    );
}

#[apply(both_stores)]
async fn r_acct_5_an_unused_temporary_password_expires(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let temp = s.register("20000007", "x", false).await;
    s.advance_days(31);
    s.log_in("20000007", &temp)
        .await
        .expect_error(401, "invalid_credentials");
}

#[apply(both_stores)]
async fn r_acct_8_password_change_ends_the_other_sessions(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let first = s.patron("20000008").await;
    let second = s.relog("20000008").await;
    assert_ne!(first, second, "a new login issues a new token");
    s.change_password(&second, &own_password("20000008"), "Another2027y")
        .await
        .expect(204);
    s.assert_no_session(Some(&first)).await;
    s.get("/api/me", Some(&second)).await.expect(200);
}

#[apply(both_stores)]
async fn r_acct_8_sessions_end_by_logout_idleness_and_age(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000009").await;
    s.delete("/api/session", &t).await.expect(204);
    s.assert_no_session(Some(&t)).await;
    // Idle for 30 minutes: gone. Active every 20 minutes: kept, up to 12 hours.
    let t = s.relog("20000009").await;
    s.clock.advance(chrono::Duration::minutes(31));
    s.assert_no_session(Some(&t)).await;
    let t = s.relog("20000009").await;
    for _ in 0..35 {
        s.clock.advance(chrono::Duration::minutes(20));
        s.get("/api/me", Some(&t)).await.expect(200);
    }
    s.clock.advance(chrono::Duration::minutes(20)); // 12 h 0 min since login
    s.assert_no_session(Some(&t)).await;
    // Tokens that are not ours at all.
    for bad in [
        "",
        "garbage",
        "20000009.short",
        &format!("20000009.{}", "A".repeat(43)),
    ] {
        s.assert_no_session(Some(bad)).await;
    }
    s.assert_no_session(None).await;
}

/// ASVS 5.0 V3.5.1 (requests that change state by the cookie must show they come from the
/// site itself), V3.5.3 (Sec-Fetch-Site), V3.3.1 / V3.3.4 style cookie attributes.
#[apply(both_stores)]
async fn r_acct_8_the_cookie_is_httponly_secure_strict_and_state_changes_need_the_csrf_header(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    s.patron("20000010").await;
    let r = s.log_in_own("20000010").await.expect(200);
    let cookies: Vec<String> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("mypage_session="))
        .expect("the session cookie")
        .clone();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let device = cookies
        .iter()
        .find(|c| c.starts_with("mypage_device="))
        .expect("the device cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api"] {
        assert!(device.contains(attr), "{device}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();
    let read_me = || {
        s.http
            .get(format!("{}/api/me", s.base))
            .header("cookie", &pair)
            .send()
    };
    let get = read_me().await.unwrap();
    assert_eq!(get.status(), 200, "reading needs no CSRF header");
    let put = |headers: &[(&'static str, &str)]| {
        let mut b = s
            .http
            .put(format!("{}/api/me/email", s.base))
            .header("cookie", &pair)
            .json(&json!({"email": "a@example.jp"}));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.send()
    };
    let site = s.app().settings.site_origin.clone();
    for refused in [
        vec![],
        vec![("x-mypage-csrf", "")],
        vec![("x-mypage-csrf", "yes")],
        vec![("x-mypage-csrf", "1"), ("origin", "https://evil.example")],
        vec![("x-mypage-csrf", "1"), ("sec-fetch-site", "cross-site")],
        vec![("x-mypage-csrf", "1"), ("sec-fetch-site", "same-site")],
    ] {
        let r = put(&refused).await.unwrap();
        assert_eq!(r.status(), 403, "{refused:?}");
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"]["code"],
            "csrf_check_failed"
        );
    }
    for accepted in [
        vec![("x-mypage-csrf", "1")],
        vec![("x-mypage-csrf", "1"), ("origin", site.as_str())],
        vec![("x-mypage-csrf", "1"), ("sec-fetch-site", "same-origin")],
    ] {
        assert_eq!(put(&accepted).await.unwrap().status(), 202, "{accepted:?}");
    }
    // Logging out by the cookie is a state change too: another site cannot log the patron
    // out.
    let out = |csrf: bool| {
        let mut b = s
            .http
            .delete(format!("{}/api/session", s.base))
            .header("cookie", &pair);
        if csrf {
            b = b.header("x-mypage-csrf", "1");
        }
        b.send()
    };
    let refused = out(false).await.unwrap();
    assert_eq!(refused.status(), 403);
    let still = read_me().await.unwrap();
    assert_eq!(still.status(), 200, "the refused logout ended nothing");
    let out = out(true).await.unwrap();
    assert_eq!(out.status(), 204);
    assert!(out
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

#[apply(both_stores)]
async fn r_acct_6_email_can_be_set_changed_and_removed(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000011").await;
    s.put_email(&t, "not an address")
        .await
        .expect_error(400, "invalid_email");
    s.put_email(&t, "hanako@example.jp").await.expect(202);
    let me = s.get("/api/me", Some(&t)).await.expect(200);
    assert_eq!(me.body["email"], "hanako@example.jp");
    assert_eq!(me.body["card_number"], "20000011");
    assert_eq!(me.body["holds"], json!({"active": 0, "limit": 10}));
    s.set_notifications(
        &t,
        json!({"due_reminder": true, "new_arrivals": {"enabled": true, "authors": ["村上春樹"]}}),
    )
    .await;
    s.delete("/api/me/email", &t).await.expect(204);
    let me = s.get("/api/me", Some(&t)).await.expect(200);
    assert_eq!(me.body["email"], Value::Null);
    // Without an address both email services stop (R-MAIL-1, R-MAIL-2).
    let n = s.get("/api/me/notifications", Some(&t)).await.expect(200);
    assert_eq!(n.body["due_reminder"], false);
    assert_eq!(n.body["new_arrivals"]["enabled"], false);
    assert_eq!(
        n.body["new_arrivals"]["authors"],
        json!(["村上春樹"]),
        "the terms are kept for later"
    );
}

// ---------------------------------------------------------------- bad input

#[apply(both_stores)]
async fn bad_input_gets_a_clear_4xx_never_a_500(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000012").await;
    let raw = |method: Method, path: &str, ctype: &str, body: Vec<u8>| {
        s.http
            .request(method, format!("{}{path}", s.base))
            .bearer_auth(&t)
            .header("content-type", ctype.to_owned())
            // A refused body may be left unread and its connection closed: never reuse one.
            .header("connection", "close")
            .body(body)
            .send()
    };
    let code = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        (status, v["error"]["code"].as_str().unwrap_or("").to_owned())
    };
    let big = format!(
        r#"{{"bib_id": "B-1", "notify": "none", "pad": "{}"}}"#,
        "x".repeat(17 * 1024)
    );
    let huge = vec![b'x'; 2 * 1024 * 1024];
    const JSON: &str = "application/json";
    // What is sent (method, path, content type, body), and the refusal it gets.
    type Sent<'a> = (Method, &'a str, &'a str, &'a [u8]);
    #[rustfmt::skip]
    let refusals: [(Sent, (u16, &str)); 11] = [
        ((POST, "/api/me/holds", JSON, b"{not json"), (400, "malformed_json")),
        ((POST, "/api/me/holds", JSON, br#"{"bib_id": 5, "notify": "none"}"#), (400, "invalid_request")),
        ((POST, "/api/me/holds", JSON, br#"{"bib_id": "B-1", "notify": "pigeon"}"#), (400, "invalid_request")),
        ((POST, "/api/me/holds", JSON, br#"{"bib_id": "B-1", "notify": "none", "extra": 1}"#), (400, "invalid_request")),
        ((POST, "/api/me/holds", JSON, br#"{"bib_id": "../etc", "notify": "none"}"#), (400, "invalid_request")),
        ((POST, "/api/me/holds", "text/plain", br#"{"bib_id": "B-1", "notify": "none"}"#), (415, "unsupported_media_type")),
        ((POST, "/api/me/holds", JSON, big.as_bytes()), (413, "payload_too_large")),
        ((POST, "/api/me/holds", JSON, &huge), (413, "payload_too_large")),
        ((PUT, "/api/me/email", JSON, br#"{"email": null}"#), (400, "invalid_request")),
        ((PUT, "/api/me/email", JSON, b"[]"), (400, "invalid_request")),
        ((POST, "/api/session", JSON, b"{}"), (400, "invalid_request")),
    ];
    for ((method, path, ctype, body), (status, error)) in refusals {
        let what = format!(
            "{method} {path} {ctype} {}",
            String::from_utf8_lossy(&body[..body.len().min(80)])
        );
        assert_eq!(
            code(raw(method, path, ctype, body.to_vec()).await.unwrap()).await,
            (status, error.into()),
            "{what}"
        );
    }
    s.get("/api/nowhere", Some(&t))
        .await
        .expect_error(404, "not_found");
    s.call(PUT, "/api/me/loans", Some(&t), None)
        .await
        .expect_error(405, "method_not_allowed");
    for (path, status, code) in [
        ("/api/catalog/new-arrivals?days=0", 400, "invalid_request"),
        ("/api/catalog/new-arrivals?days=abc", 400, "invalid_request"),
        ("/api/catalog/titles/nope", 404, "title_not_found"),
        ("/api/catalog/titles/%E6%9C%AC", 404, "title_not_found"),
    ] {
        s.get(path, None).await.expect_error(status, code);
    }
    let long = "字".repeat(101);
    for new_arrivals in [
        json!({"enabled": false, "authors": vec!["a"; 21]}),
        json!({"enabled": false, "keywords": [long]}),
    ] {
        s.put_notifications(
            &t,
            json!({"due_reminder": false, "new_arrivals": new_arrivals}),
        )
        .await
        .expect_error(400, "invalid_request");
    }
    // Staff input too: each call, and the refusal it gets.
    let new_patron = |card: &str, name: &str| {
        s.staff(
            "/api/staff/patrons",
            json!({"card_number": card, "name": name}),
        )
    };
    let staff_refusals = [
        (new_patron("12", "x").await, (400, "invalid_request")),
        (new_patron("20000099", "").await, (400, "invalid_request")),
        (
            s.check_out("20000012", "NOPE").await,
            (404, "copy_not_found"),
        ),
        (
            s.check_out("29999999", "NOPE").await,
            (404, "patron_not_found"),
        ),
        (s.check_in("NOPE").await, (404, "copy_not_found")),
        (s.add_copy("C-1", "NOPE").await, (404, "title_not_found")),
    ];
    for (answer, (status, code)) in staff_refusals {
        answer.expect_error(status, code);
    }
    s.staff("/api/staff/patrons/29999999/temporary-password", json!({}))
        .await
        .expect_error(404, "patron_not_found");
    // ASVS 5.0 V2.2.1: a date outside any sensible range is refused, not stored.
    s.title("B-ILL", 1).await;
    s.check_out_interlibrary("20000012", "B-ILL-1", "9999-12-31")
        .await
        .expect_error(400, "invalid_request");
    s.check_out_interlibrary("20000012", "B-ILL-1", "2027-11-30")
        .await
        .expect(201);
}

/// RFC 9110 makes the authentication scheme case-insensitive: `bearer` and `BEARER` work.
#[apply(both_stores)]
async fn the_bearer_scheme_is_case_insensitive(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000016").await;
    for (scheme, status) in [
        ("Bearer", 200),
        ("bearer", 200),
        ("BEARER", 200),
        ("bEaReR", 200),
        ("Basic", 401),
    ] {
        let r = s
            .http
            .get(format!("{}/api/me", s.base))
            .header("authorization", format!("{scheme} {t}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{scheme}");
    }
}

#[apply(both_stores)]
async fn staff_routes_need_staff_credentials(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000013").await;
    // A patron's session is no staff credential, and neither is nothing at all.
    for token in [Some(t.as_str()), None] {
        s.call(
            POST,
            "/api/staff/titles",
            token,
            Some(json!({"bib_id": "B-1", "title": "x"})),
        )
        .await
        .expect_error(403, "staff_only");
    }
    let r = s
        .http
        .post(format!("{}/api/staff/titles", s.base))
        .header("x-staff-key", "wrong")
        .json(&json!({"bib_id": "B-1", "title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    s.staff(
        "/api/staff/patrons",
        json!({"card_number": "20000013", "name": "x"}),
    )
    .await
    .expect_error(409, "patron_exists");
    s.title("B-1", 1).await;
    s.staff("/api/staff/titles", json!({"bib_id": "B-1", "title": "x"}))
        .await
        .expect_error(409, "title_exists");
    s.add_copy("B-1-1", "B-1")
        .await
        .expect_error(409, "copy_exists");
}

#[apply(both_stores)]
async fn another_patrons_loans_and_holds_are_not_reachable(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let a = s.patron("20000014").await;
    let b = s.patron("20000015").await;
    s.title("B-1", 1).await;
    s.title_on_loan("B-2", 1, "20000015").await;
    let loan_a = s.loan_id_days_ago("20000014", "B-1-1", 2).await;
    let hold_a = s.hold_id(&a, "B-2", "none").await;
    s.renew(&b, &loan_a)
        .await
        .expect_error(404, "loan_not_found");
    s.cancel_hold(&b, &hold_a)
        .await
        .expect_error(404, "hold_not_found");
    let loans_b = s.get("/api/me/loans", Some(&b)).await.expect(200);
    assert_eq!(loans_b.body["loans"].as_array().unwrap().len(), 1);
    assert!(!loans_b.body.to_string().contains(&loan_a));
    let holds_b = s.get("/api/me/holds", Some(&b)).await.expect(200);
    assert_eq!(holds_b.body["holds"], json!([]));
    // A's hold and loan are untouched.
    s.renew(&a, &loan_a).await.expect(200);
    assert_eq!(s.holds(&a).await.as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------- loans and renewal

#[apply(both_stores)]
async fn r_loan_1_and_r_renew_1_to_6_the_guides_cases(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000016").await;
    s.patron("20000017").await;
    for bib in ["RENEW", "OVERDUE", "HELD", "ILL", "TODAY"] {
        s.title(bib, 1).await;
    }
    s.advance_days(-20);
    s.check_out("20000016", "OVERDUE-1").await.expect(201); // due 6 days ago
    s.advance_days(15);
    s.check_out("20000016", "RENEW-1").await.expect(201);
    s.check_out("20000016", "HELD-1").await.expect(201);
    s.check_out_interlibrary("20000016", "ILL-1", "2026-12-20")
        .await
        .expect(201);
    s.advance_days(5); // back to 2026-12-01
    s.check_out("20000016", "TODAY-1").await.expect(201);
    s.staff_hold("20000017", "HELD", "none").await.expect(201);

    let loans = loans_by_bib(&s.get("/api/me/loans", Some(&t)).await.expect(200).body);
    assert_eq!(loans.len(), 5);
    let reason = |b: &str| loans[b]["not_renewable_reason"].clone();
    assert_eq!(
        (loans["RENEW"]["renewable"].clone(), reason("RENEW")),
        (json!(true), Value::Null)
    );
    assert_eq!(reason("OVERDUE"), "overdue"); // R-RENEW-2
    assert_eq!(reason("HELD"), "on_hold_for_other_patron"); // R-RENEW-3
    assert_eq!(reason("ILL"), "interlibrary_loan"); // R-RENEW-4
    assert_eq!(reason("TODAY"), "checked_out_today"); // R-RENEW-5
    assert_eq!(loans["RENEW"]["title"], "本 RENEW");
    assert_eq!(loans["RENEW"]["author"], "著者");
    assert_eq!(loans["RENEW"]["due_date"], "2026-12-10");
    assert_eq!(loans["ILL"]["due_date"], "2026-12-20");

    let id = |b: &str| loans[b]["loan_id"].as_str().unwrap().to_owned();
    let renew = |b: String| {
        let (s, t) = (&s, t.clone());
        async move { s.renew(&t, &b).await }
    };
    // R-RENEW-6: due on the day of renewal + 14.
    let r = renew(id("RENEW")).await.expect(200);
    assert_eq!(
        r.body,
        json!({"loan_id": id("RENEW"), "due_date": "2026-12-15", "renewed": true})
    );
    renew(id("RENEW"))
        .await
        .expect_error(409, "already_renewed"); // R-RENEW-1
    renew(id("OVERDUE")).await.expect_error(409, "overdue");
    renew(id("HELD"))
        .await
        .expect_error(409, "on_hold_for_other_patron");
    renew(id("ILL"))
        .await
        .expect_error(409, "interlibrary_loan");
    renew(id("TODAY"))
        .await
        .expect_error(409, "checked_out_today");
    renew("L-doesnotexist".into())
        .await
        .expect_error(404, "loan_not_found");
    // Read-your-writes: the list shows 延長済 and the new date at once.
    let loans = loans_by_bib(&s.get("/api/me/loans", Some(&t)).await.expect(200).body);
    assert_eq!(
        (
            loans["RENEW"]["renewed"].clone(),
            loans["RENEW"]["due_date"].clone()
        ),
        (json!(true), json!("2026-12-15"))
    );
    assert_eq!(loans["RENEW"]["not_renewable_reason"], "already_renewed");
    // Tomorrow, today's loan may be renewed.
    s.advance_days(1);
    let t = s.relog("20000016").await;
    s.renew(&t, &id("TODAY")).await.expect(200);
}

// ---------------------------------------------------------------- holds

#[apply(both_stores)]
async fn r_hold_1_and_r_hold_8_what_can_be_held(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000018").await;
    s.patron("20000019").await;
    s.title("SHELF", 2).await;
    s.title("MINE", 1).await;
    s.title("OUT", 1).await;
    s.check_out("20000018", "MINE-1").await.expect(201);
    s.check_out("20000019", "OUT-1").await.expect(201);
    s.check_out("20000019", "SHELF-1").await.expect(201);
    let place = |bib: &'static str| s.place_hold(&t, bib, "none");
    place("SHELF").await.expect_error(409, "available_on_shelf"); // one of two copies is on the shelf
    place("MINE").await.expect_error(409, "already_on_loan");
    place("NOPE").await.expect_error(404, "title_not_found");
    let h = place("OUT").await.expect(201);
    assert_eq!(h.body["status"], "waiting");
    assert_eq!(h.body["queue_position"], 1);
    place("OUT").await.expect_error(409, "duplicate_hold");
    s.staff_hold("20000018", "OUT", "none")
        .await
        .expect_error(409, "duplicate_hold");
    assert_eq!(
        pick(&s.catalog_title("OUT").await, TITLE_COUNTS),
        json!({"copies": 1, "available": 0, "waiting_holds": 1})
    );
}

#[apply(both_stores)]
async fn r_hold_2_the_eleventh_hold_is_refused_web_and_counter_together(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000020").await;
    s.lent_out("20000021", (0..12).map(|i| format!("T{i}")))
        .await;
    for i in 0..10 {
        let bib = format!("T{i}");
        if i % 2 == 0 {
            s.place_hold(&t, &bib, "none").await.expect(201);
        } else {
            s.staff_hold("20000020", &bib, "none").await.expect(201);
        }
    }
    s.place_hold(&t, "T10", "none")
        .await
        .expect_error(409, "hold_limit_reached");
    s.staff_hold("20000020", "T11", "none")
        .await
        .expect_error(409, "hold_limit_reached");
    assert_eq!(
        s.get("/api/me", Some(&t)).await.body["holds"],
        json!({"active": 10, "limit": 10})
    );
    // Cancelling one frees a slot (R-HOLD-5).
    let holds = s.get("/api/me/holds", Some(&t)).await.expect(200);
    let first = holds.body["holds"][0]["hold_id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.cancel_hold(&t, &first).await.expect(204);
    s.place_hold(&t, "T10", "none").await.expect(201);
}

#[apply(both_stores)]
async fn r_hold_3_email_notice_needs_a_registered_address(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000022").await;
    s.lent_out("20000023", ["OUT"]).await;
    s.place_hold(&t, "OUT", "email")
        .await
        .expect_error(400, "email_not_registered");
    s.put_email(&t, "x@example.jp").await.expect(202);
    let h = s.place_hold(&t, "OUT", "email").await.expect(201);
    assert_eq!(h.body["notify"], "email");
}

#[apply(both_stores)]
async fn r_hold_4_queue_positions_are_exact_and_move_up(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let queue = s
        .queue("POP", "20000024", ["20000025", "20000026", "20000027"])
        .await;
    for (i, (t, _)) in queue.iter().enumerate() {
        let h = s.holds(t).await[0].clone();
        assert_eq!(
            pick(&h, &["status", "queue_position", "cancellable"]),
            json!({"status": "waiting", "queue_position": i + 1, "cancellable": true})
        );
    }
    let [(first, first_hold), (second, _), (third, _)] = queue;
    s.cancel_hold(&first, &first_hold).await.expect(204);
    s.cancel_hold(&first, &first_hold)
        .await
        .expect_error(404, "hold_not_found");
    assert_eq!(s.holds(&second).await[0]["queue_position"], 1);
    assert_eq!(s.holds(&third).await[0]["queue_position"], 2);
    assert_eq!(s.catalog_title("POP").await["waiting_holds"], 2);
}

#[apply(both_stores)]
async fn r_hold_5_to_7_and_r_desk_2_check_in_readies_the_first_hold(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.lent_out("20000028", ["POP"]).await;
    let first = s.patron_with_email("20000029").await;
    let second = s.patron("20000030").await;
    s.place_hold(&first, "POP", "email").await.expect(201);
    s.place_hold(&second, "POP", "none").await.expect(201);
    let mark = s.mail_mark();
    let r = s.check_in("POP-1").await.expect(200);
    assert_eq!(r.body["loan_closed"], true);
    assert_eq!(r.body["hold_ready"]["card_number"], "20000029");
    assert_eq!(r.body["hold_ready"]["pickup_deadline"], "2026-12-08"); // R-HOLD-6: one week
    let h = s.holds(&first).await[0].clone();
    assert_eq!(
        pick(&h, READY_DATES),
        json!({"status": "ready", "ready_on": "2026-12-01", "pickup_deadline": "2026-12-08"})
    );
    assert_eq!(
        pick(&h, &["queue_position", "cancellable"]),
        json!({"queue_position": null, "cancellable": false})
    );
    // R-HOLD-7: the email went out, in Japanese, with the deadline and the library's phone.
    let mail = s.mail_since(mark);
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].message.to.as_str(), "p20000029@example.jp");
    assert!(
        mail[0].message.text.contains("2026年12月8日")
            && mail[0].message.text.contains("075-762-4655")
    );
    // R-HOLD-5: a ready hold is not cancelled online; the answer gives the phone number.
    let id = h["hold_id"].as_str().unwrap().to_owned();
    let refused = s
        .cancel_hold(&first, &id)
        .await
        .expect_error(409, "ready_for_pickup");
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("075-762-4655"));
    // The second patron moved up and was not emailed (notify none).
    assert_eq!(s.holds(&second).await[0]["queue_position"], 1);
    // The copy is kept: not on the shelf, and only its patron may borrow it.
    assert_eq!(s.catalog_title("POP").await["available"], 0);
    s.check_out("20000028", "POP-1")
        .await
        .expect_error(409, "held_for_another_patron");
    s.check_in("POP-1")
        .await
        .expect_error(409, "not_checked_out");
    // An expiry schedule for just after the deadline exists.
    let sched = s.dev.scheduler.schedules();
    assert_eq!(sched.len(), 1);
    assert_eq!(sched[0].at.to_string(), "2026-12-09 00:05:00");
    // Pickup fulfils the hold and frees the slot.
    let loan = s.check_out("20000029", "POP-1").await.expect(201);
    assert_eq!(loan.body["fulfilled_hold"], json!(id));
    assert_eq!(
        s.get("/api/me", Some(&first)).await.body["holds"]["active"],
        0
    );
    assert_eq!(s.holds(&first).await, json!([]));
    assert!(
        s.dev.scheduler.schedules().is_empty(),
        "the fulfilled hold's schedule is deleted"
    );
}

#[apply(both_stores)]
async fn r_hold_6_an_uncollected_hold_lapses_and_the_copy_goes_to_the_next_patron(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    s.lent_out("20000031", ["POP"]).await;
    let first = s.patron("20000032").await;
    let second = s.patron_with_email("20000033").await;
    s.place_hold(&first, "POP", "none").await.expect(201);
    s.place_hold(&second, "POP", "email").await.expect(201);
    let mark = s.mail_mark();
    s.check_in("POP-1").await.expect(200);
    assert!(
        s.mail_since(mark).is_empty(),
        "notify none: nobody is contacted (R-HOLD-7)"
    );
    // On the deadline itself nothing lapses.
    s.advance_days(7);
    s.dev.run_hold_expiry().await.unwrap();
    let first = s.relog("20000032").await;
    assert_eq!(s.holds(&first).await[0]["status"], "ready");
    // The day after, the hold lapses and the second patron's becomes ready, with its email.
    s.advance_days(1);
    let r = s.dev.run_hold_expiry().await.unwrap();
    let (first, second) = (s.relog("20000032").await, s.relog("20000033").await);
    assert_eq!(r["schedules_run"], 1);
    assert_eq!(s.holds(&first).await, json!([]));
    assert_eq!(
        s.get("/api/me", Some(&first)).await.body["holds"]["active"],
        0
    );
    assert_eq!(
        pick(&s.holds(&second).await[0], READY_DATES),
        json!({"status": "ready", "ready_on": "2026-12-09", "pickup_deadline": "2026-12-16"})
    );
    assert_eq!(s.mail_since(mark).len(), 1);
    // Running again changes nothing.
    let again = s.dev.run_hold_expiry().await.unwrap();
    assert_eq!(again["sweep"]["lapsed"], 0);
    // When nobody else waits, the copy goes back to the shelf.
    s.advance_days(8);
    s.dev.run_hold_expiry().await.unwrap();
    assert_eq!(
        pick(
            &s.catalog_title("POP").await,
            &["available", "waiting_holds"]
        ),
        json!({"available": 1, "waiting_holds": 0})
    );
    s.check_out("20000031", "POP-1").await.expect(201);
}

#[apply(both_stores)]
async fn r_desk_2_a_new_copy_serves_the_queue_first(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let [(t, _)] = s.queue("POP", "20000034", ["20000035"]).await;
    s.add_copy("POP-2", "POP").await.expect(201);
    assert_eq!(s.holds(&t).await[0]["status"], "ready");
    assert_eq!(
        pick(&s.catalog_title("POP").await, &["copies", "available"]),
        json!({"copies": 2, "available": 0})
    );
}

// ---------------------------------------------------------------- e-books, catalog

#[apply(both_stores)]
async fn r_ebook_1_only_eligible_patrons_get_a_signed_short_lived_link(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let no = s.patron("20000036").await;
    s.get("/api/me/ebooks", Some(&no))
        .await
        .expect_error(403, "not_eligible");
    let temp = s.register("20000037", "府民", true).await;
    let t = id_in(&s.log_in("20000037", &temp).await, "token");
    s.change_password(&t, &temp, "Fumin2026z").await.expect(204);
    let r = s.get("/api/me/ebooks", Some(&t)).await.expect(200);
    let url = r.body["launch_url"].as_str().unwrap();
    assert!(
        !url.contains("20000037"),
        "the card number is not in clear: {url}"
    );
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires - s.clock.now() <= chrono::Duration::minutes(5));
    let token = url.split("token=").nth(1).unwrap();
    let now = s.clock.now();
    assert!(mypage::app::ebooks::verify_token(mypage_tests::EBOOK_SECRET, token, now).is_some());
    assert!(mypage::app::ebooks::verify_token(b"another secret", token, now).is_none());
    assert!(mypage::app::ebooks::verify_token(
        mypage_tests::EBOOK_SECRET,
        token,
        now + chrono::Duration::minutes(6)
    )
    .is_none());
}

#[apply(both_stores)]
async fn catalog_shows_titles_and_new_arrivals(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.advance_days(-20);
    s.title("OLD", 1).await;
    s.advance_days(15);
    s.title("RECENT", 2).await;
    s.advance_days(5);
    s.title("TODAY", 1).await;
    let r = s.get("/api/catalog/new-arrivals", None).await.expect(200);
    let ids: Vec<&str> = r.body["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["bib_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["TODAY", "RECENT"]);
    let r = s
        .get("/api/catalog/new-arrivals?days=1", None)
        .await
        .expect(200);
    assert_eq!(r.body["titles"].as_array().unwrap().len(), 1);
    let r = s
        .get("/api/catalog/new-arrivals?days=30", None)
        .await
        .expect(200);
    assert_eq!(r.body["titles"].as_array().unwrap().len(), 3);
    let t = s.catalog_title("RECENT").await;
    assert_eq!(t["subjects"], json!(["テスト"]));
    assert_eq!(
        pick(&t, &["copies", "available"]),
        json!({"copies": 2, "available": 2})
    );
}

// ---------------------------------------------------------------- notification settings

#[apply(both_stores)]
async fn notification_settings_need_an_address_and_round_trip(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("20000038").await;
    let on = json!({"due_reminder": true, "overdue_notice": true, "new_arrivals": {"enabled": true, "authors": ["村上 春樹"], "subjects": ["京都"], "keywords": ["庭園"]}});
    s.put_notifications(&t, on.clone())
        .await
        .expect_error(400, "email_not_registered");
    s.set_notifications(
        &t,
        json!({"due_reminder": false, "new_arrivals": {"enabled": false}}),
    )
    .await;
    s.put_email(&t, "x@example.jp").await.expect(202);
    s.set_notifications(&t, on.clone()).await;
    assert_eq!(
        s.get("/api/me/notifications", Some(&t))
            .await
            .expect(200)
            .body,
        on
    );
}

/// The whole circulation cycle through the dev server: checkout, hold, renewal refused,
/// check-in, email, pickup deadline passes, the next patron is served (R-HOLD-6, R-DESK-2).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_whole_cycle_from_checkout_to_a_lapsed_hold() {
    let s = TestServer::start(mypage_tests::StoreKind::Memory).await;
    let borrower = s.patron("30000001").await;
    let waiter = s.patron_with_email("30000002").await;
    let next = s.patron_with_email("30000003").await;
    s.title("CYCLE", 1).await;
    s.advance_days(-3);
    s.check_out("30000001", "CYCLE-1").await.expect(201);
    s.advance_days(3);
    s.place_hold(&waiter, "CYCLE", "email").await.expect(201);
    s.place_hold(&next, "CYCLE", "email").await.expect(201);
    let loan = s.get("/api/me/loans", Some(&borrower)).await.body["loans"][0].clone();
    assert_eq!(loan["not_renewable_reason"], "on_hold_for_other_patron");
    s.renew(&borrower, loan["loan_id"].as_str().unwrap())
        .await
        .expect_error(409, "on_hold_for_other_patron");
    let mark = s.mail_mark();
    s.check_in("CYCLE-1").await.expect(200);
    assert_eq!(
        s.mail_since(mark)[0].message.to.as_str(),
        "p30000002@example.jp"
    );
    s.advance_days(8);
    s.dev.run_hold_expiry().await.unwrap();
    let (waiter, next) = (s.relog("30000002").await, s.relog("30000003").await);
    assert_eq!(s.holds(&waiter).await, json!([]));
    assert_eq!(s.holds(&next).await[0]["status"], "ready");
    let mail = s.mail_since(mark);
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[1].message.to.as_str(), "p30000003@example.jp");
}
