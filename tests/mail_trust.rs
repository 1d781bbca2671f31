//! Email that can be trusted and what it carries, through the dev server on both stores:
//! verified addresses (R-MAIL-5), the overdue notice (R-MAIL-6), the reminder's renewal links
//! (R-MAIL-7) and the private calendar feed (R-CAL-3), read back with an iCalendar parser
//! other than the one that writes it. The store checker runs after each test that writes
//! these records.

use chrono::{Days, Duration, NaiveDate};
use mypage::domain::types::CardNumber;
use mypage::domain::{Changes, ClaimState, Key, MailClaim, Record};
use mypage::ports::{Clock, Commit};
use mypage_tests::checker::assert_store_sound_after_expiry;
use mypage_tests::{at, both_stores, link_tokens, unique, Reply, StoreKind, TestServer};
use reqwest::Method;
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::{json, Value};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;

/// Each test here runs once on the embedded store and once on DynamoDB (moto).
fn date(v: &Value) -> NaiveDate {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a date: {v}"))
}

/// The dev server on a fresh store of `kind`, with patron `card` logged in: their session.
async fn server_with_patron(kind: StoreKind, card: &str) -> (TestServer, String) {
    let s = TestServer::start(kind).await;
    let t = s.patron(card).await;
    (s, t)
}

/// Moves the clock on to `day` (at the same time of day).
fn advance_to(s: &TestServer, day: NaiveDate) {
    let days = (day - s.clock.today()).num_days();
    assert!(days >= 0, "the clock only moves on");
    s.advance_days(days);
}

/// Checks out `barcode` to `card`: the due date.
async fn lend(s: &TestServer, card: &str, barcode: &str) -> NaiveDate {
    date(&s.check_out(card, barcode).await.expect(201).body["due_date"])
}

/// A new title (one copy, `<bib>-1`) lent to `card`: the due date.
async fn lend_new_title(s: &TestServer, card: &str, bib: &str) -> NaiveDate {
    s.title(bib, 1).await;
    lend(s, card, &format!("{bib}-1")).await
}

async fn loans(s: &TestServer, token: &str) -> Vec<Value> {
    s.mine("/api/me/loans", token).await["loans"]
        .as_array()
        .expect("a loan list")
        .clone()
}

async fn loan_of(s: &TestServer, token: &str, bib: &str) -> Value {
    loans(s, token)
        .await
        .into_iter()
        .find(|l| l["bib_id"] == bib)
        .unwrap_or_else(|| panic!("a loan of {bib}"))
}

/// The id of the patron's loan of `bib`.
async fn loan_id_of(s: &TestServer, token: &str, bib: &str) -> String {
    loan_of(s, token, bib).await["loan_id"]
        .as_str()
        .expect("a loan id")
        .to_owned()
}

fn all_services() -> Value {
    json!({"due_reminder": true, "overdue_notice": true,
           "new_arrivals": {"enabled": true, "keywords": ["猫"]}})
}

/// A new title (one copy, `<bib>-1`) whose name matches the `猫` alert.
async fn cat_title(s: &TestServer, bib: &str) {
    s.title_named(bib, &format!("猫の本 {bib}"), 1).await;
}

fn job_sent(report: &Value) -> u64 {
    report["emails_sent"].as_u64().expect("a job report")
}

/// Runs `job` for today: how many emails it sent.
async fn emails_sent_by(s: &TestServer, job: &str) -> u64 {
    job_sent(&s.run_job(job, None).await)
}

/// A rerun of `job` named for `date`, whatever it answers.
async fn rerun_for(s: &TestServer, job: &str, date: &str) -> Reply {
    let body = json!({ "date": date });
    s.call(POST, &format!("/dev/run/{job}"), None, Some(body))
        .await
}

// ------------------------------------------------------------------ R-MAIL-5 (addresses)

#[apply(both_stores)]
async fn r_mail_5_a_new_address_is_unverified_until_the_link_mailed_to_it_is_opened(
    #[case] kind: StoreKind,
) {
    let (s, t) = server_with_patron(kind, "71000001").await;
    let r = s.put_email(&t, "hanako@example.jp").await.expect(202);
    assert_eq!(
        r.body,
        json!({"email": "hanako@example.jp", "verified": false})
    );
    let me = s.mine("/api/me", &t).await;
    assert_eq!(
        (&me["email"], &me["email_verified"]),
        (&json!("hanako@example.jp"), &json!(false))
    );
    let mail = s.mail_to("hanako@example.jp");
    assert_eq!(mail.len(), 1, "the verification email, to the new address");
    let library = &s.app().settings.library;
    let m = &mail[0];
    assert!(
        m.subject.contains(&library.name) && m.subject.contains("メールアドレスの確認"),
        "{}",
        m.subject
    );
    for body in [&m.text, &m.html] {
        assert!(body.contains(&library.name) && body.contains(&library.phone));
        assert!(body.contains("利用者71000001"), "addressed by name");
    }
    let link = format!("{}/#/verify-email?token=", library.mypage_url);
    assert!(m.text.contains(&link), "{}", m.text);
    let token = s.verification_token_sent_to("hanako@example.jp").unwrap();
    s.verify_email(&token).await.expect(204);
    let me = s.mine("/api/me", &t).await;
    assert_eq!(me["email_verified"], true);
    assert_store_sound_after_expiry(&s).await;
}

