//! `make bench`: DynamoDB round trips per access pattern (docs/access-patterns.md), counted through
//! the store port on both stores; the due-reminders job at scale: N loans, k of them due in
//! three days, with items read, emails sent and wall time; and catalog search over a generated
//! catalog of 100,000 titles (`BENCH_SEARCH_TITLES`), per query class: items read per page and
//! latency. Writes target/bench/store.md.

use chrono::{Days, Duration};
use mypage::adapters::{DynamoStore, MemoryStore, Outbox, PinnedClock, TableDesign};
use mypage::app::{
    calendar, catalog, counter, history, holds, loans, reminders, search, sessions, App,
};
use mypage::credentials::hash_password;
use mypage::domain::dates::japan_date;
use mypage::domain::search::{Posting, Query, MAX_POSTINGS_PER_PAGE};
use mypage::domain::types::{
    AuthorName, Barcode, BibId, CardNumber, ClosureReason, EntryId, PasswordAttempt, PatronName,
    Subjects, TitleName,
};
use mypage::domain::{Changes, Credential, HoldNotice, Record};
use mypage::ports::{Clock, Store};
use mypage_tests::metered::{Metered, Requests};
use mypage_tests::search_corpus::{corpus, PLANTED};
use mypage_tests::{at, test_config, unique, NOW};
use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration as Elapsed, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn dynamo() -> Arc<DynamoStore> {
    let client = aws_sdk_dynamodb::Client::new(&mypage_tests::aws().await);
    let table = unique("mypage-bench");
    TableDesign::create(&client, &table)
        .await
        .expect("create the bench table");
    Arc::new(DynamoStore::new(client, table))
}

fn app_on(store: Arc<Metered>) -> (App, Arc<PinnedClock>, Arc<Outbox>) {
    let clock = Arc::new(PinnedClock::new(at(NOW)));
    let e = mypage::adapters::embedded(test_config(), store, clock.clone());
    (e.app, clock, e.outbox)
}

fn card(n: u32) -> CardNumber {
    CardNumber::parse(&format!("{:08}", 70_000_000 + n)).unwrap()
}

/// Counts the store requests `op` makes.
async fn measure(store: &Metered, op: impl Future) -> Requests {
    let before = store.snapshot();
    op.await;
    store.snapshot() - before
}

/// The counter lends the copy `barcode` to `who`.
async fn check_out(app: &App, who: CardNumber, barcode: &str) {
    let copy = Barcode::parse(barcode).unwrap();
    counter::check_out(app, &who, &copy, None).await.unwrap();
}

/// The copy `barcode` comes back to the counter.
async fn check_in(app: &App, barcode: &str) {
    counter::check_in(app, &Barcode::parse(barcode).unwrap())
        .await
        .unwrap();
}

/// The round-trip table of one store: per row, the request's number in
/// docs/access-patterns.md, what it does, and the store requests it made.
struct Rows<'m> {
    meter: &'m Metered,
    measured: Vec<(&'static str, &'static str, Requests)>,
}

impl Rows<'_> {
    async fn measure(&mut self, n: &'static str, what: &'static str, op: impl Future) {
        let requests = measure(self.meter, op).await;
        self.measured.push((n, what, requests));
    }

    /// A row of `op` as the patron whose session is `token`, after the route's own
    /// authentication: the rows marked "auth included" count both.
    async fn measure_as_patron(
        &mut self,
        n: &'static str,
        what: &'static str,
        app: &App,
        token: &str,
        op: impl AsyncFnOnce(sessions::Caller),
    ) {
        let as_patron = async {
            let c = sessions::authenticate(app, token).await.unwrap();
            op(c).await;
        };
        self.measure(n, what, as_patron).await;
    }
}

