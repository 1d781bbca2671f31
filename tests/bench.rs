//! `make bench`: DynamoDB round trips per access pattern (docs/access-patterns.md), counted through
//! the store port on both stores, and the due-reminders job at scale: N loans, k of them due
//! in three days, with items read, emails sent and wall time. Writes target/bench/store.md.

use chrono::{Days, Duration};
use mypage::adapters::{DynamoStore, MemoryStore, Outbox, PinnedClock, TableDesign};
use mypage::app::{calendar, catalog, counter, history, holds, loans, reminders, sessions, App};
use mypage::credentials::hash_password;
use mypage::domain::dates::japan_date;
use mypage::domain::types::{
    AuthorName, Barcode, BibId, CardNumber, ClosureReason, EntryId, PasswordAttempt, PatronName,
    Subjects, TitleName,
};
use mypage::domain::{Changes, Credential, HoldNotice, Record};
use mypage::ports::{Clock, Store};
use mypage_tests::metered::{Metered, Requests};
use mypage_tests::{at, test_config, unique, NOW};
use serde_json::json;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

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
async fn measure<F: std::future::Future>(store: &Metered, op: F) -> Requests {
    let before = store.snapshot();
    op.await;
    store.snapshot() - before
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
        counter::check_out(
            &ago(3),
            &card(0),
            &Barcode::parse(&format!("B{b}-1")).unwrap(),
            None,
        )
        .await
        .unwrap();
    }
    counter::check_out(&ago(3), &card(1), &Barcode::parse("B5-1").unwrap(), None)
        .await
        .unwrap();
    counter::check_out(&ago(3), &card(1), &Barcode::parse("B6-1").unwrap(), None)
        .await
        .unwrap();
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

    let mut rows: Vec<(&str, &str, Requests)> = Vec::new();
    rows.push((
        "1",
        "log in",
        measure(
            meter,
            sessions::log_in(&app, card(0).as_str(), attempt(), &client, None),
        )
        .await,
    ));
    rows.push((
        "2",
        "authenticate (the route's own read)",
        measure(meter, sessions::authenticate(&app, &token)).await,
    ));
    rows.push((
        "3",
        "loan list (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            std::hint::black_box(loans::list(&app, &c));
        })
        .await,
    ));
    let c = sessions::authenticate(&app, &token).await.unwrap();
    let loan_id = c.account.loans[0].loan_id.clone();
    rows.push((
        "4",
        "renew (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            loans::renew(&app, &c, &loan_id).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "5",
        "hold list (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            holds::list(&app, &c).await.unwrap();
        })
        .await,
    ));
    let mut placed = None;
    rows.push((
        "6",
        "place a hold (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            placed = Some(
                holds::place(
                    &app,
                    &card(0),
                    Some(c.account),
                    &BibId::parse("B5").unwrap(),
                    HoldNotice::NotNeeded.into(),
                )
                .await
                .unwrap(),
            );
        })
        .await,
    ));
    let hold_id = placed.unwrap().hold.hold_id;
    rows.push((
        "7",
        "cancel a hold (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            holds::cancel(&app, &c, &hold_id).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "8",
        "check in, first hold becomes ready",
        measure(meter, async {
            counter::check_in(&app, &Barcode::parse("B6-1").unwrap())
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "8",
        "check in, copy to the shelf",
        measure(meter, async {
            counter::check_in(&app, &Barcode::parse("B5-1").unwrap())
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "9",
        "check out (fulfilling the ready hold)",
        measure(meter, async {
            counter::check_out(&app, &card(0), &Barcode::parse("B6-1").unwrap(), None)
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "13",
        "a title",
        measure(meter, async {
            catalog::title(&app, &BibId::parse("B7").unwrap())
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "14",
        "profile (auth included)",
        measure(meter, async {
            sessions::authenticate(&app, &token).await.unwrap();
        })
        .await,
    ));

    rows.push((
        "15",
        "closed days of a month (no login)",
        measure(meter, async {
            let today = clock.today();
            calendar::closed_days(&app, today, today + Days::new(30))
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "16",
        "set a dated closure (staff)",
        measure(meter, async {
            calendar::set_closure(
                &app,
                clock.today() + Days::new(40),
                ClosureReason::parse("館内整理").unwrap(),
            )
            .await
            .unwrap();
        })
        .await,
    ));
    rows.push((
        "18",
        "session list (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            sessions::list(&app, &c).await.unwrap();
        })
        .await,
    ));

    // R-HIST-1: the same patron keeps a reading history of 2,000 entries. The account's
    // Query does not reach them: authenticating and the loan list read what they read before.
    let c = sessions::authenticate(&app, &token).await.unwrap();
    history::set_enabled(&app, &c, true).await.unwrap();
    rows.push((
        "2",
        "authenticate, the same patron just before 2,000 history entries are stored",
        measure(meter, sessions::authenticate(&app, &token)).await,
    ));
    rows.push((
        "3",
        "loan list, the same patron just before",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            loans::list(&app, &c);
        })
        .await,
    ));
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
    rows.push((
        "2",
        "authenticate, patron with 2,000 history entries",
        measure(meter, sessions::authenticate(&app, &token)).await,
    ));
    rows.push((
        "3",
        "loan list, patron with 2,000 history entries",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            loans::list(&app, &c);
        })
        .await,
    ));
    rows.push((
        "8",
        "check in, history on (the entry in the same commit)",
        measure(meter, async {
            counter::check_in(&app, &Barcode::parse("B2-1").unwrap())
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "17",
        "reading history, first page of 20 (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            history::page(&app, &c, None, 20).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "17",
        "reading history CSV export, 2,001 entries (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            history::export(&app, &c).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "17",
        "turn the history off: the switch, then 40 batches of 25 (auth included)",
        measure(meter, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            history::set_enabled(&app, &c, false).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "17",
        "history-purge run: the other 1,001 entries",
        measure(meter, async {
            let r = history::purge_pending(&app).await.unwrap();
            assert_eq!(r.entries_deleted, 1_001);
        })
        .await,
    ));

    writeln!(out, "\n### Round trips per request — {name}\n").unwrap();
    writeln!(
        out,
        "| # | request | read requests | items read | write requests |\n|---|---|---|---|---|"
    )
    .unwrap();
    for (n, what, s) in rows {
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
    load: impl std::future::Future<Output = ()>,
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

    println!("{out}");
    std::fs::create_dir_all("target/bench").unwrap();
    std::fs::write("target/bench/store.md", &out).unwrap();
}
