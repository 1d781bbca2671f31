//! Test support: a store of either kind, and the dev server started in-process on its own
//! port with its own store and a pinned clock, so tests never share data.

pub mod checker;
pub mod faults;
pub mod metered;
pub mod search_corpus;

use chrono::{DateTime, Utc};
use dev_server::DevServer;
use mypage::adapters::{DynamoStore, MemoryStore, PinnedClock, TableDesign};
use mypage::config::Settings;
use mypage::ports::{Clock, Mailer, Store};
use mypage::App;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

pub const STAFF_KEY: &str = "test-staff-key";
pub const EBOOK_SECRET: &[u8] = b"test-ebook-secret";
pub const LOGIN_SECRET: &[u8] = b"test-login-secret";
/// 2026-12-01 10:00 in Japan.
pub const NOW: &str = "2026-12-01T01:00:00Z";

/// Each test that applies it (`#[apply(both_stores)]`, with a `#[case] kind: StoreKind`
/// argument) runs once on the embedded store and once on DynamoDB (moto). The file applying
/// it imports `rstest::rstest` and `rstest_reuse::apply` along with it.
#[rstest_reuse::template]
#[export]
#[rstest]
#[case::memory(StoreKind::Memory)]
#[case::dynamodb(StoreKind::Dynamo)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
pub async fn both_stores(#[case] kind: StoreKind) {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Memory,
    Dynamo,
}

/// An SDK configuration for the local AWS endpoint (moto) that `make test` starts.
pub async fn aws() -> aws_config::SdkConfig {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok(),
        "AWS_ENDPOINT_URL is not set: run the tests with `make test`, which starts moto"
    );
    let sdk = mypage::aws::sdk_config(mypage::aws::TlsRoots::default()).await;
    // moto answers one request at a time: under a test's burst an attempt can queue for
    // longer than AWS would ever take, so the tests allow more than production does.
    sdk.to_builder()
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .operation_attempt_timeout(std::time::Duration::from_secs(30))
                .operation_timeout(std::time::Duration::from_secs(90))
                .build(),
        )
        .build()
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", rand::random::<u64>())
}

pub async fn store(kind: StoreKind) -> Arc<dyn Store> {
    match kind {
        StoreKind::Memory => Arc::new(MemoryStore::new()),
        StoreKind::Dynamo => {
            let client = aws_sdk_dynamodb::Client::new(&aws().await);
            let table = unique("mypage-test");
            if let Err(e) = TableDesign::create(&client, &table).await {
                // The name is fresh: "already exists" is this create's own first attempt,
                // retried by the SDK after a slow moto answered late.
                assert!(
                    format!("{e:?}").contains("ResourceInUseException"),
                    "create the test table: {e:?}"
                );
            }
            Arc::new(DynamoStore::new(client, table))
        }
    }
}

pub fn test_config() -> Settings {
    let mut c = Settings::from_lookup(|_| None).expect("defaults are valid");
    c.staff_api_key = Some(STAFF_KEY.into());
    c.ebooks.signing_secret = Some(EBOOK_SECRET.to_vec());
    c.login_secret = Some(LOGIN_SECRET.to_vec());
    c
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    pub dev: DevServer,
    pub clock: Arc<PinnedClock>,
    pub kind: StoreKind,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.body
        );
        self
    }
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Reply {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "unexpected answer: {}",
            self.body
        );
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "an error carries a message"
        );
        self
    }
}

impl TestServer {
    pub async fn start(kind: StoreKind) -> TestServer {
        Self::start_with(kind, test_config()).await
    }

    pub async fn start_with(kind: StoreKind, config: Settings) -> TestServer {
        Self::start_on(kind, store(kind).await, config, None).await
    }

    /// The dev server on the given store (one built with `faults`, say), optionally serving
    /// the website from `web_root`.
    pub async fn start_on(
        kind: StoreKind,
        store: Arc<dyn Store>,
        config: Settings,
        web_root: Option<std::path::PathBuf>,
    ) -> TestServer {
        Self::start_with_limits(kind, store, config, web_root, test_limits()).await
    }

