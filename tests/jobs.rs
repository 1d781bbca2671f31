//! The scheduled jobs on both stores: due-date reminders (R-MAIL-1), new-arrival alerts
//! (R-MAIL-2), and the SES and EventBridge Scheduler adapters against the local AWS endpoint.

use async_trait::async_trait;
use chrono::{Days, Duration};
use mypage::adapters::{LocalScheduler, Outbox, PinnedClock};
use mypage::app::reminders::{self, MailReport};
use mypage::app::{arrivals, counter, App};
use mypage::domain::patron;
use mypage::domain::types::{
    AuthorName, Barcode, BibId, CardNumber, EmailAddress, LoanId, PatronName, Subject, Subjects,
    TitleName,
};
use mypage::domain::{Changes, ClaimState, HoldNotice, MailClaim, NewArrivalSettings};
use mypage::ports::{Clock, EmailMessage, MailError, Mailer};
use mypage_tests::both_stores;
use mypage_tests::{at, aws_app, link_tokens, store, test_config, StoreKind, NOW};
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// An outbox that can be told to fail for some addresses, like SES refusing a send.
struct FlakyMailer {
    outbox: Outbox,
    failing: Mutex<HashSet<String>>,
}

#[async_trait]
impl Mailer for FlakyMailer {
    async fn send(&self, m: &EmailMessage) -> Result<(), MailError> {
        if self.failing.lock().unwrap().contains(m.to.as_str()) {
            return Err(MailError::Unavailable("injected failure".into()));
        }
        self.outbox.send(m).await
    }
}

struct Library {
    app: App,
    mail: Arc<FlakyMailer>,
    clock: Arc<PinnedClock>,
}

fn card(n: &str) -> CardNumber {
    CardNumber::parse(n).unwrap()
}

