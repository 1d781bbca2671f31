//! Logins tried as an attacker would (R-ACCT-7), and the dev server's answers to requests no
//! route sees (ASVS 5.0 chapters V2, V3, V6 and V16; each test names the rows it covers).
//! Login tests run on both stores and end with the store checker.

use mypage_tests::both_stores;
use mypage_tests::{
    client_from, device_cookie, own_password, reply, test_config, StoreKind, TestServer,
};
use reqwest::Method;
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::Value;

const WRONG: &str = "Wrong12345";

/// Status, code, message and Retry-After: everything a caller can tell one answer by.
fn visible(r: &mypage_tests::Reply) -> (u16, Value, Option<String>) {
    (
        r.status.as_u16(),
        r.body.clone(),
        r.headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned()),
    )
}

/// A new patron, and their first login from `home`: the device cookie it set.
async fn patron_on_device(s: &TestServer, home: &reqwest::Client, card: &str) -> String {
    s.patron(card).await;
    let first = s
        .log_in_from(home, card, &own_password(card), None)
        .await
        .expect(200);
    device_cookie(&first).expect("a device cookie")
}

/// ASVS 5.0 V6.3.8 (valid users cannot be deduced from status, body or timing; the timing
/// ratio is measured by `make load`), V6.3.1 (brute force is stopped).
#[apply(both_stores)]
async fn r_acct_7_unknown_and_locked_cards_get_the_same_answer(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.patron("30000001").await;
    let (registered, unknown) = ("30000001", "39999999");
    for i in 1..=7 {
        let a = s.log_in(registered, WRONG).await;
        let b = s.log_in(unknown, WRONG).await;
        assert_eq!(visible(&a), visible(&b), "attempt {i}");
        let expected = if i < 5 { 401 } else { 429 };
        assert_eq!(a.status, expected, "attempt {i}: {}", a.body);
    }
    let locked = s
        .log_in(unknown, WRONG)
        .await
        .expect_error(429, "account_locked");
    assert_eq!(locked.headers["retry-after"], "900");
    // Even the right password waits, and says so the same way.
    let right = s.log_in_own(registered).await;
    assert_eq!(visible(&right), visible(&locked));
    s.clock.advance(chrono::Duration::minutes(15));
    s.log_in_own(registered).await.expect(200);
    s.log_in(unknown, WRONG)
        .await
        .expect_error(401, "invalid_credentials");
    mypage_tests::checker::assert_store_sound(&s).await;
}

/// ASVS 5.0 V6.1.1 / V6.3.1: the controls against brute force must not let anyone lock a
/// patron out (OWASP's device cookies: the patron's own device keeps its own allowance).
#[apply(both_stores)]
async fn r_acct_7_a_patron_on_their_known_device_logs_in_while_an_attacker_hammers_the_card(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let card = "30000002";
    let home = client_from(10);
    let device = patron_on_device(&s, &home, card).await;
    // The attacker, from another address, with no device cookie (or a forged one).
    let attacker = client_from(66);
    let forged = format!("mypage_device={card}.20000.AAAAAAAAAAAAAAAAAAAAAA.forged");
    for i in 0..12 {
        let r = s
            .log_in_from(
                &attacker,
                card,
                WRONG,
                (i % 2 == 0).then_some(forged.as_str()),
            )
            .await;
        let want = if i < 4 { 401 } else { 429 };
        assert_eq!(r.status, want, "attempt {i}: {}", r.body);
    }
    s.log_in_from(&attacker, card, &own_password(card), None)
        .await
        .expect_error(429, "account_locked");
    // The patron's device is not locked out.
    let again = s
        .log_in_from(&home, card, &own_password(card), Some(&device))
        .await
        .expect(200);
    let device = device_cookie(&again).expect("a fresh device cookie");
    // A mistyped password on the known device counts on its own allowance only.
    for _ in 0..4 {
        s.log_in_from(&home, card, WRONG, Some(&device))
            .await
            .expect_error(401, "invalid_credentials");
    }
    s.log_in_from(&home, card, &own_password(card), Some(&device))
        .await
        .expect(200);
    // A device cookie of one card is no key to another.
    s.patron("30000003").await;
    for _ in 0..5 {
        s.log_in_from(&attacker, "30000003", WRONG, None).await;
    }
    s.log_in_from(&home, "30000003", &own_password("30000003"), Some(&device))
        .await
        .expect_error(429, "account_locked");
    mypage_tests::checker::assert_store_sound(&s).await;
}