/// A patron with an unverified address who signed up for every email, with a hold to be
/// readied (notify email) and two loans out, all made on 2026-12-01: the due date.
async fn signed_up_unverified(s: &TestServer, card: &str, lender: &str, addr: &str) -> NaiveDate {
    let t = s.patron(card).await;
    s.patron(lender).await;
    s.set_email_unverified(&t, addr).await;
    // Accepted before verification (R-MAIL-5); the mail starts once it is verified.
    s.set_notifications(&t, all_services()).await;
    s.title("HELD", 1).await;
    s.title("SOON", 1).await;
    s.title("LATE", 1).await;
    s.check_out(lender, "HELD-1").await.expect(201);
    s.place_hold(&t, "HELD", "email").await.expect(201);
    let due = lend(s, card, "SOON-1").await;
    assert_eq!(lend(s, card, "LATE-1").await, due);
    due
}

#[apply(both_stores)]
async fn r_mail_5_an_unverified_address_gets_the_verification_and_nothing_else(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let (card, addr) = ("71000002", "unverified@example.jp");
    let due = signed_up_unverified(&s, card, "71000003", addr).await;
    // The hold becomes ready, a matching title arrives, the loans fall due, then overdue.
    let ready = s.check_in("HELD-1").await.expect(200);
    assert_eq!(ready.body["hold_ready"]["card_number"], card);
    cat_title(&s, "CAT1").await;
    s.clock.advance(Duration::minutes(5));
    assert_eq!(emails_sent_by(&s, "new-arrivals").await, 0);
    advance_to(&s, due - Days::new(3));
    assert_eq!(emails_sent_by(&s, "due-reminders").await, 0);
    advance_to(&s, due + Days::new(1));
    assert_eq!(emails_sent_by(&s, "overdue-notices").await, 0);
    let mail = s.mail_to(addr);
    assert_eq!(mail.len(), 1, "only the verification: {mail:?}");
    assert!(mail[0].text.contains("verify-email?token="));

    // That link has expired by now: the patron asks for another and opens it.
    let t = s.relog(card).await;
    s.set_email(&t, addr).await;
    let verified = s.mail_to(addr).len();
    assert_eq!(
        verified, 2,
        "a second verification, nothing held back for later"
    );
    cat_title(&s, "CAT2").await;
    s.clock.advance(Duration::minutes(5));
    assert_eq!(emails_sent_by(&s, "new-arrivals").await, 1);
    s.title("HELD2", 1).await;
    s.check_out("71000003", "HELD2-1").await.expect(201);
    s.place_hold(&t, "HELD2", "email").await.expect(201);
    s.check_in("HELD2-1").await.expect(200);
    let next_due = lend_new_title(&s, card, "NEXT").await;
    advance_to(&s, next_due - Days::new(3));
    assert_eq!(emails_sent_by(&s, "due-reminders").await, 1);
    advance_to(&s, next_due + Days::new(1));
    assert_eq!(emails_sent_by(&s, "overdue-notices").await, 1);
    let subjects: Vec<String> = s.mail_to(addr)[verified..]
        .iter()
        .map(|m| m.subject.clone())
        .collect();
    for kind in [
        "新着図書",
        "予約の資料が準備できました",
        "返却期限日のお知らせ",
        "返却期限日を過ぎた",
    ] {
        assert!(
            subjects.iter().any(|s| s.contains(kind)),
            "{kind} in {subjects:?}"
        );
    }
    assert_eq!(subjects.len(), 4);
    assert_store_sound_after_expiry(&s).await;
}

/// What SES accepted, each message once: on a slow moto the SDK may retry a send whose
/// first attempt got through, and moto keeps both.
fn distinct(messages: Vec<Value>) -> Vec<Value> {
    let mut seen = std::collections::BTreeSet::new();
    messages
        .into_iter()
        .filter(|m| seen.insert((m["subject"].to_string(), m["body"].to_string())))
        .collect()
}

