//! `make load`: a bounded load test on loopback. The dev server (release build, its own
//! process) runs on each store in turn, embedded and DynamoDB on moto; a Monday-morning mix
//! (log in, loan list, renew, hold list, place a hold) goes to it at a fixed rate for
//! `LOAD_SECONDS` (60); then throughput, p50/p99 latency, errors (5xx, transport failures,
//! anything unexpected) and the server's memory before and after. Also, in one run, the
//! login timing of an unknown card against a registered one (wrong password, and locked), as
//! a ratio (R-ACCT-7, ASVS 5.0 V6.3.8). A benchmark: it asserts nothing about speed.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const STAFF: &str = "load-staff-key";
const PATRONS: usize = 60;
const TITLES: usize = 80;
const NOW: &str = "2026-12-07T00:30:00Z"; // a Monday, 09:30 in Japan

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn card(n: usize) -> String {
    format!("{}", 70_000_000 + n)
}

fn password(n: usize) -> String {
    format!("Load{n:04}pw")
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(store: &str, port: u16) -> Server {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let bin = std::env::var("DEV_SERVER_BIN")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| root.join("target/release/dev-server"));
        let data = std::env::temp_dir().join(format!("mypage-load-{}.json", rand::random::<u64>()));
        let mut cmd = Command::new(&bin);
        cmd.env("PORT", port.to_string())
            .env("MYPAGE_NOW", NOW)
            .env("STAFF_API_KEY", STAFF)
            .env("MYPAGE_DATA", &data)
            .env("WEB_ROOT", root.join("web"))
            .env("RUST_LOG", "warn")
            // The bench measures the mix and the timing ratio, not the login limits.
            .env("POLICY_SOURCE_FAILURES", "1000000")
            .env("POLICY_BRAKE_FAILURES", "1000000")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if store == "dynamodb" {
            cmd.env("STORE", "dynamodb").env(
                "TABLE_NAME",
                format!("mypage-load-{}", rand::random::<u32>()),
            );
        }
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build it: cargo build --release -p dev-server)",
                bin.display()
            )
        });
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        staff: bool,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .timeout(Duration::from_secs(30));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if staff {
            req = req.header("x-staff-key", STAFF);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        match req.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }

    /// A request as a patron (or nobody), not as staff.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.send(method, path, token, body, false).await
    }

    /// A POST with the staff key, as the counter makes it.
    async fn staff(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, None, Some(body), true)
            .await
    }

    async fn log_in(&self, card: &str, password: &str) -> (u16, Value) {
        let body = json!({"card_number": card, "password": password});
        self.call(reqwest::Method::POST, "/api/session", None, Some(body))
            .await
    }

    /// The dev server's pinned clock set to `now`.
    async fn set_clock(&self, now: &str) {
        let body = json!({ "now": now });
        self.call(reqwest::Method::PUT, "/dev/clock", None, Some(body))
            .await;
    }
}

/// The session token in a login's answer ("" if it has none).
fn token_in(answer: &Value) -> String {
    answer["token"].as_str().unwrap_or("").to_owned()
}

