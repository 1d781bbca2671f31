//! AWS faults between the service and DynamoDB (moto), injected by `support/faults.rs`:
//! throttling, 500s, timeouts and dropped replies. A caller sees success or 503 with
//! Retry-After, never a 500, and the data stays right (ASVS 5.0 V16.5.2: the application
//! keeps operating securely when an external resource fails; V16.5.1: generic errors).

use futures::future::join_all;
use mypage_tests::faults::{self, Fault, Faults, Plan};
use mypage_tests::{own_password, test_config, Reply, StoreKind, TestServer};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const SEED: u64 = 20_261_201;

async fn server_with_faults(faults: &Arc<Faults>) -> TestServer {
    let store = faults::dynamo_store(faults).await;
    TestServer::start_on(StoreKind::Dynamo, store, test_config(), None).await
}

/// A 503 says when to come back; nothing is a 500.
#[track_caller]
fn no_500(answers: &[Reply], what: &str) {
    for r in answers {
        assert_ne!(r.status.as_u16(), 500, "{what}: {}", r.body);
        if r.status.as_u16() == 503 {
            assert!(
                r.headers.contains_key("retry-after"),
                "{what}: 503 without Retry-After"
            );
        }
    }
}

/// ASVS 5.0 V16.5.1, V16.5.2: each transient fault, once the SDK's retries are spent, is a
/// 503 `service_unavailable` with Retry-After; a request the service refuses as malformed
/// (a bug) stays a 500 `internal_error` with a generic message, and is logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transient_aws_fault_is_a_503_with_retry_after_and_a_bug_stays_a_500() {
    let f = Faults::new(Plan::transient(SEED, 0.0));
    let s = server_with_faults(&f).await;
    s.title("B-1", 1).await;
    f.set(true);
    for kind in [
        Fault::Throttle,
        Fault::ThroughputExceeded,
        Fault::InternalError,
        Fault::Timeout,
        Fault::DropReply,
    ] {
        f.set_plan(1.0, vec![kind]);
        let r = s
            .get("/api/catalog/titles/B-1", None)
            .await
            .expect_error(503, "service_unavailable");
        assert_eq!(r.headers["retry-after"], "1", "{kind:?}");
    }
    f.set_plan(1.0, vec![Fault::Validation]);
    let r = s
        .get("/api/catalog/titles/B-1", None)
        .await
        .expect_error(500, "internal_error");
    assert!(!r.headers.contains_key("retry-after"));
    assert_eq!(r.body["error"]["message"], "internal error");
    f.set(false);
    s.get("/api/catalog/titles/B-1", None).await.expect(200);
}

/// A write whose reply is lost is applied once and answered as done: the SDK retries a
/// transaction under the same ClientRequestToken, and a retried single write that finds the
/// item changed recognises its own write token (docs/table-design.md, "Lost replies").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_reply_was_lost_is_answered_as_done_not_as_a_lost_race() {
    let f = Faults::new(Plan::transient(SEED, 0.0));
    let s = server_with_faults(&f).await;
    let t = s.patron("50000001").await;
    let other = s.patron("50000002").await;
    s.title_on_loan("B-1", 1, "50000002").await;
    // Placing a hold is one TransactWriteItems (hold, patron count, title queue).
    f.once("TransactWriteItems", Fault::DropReply);
    let placed = s.place_hold(&t, "B-1", "none").await.expect(201);
    assert_eq!(placed.body["queue_position"], 1);
    let holds = s.get("/api/me/holds", Some(&t)).await.expect(200);
    assert_eq!(holds.body["holds"].as_array().unwrap().len(), 1);
    // A single conditional PutItem (the profile, switching the reading history on) has no
    // request token: the write token tells.
    f.once("PutItem", Fault::DropReply);
    s.set_reading_history(&other, true).await.expect(204);
    let history = s
        .get("/api/me/reading-history", Some(&other))
        .await
        .expect(200);
    assert_eq!(history.body["enabled"], true);
    assert_eq!(f.injected_total(), 2);
    mypage_tests::checker::assert_store_sound(&s).await;
}