/// The same through SES v2 on moto: what SES accepted for the address is the verification
/// alone until it is verified.
#[apply(both_stores)]
async fn r_mail_5_through_ses_an_unverified_address_gets_only_the_verification(
    #[case] kind: StoreKind,
) {
    let sdk = mypage_tests::aws().await;
    let aws = mypage_tests::ses_settings(&sdk).await;
    let (mailer, _) = mypage::lambda::aws_clients(&aws, &sdk);
    let s = TestServer::start_mailing_through(kind, mailer).await;
    let (card, addr) = ("71000004", format!("{}@example.jp", unique("ses")));
    let due = signed_up_unverified(&s, card, "71000005", &addr).await;
    s.check_in("HELD-1").await.expect(200);
    advance_to(&s, due - Days::new(3));
    assert_eq!(emails_sent_by(&s, "due-reminders").await, 0);
    // The link expired meanwhile: the patron asks for a fresh one.
    let t = s.relog(card).await;
    s.set_email_unverified(&t, &addr).await;
    let sent = distinct(mypage_tests::ses_messages_to(&addr).await);
    assert_eq!(sent.len(), 2, "two verifications, nothing else: {sent:?}");
    for m in &sent {
        assert!(m["subject"]
            .as_str()
            .unwrap()
            .contains("メールアドレスの確認"));
    }
    // The fresh link, read from what SES accepted, verifies the address.
    let token = link_tokens(sent[1]["body"].as_str().unwrap(), "verify-email?token=")
        .pop()
        .expect("a verification link in what SES sent");
    s.verify_email(&token).await.expect(204);
    // Verified: the next hold to become ready is mailed.
    s.title("HELD2", 1).await;
    s.check_out("71000005", "HELD2-1").await.expect(201);
    s.place_hold(&t, "HELD2", "email").await.expect(201);
    s.check_in("HELD2-1").await.expect(200);
    let sent = distinct(mypage_tests::ses_messages_to(&addr).await);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent[2]["subject"]
        .as_str()
        .unwrap()
        .contains("ご予約の資料が準備できました"));
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_5_a_bad_used_expired_or_superseded_token_is_invalid(#[case] kind: StoreKind) {
    let card = "71000006";
    let (s, t) = server_with_patron(kind, card).await;
    for bad in [
        "",
        "short",
        "!!!!!!!!!!!!!!!!!!!!!!",
        "AAAAAAAAAAAAAAAAAAAAAA",
    ] {
        s.verify_email(bad).await.expect_error(400, "invalid_token");
    }
    s.set_email_unverified(&t, "one@example.jp").await;
    let one = s.verification_token_sent_to("one@example.jp").unwrap();
    s.verify_email(&one).await.expect(204);
    s.verify_email(&one)
        .await
        .expect_error(400, "invalid_token");
    // A link for an address replaced since verifies nothing; the current one's does.
    s.set_email_unverified(&t, "two@example.jp").await;
    let two = s.verification_token_sent_to("two@example.jp").unwrap();
    s.set_email_unverified(&t, "three@example.jp").await;
    let three = s.verification_token_sent_to("three@example.jp").unwrap();
    s.verify_email(&two)
        .await
        .expect_error(400, "invalid_token");
    let me = s.mine("/api/me", &t).await;
    assert_eq!(
        (&me["email"], &me["email_verified"]),
        (&json!("three@example.jp"), &json!(false))
    );
    // 24 hours on, the link has expired.
    s.clock.advance(Duration::hours(24));
    s.verify_email(&three)
        .await
        .expect_error(400, "invalid_token");
    let t = s.relog(card).await;
    let me = s.mine("/api/me", &t).await;
    assert_eq!(me["email_verified"], false);
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_5_replacing_a_verified_address_tells_the_old_one_without_naming_the_new(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let (card, old, new) = ("71000007", "p71000007@example.jp", "fresh-start@example.jp");
    let t = s.patron_with_email(card).await;
    s.patron("71000008").await;
    s.title("POP", 1).await;
    s.check_out("71000008", "POP-1").await.expect(201);
    s.place_hold(&t, "POP", "email").await.expect(201);
    let mark = s.mail_mark();
    s.set_email_unverified(&t, new).await;
    let sent = s.mail_since(mark);
    assert_eq!(
        sent.len(),
        2,
        "the link to the new address, the notice to the old"
    );
    let notice = &sent
        .iter()
        .find(|m| m.message.to.as_str() == old)
        .expect("the change notice")
        .message;
    assert!(notice.subject.contains("メールアドレスが変更されました"));
    let library = &s.app().settings.library;
    assert!(notice.text.contains(&library.name) && notice.text.contains(&library.phone));
    for part in [&notice.subject, &notice.text, &notice.html] {
        assert!(
            !part.contains(new) && !part.contains("fresh-start"),
            "{part}"
        );
        assert!(!part.contains("token="), "no link in the notice");
    }
    // Afterwards the old address gets nothing, the new nothing but its link.
    s.check_in("POP-1").await.expect(200);
    assert_eq!(s.mail_since(mark).len(), 2);
    // Replacing an address that was never verified tells nobody.
    s.set_email_unverified(&t, "third@example.jp").await;
    let sent = s.mail_since(mark);
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2].message.to.as_str(), "third@example.jp");
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_5_a_sixth_verification_email_in_a_day_is_refused_until_the_next_day(
    #[case] kind: StoreKind,
) {
    let card = "71000009";
    let (s, t) = server_with_patron(kind, card).await;
    for n in 1..=5 {
        s.set_email_unverified(&t, &format!("try{n}@example.jp"))
            .await;
    }
    let refused = s
        .put_email(&t, "try6@example.jp")
        .await
        .expect_error(429, "too_many_requests");
    assert!(refused.headers.contains_key("retry-after"));
    assert!(s.mail_to("try6@example.jp").is_empty());
    let me = s.mine("/api/me", &t).await;
    assert_eq!(
        me["email"], "try5@example.jp",
        "the refused change made none"
    );
    // Midnight in Japan starts a new day's count.
    s.clock.set(at("2026-12-01T15:00:00Z"));
    let t = s.relog(card).await;
    s.set_email_unverified(&t, "try6@example.jp").await;
    assert_eq!(s.mail_to("try6@example.jp").len(), 1);
    assert_store_sound_after_expiry(&s).await;
}

// ------------------------------------------------------------- R-MAIL-6 (overdue notices)

/// A patron with a verified address who asked for overdue notices: the session token.
async fn wants_overdue_notices(s: &TestServer, card: &str) -> String {
    let t = s.patron_with_email(card).await;
    s.set_notifications(
        &t,
        json!({"due_reminder": false, "overdue_notice": true, "new_arrivals": {"enabled": false}}),
    )
    .await;
    t
}