async fn wait_up(c: &Client) {
    for _ in 0..300 {
        if c.call(reqwest::Method::GET, "/dev/clock", None, None)
            .await
            .0
            == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the dev server did not start");
}

/// Patrons with their own passwords and two loans each (checked out five days ago), titles
/// with one copy each. Returns the patrons' tokens and loan ids.
async fn set_up(c: &Client) -> Vec<(String, Vec<String>)> {
    c.set_clock("2026-12-02T00:30:00Z").await; // five days ago
    for t in 0..TITLES {
        c.staff("/api/staff/titles", json!({"bib_id": format!("L-{t}"), "title": format!("本 {t}"), "author": "著者", "subjects": []})).await;
        c.staff(
            "/api/staff/copies",
            json!({"barcode": format!("L-{t}-1"), "bib_id": format!("L-{t}")}),
        )
        .await;
    }
    let mut out = Vec::new();
    for n in 0..PATRONS {
        c.staff(
            "/api/staff/patrons",
            json!({"card_number": card(n), "name": format!("利用者{n}"), "ebook_eligible": false}),
        )
        .await;
        let temporary = format!("/api/staff/patrons/{}/temporary-password", card(n));
        let (_, tmp) = c.staff(&temporary, json!({})).await;
        let temp = tmp["temporary_password"].as_str().unwrap_or("").to_owned();
        let token = token_in(&c.log_in(&card(n), &temp).await.1);
        c.call(
            reqwest::Method::PUT,
            "/api/me/password",
            Some(&token),
            Some(json!({"current_password": temp, "new_password": password(n)})),
        )
        .await;
        let mut loans = Vec::new();
        for k in 0..2 {
            let t = (n * 2 + k) % TITLES;
            if n * 2 + k >= TITLES {
                break;
            }
            let (_, l) = c
                .staff(
                    "/api/staff/checkouts",
                    json!({"card_number": card(n), "barcode": format!("L-{t}-1")}),
                )
                .await;
            if let Some(id) = l["loan_id"].as_str() {
                loans.push(id.to_owned());
            }
        }
        out.push((token, loans));
    }
    c.set_clock(NOW).await;
    // Monday morning: the sessions of five days ago have ended; each patron logs in today.
    for (n, (token, _)) in out.iter_mut().enumerate() {
        *token = token_in(&c.log_in(&card(n), &password(n)).await.1);
    }
    out
}

#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    statuses: BTreeMap<String, usize>,
    errors: usize,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    pct(&v, 0.5)
}

/// The mix at `rate` requests per second for `seconds`: each request starts on schedule,
/// whether or not earlier ones have answered (an open loop, as patrons arrive).
async fn run_mix(
    c: Arc<Client>,
    patrons: Arc<Vec<(String, Vec<String>)>>,
    rate: u64,
    seconds: u64,
) -> (Tally, f64) {
    use reqwest::Method as M;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let counter = Arc::new(AtomicUsize::new(0));
    let total = (rate * seconds) as usize;
    let every = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = start + every * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let (c, patrons, tally, counter) =
            (c.clone(), patrons.clone(), tally.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let n = i % patrons.len();
            let (token, loans) = &patrons[n];
            let pick = i % 20;
            let began = Instant::now();
            let loan_list = || c.call(M::GET, "/api/me/loans", Some(token), None);
            let (kind, (status, _)) = match pick {
                0 | 1 => ("log in", c.log_in(&card(n), &password(n)).await),
                2..=9 => ("loan list", loan_list().await),
                10..=12 => match loans.get(i % 2) {
                    Some(id) => {
                        let renewal = format!("/api/me/loans/{id}/renewal");
                        ("renew", c.call(M::POST, &renewal, Some(token), None).await)
                    }
                    None => ("loan list", loan_list().await),
                },
                13..=16 => (
                    "hold list",
                    c.call(M::GET, "/api/me/holds", Some(token), None).await,
                ),
                _ => {
                    let body =
                        json!({"bib_id": format!("L-{}", (i * 7) % TITLES), "notify": "none"});
                    (
                        "place hold",
                        c.call(M::POST, "/api/me/holds", Some(token), Some(body))
                            .await,
                    )
                }
            };
            let ms = began.elapsed().as_secs_f64() * 1e3;
            // Refusals by the rules are answers, not errors: a second renewal (409), a hold
            // on one's own loan or a duplicate (409), a title on the shelf (409).
            let expected = matches!(status, 200 | 201 | 204 | 409);
            let mut t = tally.lock().unwrap();
            t.latencies_ms.push(ms);
            *t.statuses.entry(format!("{kind} {status}")).or_default() += 1;
            if !expected {
                t.errors += 1;
            }
            counter.fetch_add(1, Ordering::Relaxed);
        }));
    }
    let sent_for = start.elapsed();
    let _ = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(tasks)).await;
    let elapsed = start.elapsed().as_secs_f64().max(sent_for.as_secs_f64());
    let done = counter.load(Ordering::Relaxed) as f64;
    let t = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    (t, done / elapsed)
}