    pub async fn start_with_limits(
        kind: StoreKind,
        store: Arc<dyn Store>,
        config: Settings,
        web_root: Option<std::path::PathBuf>,
        limits: dev_server::serve::Limits,
    ) -> TestServer {
        Self::launch(kind, store, config, web_root, limits, None).await
    }

    /// The dev server on a fresh store of `kind`, mailing through `mailer` (SES on moto, say)
    /// instead of the outbox.
    pub async fn start_mailing_through(kind: StoreKind, mailer: Arc<dyn Mailer>) -> TestServer {
        let store = store(kind).await;
        Self::launch(
            kind,
            store,
            test_config(),
            None,
            test_limits(),
            Some(mailer),
        )
        .await
    }

    async fn launch(
        kind: StoreKind,
        store: Arc<dyn Store>,
        config: Settings,
        web_root: Option<std::path::PathBuf>,
        limits: dev_server::serve::Limits,
        mailer: Option<Arc<dyn Mailer>>,
    ) -> TestServer {
        let clock = Arc::new(PinnedClock::new(at(NOW)));
        let mypage::adapters::Embedded {
            mut app,
            outbox,
            scheduler,
        } = mypage::adapters::embedded(config, store, clock.clone() as Arc<dyn Clock>);
        if let Some(m) = mailer {
            app.mailer = m;
        }
        let dev = DevServer {
            app,
            outbox,
            scheduler,
            pinned_clock: Some(clock.clone()),
            web_root,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let router = dev.clone().router();
        tokio::spawn(async move {
            let _ =
                dev_server::serve::serve(listener, router, limits, std::future::pending()).await;
        });
        TestServer {
            base,
            http: http_client(None),
            dev,
            clock,
            kind,
        }
    }

    pub fn app(&self) -> &App {
        &self.dev.app
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req.send().await.expect("the dev server answers")).await
    }

    /// A login from `client` (see `client_from`), showing `device` (a `mypage_device=...`
    /// pair from an earlier answer) if given.
    pub async fn log_in_from(
        &self,
        client: &reqwest::Client,
        card: &str,
        password: &str,
        device: Option<&str>,
    ) -> Reply {
        let mut req = client
            .post(format!("{}/api/session", self.base))
            .json(&json!({ "card_number": card, "password": password }));
        if let Some(d) = device {
            req = req.header("cookie", d);
        }
        reply(req.send().await.expect("the dev server answers")).await
    }

    /// A POST of `body` to `path` with the staff key, as the counter sends it.
    pub async fn staff(&self, path: &str, body: Value) -> Reply {
        self.staff_call(Method::POST, path, Some(body)).await
    }