fn subjects_of(v: &[&str]) -> Subjects {
    Subjects::try_from(
        v.iter()
            .map(|s| Subject::parse(s).unwrap())
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

/// New-arrival alerts turned on (R-MAIL-2) for the `authors`, `subjects` and `keywords` that
/// `settings` lists, as `PUT /api/me/notifications` takes them.
fn alerts_on(mut settings: serde_json::Value) -> NewArrivalSettings {
    settings["enabled"] = true.into();
    serde_json::from_value(settings).expect("valid alert terms")
}

/// A title catalogued through the counter with one copy, `<bib>-1`, on the shelf.
async fn title_with_a_copy(app: &App, bib: &str, title: &str, author: &str, subjects: &[&str]) {
    counter::add_title(
        app,
        BibId::parse(bib).unwrap(),
        TitleName::parse(title).unwrap(),
        AuthorName::parse(author).unwrap(),
        subjects_of(subjects),
    )
    .await
    .unwrap();
    counter::add_copy(
        app,
        Barcode::parse(&format!("{bib}-1")).unwrap(),
        BibId::parse(bib).unwrap(),
    )
    .await
    .unwrap();
}

impl Library {
    async fn new(kind: StoreKind) -> Library {
        let clock = Arc::new(PinnedClock::new(at(NOW)));
        let mail = Arc::new(FlakyMailer {
            outbox: Outbox::new(clock.clone()),
            failing: Mutex::default(),
        });
        let app = App {
            store: store(kind).await,
            mailer: mail.clone(),
            scheduler: Arc::new(LocalScheduler::default()),
            clock: clock.clone(),
            settings: Arc::new(test_config()),
        };
        Library { app, mail, clock }
    }

    /// The same library seen `days` from now.
    fn at(&self, days: i64) -> App {
        App {
            clock: Arc::new(PinnedClock::new(self.clock.now() + Duration::days(days))),
            ..self.app.clone()
        }
    }

    async fn patron(
        &self,
        n: &str,
        email: bool,
        due_reminder: bool,
        alerts: Option<NewArrivalSettings>,
    ) {
        let name = PatronName::parse(&format!("利用者{n}")).unwrap();
        counter::register_patron(&self.app, card(n), name, false)
            .await
            .unwrap();
        if email {
            self.verified_address(n, &format!("p{n}@example.jp")).await;
        }
        let mut p = self.stored_patron(n).await;
        p.notifications.due_reminder = due_reminder;
        if let Some(a) = alerts {
            p.notifications.new_arrivals = a;
        }
        self.commit(Changes::none().update(p)).await;
    }

    /// The stored patron `n`, who must exist.
    async fn stored_patron(&self, n: &str) -> mypage::domain::Patron {
        self.app.store.patron(&card(n)).await.unwrap().unwrap()
    }

    /// Writes `changes` straight to the store, whether the commit wins or loses.
    async fn commit(&self, changes: Changes) {
        let _ = self.app.store.commit(changes).await.unwrap();
    }

    /// The mailer refuses every send to `addr` until [`Library::stop_failing`].
    fn fail_for(&self, addr: &str) {
        self.mail.failing.lock().unwrap().insert(addr.into());
    }

    fn stop_failing(&self) {
        self.mail.failing.lock().unwrap().clear();
    }

    /// The address set and verified through the domain's own transitions (R-MAIL-5).
    async fn verified_address(&self, n: &str, email: &str) {
        let p = self.stored_patron(n).await;
        let pending = patron::NewVerification {
            token_hash: format!("hash-of-{n}"),
            expires_at: self.clock.now() + Duration::hours(24),
        };
        let policy = mypage::domain::Policy::default();
        let set = patron::set_email(
            &p,
            &[],
            EmailAddress::parse(email).unwrap(),
            pending,
            self.clock.today(),
            &policy,
        )
        .unwrap();
        let mypage::ports::Commit::Done(written) =
            self.app.store.commit(set.changes).await.unwrap()
        else {
            panic!("setting the address lost a race");
        };
        // As stored, at its new version.
        let verification = written
            .into_records()
            .into_iter()
            .find_map(|r| r.into_email_verification())
            .unwrap();
        let p = self.stored_patron(n).await;
        let verified = patron::verify_email(&p, &[], &verification, self.clock.now()).unwrap();
        let mypage::ports::Commit::Done(_) = self.app.store.commit(verified.changes).await.unwrap()
        else {
            panic!("verifying the address lost a race");
        };
    }

    /// A loan falling due `in_days` from today (checked out 14 days before that).
    async fn loan_due_in(&self, n: &str, bib: &str, in_days: i64) -> String {
        title_with_a_copy(&self.at(-30), bib, &format!("本{bib}"), "著者", &["一般"]).await;
        let r = counter::check_out(
            &self.at(in_days - 14),
            &card(n),
            &Barcode::parse(&format!("{bib}-1")).unwrap(),
            None,
        )
        .await
        .unwrap()
        .loan;
        assert_eq!(r.due_date, self.clock.today() + Days::new(in_days as u64));
        r.loan_id.to_string()
    }

    fn sent(&self) -> Vec<EmailMessage> {
        self.mail
            .outbox
            .messages()
            .into_iter()
            .map(|m| m.message)
            .collect()
    }

    async fn remind(&self) -> MailReport {
        reminders::send_due_reminders(&self.app, self.clock.today())
            .await
            .unwrap()
    }

    async fn announce(&self) -> MailReport {
        arrivals::send_new_arrivals(&self.app).await.unwrap()
    }
}

#[apply(both_stores)]
async fn r_mail_1_only_loans_due_in_exactly_three_days(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    l.patron("50000001", true, true, None).await;
    l.loan_due_in("50000001", "D2", 2).await;
    l.loan_due_in("50000001", "D3", 3).await;
    l.loan_due_in("50000001", "D4", 4).await;
    let r = l.remind().await;
    assert_eq!((r.patrons_found, r.emails_sent, r.failed), (1, 1, 0));
    let m = &l.sent()[0];
    assert!(m.text.contains("本D3"));
    assert!(!m.text.contains("本D2") && !m.text.contains("本D4"));
    assert!(m.text.contains("2026年12月4日"), "{}", m.text);
    assert!(m.subject.contains("返却期限日"));
}

#[apply(both_stores)]
async fn r_mail_1_one_email_per_patron_listing_every_loan_due(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    l.patron("50000002", true, true, None).await;
    l.patron("50000003", true, true, None).await;
    l.loan_due_in("50000002", "A1", 3).await;
    l.loan_due_in("50000002", "A2", 3).await;
    l.loan_due_in("50000003", "A3", 3).await;
    let r = l.remind().await;
    assert_eq!((r.patrons_found, r.emails_sent), (2, 2));
    let to_a: Vec<_> = l
        .sent()
        .into_iter()
        .filter(|m| m.to.as_str() == "p50000002@example.jp")
        .collect();
    assert_eq!(to_a.len(), 1);
    assert!(
        to_a[0].text.contains("本A1")
            && to_a[0].text.contains("本A2")
            && !to_a[0].text.contains("本A3")
    );
    assert!(to_a[0].text.contains("利用者50000002"));
}

#[apply(both_stores)]
async fn r_mail_1_only_patrons_who_signed_up_and_have_an_address(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    l.patron("50000004", true, false, None).await; // address, not signed up
    l.patron("50000005", false, true, None).await; // signed up without an address: no contact
    l.patron("50000006", true, true, None).await;
    for (n, b) in [("50000004", "X1"), ("50000005", "X2"), ("50000006", "X3")] {
        l.loan_due_in(n, b, 3).await;
    }
    let r = l.remind().await;
    assert_eq!(r.emails_sent, 1);
    assert_eq!(l.sent()[0].to.as_str(), "p50000006@example.jp");
}

#[apply(both_stores)]
async fn r_mail_1_never_twice_for_a_due_date_but_again_after_a_renewal(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    l.patron("50000007", true, true, None).await;
    let loan_id = l.loan_due_in("50000007", "R1", 3).await;
    assert_eq!(l.remind().await.emails_sent, 1);
    let again = l.remind().await;
    assert_eq!((again.emails_sent, again.skipped), (0, 1));
    assert_eq!(l.sent().len(), 1);
    // Renewed two days later: due 14 days from then; reminded again 3 days before that.
    l.clock.advance(Duration::days(2));
    let id = LoanId::parse(&loan_id).unwrap();
    let mut loan = l
        .app
        .store
        .loan(&card("50000007"), &id)
        .await
        .unwrap()
        .unwrap();
    loan.due_date = l.clock.today() + Days::new(14);
    loan.renewals = 1;
    l.commit(Changes::none().update(loan)).await;
    l.clock.advance(Duration::days(11));
    assert_eq!(l.remind().await.emails_sent, 1);
    assert_eq!(l.sent().len(), 2);
    assert_eq!(l.remind().await.emails_sent, 0);
}

#[apply(both_stores)]
async fn r_mail_1_a_failed_send_stops_nobody_else_and_is_retried_next_run(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    for (n, b) in [("50000008", "F1"), ("50000009", "F2"), ("50000010", "F3")] {
        l.patron(n, true, true, None).await;
        l.loan_due_in(n, b, 3).await;
    }
    l.fail_for("p50000009@example.jp");
    let r = l.remind().await;
    assert_eq!((r.patrons_found, r.emails_sent, r.failed), (3, 2, 1));
    l.stop_failing();
    let r = l.remind().await;
    assert_eq!((r.emails_sent, r.failed), (1, 0));
    let mut to: Vec<String> = l.sent().iter().map(|m| m.to.to_string()).collect();
    to.sort();
    assert_eq!(
        to,
        vec![
            "p50000008@example.jp",
            "p50000009@example.jp",
            "p50000010@example.jp"
        ]
    );
}

#[apply(both_stores)]
async fn r_mail_1_two_runs_at_once_send_each_email_once(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    for i in 0..8 {
        let n = format!("5000010{i}");
        l.patron(&n, true, true, None).await;
        l.loan_due_in(&n, &format!("C{i}"), 3).await;
    }
    let (a, b) = tokio::join!(l.remind(), l.remind());
    assert_eq!(a.emails_sent + b.emails_sent, 8);
    assert_eq!(l.sent().len(), 8);
    let distinct: HashSet<String> = l.sent().iter().map(|m| m.to.to_string()).collect();
    assert_eq!(distinct.len(), 8);
}

#[apply(both_stores)]
async fn r_mail_1_a_run_that_died_mid_way_is_taken_over_after_its_lease(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    l.patron("50000020", true, true, None).await;
    l.loan_due_in("50000020", "Z1", 3).await;
    // A run claimed this patron and crashed before sending.
    let due = l.clock.today() + Days::new(3);
    let claim = MailClaim {
        job: format!("due:{due}"),
        card_number: card("50000020"),
        state: ClaimState::Sending {
            lease_until: l.clock.now() + Duration::minutes(15),
        },
        version: 0,
    };
    l.commit(Changes::none().create(claim)).await;
    let r = l.remind().await;
    assert_eq!(
        (r.emails_sent, r.skipped),
        (0, 1),
        "a live claim is left alone"
    );
    l.clock.advance(Duration::minutes(16));
    assert_eq!(
        l.remind().await.emails_sent,
        1,
        "nobody is skipped for good"
    );
    assert_eq!(l.remind().await.emails_sent, 0);
}

#[apply(both_stores)]
async fn r_mail_1_the_run_date_can_be_named_for_a_rerun(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    l.patron("50000021", true, true, None).await;
    l.loan_due_in("50000021", "N1", 5).await; // due 2026-12-06
    let input = |v| serde_json::from_value::<due_reminders::Input>(v).unwrap();
    let none = due_reminders::run(l.app.clone(), input(json!({})))
        .await
        .unwrap();
    assert_eq!(none.emails_sent, 0);
    let named = due_reminders::run(l.app.clone(), input(json!({"date": "2026-12-03"})))
        .await
        .unwrap();
    assert_eq!(named.emails_sent, 1);
    // A malformed input is an error, never a run for some other day.
    for bad in [
        json!({"date": "soon"}),
        json!({"day": "2026-12-03"}),
        json!([]),
    ] {
        assert!(serde_json::from_value::<due_reminders::Input>(bad).is_err());
    }
}

#[apply(both_stores)]
async fn r_mail_1_an_address_change_reaches_the_reminder(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    l.patron("50000022", true, true, None).await;
    l.loan_due_in("50000022", "M1", 3).await;
    // Turn the service off after checkout: the loan no longer carries a contact.
    let mut p = l.stored_patron("50000022").await;
    p.notifications.due_reminder = false;
    l.commit(Changes::none().update(p)).await;
    let caller = fake_caller(&l, "50000022").await;
    mypage::app::account::set_notifications(&l.app, &caller, Default::default())
        .await
        .unwrap();
    assert_eq!(l.remind().await.emails_sent, 0);
    let caller = fake_caller(&l, "50000022").await;
    mypage::app::account::set_email(
        &l.app,
        &caller,
        EmailAddress::parse("new@example.jp").unwrap(),
    )
    .await
    .unwrap();
    let on = mypage::domain::NotificationSettings {
        due_reminder: true,
        ..Default::default()
    };
    let caller = fake_caller(&l, "50000022").await;
    mypage::app::account::set_notifications(&l.app, &caller, on)
        .await
        .unwrap();
    // R-MAIL-5: nothing but the verification goes to the new address until it is verified.
    assert_eq!(l.remind().await.emails_sent, 0);
    let sent = l.sent();
    let link = sent
        .iter()
        .find(|m| m.to.as_str() == "new@example.jp")
        .expect("the verification email");
    assert!(
        sent.iter()
            .any(|m| m.to.as_str() == "p50000022@example.jp" && !m.text.contains("token=")),
        "the old address is told of the change, without the link"
    );
    let token = link_tokens(&link.text, "token=").remove(0);
    mypage::app::account::verify_email(&l.app, &token)
        .await
        .unwrap();
    assert_eq!(l.remind().await.emails_sent, 1);
    let reminder = l.sent().pop().unwrap();
    assert_eq!(reminder.to.as_str(), "new@example.jp");
    assert!(reminder.subject.contains("返却期限日"));
}

#[apply(both_stores)]
async fn r_mail_2_matching_new_titles_in_one_digest_announced_once(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    let alerts = alerts_on(json!({
        "authors": ["村上 春樹"], "subjects": ["京都"], "keywords": ["ｐｙｔｈｏｎ"],
    }));
    l.patron("50000030", true, false, Some(alerts.clone()))
        .await;
    l.patron(
        "50000031",
        true,
        false,
        Some(NewArrivalSettings {
            enabled: false,
            ..alerts.clone()
        }),
    )
    .await;
    l.patron("50000032", false, false, Some(alerts.clone()))
        .await; // no address
    title_with_a_copy(&l.at(-5), "OLD", "昔の本", "村上春樹", &["日本文学"]).await;
    assert_eq!(
        l.announce().await.emails_sent,
        0,
        "older than a day on the first run"
    );
    l.clock.advance(Duration::hours(1));
    title_with_a_copy(
        &l.app,
        "N1",
        "街とその不確かな壁",
        "村上春樹",
        &["日本文学"],
    )
    .await;
    title_with_a_copy(&l.app, "N2", "古都の庭", "重森三玲", &["京都"]).await;
    title_with_a_copy(&l.app, "N3", "Python入門", "山本", &["プログラミング"]).await;
    title_with_a_copy(&l.app, "N4", "料理の本", "佐藤", &["料理"]).await;
    l.clock.advance(Duration::hours(1));
    let r = l.announce().await;
    assert_eq!((r.patrons_found, r.emails_sent, r.failed), (1, 1, 0));
    let m = &l.sent()[0];
    assert_eq!(m.to.as_str(), "p50000030@example.jp");
    for t in ["街とその不確かな壁", "古都の庭", "Python入門"] {
        assert!(m.text.contains(t), "{t} in {}", m.text);
    }
    assert!(!m.text.contains("料理の本") && !m.text.contains("昔の本"));
    assert!(m.text.contains("/#/titles/N1"), "links to the title page");
    // Reruns announce nothing again.
    assert_eq!(l.announce().await.emails_sent, 0);
    l.clock.advance(Duration::days(1));
    assert_eq!(l.announce().await.emails_sent, 0);
    title_with_a_copy(&l.app, "N5", "騎士団長殺し", "村上 春樹", &[]).await;
    l.clock.advance(Duration::minutes(5));
    assert_eq!(l.announce().await.emails_sent, 1);
    assert!(l.sent()[1].text.contains("騎士団長殺し") && !l.sent()[1].text.contains("古都の庭"));
}

#[apply(both_stores)]
async fn r_mail_2_a_failed_digest_is_retried_with_the_same_titles(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    let alerts = alerts_on(json!({"keywords": ["京都"]}));
    l.patron("50000033", true, false, Some(alerts.clone()))
        .await;
    l.patron("50000034", true, false, Some(alerts)).await;
    title_with_a_copy(&l.app, "K1", "京都案内", "著者", &[]).await;
    l.clock.advance(Duration::minutes(5));
    l.fail_for("p50000034@example.jp");
    let r = l.announce().await;
    assert_eq!((r.emails_sent, r.failed), (1, 1));
    l.stop_failing();
    l.clock.advance(Duration::days(1));
    let r = l.announce().await;
    assert_eq!((r.emails_sent, r.failed), (1, 0));
    let to: Vec<String> = l.sent().iter().map(|m| m.to.to_string()).collect();
    assert_eq!(to, vec!["p50000033@example.jp", "p50000034@example.jp"]);
}

#[apply(both_stores)]
async fn r_mail_2_two_runs_at_once_announce_once(#[case] kind: StoreKind) {
    let l = Library::new(kind).await;
    let alerts = alerts_on(json!({"subjects": ["歴史"]}));
    for i in 0..5 {
        l.patron(&format!("5000004{i}"), true, false, Some(alerts.clone()))
            .await;
    }
    title_with_a_copy(&l.app, "H1", "日本の歴史", "著者", &["歴史"]).await;
    l.clock.advance(Duration::minutes(5));
    let (a, b) = tokio::join!(l.announce(), l.announce());
    assert_eq!(a.emails_sent + b.emails_sent, 5);
    assert_eq!(l.sent().len(), 5);
}

async fn fake_caller(l: &Library, n: &str) -> mypage::app::sessions::Caller {
    let account = mypage::app::Account::load(l.app.store.as_ref(), &card(n))
        .await
        .unwrap()
        .unwrap();
    let now = l.clock.now();
    let session = mypage::domain::Session {
        card_number: card(n),
        token_hash: String::new(),
        temporary: false,
        credential_version: account.patron.credential_version,
        created_at: now,
        last_seen_at: now,
        expires_at: now,
        session_id: None,
        user_agent: None,
        version: 0,
    };
    mypage::app::sessions::Caller { account, session }
}

/// R-HOLD-7 and R-MAIL-4 through SES v2 (moto): the hold-ready email as SES received it.
#[tokio::test]
async fn ses_adapter_sends_the_hold_ready_email() {
    let sdk = mypage_tests::aws().await;
    let aws = mypage_tests::ses_settings(&sdk).await;
    let clock = Arc::new(PinnedClock::new(at(NOW)));
    let app = aws_app(test_config(), aws, &sdk, clock.clone()).await;
    let to = format!("{}@example.jp", mypage_tests::unique("hanako"));
    let message = mypage::app::emails::hold_ready(
        &app.settings.library,
        &EmailAddress::parse(&to).unwrap(),
        "山田 花子",
        "羅生門",
        clock.today() + Days::new(7),
    );
    app.mailer.send(&message).await.unwrap();
    let sent = mypage_tests::ses_messages_to(&to).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["subject"],
        "【京都市立図書館】ご予約の資料が準備できました"
    );
    assert!(sent[0]["source"]
        .as_str()
        .unwrap()
        .ends_with("<info@library.example.jp>"));
    assert!(sent[0]["body"].as_str().unwrap().contains("羅生門"));
}

/// 60000002's hold on S1, made ready: 60000001 borrows the copy, the hold is placed, the copy
/// comes back.
async fn ready_hold_on_s1(app: &App) -> mypage::app::holds::HoldStatus {
    counter::check_out(
        app,
        &card("60000001"),
        &Barcode::parse("S1-1").unwrap(),
        None,
    )
    .await
    .unwrap();
    let hold = mypage::app::holds::place(
        app,
        &card("60000002"),
        None,
        &BibId::parse("S1").unwrap(),
        HoldNotice::NotNeeded.into(),
    )
    .await
    .unwrap();
    counter::check_in(app, &Barcode::parse("S1-1").unwrap())
        .await
        .unwrap();
    hold
}

/// R-HOLD-6 with EventBridge Scheduler (moto): a ready hold gets a one-time schedule in
/// Asia/Tokyo that deletes itself; moto never fires it, so the test invokes `hold-expiry`
/// with the schedule's own input, as the schedule would.
#[tokio::test]
async fn scheduler_adapter_creates_one_time_schedules_that_invoke_hold_expiry() {
    let sdk = mypage_tests::aws().await;
    let scheduler = aws_sdk_scheduler::Client::new(&sdk);
    let group = mypage_tests::unique("holds");
    scheduler
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .unwrap();
    let mut aws = mypage::config::AwsSettings::from_lookup(|_| None).unwrap();
    aws.scheduler = Some(mypage::config::SchedulerConfig {
        group: group.clone(),
        target_arn: "arn:aws:lambda:ap-northeast-1:123456789012:function:hold-expiry".into(),
        role_arn: "arn:aws:iam::123456789012:role/hold-expiry-scheduler".into(),
        dead_letter_arn: Some("arn:aws:sqs:ap-northeast-1:123456789012:hold-expiry-dlq".into()),
    });
    let clock = Arc::new(PinnedClock::new(at(NOW)));
    let mut app = aws_app(test_config(), aws, &sdk, clock.clone()).await;
    app.mailer = Arc::new(Outbox::new(clock.clone()));
    for n in ["60000001", "60000002"] {
        counter::register_patron(&app, card(n), PatronName::parse("x").unwrap(), false)
            .await
            .unwrap();
    }
    title_with_a_copy(&app, "S1", "題", "著", &[]).await;
    let hold = ready_hold_on_s1(&app).await;

    let name = mypage::ports::scheduler::schedule_name(&hold.hold.hold_id);
    let s = scheduler
        .get_schedule()
        .name(&name)
        .group_name(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(s.schedule_expression(), Some("at(2026-12-09T00:05:00)"));
    assert_eq!(s.schedule_expression_timezone(), Some("Asia/Tokyo"));
    let input: hold_expiry::Input =
        serde_json::from_str(s.target().unwrap().input().unwrap()).unwrap();
    let hold_expiry::Input::Hold(one) = &input else {
        panic!("a one-time schedule names its hold: {input:?}")
    };
    assert_eq!(one.hold_id, hold.hold.hold_id);
    let target = s.target().unwrap();
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some("arn:aws:sqs:ap-northeast-1:123456789012:hold-expiry-dlq")
    );
    assert_eq!(
        target
            .retry_policy()
            .and_then(|r| r.maximum_retry_attempts()),
        Some(5)
    );

    // Fired early (or twice): nothing happens before the deadline has passed.
    let early = hold_expiry::run(app.clone(), input.clone()).await.unwrap();
    assert_eq!(early.lapsed, 0);
    clock.advance(Duration::days(8));
    let report = hold_expiry::run(app.clone(), input.clone()).await.unwrap();
    assert_eq!((report.lapsed, report.returned_to_shelf), (1, 1));
    assert_eq!(
        hold_expiry::run(app.clone(), input.clone())
            .await
            .unwrap()
            .lapsed,
        0
    );
    let title = app
        .store
        .title(&BibId::parse("S1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(title.on_shelf(), 1);

    // A hold picked up before its deadline has its schedule deleted.
    let h2 = ready_hold_on_s1(&app).await;
    let n2 = mypage::ports::scheduler::schedule_name(&h2.hold.hold_id);
    assert!(scheduler
        .get_schedule()
        .name(&n2)
        .group_name(&group)
        .send()
        .await
        .is_ok());
    counter::check_out(
        &app,
        &card("60000002"),
        &Barcode::parse("S1-1").unwrap(),
        None,
    )
    .await
    .unwrap();
    let gone = scheduler
        .get_schedule()
        .name(&n2)
        .group_name(&group)
        .send()
        .await;
    assert!(
        matches!(
            gone.as_ref().map_err(|e| e.as_service_error()),
            Err(Some(aws_sdk_scheduler::operation::get_schedule::GetScheduleError::ResourceNotFoundException(_)))
        ),
        "the schedule is gone, not unreachable: {gone:?}"
    );
}