#[apply(both_stores)]
async fn r_mail_6_one_notice_the_day_after_listing_every_loan_not_back(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let card = "72000001";
    let addr = "p72000001@example.jp";
    wants_overdue_notices(&s, card).await;
    for bib in ["OD1", "OD2", "BACK", "LATER"] {
        s.title(bib, 1).await;
    }
    let due = lend(&s, card, "OD1-1").await;
    lend(&s, card, "OD2-1").await;
    lend(&s, card, "BACK-1").await;
    s.advance_days(1);
    let later_due = lend(&s, card, "LATER-1").await;
    assert_eq!(later_due, due + Days::new(1));
    advance_to(&s, due);
    s.check_in("BACK-1").await.expect(200);
    let mark = s.mail_mark();
    assert_eq!(
        emails_sent_by(&s, "overdue-notices").await,
        0,
        "not on the due date itself"
    );
    s.advance_days(1);
    let r = s.run_job("overdue-notices", None).await;
    assert_eq!((r["patrons_found"].as_u64(), job_sent(&r)), (Some(1), 1));
    let sent = s.mail_since(mark);
    assert_eq!(sent.len(), 1);
    let m = &sent[0].message;
    assert_eq!(m.to.as_str(), addr);
    assert!(m.subject.contains("返却期限日を過ぎた"), "{}", m.subject);
    assert!(m.text.contains("本 OD1") && m.text.contains("本 OD2"));
    assert!(!m.text.contains("本 BACK"), "a returned loan is not listed");
    assert!(
        !m.text.contains("本 LATER"),
        "a loan due later is not overdue yet"
    );
    let d = mypage::app::emails::japanese_date(due);
    assert!(m.text.contains(&d), "{d} in {}", m.text);
    // Reruns, today's and a rerun named for the day, send nothing more.
    assert_eq!(emails_sent_by(&s, "overdue-notices").await, 0);
    // A run named for a day still to come is refused: LATER is not overdue yet.
    let tomorrow = (s.clock.today() + Days::new(1)).to_string();
    rerun_for(&s, "overdue-notices", &tomorrow)
        .await
        .expect_error(400, "invalid_date");
    assert_eq!(s.mail_since(mark).len(), 1);
    let today = s.clock.today().to_string();
    assert_eq!(
        job_sent(&s.run_job("overdue-notices", Some(&today)).await),
        0
    );
    assert_eq!(s.mail_since(mark).len(), 1);
    // The next day's notice lists only the loan that fell due the day after.
    s.advance_days(1);
    assert_eq!(emails_sent_by(&s, "overdue-notices").await, 1);
    let next = &s.mail_since(mark)[1].message;
    assert!(next.text.contains("本 LATER") && !next.text.contains("本 OD1"));
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_6_none_without_the_preference_or_a_verified_address(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    // Never asked; asked, then turned it off; asked with an address never verified.
    let never = s.patron_with_email("72000002").await;
    s.set_notifications(
        &never,
        json!({"due_reminder": true, "overdue_notice": false, "new_arrivals": {"enabled": false}}),
    )
    .await;
    let off = wants_overdue_notices(&s, "72000003").await;
    let unverified = s.patron("72000004").await;
    s.set_email_unverified(&unverified, "p72000004@example.jp")
        .await;
    s.set_notifications(&unverified, all_services()).await;
    let mut due = None;
    for (card, bib) in [("72000002", "N1"), ("72000003", "N2"), ("72000004", "N3")] {
        due = Some(lend_new_title(&s, card, bib).await);
    }
    s.set_notifications(
        &off,
        json!({"due_reminder": false, "overdue_notice": false, "new_arrivals": {"enabled": false}}),
    )
    .await;
    let mark = s.mail_mark();
    advance_to(&s, due.unwrap() + Days::new(1));
    let r = s.run_job("overdue-notices", None).await;
    assert_eq!(job_sent(&r), 0, "{r}");
    assert!(s.mail_since(mark).is_empty());
    assert_store_sound_after_expiry(&s).await;
}

/// A claim on `card` for `job` as a run that died left it, its lease running until
/// `lease_until`; over the claim the run finished, if there is one.
async fn plant_claim(
    s: &TestServer,
    job: &str,
    card: &str,
    lease_until: chrono::DateTime<chrono::Utc>,
) {
    let card = CardNumber::parse(card).unwrap();
    let existing = s
        .app()
        .store
        .get(&Key::MailClaim(job.to_owned(), card.clone()))
        .await
        .unwrap()
        .and_then(Record::into_mail_claim);
    let changes = match existing {
        Some(c) => Changes::none().update(MailClaim {
            state: ClaimState::Sending { lease_until },
            ..c
        }),
        None => Changes::none().create(MailClaim {
            state: ClaimState::Sending { lease_until },
            ..MailClaim::new(job, &card, s.clock.now())
        }),
    };
    write_directly(s, changes, "planting the claim").await;
}

/// Writes `changes` to the server's store directly, past the API; `what` names them if they lose.
async fn write_directly(s: &TestServer, changes: Changes, what: &str) {
    let Commit::Done(_) = s.app().store.commit(changes).await.unwrap() else {
        panic!("{what} lost a race");
    };
}

#[apply(both_stores)]
async fn r_mail_6_a_crashed_run_and_its_reruns_send_each_notice_exactly_once(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let cards = ["72000005", "72000006", "72000007"];
    let mut due = None;
    for (i, card) in cards.iter().enumerate() {
        wants_overdue_notices(&s, card).await;
        due = Some(lend_new_title(&s, card, &format!("CR{i}")).await);
    }
    let due = due.unwrap();
    let job = format!("overdue:{due}");
    advance_to(&s, due + Days::new(1));
    let mark = s.mail_mark();
    // A run claimed the first patron and died before sending.
    s.clock.advance(Duration::minutes(1));
    plant_claim(&s, &job, cards[0], s.clock.now() + Duration::minutes(15)).await;
    // Two runs at once meanwhile: the others get one notice each; the live claim is left.
    let (a, b) = tokio::join!(
        s.run_job("overdue-notices", None),
        s.run_job("overdue-notices", None)
    );
    assert_eq!(job_sent(&a) + job_sent(&b), 2);
    // The first run also died after sending and recording the second patron's notice, just
    // before ending its claim.
    plant_claim(&s, &job, cards[1], s.clock.now()).await;
    s.clock.advance(Duration::minutes(16));
    assert_eq!(
        emails_sent_by(&s, "overdue-notices").await,
        1,
        "the abandoned claim is taken over; the notice already recorded is not sent again"
    );
    assert_eq!(emails_sent_by(&s, "overdue-notices").await, 0);
    let mut to: Vec<String> = s
        .mail_since(mark)
        .iter()
        .map(|m| m.message.to.to_string())
        .collect();
    to.sort();
    let want: Vec<String> = cards.iter().map(|c| format!("p{c}@example.jp")).collect();
    assert_eq!(to, want, "each patron exactly once");
    assert_store_sound_after_expiry(&s).await;
}

// ------------------------------------------------------------------ R-MAIL-7 (renewal links)

/// A patron (verified, reminders on) with one copy of each of `bibs` out since today: the
/// due date.
async fn borrow(s: &TestServer, card: &str, bibs: &[&str]) -> NaiveDate {
    let t = s.patron_with_email(card).await;
    s.set_notifications(
        &t,
        json!({"due_reminder": true, "overdue_notice": false, "new_arrivals": {"enabled": false}}),
    )
    .await;
    let mut due = None;
    for bib in bibs {
        due = Some(lend_new_title(s, card, bib).await);
    }
    due.expect("some loans")
}

/// The clock moved to three days before `due` and the reminders run: a fresh session of
/// `card` and the text of the one reminder.
async fn remind(s: &TestServer, card: &str, due: NaiveDate) -> (String, String) {
    advance_to(s, due - Days::new(3));
    let mark = s.mail_mark();
    assert_eq!(emails_sent_by(s, "due-reminders").await, 1);
    let sent = s.mail_since(mark);
    (s.relog(card).await, sent[0].message.text.clone())
}

/// The patron's reminder for loans of `bibs`, as `borrow` and `remind` make it.
async fn reminded(s: &TestServer, card: &str, bibs: &[&str]) -> (String, String) {
    let due = borrow(s, card, bibs).await;
    remind(s, card, due).await
}

/// The patron reminded of their one loan, of `bib`: a fresh session and the link's token.
async fn renewal_link(s: &TestServer, card: &str, bib: &str) -> (String, String) {
    let (t, text) = reminded(s, card, &[bib]).await;
    let token = link_tokens(&text, "renewal?token=").pop().unwrap();
    (t, token)
}

async fn link(s: &TestServer, method: Method, token: &str) -> Reply {
    s.call(method, &format!("/api/renewal-links/{token}"), None, None)
        .await
}

/// Neither looking at the link nor confirming it finds it any more.
async fn link_is_gone(s: &TestServer, token: &str) {
    for m in [GET, POST] {
        link(s, m, token).await.expect_error(404, "link_not_found");
    }
}

#[apply(both_stores)]
async fn r_mail_7_the_reminder_links_only_the_loans_renewable_when_it_is_sent(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let waiter = s.patron("73000002").await;
    let due = borrow(&s, "73000001", &["FREE", "WANTED"]).await;
    s.place_hold(&waiter, "WANTED", "none").await.expect(201);
    let (_, text) = remind(&s, "73000001", due).await;
    assert!(text.contains("本 FREE") && text.contains("本 WANTED"));
    let tokens = link_tokens(&text, "renewal?token=");
    assert_eq!(tokens.len(), 1, "{text}");
    let url = format!("{}/#/renewal?token=", s.app().settings.library.mypage_url);
    assert!(text.contains(&url));
    let r = link(&s, GET, &tokens[0]).await.expect(200);
    assert_eq!(r.body["title"], "本 FREE");
    assert!(
        text.contains("延長できません"),
        "the waited-for loan says so"
    );
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_7_looking_changes_nothing_and_confirming_renews_once(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let (t, token) = renewal_link(&s, "73000003", "RN").await;
    let before = loan_of(&s, &t, "RN").await;
    let look = link(&s, GET, &token).await.expect(200);
    let renewal_days = u64::from(s.app().policy().renewal_days);
    let new_due = s.clock.today() + Days::new(renewal_days); // R-RENEW-6: from today
    assert_eq!(
        look.body,
        json!({"title": "本 RN", "due_date": before["due_date"], "new_due_date": new_due.to_string()})
    );
    // Looking twice (a mail scanner, then the patron) changes nothing.
    assert_eq!(link(&s, GET, &token).await.expect(200).body, look.body);
    assert_eq!(loan_of(&s, &t, "RN").await, before);
    // Confirming needs no login, and renews that loan once.
    let done = link(&s, POST, &token).await.expect(200);
    assert_eq!(
        done.body,
        json!({"loan_id": before["loan_id"], "due_date": new_due.to_string(), "renewed": true})
    );
    let after = loan_of(&s, &t, "RN").await;
    assert_eq!(
        (&after["due_date"], &after["renewed"]),
        (&json!(new_due.to_string()), &json!(true))
    );
    link_is_gone(&s, &token).await;
    // R-RENEW-1: the one renewal is used, by whichever route.
    let id = before["loan_id"].as_str().unwrap();
    s.renew(&t, id).await.expect_error(409, "already_renewed");
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_7_a_link_dies_with_a_return_a_renewal_elsewhere_or_its_due_date(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let (t, text) = reminded(&s, "73000004", &["RET", "ELSE", "LAST"]).await;
    let mut by_title = std::collections::BTreeMap::new();
    for token in link_tokens(&text, "renewal?token=") {
        let r = link(&s, GET, &token).await.expect(200);
        by_title.insert(r.body["title"].as_str().unwrap().to_owned(), token);
    }
    assert_eq!(by_title.len(), 3);
    s.check_in("RET-1").await.expect(200);
    link_is_gone(&s, &by_title["本 RET"]).await;
    let id = loan_id_of(&s, &t, "ELSE").await;
    s.renew(&t, &id).await.expect(200);
    link_is_gone(&s, &by_title["本 ELSE"]).await;
    // Good until the end of the due date in Japan, not a minute longer.
    let due = date(&loan_of(&s, &t, "LAST").await["due_date"]);
    let end = mypage::domain::renewal_link::end_of(due);
    s.clock.set(end - Duration::minutes(1));
    link(&s, GET, &by_title["本 LAST"]).await.expect(200);
    s.clock.set(end);
    link_is_gone(&s, &by_title["本 LAST"]).await;
    // Unknown and malformed tokens alike.
    for unknown in ["AAAAAAAAAAAAAAAAAAAAAA", "x", "not-a-token!"] {
        link_is_gone(&s, unknown).await;
    }
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_7_a_hold_placed_after_the_mail_refuses_the_link(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    s.patron("73000006").await;
    let (t, token) = renewal_link(&s, "73000005", "LATEHOLD").await;
    let waiter = s.relog("73000006").await;
    s.place_hold(&waiter, "LATEHOLD", "none").await.expect(201);
    let before = loan_of(&s, &t, "LATEHOLD").await;
    for m in [GET, POST] {
        link(&s, m, &token)
            .await
            .expect_error(409, "on_hold_for_other_patron");
    }
    assert_eq!(loan_of(&s, &t, "LATEHOLD").await, before, "not renewed");
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_mail_7_the_link_token_authorises_nothing_else(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let (t, token) = renewal_link(&s, "73000007", "AUTH").await;
    let id = loan_id_of(&s, &t, "AUTH").await;
    s.assert_no_session(Some(&token)).await;
    s.renew(&token, &id)
        .await
        .expect_error(401, "unauthenticated");
    let by_cookie = mypage_tests::reply(
        s.http
            .get(format!("{}/api/me", s.base))
            .header("cookie", format!("mypage_session={token}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    by_cookie.expect_error(401, "unauthenticated");
    s.verify_email(&token)
        .await
        .expect_error(400, "invalid_token");
    // Still the link it was: it renews.
    link(&s, POST, &token).await.expect(200);
    assert_store_sound_after_expiry(&s).await;
}

// --------------------------------------------------------------- R-CAL-3 (calendar feed)

/// One VEVENT as the independent parser read it: each property's name, parameters and
/// value (TEXT values unescaped as RFC 5545 3.3.11 says).
struct Event(Vec<ical::property::Property>);

impl Event {
    fn value(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    }
    fn count(&self, name: &str) -> usize {
        self.0.iter().filter(|p| p.name == name).count()
    }
    fn is_date(&self, name: &str) -> bool {
        self.0.iter().any(|p| {
            p.name == name
                && p.params
                    .iter()
                    .flatten()
                    .any(|(k, v)| k == "VALUE" && v.iter().map(String::as_str).eq(["DATE"]))
        })
    }
    fn date(&self, name: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.value(name)?, "%Y%m%d").ok()
    }
    fn summary(&self) -> String {
        unescape_text(&self.value("SUMMARY").unwrap_or_default())
    }
}

/// RFC 5545 3.3.11: `\\`, `\;`, `\,` and `\n` (or `\N`) in a TEXT value.
fn unescape_text(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The feed's calendar properties and events, or a failure if it does not parse whole.
fn parse_feed(body: &str) -> (Vec<ical::property::Property>, Vec<Event>) {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(body.as_bytes()));
    let cal = calendars
        .next()
        .expect("one VCALENDAR")
        .unwrap_or_else(|e| panic!("the feed parses: {e}\n{body}"));
    assert!(calendars.next().is_none(), "exactly one VCALENDAR");
    let events = cal
        .events
        .into_iter()
        .map(|e| Event(e.properties))
        .collect();
    (cal.properties, events)
}

async fn make_feed(s: &TestServer, token: &str, include_titles: bool) -> String {
    let r = s
        .call(
            POST,
            "/api/me/calendar-feed",
            Some(token),
            Some(json!({ "include_titles": include_titles })),
        )
        .await
        .expect(201);
    assert_eq!(r.body["include_titles"], include_titles);
    let url = r.body["url"].as_str().expect("a feed URL").to_owned();
    let prefix = format!(
        "{}/api/calendar-feeds/",
        s.app().settings.library.mypage_url
    );
    assert!(url.starts_with(&prefix), "{url} built on MYPAGE_URL");
    url
}

/// GET the feed at `url` (its path, on the test server), no login.
async fn fetch_feed(s: &TestServer, url: &str) -> reqwest::Response {
    let path = url
        .strip_prefix(&s.app().settings.library.mypage_url)
        .expect("the feed URL is on My Page");
    s.http
        .get(format!("{}{path}", s.base))
        .send()
        .await
        .expect("the dev server answers")
}

async fn feed_body(s: &TestServer, url: &str) -> String {
    let r = fetch_feed(s, url).await;
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/calendar"), "{ct}");
    r.text().await.unwrap()
}

/// The patron has no feed: `GET /api/me/calendar-feed` is 404.
async fn no_feed(s: &TestServer, token: &str) {
    s.get("/api/me/calendar-feed", Some(token))
        .await
        .expect_error(404, "feed_not_found");
}

async fn feed_status(s: &TestServer, url: &str) -> u16 {
    fetch_feed(s, url).await.status().as_u16()
}

/// A patron with two loans (due on different days) and two holds, one ready: their session.
async fn loans_and_holds(s: &TestServer, card: &str, lender: &str) -> String {
    s.patron_with_email(card).await;
    s.patron(lender).await;
    for bib in ["CAL1", "CAL2", "READY", "WAIT"] {
        s.title(bib, 1).await;
    }
    lend(s, card, "CAL1-1").await;
    s.advance_days(1);
    lend(s, card, "CAL2-1").await;
    s.check_out(lender, "READY-1").await.expect(201);
    s.check_out(lender, "WAIT-1").await.expect(201);
    let t = s.relog(card).await;
    s.place_hold(&t, "READY", "none").await.expect(201);
    s.place_hold(&t, "WAIT", "none").await.expect(201);
    s.check_in("READY-1").await.expect(200);
    t
}

#[apply(both_stores)]
async fn r_cal_3_one_all_day_event_per_due_date_and_ready_hold_with_stable_uids(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let t = loans_and_holds(&s, "74000001", "74000002").await;
    let url = make_feed(&s, &t, true).await;
    let body = feed_body(&s, &url).await;
    let (calendar, events) = parse_feed(&body);
    for required in ["VERSION", "PRODID"] {
        assert!(calendar.iter().any(|p| p.name == required), "{required}");
    }
    let mut want: Vec<(NaiveDate, String)> = loans(&s, &t)
        .await
        .iter()
        .map(|l| {
            (
                date(&l["due_date"]),
                format!("返却期限日: {}", l["title"].as_str().unwrap()),
            )
        })
        .collect();
    let holds = s.holds(&t).await;
    let ready: Vec<&Value> = holds
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["status"] == "ready")
        .collect();
    assert_eq!(ready.len(), 1, "the waiting hold has no deadline");
    want.push((
        date(&ready[0]["pickup_deadline"]),
        "予約の取り置き期限: 本 READY".to_owned(),
    ));
    let mut got: Vec<(NaiveDate, String)> = Vec::new();
    for e in &events {
        assert!(e.is_date("DTSTART"), "an all-day event");
        assert_eq!(e.count("DTSTAMP"), 1);
        assert_eq!(e.count("UID"), 1);
        let start = e.date("DTSTART").expect("a DATE start");
        // RFC 5545 3.8.2.2: an end, if given, is after the start (all day: the next day).
        if e.count("DTEND") > 0 {
            assert!(e.is_date("DTEND"));
            assert_eq!(e.date("DTEND"), Some(start + Days::new(1)), "{body}");
        }
        got.push((start, e.summary()));
    }
    want.sort();
    got.sort();
    assert_eq!(got, want);
    let uids = |events: &[Event]| -> Vec<String> {
        let mut v: Vec<String> = events.iter().filter_map(|e| e.value("UID")).collect();
        v.sort();
        v
    };
    let first = uids(&events);
    assert_eq!(
        first
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        3
    );
    // Fetched again later, with a renewal meanwhile: the same events, under the same UIDs.
    s.clock.advance(Duration::hours(2));
    let t = s.relog("74000001").await;
    let id = loan_id_of(&s, &t, "CAL1").await;
    s.renew(&t, &id).await.expect(200);
    let (_, again) = parse_feed(&feed_body(&s, &url).await);
    assert_eq!(uids(&again), first);
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_cal_3_titles_only_when_the_patron_chose_them(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = loans_and_holds(&s, "74000003", "74000004").await;
    let url = make_feed(&s, &t, false).await;
    let body = feed_body(&s, &url).await;
    let (_, events) = parse_feed(&body);
    assert_eq!(events.len(), 3);
    for bib in ["CAL1", "CAL2", "READY", "WAIT"] {
        assert!(!body.contains(bib), "no title in the feed: {body}");
    }
    let shown = s.mine("/api/me/calendar-feed", &t).await;
    assert_eq!(shown, json!({"url": url, "include_titles": false}));
    let with_titles = make_feed(&s, &t, true).await;
    assert_eq!(feed_status(&s, &url).await, 404, "the old URL stops");
    let body = feed_body(&s, &with_titles).await;
    assert!(body.contains("本 CAL1") && body.contains("本 READY"));
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_cal_3_awkward_titles_round_trip_through_an_independent_parser(#[case] kind: StoreKind) {
    let card = "74000005";
    let (s, t) = server_with_patron(kind, card).await;
    let punctuated = "京都, 奈良; 大阪\\神戸: \"関西\" の旅";
    let long = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。";
    for (bib, name) in [("PUNCT", punctuated), ("LONG", long)] {
        s.title_named(bib, name, 1).await;
        lend(&s, card, &format!("{bib}-1")).await;
    }
    // The counter refuses control characters; a line break can only come from data stored
    // before that check: written onto a loan directly.
    lend_new_title(&s, card, "NL").await;
    let broken = "一行目\n二行目, 三";
    let card_number = CardNumber::parse(card).unwrap();
    let mut stored = s
        .app()
        .store
        .account(&card_number)
        .await
        .unwrap()
        .into_iter()
        .find_map(|r| r.into_loan().filter(|l| l.bib_id.as_str() == "NL"))
        .unwrap();
    stored.title = broken.into();
    write_directly(&s, Changes::none().update(stored), "rewriting the title").await;
    let url = make_feed(&s, &t, true).await;
    let body = feed_body(&s, &url).await;
    // RFC 5545 3.1: lines end in CRLF and are folded to at most 75 octets.
    assert!(body.ends_with("\r\n"));
    for line in body.split("\r\n") {
        assert!(!line.contains('\n'), "a bare line feed: {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let (_, events) = parse_feed(&body);
    let mut summaries: Vec<String> = events.iter().map(Event::summary).collect();
    summaries.sort();
    let mut want: Vec<String> = [punctuated, long, broken]
        .iter()
        .map(|t| format!("返却期限日: {t}"))
        .collect();
    want.sort();
    assert_eq!(summaries, want, "{body}");
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_cal_3_a_new_feed_or_a_deletion_stops_the_old_url(#[case] kind: StoreKind) {
    let (s, t) = server_with_patron(kind, "74000006").await;
    no_feed(&s, &t).await;
    let first = make_feed(&s, &t, false).await;
    assert_eq!(feed_status(&s, &first).await, 200);
    let second = make_feed(&s, &t, false).await;
    assert_ne!(first, second);
    assert_eq!(feed_status(&s, &first).await, 404);
    assert_eq!(feed_status(&s, &second).await, 200);
    let shown = s.mine("/api/me/calendar-feed", &t).await;
    assert_eq!(shown["url"], second.as_str());
    s.delete("/api/me/calendar-feed", &t).await.expect(204);
    assert_eq!(feed_status(&s, &second).await, 404);
    no_feed(&s, &t).await;
    s.delete("/api/me/calendar-feed", &t).await.expect(204);
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_cal_3_a_password_change_deletes_the_feed(#[case] kind: StoreKind) {
    let card = "74000007";
    let (s, t) = server_with_patron(kind, card).await;
    let url = make_feed(&s, &t, true).await;
    assert_eq!(feed_status(&s, &url).await, 200);
    s.call(
        PUT,
        "/api/me/password",
        Some(&t),
        Some(json!({"current_password": mypage_tests::own_password(card), "new_password": format!("Osaka{}y", &card[4..])})),
    )
    .await
    .expect(204);
    assert_eq!(feed_status(&s, &url).await, 404);
    no_feed(&s, &t).await;
    assert_store_sound_after_expiry(&s).await;
}

#[apply(both_stores)]
async fn r_cal_3_another_patrons_feed_and_forged_secrets_are_unreachable(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let a = s.patron("74000008").await;
    let b = s.patron("74000009").await;
    let url = make_feed(&s, &a, true).await;
    // B sees and deletes only their own (none).
    no_feed(&s, &b).await;
    s.delete("/api/me/calendar-feed", &b).await.expect(204);
    assert_eq!(feed_status(&s, &url).await, 200);
    let secret = url.rsplit('/').next().unwrap().to_owned();
    let mut flipped = secret.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let base = url.trim_end_matches(&secret).to_owned();
    for forged in [
        String::from_utf8(flipped).unwrap(),
        secret[..secret.len() - 1].to_owned(),
        format!("{secret}A"),
        "A".repeat(43),
        "x".to_owned(),
        "..%2F..%2Fme".to_owned(),
    ] {
        assert_eq!(
            feed_status(&s, &format!("{base}{forged}")).await,
            404,
            "{forged}"
        );
    }
    // A session token is no feed secret, nor a feed secret a session.
    s.assert_no_session(Some(&secret)).await;
    assert_eq!(feed_status(&s, &format!("{base}{a}")).await, 404);
    assert_store_sound_after_expiry(&s).await;
}