/// What moto does with a repeated ClientRequestToken (DynamoDB answers the second call as
/// the first and applies it once, for 10 minutes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_and_a_repeated_client_request_token() {
    use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
    let sdk = mypage_tests::aws().await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let table = mypage_tests::unique("mypage-token");
    mypage::adapters::TableDesign::create(&client, &table)
        .await
        .unwrap();
    let put = |sk: &str| {
        TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&table)
                    .item("pk", AttributeValue::S("P".into()))
                    .item("sk", AttributeValue::S(sk.into()))
                    .condition_expression("attribute_not_exists(pk)")
                    .build()
                    .unwrap(),
            )
            .build()
    };
    let send = || {
        client
            .transact_write_items()
            .transact_items(put("A"))
            .transact_items(put("B"))
            .client_request_token("same-token-1")
            .send()
    };
    assert!(send().await.is_ok());
    let second = send().await;
    // Seen on moto: the repeated token is not recognised; the second call runs again and its
    // conditions fail (TransactionCanceledException, ConditionalCheckFailed). That is why
    // the store also marks each write with its own token.
    let cancelled = second
        .as_ref()
        .err()
        .and_then(|e| e.as_service_error())
        .is_some_and(|e| e.is_transaction_canceled_exception());
    eprintln!("moto, repeated ClientRequestToken: {second:?}");
    assert!(
        second.is_ok() || cancelled,
        "a repeated token is either honoured or runs again: {second:?}"
    );
}

/// The HTTP, concurrency and job suites' cases at once, under 15 % faults on every DynamoDB
/// request: no 500, every 503 with Retry-After, the store checker finds nothing, the rules
/// that involve two requests hold, and after a clean rerun each reminder went out once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_fifteen_percent_aws_faults_callers_get_success_or_503_never_500() {
    tokio::time::timeout(Duration::from_secs(400), fault_suite())
        .await
        .expect("the fault suite finishes in bounded time");
}