/// Rows 2 and 3 for the patron whose session is `token`: authenticating, and the loan list.
async fn account_reads(
    rows: &mut Rows<'_>,
    app: &App,
    token: &str,
    [authenticating, listing]: [&'static str; 2],
) {
    rows.measure("2", authenticating, sessions::authenticate(app, token))
        .await;
    rows.measure_as_patron("3", listing, app, token, async |c| {
        loans::list(app, &c);
    })
    .await;
}

/// Rows 6 and 7 for patron `who` (session `token`): a hold on `bib` placed, then cancelled.
async fn place_and_cancel(
    rows: &mut Rows<'_>,
    app: &App,
    who: CardNumber,
    token: &str,
    bib: &str,
    [placing, cancelling]: [&'static str; 2],
) {
    let mut placed = None;
    rows.measure_as_patron("6", placing, app, token, async |c| {
        placed = Some(
            holds::place(
                app,
                &who,
                Some(c.account),
                &BibId::parse(bib).unwrap(),
                HoldNotice::NotNeeded.into(),
            )
            .await
            .unwrap(),
        );
    })
    .await;
    let hold_id = placed.unwrap().hold.hold_id;
    rows.measure_as_patron("7", cancelling, app, token, async |c| {
        holds::cancel(app, &c, &hold_id).await.unwrap();
    })
    .await;
}

async fn round_trips(name: &str, store: Arc<dyn Store>, out: &mut String) {
    let metered = Arc::new(Metered::new(store));
    let (app, clock, _) = app_on(metered.clone());
    let meter = metered.as_ref();
    let ago = |days: i64| App {
        clock: Arc::new(PinnedClock::new(clock.now() - Duration::days(days))),
        ..app.clone()
    };
    for n in 0..3 {
        let name = PatronName::parse(&format!("patron {n}")).unwrap();
        let mut p = counter::register_patron(&app, card(n), name, true)
            .await
            .unwrap();
        p.version = 1;
        p.password = Some(Credential {
            hash: hash_password("Bench2026x"),
            temporary: false,
            expires_at: None,
        });
        let _ = app.store.commit(Changes::none().update(p)).await.unwrap();
    }
    for b in 0..8 {
        let bib = BibId::parse(&format!("B{b}")).unwrap();
        counter::add_title(
            &ago(30),
            bib.clone(),
            TitleName::parse(&format!("title {b}")).unwrap(),
            AuthorName::parse("author").unwrap(),
            Subjects::default(),
        )
        .await
        .unwrap();
        counter::add_copy(&ago(30), Barcode::parse(&format!("B{b}-1")).unwrap(), bib)
            .await
            .unwrap();
    }
    for b in 0..5 {
        check_out(&ago(3), card(0), &format!("B{b}-1")).await;
    }
    check_out(&ago(3), card(1), "B5-1").await;
    check_out(&ago(3), card(1), "B6-1").await;
    let attempt = || PasswordAttempt::new("Bench2026x".into()).unwrap();
    let client = sessions::Client {
        source: Some([127, 0, 0, 1].into()),
        device_cookie: None,
    };
    let token = sessions::log_in(&app, card(0).as_str(), attempt(), &client, None)
        .await
        .unwrap()
        .token;
    holds::place(
        &app,
        &card(0),
        None,
        &BibId::parse("B6").unwrap(),
        HoldNotice::NotNeeded.into(),
    )
    .await
    .unwrap();

    // R-CAL-1: a dated closure, so the calendar record exists and every date set reads it.
    calendar::set_closure(
        &app,
        clock.today() + Days::new(20),
        ClosureReason::parse("蔵書点検").unwrap(),
    )
    .await
    .unwrap();

    let mut rows = Rows {
        meter,
        measured: Vec::new(),
    };
    rows.measure(
        "1",
        "log in",
        sessions::log_in(&app, card(0).as_str(), attempt(), &client, None),
    )
    .await;
    rows.measure(
        "2",
        "authenticate (the route's own read)",
        sessions::authenticate(&app, &token),
    )
    .await;
    rows.measure_as_patron("3", "loan list (auth included)", &app, &token, async |c| {
        std::hint::black_box(loans::list(&app, &c));
    })
    .await;
    let c = sessions::authenticate(&app, &token).await.unwrap();
    let loan_id = c.account.loans[0].loan_id.clone();
    rows.measure_as_patron("4", "renew (auth included)", &app, &token, async |c| {
        loans::renew(&app, &c, &loan_id).await.unwrap();
    })
    .await;
    rows.measure_as_patron("5", "hold list (auth included)", &app, &token, async |c| {
        holds::list(&app, &c).await.unwrap();
    })
    .await;
    place_and_cancel(
        &mut rows,
        &app,
        card(0),
        &token,
        "B5",
        [
            "place a hold (auth included; the first one waiting: the title's loans learn of it)",
            "cancel a hold (auth included; the last one waiting: the loan's fact flips back)",
        ],
    )
    .await;
    // B6 already has a waiting hold: a hold behind it changes no loan's "someone is waiting".
    let second = sessions::log_in(&app, card(2).as_str(), attempt(), &client, None)
        .await
        .unwrap()
        .token;
    place_and_cancel(
        &mut rows,
        &app,
        card(2),
        &second,
        "B6",
        [
            "place a hold behind another (auth included; no loan's fact flips)",
            "cancel a hold with another still waiting (auth included; no flip)",
        ],
    )
    .await;
    rows.measure(
        "8",
        "check in, first hold becomes ready",
        check_in(&app, "B6-1"),
    )
    .await;
    rows.measure("8", "check in, copy to the shelf", check_in(&app, "B5-1"))
        .await;
    rows.measure(
        "9",
        "check out (fulfilling the ready hold)",
        check_out(&app, card(0), "B6-1"),
    )
    .await;
    rows.measure("13", "a title", async {
        catalog::title(&app, &BibId::parse("B7").unwrap())
            .await
            .unwrap();
    })
    .await;
    rows.measure("14", "profile (auth included)", async {
        sessions::authenticate(&app, &token).await.unwrap();
    })
    .await;
    rows.measure(
        "20",
        "search, one page (the 8 titles of \"title\")",
        async {
            search::search(&app, "title", None, 20).await.unwrap();
        },
    )
    .await;
    rows.measure(
        "21",
        "add a title (16 grams: the title, 16 counts, 1 batch of postings, the indexed mark)",
        async {
            counter::add_title(
                &app,
                BibId::parse("B-NEW").unwrap(),
                TitleName::parse("京都の庭園").unwrap(),
                AuthorName::parse("重森 三玲").unwrap(),
                Subjects::default(),
            )
            .await
            .unwrap();
        },
    )
    .await;

    rows.measure("15", "closed days of a month (no login)", async {
        let today = clock.today();
        calendar::closed_days(&app, today, today + Days::new(30))
            .await
            .unwrap();
    })
    .await;
    rows.measure("16", "set a dated closure (staff)", async {
        calendar::set_closure(
            &app,
            clock.today() + Days::new(40),
            ClosureReason::parse("館内整理").unwrap(),
        )
        .await
        .unwrap();
    })
    .await;
    rows.measure_as_patron(
        "18",
        "session list (auth included)",
        &app,
        &token,
        async |c| {
            sessions::list(&app, &c).await.unwrap();
        },
    )
    .await;

    // R-HIST-1: the same patron keeps a reading history of 2,000 entries. The account's
    // Query does not reach them: authenticating and the loan list read what they read before.
    let c = sessions::authenticate(&app, &token).await.unwrap();
    history::set_enabled(&app, &c, true).await.unwrap();
    account_reads(
        &mut rows,
        &app,
        &token,
        [
            "authenticate, the same patron just before 2,000 history entries are stored",
            "loan list, the same patron just before",
        ],
    )
    .await;
    let generation = app
        .store
        .patron(&card(0))
        .await
        .unwrap()
        .unwrap()
        .reading_history()
        .generation;
    for chunk in 0..20u64 {
        let mut changes = Changes::none();
        for i in 0..100u64 {
            let n = chunk * 100 + i;
            let at = clock.now() - Duration::minutes((2_000 - n) as i64);
            let entry: Record = serde_json::from_value(json!({
                "kind": "history_entry", "card_number": card(0), "generation": generation,
                "entry_id": EntryId::generate(at), "bib_id": format!("B{}", n % 8),
                "title": format!("title {n}"), "author": "author",
                "checked_out_on": "2026-10-01", "returned_on": "2026-10-15",
            }))
            .unwrap();
            changes = changes.create(entry);
        }
        let _ = app.store.commit(changes).await.unwrap();
    }
    account_reads(
        &mut rows,
        &app,
        &token,
        [
            "authenticate, patron with 2,000 history entries",
            "loan list, patron with 2,000 history entries",
        ],
    )
    .await;
    rows.measure(
        "8",
        "check in, history on (the entry in the same commit)",
        check_in(&app, "B2-1"),
    )
    .await;
    rows.measure_as_patron(
        "17",
        "reading history, first page of 20 (auth included)",
        &app,
        &token,
        async |c| {
            history::page(&app, &c, None, 20).await.unwrap();
        },
    )
    .await;
    rows.measure_as_patron(
        "17",
        "reading history CSV export, 2,001 entries (auth included)",
        &app,
        &token,
        async |c| {
            history::export(&app, &c).await.unwrap();
        },
    )
    .await;
    rows.measure_as_patron(
        "17",
        "turn the history off: the switch, then 40 batches of 25 (auth included)",
        &app,
        &token,
        async |c| {
            history::set_enabled(&app, &c, false).await.unwrap();
        },
    )
    .await;
    rows.measure("17", "history-purge run: the other 1,001 entries", async {
        let r = history::purge_pending(&app).await.unwrap();
        assert_eq!(r.entries_deleted, 1_001);
    })
    .await;

    writeln!(out, "\n### Round trips per request — {name}\n").unwrap();
    writeln!(
        out,
        "| # | request | read requests | items read | write requests |\n|---|---|---|---|---|"
    )
    .unwrap();
    for (n, what, s) in rows.measured {
        writeln!(
            out,
            "| {n} | {what} | {} | {} | {} |",
            s.reads, s.items_read, s.writes
        )
        .unwrap();
    }
}

/// N loans over k patrons, k due on the reminder date, everyone signed up: stored records
/// built directly (loading 10^5 loans through the counter would take longer than the bench).
fn reminder_loans(
    n_loans: usize,
    due_on_day: usize,
    today: chrono::NaiveDate,
) -> (Vec<Record>, chrono::NaiveDate) {
    let due = today + Days::new(3);
    let patrons = due_on_day.max(1) as u32;
    let record =
        |v: serde_json::Value| serde_json::from_value::<Record>(v).expect("a valid record");
    let mut records: Vec<Record> = Vec::with_capacity(n_loans + patrons as usize);
    for p in 0..patrons {
        records.push(record(json!({
            "kind": "patron", "card_number": card(p), "name": format!("利用者{p}"),
            "email": format!("p{p}@example.jp"), "ebook_eligible": false, "password": null,
            "credential_version": 0, "active_holds": 0,
            "notifications": {"due_reminder": true, "new_arrivals": {"enabled": false}},
            "registered_at": at(NOW),
        })));
    }
    for i in 0..n_loans {
        let p = (i % patrons as usize) as u32;
        // The first k loans fall due on the reminder date; the rest on the 60 days around it.
        let due_date = if i < due_on_day {
            due
        } else {
            today + Days::new(4 + (i % 60) as u64)
        };
        records.push(record(json!({
            "kind": "loan", "loan_id": format!("L{i}"), "card_number": card(p),
            "barcode": format!("C{i}"), "bib_id": format!("B{}", i % 5000),
            "title": format!("本 {i}"), "author": "著者",
            "checked_out_on": due_date - Days::new(14), "due_date": due_date,
            "renewals": 0, "interlibrary": false, "reminded_for": null,
            "reminder": {"email": format!("p{p}@example.jp"), "name": format!("利用者{p}")},
        })));
    }
    (records, due)
}

async fn reminders_at_scale(
    name: &str,
    store: Arc<dyn Store>,
    load: impl Future<Output = ()>,
    k: usize,
    n: usize,
    out: &mut String,
) {
    let started = Instant::now();
    load.await;
    let loaded = started.elapsed();
    let metered = Arc::new(Metered::new(store));
    let (app, clock, outbox) = app_on(metered.clone());
    let today = clock.today();
    let t = Instant::now();
    let before = metered.snapshot();
    let report = reminders::send_due_reminders(&app, today).await.unwrap();
    let first = metered.snapshot() - before;
    let first_time = t.elapsed();
    let t = Instant::now();
    let before = metered.snapshot();
    let rerun = reminders::send_due_reminders(&app, today).await.unwrap();
    let second = metered.snapshot() - before;
    let second_time = t.elapsed();
    assert_eq!(
        report.emails_sent as usize, k,
        "one email per patron with a loan due"
    );
    assert_eq!(rerun.emails_sent, 0, "never twice");
    assert_eq!(outbox.messages().len(), k);
    writeln!(
        out,
        "| {name} | {n} | {k} | {:.1} s | first run | {} | {:.3} | {} | {} | {:.2} s |",
        loaded.as_secs_f64(),
        first.items_read,
        first.items_read as f64 / k as f64,
        report.emails_sent,
        first.writes,
        first_time.as_secs_f64()
    )
    .unwrap();
    writeln!(
        out,
        "| {name} | {n} | {k} | | rerun | {} | {:.3} | {} | {} | {:.2} s |",
        second.items_read,
        second.items_read as f64 / k as f64,
        rerun.emails_sent,
        second.writes,
        second_time.as_secs_f64()
    )
    .unwrap();
    assert!(
        first.items_read as f64 / k as f64 <= 1.1,
        "items read per loan due must stay at most 1.1"
    );
}

/// One Argon2id hash (OWASP parameters) on one core: what a login or a password change costs
/// in CPU, and so what the session and account functions' memory (Lambda's CPU share) buys.
fn password_hashing(out: &mut String) {
    let runs = 15;
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(hash_password("correct horse battery"));
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let median = ms[runs / 2];
    writeln!(
        out,
        "\n### Argon2id (m = 19456 KiB, t = 2, p = 1), one core\n"
    )
    .unwrap();
    writeln!(
        out,
        "median of {runs} hashes: {median:.1} ms (min {:.1}, max {:.1})\n",
        ms[0],
        ms[runs - 1]
    )
    .unwrap();
    writeln!(
        out,
        "| Lambda memory | CPU share (1,769 MB = 1 vCPU) | one hash, scaled |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|").unwrap();
    for mb in [256.0, 512.0, 1024.0, 1769.0] {
        let share = f64::min(mb / 1769.0, 1.0);
        writeln!(out, "| {mb} MB | {share:.2} | {:.0} ms |", median / share).unwrap();
    }
}

/// A catalog of `n` generated titles loaded into a store directly (titles, postings, counts),
/// as an indexed catalog holds them: loading 10^5 titles through the counter would take longer
/// than the bench.
struct Loaded {
    titles: usize,
    postings: usize,
    grams: usize,
    took: Elapsed,
}

/// How a store takes the generated catalog in: the embedded one through its ordinary writes,
/// DynamoDB through its bulk loaders.
trait CatalogLoad {
    async fn load_titles(&self, records: Vec<Record>);
    async fn load_postings(&self, postings: Vec<Posting>);
    async fn load_counts(&self, counts: Vec<(String, u64)>);
}

impl CatalogLoad for MemoryStore {
    async fn load_titles(&self, records: Vec<Record>) {
        let changes = records.into_iter().fold(Changes::none(), Changes::create);
        let _ = self.commit(changes).await.unwrap();
    }
    async fn load_postings(&self, postings: Vec<Posting>) {
        self.write_postings(&postings).await.unwrap()
    }
    async fn load_counts(&self, counts: Vec<(String, u64)>) {
        self.add_gram_counts(&counts).await.unwrap()
    }
}

impl CatalogLoad for DynamoStore {
    async fn load_titles(&self, records: Vec<Record>) {
        self.bulk_load(records).await.unwrap()
    }
    async fn load_postings(&self, postings: Vec<Posting>) {
        self.write_postings(&postings).await.unwrap()
    }
    async fn load_counts(&self, counts: Vec<(String, u64)>) {
        self.bulk_load_gram_counts(&counts).await.unwrap()
    }
}

/// Loads the generated catalog: each chunk of titles, then its postings; the counts at the end.
async fn load_search_catalog(n: usize, store: &impl CatalogLoad) -> Loaded {
    let started = Instant::now();
    let mut all_counts: HashMap<String, u64> = HashMap::new();
    let mut total = 0;
    for chunk in corpus(n, at(NOW)) {
        let mut chunk_postings = Vec::new();
        for t in &chunk {
            chunk_postings.extend(mypage::domain::search::postings(t));
        }
        for p in &chunk_postings {
            *all_counts.entry(p.gram.clone()).or_default() += 1;
        }
        total += chunk_postings.len();
        store
            .load_titles(chunk.into_iter().map(Record::from).collect())
            .await;
        store.load_postings(chunk_postings).await;
    }
    let grams = all_counts.len();
    store.load_counts(all_counts.into_iter().collect()).await;
    Loaded {
        titles: n,
        postings: total,
        grams,
        took: started.elapsed(),
    }
}

/// One query class: its first page (items read, requests, latency as the median of 5), and
/// every page to the end (up to `max_pages`).
async fn search_class(
    store_name: &str,
    app: &App,
    meter: &Metered,
    (class, q, expect): (&str, &str, Option<usize>),
    max_pages: usize,
    out: &mut String,
) {
    let query = Query::parse(q).unwrap();
    let grams = query.grams().len();
    let before = meter.snapshot();
    let first = search::search(app, q, None, 20).await.unwrap();
    let cost = meter.snapshot() - before;
    let mut times: Vec<f64> = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        search::search(app, q, None, 20).await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let hits_first = first.titles.len();
    let postings_first =
        cost.items_read as usize - hits_first - grams.min(cost.items_read as usize);
    // Every page to the end.
    let before = meter.snapshot();
    let started = Instant::now();
    let mut pages = 1;
    let mut hits = hits_first;
    let mut worst_items = cost.items_read;
    let mut token = first.next_page_token.clone();
    while let Some(t) = token.take() {
        if pages == max_pages {
            token = Some(t);
            break;
        }
        let b = meter.snapshot();
        let page = search::search(app, q, Some(&t), 20).await.unwrap();
        worst_items = worst_items.max((meter.snapshot() - b).items_read);
        pages += 1;
        hits += page.titles.len();
        token = page.next_page_token;
    }
    let rest = meter.snapshot() - before;
    let to_end = started.elapsed();
    if let Some(expect) = expect {
        assert_eq!(hits, expect, "{class}: every hit, once");
    }
    let ended = token.is_none();
    writeln!(
        out,
        "| {store_name} | {class} | `{q}` | {hits_first} | {} ({grams} + {postings_first} + {hits_first}) | {} | {:.2} ms | {}{pages} | {} | {} | {} | {:.2} s |",
        cost.items_read,
        cost.reads,
        times[2],
        if ended { "" } else { "≥ " },
        hits,
        worst_items,
        cost.items_read + rest.items_read,
        to_end.as_secs_f64() + times[2] / 1e3,
    )
    .unwrap();
    if expect.is_some() && class.starts_with("a rare") {
        assert!(
            cost.items_read <= 5 * 20,
            "{class}: at most 5 x the page size read per page"
        );
    }
    assert!(
        worst_items as usize <= grams + MAX_POSTINGS_PER_PAGE + 20,
        "{class}: a page reads at most the cap of postings"
    );
}

async fn search_at_scale(
    store_name: &str,
    store: Arc<dyn Store>,
    loaded: &Loaded,
    out: &mut String,
) {
    let metered = Arc::new(Metered::new(store));
    let (app, _, _) = app_on(metered.clone());
    let p = &PLANTED;
    let rare_common = format!("{} {}", p.rare, p.common);
    let pair = format!("{} {}", p.pair.0, p.pair.1);
    let classes: [(&str, &str, Option<usize>); 4] = [
        ("a rare word", p.rare, Some(p.rare_hits)),
        (
            "a rare word with a common one",
            &rare_common,
            Some(p.rare_with_common_hits),
        ),
        (
            "two common words, small intersection",
            &pair,
            Some(p.pair_hits),
        ),
        ("one common character", p.one_char, None),
    ];
    for class in classes {
        let max_pages = if class.2.is_some() { 10_000 } else { 10 };
        search_class(store_name, &app, &metered, class, max_pages, out).await;
    }
    let _ = loaded;
}

#[tokio::main]
async fn main() {
    let n = env_usize("BENCH_LOANS", 100_000);
    let k = env_usize("BENCH_DUE", 1_000);
    let mut out = String::from("## make bench\n");
    password_hashing(&mut out);

    round_trips("embedded store", Arc::new(MemoryStore::new()), &mut out).await;
    round_trips("DynamoDB (moto)", dynamo().await, &mut out).await;

    writeln!(
        out,
        "\n### due-reminders at scale (run date {}; loans due in 3 days)\n",
        japan_date(at(NOW))
    )
    .unwrap();
    writeln!(out, "| store | loans N | due k | load time | run | items read | items read / k | emails | write requests | wall time |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|").unwrap();
    let today = japan_date(at(NOW));
    let memory = Arc::new(MemoryStore::new());
    let (records, _) = reminder_loans(n, k, today);
    let m2 = memory.clone();
    let load = async move {
        for chunk in records.chunks(1000) {
            let changes = chunk.iter().cloned().fold(Changes::none(), Changes::create);
            let _ = m2.commit(changes).await.unwrap();
        }
    };
    reminders_at_scale("embedded", memory, load, k, n, &mut out).await;
    let dynamo = dynamo().await;
    let (records, _) = reminder_loans(n, k, today);
    let d2 = dynamo.clone();
    let load = async move { d2.bulk_load(records).await.unwrap() };
    reminders_at_scale("DynamoDB (moto)", dynamo, load, k, n, &mut out).await;

    let n_search = env_usize("BENCH_SEARCH_TITLES", 100_000);
    let n_search_dynamo = env_usize("BENCH_SEARCH_DYNAMO_TITLES", n_search);
    writeln!(
        out,
        "\n### Catalog search at scale (R-FIND-1, R-FIND-2; pages of 20, at most {MAX_POSTINGS_PER_PAGE} postings read per page)\n"
    )
    .unwrap();
    let mut loads = String::new();
    let mut table = String::from(
        "| store | query class | q | hits, page 1 | items read, page 1 (counts + postings + titles) | read requests, page 1 | latency, page 1 (median of 5) | pages to the end | hits in all | most items read by one page | items read, all pages | time, all pages |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let memory = Arc::new(MemoryStore::new());
    let loaded = load_search_catalog(n_search, memory.as_ref()).await;
    writeln!(
        loads,
        "| embedded | {} | {} | {:.1} | {} | {:.1} s |",
        loaded.titles,
        loaded.postings,
        loaded.postings as f64 / loaded.titles as f64,
        loaded.grams,
        loaded.took.as_secs_f64()
    )
    .unwrap();
    search_at_scale("embedded", memory, &loaded, &mut table).await;
    let search_table = self::dynamo().await;
    let loaded = load_search_catalog(n_search_dynamo, search_table.as_ref()).await;
    writeln!(
        loads,
        "| DynamoDB (moto) | {} | {} | {:.1} | {} | {:.1} s ({:.0} items/s) |",
        loaded.titles,
        loaded.postings,
        loaded.postings as f64 / loaded.titles as f64,
        loaded.grams,
        loaded.took.as_secs_f64(),
        (loaded.titles + loaded.postings + loaded.grams) as f64 / loaded.took.as_secs_f64()
    )
    .unwrap();
    search_at_scale("DynamoDB (moto)", search_table, &loaded, &mut table).await;
    writeln!(out, "| store | titles | postings | postings / title | grams (count items) | load time |\n|---|---|---|---|---|---|\n{loads}").unwrap();
    out.push_str(&table);

    println!("{out}");
    std::fs::create_dir_all("target/bench").unwrap();
    std::fs::write("target/bench/store.md", &out).unwrap();
}