/// Login latencies: unknown against registered card, wrong password (not yet locked), and
/// both locked. Alternating, so that any drift of the machine touches both sides alike.
async fn timing(c: &Client) -> (f64, f64, f64, f64) {
    let try_once = |card: String| async move {
        let began = Instant::now();
        let (status, _) = c.log_in(&card, "Wrong9999x").await;
        (status, began.elapsed().as_secs_f64() * 1e3)
    };
    let (mut unknown, mut registered) = (Vec::new(), Vec::new());
    for k in 0..24 {
        // Four failures per card, so neither side locks.
        let n = k / 4;
        registered.push(try_once(card(n)).await.1);
        unknown.push(try_once(format!("{}", 79_000_000 + n)).await.1);
    }
    for _ in 0..5 {
        try_once(card(PATRONS - 1)).await;
        try_once("79999999".into()).await;
    }
    let (mut locked_u, mut locked_r) = (Vec::new(), Vec::new());
    for _ in 0..24 {
        let (s1, r) = try_once(card(PATRONS - 1)).await;
        let (s2, u) = try_once("79999999".into()).await;
        assert_eq!((s1, s2), (429, 429), "both are locked");
        locked_r.push(r);
        locked_u.push(u);
    }
    (
        median(unknown),
        median(registered),
        median(locked_u),
        median(locked_r),
    )
}

#[tokio::main]
async fn main() {
    let seconds = env_num("LOAD_SECONDS", 60);
    // moto answers one request at a time, in Python: it takes a lower rate than the
    // embedded store (a request makes one to three DynamoDB calls).
    let rates = [env_num("LOAD_RATE", 40), env_num("LOAD_RATE_DYNAMODB", 8)];
    let mut stores = vec!["embedded"];
    if std::env::var("AWS_ENDPOINT_URL").is_ok() {
        stores.push("dynamodb");
    } else {
        eprintln!(
            "AWS_ENDPOINT_URL is not set: the DynamoDB run is left out (make load starts moto)"
        );
    }
    println!("| store | rate (req/s) | requests | throughput (req/s) | p50 (ms) | p99 (ms) | errors | RSS before / after (MiB) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    let mut details = Vec::new();
    for (i, store) in stores.iter().enumerate() {
        let port = 47_000 + (std::process::id() % 1000) as u16 * 2 + i as u16;
        let server = Server::start(store, port);
        let c = Arc::new(Client {
            http: reqwest::Client::builder()
                .pool_idle_timeout(Duration::from_secs(5))
                .build()
                .unwrap(),
            base: server.base.clone(),
        });
        wait_up(&c).await;
        let patrons = Arc::new(set_up(&c).await);
        let before = server.rss_mib();
        let rate = rates[i];
        let (tally, throughput) = run_mix(c.clone(), patrons, rate, seconds).await;
        let after = server.rss_mib();
        let mut lat = tally.latencies_ms.clone();
        lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "| {store} | {rate} | {} | {throughput:.1} | {:.1} | {:.1} | {} | {before:.1} / {after:.1} |",
            lat.len(),
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            tally.errors
        );
        details.push((store.to_string(), tally.statuses));
        if *store == "embedded" {
            let (u, r, lu, lr) = timing(&c).await;
            details.push((
                "timing".into(),
                BTreeMap::from([(
                    format!(
                        "login, wrong password: unknown card {u:.1} ms, registered {r:.1} ms (ratio {:.2}); locked: unknown {lu:.1} ms, registered {lr:.1} ms (ratio {:.2})",
                        u / r,
                        lu / lr
                    ),
                    1,
                )]),
            ));
        }
    }
    println!();
    for (what, statuses) in details {
        for (k, v) in statuses {
            println!("{what}: {k}: {v}");
        }
    }
}