    /// A request with the staff key (`PUT` and `DELETE` of the calendar's closed days, say).
    pub async fn staff_call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-staff-key", STAFF_KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req.send().await.expect("the dev server answers")).await
    }

    /// A registered patron with a temporary password from the counter.
    pub async fn register(&self, card: &str, name: &str, ebook_eligible: bool) -> String {
        self.staff(
            "/api/staff/patrons",
            json!({ "card_number": card, "name": name, "ebook_eligible": ebook_eligible }),
        )
        .await
        .expect(201);
        self.new_temporary_password(card).await
    }

    /// A temporary password issued at the counter for a registered patron (R-ACCT-2).
    pub async fn new_temporary_password(&self, card: &str) -> String {
        let r = self
            .staff(
                &format!("/api/staff/patrons/{card}/temporary-password"),
                json!({}),
            )
            .await
            .expect(200);
        r.body["temporary_password"]
            .as_str()
            .expect("a temporary password")
            .to_owned()
    }

    pub async fn log_in(&self, card: &str, password: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/session",
            None,
            Some(json!({ "card_number": card, "password": password })),
        )
        .await
    }

    /// A patron who has logged in with their own password: returns the session token.
    pub async fn patron(&self, card: &str) -> String {
        let temp = self.register(card, &format!("利用者{card}"), false).await;
        let t = self.log_in(card, &temp).await.expect(200).body["token"]
            .as_str()
            .unwrap()
            .to_owned();
        self.change_password(&t, &temp, &own_password(card))
            .await
            .expect(204);
        t
    }

    /// `PUT /api/me/password`: the patron replaces `current` with `new`.
    pub async fn change_password(&self, token: &str, current: &str, new: &str) -> Reply {
        self.call(
            Method::PUT,
            "/api/me/password",
            Some(token),
            Some(json!({ "current_password": current, "new_password": new })),
        )
        .await
    }

    /// A login with the password `patron` set (see [`own_password`]), whatever it answers.
    pub async fn log_in_own(&self, card: &str) -> Reply {
        self.log_in(card, &own_password(card)).await
    }

    /// A fresh session for a patron made by `patron` (after the clock moved past idleness).
    pub async fn relog(&self, card: &str) -> String {
        id_in(&self.log_in_own(card).await.expect(200), "token")
    }

    /// A patron with a verified address `p<card>@example.jp` (R-MAIL-5).
    pub async fn patron_with_email(&self, card: &str) -> String {
        let t = self.patron(card).await;
        self.set_email(&t, &format!("p{card}@example.jp")).await;
        t
    }

    /// Sets the address and opens the link emailed to it, as the patron would.
    pub async fn set_email(&self, token: &str, email: &str) {
        self.set_email_unverified(token, email).await;
        let link_token = self
            .verification_token_sent_to(email)
            .expect("a verification email to the new address");
        self.verify_email(&link_token).await.expect(204);
    }

    /// PUT /api/me/email with `email`, whatever it answers.
    pub async fn put_email(&self, token: &str, email: &str) -> Reply {
        self.call(
            Method::PUT,
            "/api/me/email",
            Some(token),
            Some(json!({ "email": email })),
        )
        .await
    }

    /// Sets the address without opening the link sent to it (R-MAIL-5: it stays unverified).
    pub async fn set_email_unverified(&self, token: &str, email: &str) {
        let r = self.put_email(token, email).await.expect(202);
        assert_eq!(r.body["verified"], false);
    }

    /// Opens a verification link: POST /api/email-verification with its token, no login.
    pub async fn verify_email(&self, link_token: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/email-verification",
            None,
            Some(json!({ "token": link_token })),
        )
        .await
    }

    /// The patron's email services, as `PUT /api/me/notifications` takes them.
    pub async fn set_notifications(&self, token: &str, settings: Value) {
        self.put_notifications(token, settings).await.expect(204);
    }

    /// `PUT /api/me/notifications` with `settings`, whatever it answers.
    pub async fn put_notifications(&self, token: &str, settings: Value) -> Reply {
        self.call(
            Method::PUT,
            "/api/me/notifications",
            Some(token),
            Some(settings),
        )
        .await
    }

    /// `PUT /api/me/reading-history`: the patron switches the reading history on or off.
    pub async fn set_reading_history(&self, token: &str, enabled: bool) -> Reply {
        self.call(
            Method::PUT,
            "/api/me/reading-history",
            Some(token),
            Some(json!({ "enabled": enabled })),
        )
        .await
    }

    /// Runs a scheduled job through the dev server (`due-reminders`, `overdue-notices`, ...)
    /// for today, or for `date` as a rerun names it: the job's report.
    pub async fn run_job(&self, job: &str, date: Option<&str>) -> Value {
        self.start_job(job, date.map(|d| json!({ "date": d })))
            .await
            .expect(200)
            .body
    }

    /// `POST /dev/run/<job>` with `input`, whatever it answers (a refused rerun, say).
    pub async fn start_job(&self, job: &str, input: Option<Value>) -> Reply {
        self.call(Method::POST, &format!("/dev/run/{job}"), None, input)
            .await
    }

    /// The emails sent so far to `to`, oldest first.
    pub fn mail_to(&self, to: &str) -> Vec<mypage::ports::EmailMessage> {
        self.dev
            .outbox
            .messages()
            .into_iter()
            .map(|m| m.message)
            .filter(|m| m.to.as_str() == to)
            .collect()
    }

    /// How many emails have gone out so far: a mark for [`Server::mail_since`].
    pub fn mail_mark(&self) -> usize {
        self.dev.outbox.messages().len()
    }

    /// The emails sent after `mark` (the account mails of the set-up left out).
    pub fn mail_since(&self, mark: usize) -> Vec<mypage::adapters::outbox::SentEmail> {
        self.dev.outbox.messages().split_off(mark)
    }

    /// The token in the last verification email sent to `email`, if any.
    pub fn verification_token_sent_to(&self, email: &str) -> Option<String> {
        self.mail_to(email)
            .iter()
            .rev()
            .find_map(|m| link_tokens(&m.text, "verify-email?token=").pop())
    }

    /// A title with `copies` copies on the shelf, barcodes `<bib>-1`, `<bib>-2`, ...
    pub async fn title(&self, bib: &str, copies: u32) {
        self.title_named(bib, &format!("本 {bib}"), copies).await;
    }

    /// A title named `name` with `copies` copies on the shelf, barcodes as [`Self::title`]'s.
    pub async fn title_named(&self, bib: &str, name: &str, copies: u32) {
        self.staff(
            "/api/staff/titles",
            json!({ "bib_id": bib, "title": name, "author": "著者", "subjects": ["テスト"] }),
        )
        .await
        .expect(201);
        for n in 1..=copies {
            self.add_copy(&format!("{bib}-{n}"), bib).await.expect(201);
        }
    }

    /// A title (as [`Self::title`]) whose every copy is checked out to `borrower`, so others
    /// may hold it.
    pub async fn title_on_loan(&self, bib: &str, copies: u32, borrower: &str) {
        self.title(bib, copies).await;
        for n in 1..=copies {
            self.check_out(borrower, &format!("{bib}-{n}"))
                .await
                .expect(201);
        }
    }

    /// A new patron `lender` who has borrowed the one copy of each of `bibs`, new titles as
    /// [`Self::title`] makes them, so that others may hold them.
    pub async fn lent_out(&self, lender: &str, bibs: impl IntoIterator<Item = impl AsRef<str>>) {
        self.patron(lender).await;
        for bib in bibs {
            self.title_on_loan(bib.as_ref(), 1, lender).await;
        }
    }

    /// A queue for `bib`: its one copy on loan to a new patron `lender`, and a waiting hold
    /// (notify none) for each new patron of `waiting`, in turn: their sessions and hold ids.
    pub async fn queue<const N: usize>(
        &self,
        bib: &str,
        lender: &str,
        waiting: [&str; N],
    ) -> [(String, String); N] {
        self.patron(lender).await;
        let mut tokens = Vec::with_capacity(N);
        for card in waiting {
            tokens.push(self.patron(card).await);
        }
        self.title_on_loan(bib, 1, lender).await;
        let mut queue = Vec::with_capacity(N);
        for token in tokens {
            let hold = self.hold_id(&token, bib, "none").await;
            queue.push((token, hold));
        }
        queue.try_into().expect("one hold per waiting patron")
    }

    /// `POST /api/staff/copies`: a copy `barcode` of the title `bib` joins the collection.
    pub async fn add_copy(&self, barcode: &str, bib: &str) -> Reply {
        self.staff(
            "/api/staff/copies",
            json!({ "barcode": barcode, "bib_id": bib }),
        )
        .await
    }

    pub async fn check_out(&self, card: &str, barcode: &str) -> Reply {
        self.staff(
            "/api/staff/checkouts",
            json!({ "card_number": card, "barcode": barcode }),
        )
        .await
    }

    /// A checkout of a copy borrowed from another library, due on the lending library's date.
    pub async fn check_out_interlibrary(&self, card: &str, barcode: &str, due: &str) -> Reply {
        self.staff(
            "/api/staff/checkouts",
            json!({ "card_number": card, "barcode": barcode, "interlibrary_due_date": due }),
        )
        .await
    }

    /// `PUT /api/staff/calendar/closed-days/<date>`: the library closes on `date` (R-CAL-1).
    pub async fn close_day(&self, date: &str, reason: &str) -> Reply {
        self.staff_call(
            Method::PUT,
            &format!("/api/staff/calendar/closed-days/{date}"),
            Some(json!({ "reason": reason })),
        )
        .await
    }

    /// `DELETE /api/staff/calendar/closed-days/<date>`: the library opens on `date` again.
    pub async fn reopen_day(&self, date: &str) -> Reply {
        self.staff_call(
            Method::DELETE,
            &format!("/api/staff/calendar/closed-days/{date}"),
            None,
        )
        .await
    }

    /// `POST /api/staff/holds`: a hold placed at the counter for `card`.
    pub async fn staff_hold(&self, card: &str, bib: &str, notify: &str) -> Reply {
        self.staff(
            "/api/staff/holds",
            json!({ "card_number": card, "bib_id": bib, "notify": notify }),
        )
        .await
    }

    pub async fn check_in(&self, barcode: &str) -> Reply {
        self.staff("/api/staff/checkins", json!({ "barcode": barcode }))
            .await
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.advance(chrono::Duration::days(days));
    }

    /// A GET, as `token`'s holder if given.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    /// Asserts that `token` (None: no token at all) opens no session: GET /api/me is 401
    /// `unauthenticated`.
    pub async fn assert_no_session(&self, token: Option<&str>) {
        self.get("/api/me", token)
            .await
            .expect_error(401, "unauthenticated");
    }

    /// A DELETE as `token`'s holder.
    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// The patron's own GET of `path` (`/api/me`, `/api/me/loans`, ...), answered with 200.
    pub async fn mine(&self, path: &str, token: &str) -> Value {
        self.get(path, Some(token)).await.expect(200).body
    }

    /// The patron's holds as `GET /api/me/holds` lists them (answered with 200).
    pub async fn holds(&self, token: &str) -> Value {
        self.mine("/api/me/holds", token).await["holds"].clone()
    }

    /// `POST /api/me/holds` for `bib`, to be told as `notify` says (`"none"`, `"email"`).
    pub async fn place_hold(&self, token: &str, bib: &str, notify: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/me/holds",
            Some(token),
            Some(json!({ "bib_id": bib, "notify": notify })),
        )
        .await
    }

    /// A hold placed as [`TestServer::place_hold`] (answered with 201): its id.
    pub async fn hold_id(&self, token: &str, bib: &str, notify: &str) -> String {
        id_in(
            &self.place_hold(token, bib, notify).await.expect(201),
            "hold_id",
        )
    }

    /// `DELETE /api/me/holds/<id>`: the patron cancels a hold.
    pub async fn cancel_hold(&self, token: &str, hold_id: &str) -> Reply {
        self.delete(&format!("/api/me/holds/{hold_id}"), token)
            .await
    }

    /// `PATCH /api/me/holds/<id>` with `changes` (suspension, dates, contact method).
    pub async fn patch_hold(&self, token: &str, hold_id: &str, changes: Value) -> Reply {
        self.call(
            Method::PATCH,
            &format!("/api/me/holds/{hold_id}"),
            Some(token),
            Some(changes),
        )
        .await
    }

    /// `PUT /api/me/hold-cart/<bib>`: the title goes into the patron's hold cart.
    pub async fn add_to_cart(&self, token: &str, bib: &str) -> Reply {
        self.call(
            Method::PUT,
            &format!("/api/me/hold-cart/{bib}"),
            Some(token),
            None,
        )
        .await
    }

    /// `POST /api/me/hold-cart/holds`: a hold on every title in the cart, told as `notify` says.
    pub async fn place_cart_holds(&self, token: &str, notify: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/me/hold-cart/holds",
            Some(token),
            Some(json!({ "notify": notify })),
        )
        .await
    }

    /// The title's public entry, `GET /api/catalog/titles/<bib>` (answered with 200).
    pub async fn catalog_title(&self, bib: &str) -> Value {
        self.get(&format!("/api/catalog/titles/{bib}"), None)
            .await
            .expect(200)
            .body
    }

    /// A loan made at the counter (answered with 201): its id.
    pub async fn loan_id(&self, card: &str, barcode: &str) -> String {
        id_in(&self.check_out(card, barcode).await.expect(201), "loan_id")
    }

    /// A loan made at the counter `days` days ago (the clock goes back and forth): its id.
    pub async fn loan_id_days_ago(&self, card: &str, barcode: &str, days: i64) -> String {
        self.advance_days(-days);
        let loan = self.loan_id(card, barcode).await;
        self.advance_days(days);
        loan
    }

    /// `POST /api/me/loans/<id>/renewal`: the patron renews a loan.
    pub async fn renew(&self, token: &str, loan_id: &str) -> Reply {
        self.call(
            Method::POST,
            &format!("/api/me/loans/{loan_id}/renewal"),
            Some(token),
            None,
        )
        .await
    }
}