/// ASVS 5.0 V2.4.1 (anti-automation), V6.3.1: failed logins from one address are limited
/// across cards (card numbers are sequential); other addresses and known devices are not
/// held up; the refusal says when to try again.
#[apply(both_stores)]
async fn r_acct_7_failed_logins_from_one_source_address_are_limited(#[case] kind: StoreKind) {
    let mut config = test_config();
    config.policy.source_failures = 10;
    let s = TestServer::start_with(kind, config).await;
    let device = patron_on_device(&s, &client_from(20), "30000010").await;
    let sprayer = client_from(30);
    for n in 0..10 {
        s.log_in_from(&sprayer, &format!("3100{n:04}"), WRONG, None)
            .await
            .expect_error(401, "invalid_credentials");
    }
    let refused = s
        .log_in_from(&sprayer, "30000010", &own_password("30000010"), None)
        .await
        .expect_error(429, "too_many_attempts");
    let retry: i64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    // Another address is not affected; nor is a known device on the same address.
    s.log_in_from(&client_from(31), "31009999", WRONG, None)
        .await
        .expect_error(401, "invalid_credentials");
    s.log_in_from(
        &sprayer,
        "30000010",
        &own_password("30000010"),
        Some(&device),
    )
    .await
    .expect(200);
    // The window passes.
    s.clock.advance(chrono::Duration::minutes(15));
    s.log_in_from(&sprayer, "30000010", &own_password("30000010"), None)
        .await
        .expect(200);
    mypage_tests::checker::assert_store_sound(&s).await;
}

/// ASVS 5.0 V2.4.1, V6.3.1: a spray from many addresses trips the global brake for unknown
/// devices; a patron's known device still logs in.
#[apply(both_stores)]
async fn r_acct_7_a_spray_from_many_addresses_trips_the_global_brake(#[case] kind: StoreKind) {
    let mut config = test_config();
    config.policy.brake_failures = 12;
    let s = TestServer::start_with(kind, config).await;
    let home = client_from(40);
    let device = patron_on_device(&s, &home, "30000020").await;
    for a in 0..4u8 {
        let from = client_from(50 + a);
        for n in 0..3 {
            s.log_in_from(&from, &format!("32{a:02}{n:04}"), WRONG, None)
                .await
                .expect_error(401, "invalid_credentials");
        }
    }
    s.log_in_from(
        &client_from(60),
        "30000020",
        &own_password("30000020"),
        None,
    )
    .await
    .expect_error(429, "too_many_attempts");
    s.log_in_from(&home, "30000020", &own_password("30000020"), Some(&device))
        .await
        .expect(200);
    mypage_tests::checker::assert_store_sound(&s).await;
}

/// ASVS 5.0 V6.3.1, V6.3.4 (every way to check a password has the same controls): a wrong
/// current password on `PUT /api/me/password` counts like a failed login.
#[apply(both_stores)]
async fn r_acct_7_guessing_the_current_password_through_a_live_session_is_limited(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let card = "30000030";
    let t = s.patron(card).await;
    let change = |current: String| {
        let (s, t) = (&s, &t);
        async move { s.change_password(t, &current, "Another2027y").await }
    };
    for _ in 0..4 {
        change(WRONG.into())
            .await
            .expect_error(401, "invalid_credentials");
    }
    let locked = change(WRONG.into())
        .await
        .expect_error(429, "account_locked");
    assert!(locked.headers.contains_key("retry-after"));
    change(own_password(card))
        .await
        .expect_error(429, "account_locked");
    // The same lock holds for logins from unknown devices.
    s.log_in_own(card).await.expect_error(429, "account_locked");
    s.clock.advance(chrono::Duration::minutes(15));
    change(own_password(card)).await.expect(204);
    mypage_tests::checker::assert_store_sound(&s).await;
}