async fn fault_suite() {
    let f = Faults::new(Plan::transient(SEED, 0.15));
    let s = server_with_faults(&f).await;
    // ---- set-up, without faults
    let cards: Vec<String> = (0..8).map(|i| format!("5100000{i}")).collect();
    let mut tokens = Vec::new();
    for c in &cards {
        tokens.push(s.patron_with_email(c).await);
    }
    for t in &tokens {
        s.set_notifications(
            t,
            json!({"due_reminder": true, "new_arrivals": {"enabled": false}}),
        )
        .await;
    }
    for b in 1..=12 {
        s.title(&format!("B-{b}"), 1).await;
    }
    // Patron 0 borrowed B-1..B-12 eleven days ago: due in three days (reminders), renewable.
    s.advance_days(-11);
    for b in 1..=12 {
        s.check_out(&cards[0], &format!("B-{b}-1"))
            .await
            .expect(201);
    }
    s.advance_days(11);
    let loans = s.get("/api/me/loans", Some(&tokens[0])).await.expect(200);
    let loan_ids: Vec<String> = loans.body["loans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["loan_id"].as_str().unwrap().to_owned())
        .collect();

    // ---- the suites' cases, with faults
    f.set(true);
    let mut answers: Vec<Reply> = Vec::new();
    // Logins: right, wrong, unknown.
    let passwords: Vec<String> = cards.iter().map(|c| own_password(c)).collect();
    let logins = join_all(cards.iter().zip(&passwords).flat_map(|(c, p)| {
        [
            s.log_in(c, p),
            s.log_in(c, "Wrong12345"),
            s.log_in("59999999", "Wrong12345"),
        ]
    }))
    .await;
    no_500(&logins, "log in");
    answers.extend(logins);
    // R-RENEW-8: twenty renewals of one loan at once renew it once.
    let renewals = join_all((0..20).map(|_| s.renew(&tokens[0], &loan_ids[0]))).await;
    no_500(&renewals, "renew");
    assert!(renewals.iter().filter(|r| r.status == 200).count() <= 1);
    answers.extend(renewals);
    // R-HOLD-2: patron 1 tries 12 holds at once; patrons 2..7 hold B-2 (a queue).
    let bibs: Vec<String> = (1..=12).map(|b| format!("B-{b}")).collect();
    let holds = join_all(bibs.iter().map(|b| s.place_hold(&tokens[1], b, "email"))).await;
    no_500(&holds, "place holds");
    answers.extend(holds);
    let queue = join_all((2..8).map(|p| s.place_hold(&tokens[p], "B-2", "email"))).await;
    no_500(&queue, "queue on B-2");
    answers.extend(queue);
    // R-HOLD-8: duplicates at once make one.
    let dups = join_all((0..5).map(|_| s.place_hold(&tokens[2], "B-3", "none"))).await;
    no_500(&dups, "duplicate holds");
    answers.extend(dups);
    // Lists, and the rest of the loans renewed.
    let reads = join_all(tokens.iter().flat_map(|t| {
        [
            s.get("/api/me/loans", Some(t)),
            s.get("/api/me/holds", Some(t)),
            s.get("/api/me", Some(t)),
        ]
    }))
    .await;
    no_500(&reads, "lists");
    answers.extend(reads);
    let more = join_all(loan_ids[1..6].iter().map(|id| s.renew(&tokens[0], id))).await;
    no_500(&more, "renew others");
    answers.extend(more);
    // R-DESK-2: two check-ins of B-2's copy and one of B-4 race; the first holds get them.
    let checkins = join_all(
        ["B-2-1", "B-2-1", "B-4-1"]
            .into_iter()
            .map(|b| s.check_in(b)),
    )
    .await;
    no_500(&checkins, "check in");
    answers.extend(checkins);
    // Cancels.
    let (s_ref, tokens_ref) = (&s, &tokens);
    let cancels = join_all((5..8).map(|b| async move {
        let (s, tokens) = (s_ref, tokens_ref);
        let list = s.get("/api/me/holds", Some(&tokens[1])).await;
        let id = list.body["holds"]
            .as_array()
            .and_then(|h| h.iter().find(|h| h["bib_id"] == format!("B-{b}")))
            .and_then(|h| h["hold_id"].as_str())
            .map(str::to_owned);
        match id {
            Some(id) => s.cancel_hold(&tokens[1], &id).await,
            None => list,
        }
    }))
    .await;
    no_500(&cancels, "cancel");
    answers.extend(cancels);
    // The jobs, under faults.
    let jobs = [
        s.start_job("due-reminders", None).await,
        s.start_job("hold-expiry", None).await,
        s.start_job("new-arrivals", None).await,
    ];
    no_500(&jobs, "jobs");
    answers.extend(jobs);
    let unavailable = answers.iter().filter(|r| r.status == 503).count();
    let summary = f.summary();
    f.set(false);

    // ---- after: the data is right
    mypage_tests::checker::assert_store_sound(&s).await;
    let h = s.get("/api/me", Some(&tokens[1])).await.expect(200);
    assert!(
        h.body["holds"]["active"].as_u64().unwrap() <= 10,
        "R-HOLD-2"
    );
    let l = s.get("/api/me/loans", Some(&tokens[0])).await.expect(200);
    let first = l.body["loans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["loan_id"] == loan_ids[0].as_str())
        .unwrap()
        .clone();
    if first["renewed"] == true {
        assert_eq!(first["due_date"], "2026-12-15", "renewed once, from today");
    }
    // A clean rerun of the reminders (later, past any claim's lease): each patron with a
    // loan due in three days has exactly one reminder.
    s.clock.advance(chrono::Duration::minutes(20));
    s.run_job("due-reminders", Some("2026-12-01")).await;
    let outbox = s.get("/dev/outbox", None).await.expect(200);
    let reminders = outbox
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == format!("p{}@example.jp", cards[0]))
        .filter(|m| m["subject"].as_str().is_some_and(|s| s.contains("返却")))
        .count();
    assert_eq!(
        reminders, 1,
        "one due-date reminder for patron 0: {}",
        outbox.body
    );
    // No email of any kind (reminders, hold-ready notices) went out twice.
    let mut seen = std::collections::BTreeSet::new();
    for m in outbox.body.as_array().unwrap() {
        let id = (
            m["to"].to_string(),
            m["subject"].to_string(),
            m["text"].to_string(),
        );
        assert!(seen.insert(id), "sent twice: {m}");
    }
    mypage_tests::checker::assert_store_sound(&s).await;
    eprintln!(
        "fault suite: {} API requests under faults, 0 answered 500, {unavailable} answered 503; {summary}",
        answers.len()
    );
    assert!(f.injected_total() > 0, "faults were injected");
}