/// The string `field` of an answer's body (an id, say).
#[track_caller]
pub fn id_in(r: &Reply, field: &str) -> String {
    r.body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {}", r.body))
        .to_owned()
}

/// A title's counts as the catalog shows them, for [`pick`].
pub const TITLE_COUNTS: &[&str] = &["copies", "available", "waiting_holds"];

/// Only the named fields of `v` (a title's counts, a hold's status and place, ...), to compare
/// at once; a field `v` lacks is null.
pub fn pick(v: &Value, fields: &[&str]) -> Value {
    fields
        .iter()
        .map(|f| ((*f).to_owned(), v[*f].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The tokens of the links in `text` that follow `marker` (e.g. `renewal?token=`), in order.
pub fn link_tokens(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .map(|(at, _)| {
            text[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}

/// The AWS settings of a library that mails through SES v2 on the local endpoint, its
/// sending domain registered there.
pub async fn ses_settings(sdk: &aws_config::SdkConfig) -> mypage::config::AwsSettings {
    let ses = aws_sdk_sesv2::Client::new(sdk);
    // Another test may have registered it already: either way it is there.
    let _ = ses
        .create_email_identity()
        .email_identity("library.example.jp")
        .send()
        .await;
    let mut aws = mypage::config::AwsSettings::from_lookup(|_| None).expect("defaults are valid");
    aws.mail_from = Some("京都市立図書館 <info@library.example.jp>".into());
    aws
}

/// The emails SES on the local endpoint (moto) accepted for `to`, as moto records them
/// (`subject`, `body`, `source`, `destinations`).
pub async fn ses_messages_to(to: &str) -> Vec<Value> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("the local AWS endpoint");
    let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .expect("moto answers")
        .json()
        .await
        .expect("moto's data as JSON");
    data["ses"]["Message"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|m| m["destinations"]["ToAddresses"][0] == to)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The answer as a `Reply`: status, headers, and the body as JSON (or as a string).
pub async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        body,
        headers,
    }
}

/// An HTTP client whose connections come from 127.0.0.`n`: a source address of its own for
/// the per-source login limits (the whole 127/8 is loopback).
pub fn client_from(n: u8) -> reqwest::Client {
    http_client(Some(std::net::IpAddr::from([127, 0, 0, n])))
}

/// A client that lets idle connections go before the server's head timeout closes them
/// (else a request can meet a connection the server is just closing).
pub fn http_client(from: Option<std::net::IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from)
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("a client")
}

/// The `mypage_device=...` pair a login answer set, to show on later logins.
pub fn device_cookie(r: &Reply) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("mypage_device="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

pub fn own_password(card: &str) -> String {
    format!("Kyoto{}x", &card[card.len() - 4..])
}

/// The test servers' connection limits: a short head timeout, and a request timeout long
/// enough for any request on a loaded moto.
pub fn test_limits() -> dev_server::serve::Limits {
    dev_server::serve::Limits {
        head_timeout: std::time::Duration::from_secs(5),
        request_timeout: std::time::Duration::from_secs(60),
        ..Default::default()
    }
}

/// The app as a Lambda function builds it (DynamoDB, SES and Scheduler as `aws` says), on a
/// fresh table of the local AWS endpoint, with the given clock.
pub async fn aws_app(
    settings: Settings,
    aws: mypage::config::AwsSettings,
    sdk: &aws_config::SdkConfig,
    clock: Arc<dyn Clock>,
) -> App {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let table = unique("mypage-aws");
    TableDesign::create(&client, &table)
        .await
        .expect("create the test table");
    let (mailer, scheduler) = mypage::lambda::aws_clients(&aws, sdk);
    App {
        store: Arc::new(DynamoStore::new(client, table)),
        mailer,
        scheduler,
        clock,
        settings: Arc::new(settings),
    }
}