// ------------------------------------------------------------ what no route sees

/// Raw bytes to the dev server; its whole answer back (until it closes, or `wait` passes).
async fn raw(s: &TestServer, bytes: &[u8], wait: std::time::Duration) -> (String, bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    c.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let closed = tokio::time::timeout(wait, c.read_to_end(&mut out))
        .await
        .is_ok();
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

fn json_error(answer: &str) -> (u16, String) {
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, v["error"]["code"].as_str().unwrap_or("").to_owned())
}

/// ASVS 5.0 V16.5.1 (a generic, well-formed error for what cannot be handled), V3.4.4
/// (nosniff), V3.4.5 (Referrer-Policy): every error the dev server gives is the API's JSON,
/// even those the HTTP parser answers before any route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_the_dev_server_gives_is_json() {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    let s = TestServer::start_on(
        StoreKind::Memory,
        mypage_tests::store(StoreKind::Memory).await,
        test_config(),
        Some(web),
    )
    .await;
    let long = std::time::Duration::from_secs(10);
    let (a, _) = raw(
        &s,
        b"GET /api/me HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
        long,
    )
    .await;
    assert_eq!(json_error(&a), (400, "invalid_request".into()), "{a}");
    let uri = format!(
        "GET /api/me?{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(9000)
    );
    let (a, _) = raw(&s, uri.as_bytes(), long).await;
    assert_eq!(json_error(&a), (414, "uri_too_long".into()), "{a}");
    let big = format!(
        "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let (a, _) = raw(&s, big.as_bytes(), long).await;
    assert_eq!(json_error(&a), (431, "headers_too_large".into()), "{a}");
    let huge = format!(
        "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    let (a, _) = raw(&s, huge.as_bytes(), long).await;
    assert_eq!(json_error(&a), (431, "headers_too_large".into()), "{a}");
    for (method, path, status, code) in [
        (Method::TRACE, "/", 405, "method_not_allowed"),
        (Method::TRACE, "/api/me", 405, "method_not_allowed"),
        (Method::DELETE, "/index.html", 405, "method_not_allowed"),
        (Method::GET, "/api/", 404, "not_found"),
        (Method::GET, "/api", 404, "not_found"),
    ] {
        let r = reply(
            s.http
                .request(method.clone(), format!("{}{path}", s.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (status, code),
            "{method} {path}"
        );
        assert_eq!(r.headers["content-type"], "application/json");
    }
    let page = s.http.get(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(page.headers().contains_key("content-security-policy"));
    let script = s
        .http
        .get(format!("{}/js/app.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(script.headers()["x-content-type-options"], "nosniff");
}

/// ASVS 5.0 V2.4.1 (no slow-request exhaustion): a request that stops half way is not kept
/// open: a half-sent head is dropped, a half-sent body answered 408 in JSON and closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_does_not_stay_open() {
    let limits = dev_server::serve::Limits {
        head_timeout: std::time::Duration::from_secs(2),
        request_timeout: std::time::Duration::from_secs(3),
        ..Default::default()
    };
    let s = TestServer::start_with_limits(
        StoreKind::Memory,
        mypage_tests::store(StoreKind::Memory).await,
        test_config(),
        None,
        limits,
    )
    .await;
    // The test server's head timeout is 2 s; 30 s is only a guard against hanging.
    let guard = std::time::Duration::from_secs(30);
    let (answer, closed) = raw(&s, b"POST /api/session HTTP/1.1\r\nHost: x\r\n", guard).await;
    assert!(closed, "a half-sent head is dropped");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    let body = b"POST /api/session HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"card";
    let (answer, closed) = raw(&s, body, std::time::Duration::from_secs(60)).await;
    assert!(closed, "a half-sent body is answered and closed");
    assert_eq!(
        json_error(&answer),
        (408, "request_timeout".into()),
        "{answer}"
    );
}
