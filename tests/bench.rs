//! `make bench`: DynamoDB round trips per access pattern (ACCESS-PATTERNS.md), counted through
//! the store port on both stores, and the due-reminders job at scale: N loans, k of them due
//! in three days, with items read, emails sent and wall time. Writes target/bench/store.md.

use chrono::{Days, Duration};
use mypage::app::{catalog, circulation, holds, loans, mailing, sessions, App};
use mypage::clock::{Clock, PinnedClock};
use mypage::model::{Credential, Loan, NotifyBy, Patron, ReminderContact};
use mypage::store::{DynamoStore, MemoryStore, Op, Record, StatsSnapshot, Store, TableDesign};
use mypage::types::{
    hash_password, Barcode, BibId, CardNumber, EmailAddress, LoanId, PasswordAttempt,
};
use mypage_tests::{at, test_config, unique, NOW};
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

fn app_on(store: Arc<dyn Store>) -> (App, Arc<PinnedClock>, Arc<mypage::mail::Outbox>) {
    let clock = Arc::new(PinnedClock::new(at(NOW)));
    let (app, outbox, _) = App::embedded(test_config(), store, clock.clone());
    (app, clock, outbox)
}

fn card(n: u32) -> CardNumber {
    CardNumber::parse(&format!("{:08}", 70_000_000 + n)).unwrap()
}

/// Counts the store requests `op` makes.
async fn measure<F: std::future::Future>(app: &App, op: F) -> StatsSnapshot {
    let before = app.store.stats().snapshot();
    op.await;
    app.store.stats().snapshot() - before
}

async fn round_trips(name: &str, store: Arc<dyn Store>, out: &mut String) {
    let (app, clock, _) = app_on(store);
    let ago = |days: i64| App {
        clock: Arc::new(PinnedClock::new(clock.now() - Duration::days(days))),
        ..app.clone()
    };
    for n in 0..3 {
        circulation::register_patron(&app, card(n), format!("patron {n}"), true)
            .await
            .unwrap();
        let mut p = app.store.patron(&card(n)).await.unwrap().unwrap();
        p.password = Some(Credential {
            hash: hash_password("Bench2026x"),
            temporary: false,
            expires_at: None,
        });
        app.store.commit(vec![Op::update(p)]).await.unwrap();
    }
    for b in 0..8 {
        let bib = BibId::parse(&format!("B{b}")).unwrap();
        circulation::add_title(
            &ago(30),
            bib.clone(),
            format!("title {b}"),
            "author".into(),
            vec![],
        )
        .await
        .unwrap();
        circulation::add_copy(&ago(30), Barcode::parse(&format!("B{b}-1")).unwrap(), bib)
            .await
            .unwrap();
    }
    for b in 0..5 {
        circulation::check_out(
            &ago(3),
            &card(0),
            &Barcode::parse(&format!("B{b}-1")).unwrap(),
            None,
        )
        .await
        .unwrap();
    }
    circulation::check_out(&ago(3), &card(1), &Barcode::parse("B5-1").unwrap(), None)
        .await
        .unwrap();
    circulation::check_out(&ago(3), &card(1), &Barcode::parse("B6-1").unwrap(), None)
        .await
        .unwrap();
    let attempt = || PasswordAttempt::new("Bench2026x".into()).unwrap();
    let token = sessions::log_in(&app, card(0).as_str(), attempt())
        .await
        .unwrap()
        .token;
    holds::place(
        &app,
        &card(0),
        None,
        &BibId::parse("B6").unwrap(),
        NotifyBy::None,
    )
    .await
    .unwrap();

    let mut rows: Vec<(&str, &str, StatsSnapshot)> = Vec::new();
    rows.push((
        "1",
        "log in",
        measure(&app, sessions::log_in(&app, card(0).as_str(), attempt())).await,
    ));
    rows.push((
        "2",
        "authenticate (the route's own read)",
        measure(&app, sessions::authenticate(&app, &token)).await,
    ));
    rows.push((
        "3",
        "loan list (auth included)",
        measure(&app, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            loans::list(&app, &c).await.unwrap();
        })
        .await,
    ));
    let c = sessions::authenticate(&app, &token).await.unwrap();
    let loan_id = c.account.loans[0].loan_id.clone();
    rows.push((
        "4",
        "renew (auth included)",
        measure(&app, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            loans::renew(&app, &c, &loan_id).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "5",
        "hold list (auth included)",
        measure(&app, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            holds::list(&app, &c).await.unwrap();
        })
        .await,
    ));
    let mut placed = None;
    rows.push((
        "6",
        "place a hold (auth included)",
        measure(&app, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            placed = Some(
                holds::place(
                    &app,
                    &card(0),
                    Some(c.account),
                    &BibId::parse("B5").unwrap(),
                    NotifyBy::None,
                )
                .await
                .unwrap(),
            );
        })
        .await,
    ));
    let hold_id = placed.unwrap().hold_id;
    rows.push((
        "7",
        "cancel a hold (auth included)",
        measure(&app, async {
            let c = sessions::authenticate(&app, &token).await.unwrap();
            holds::cancel(&app, &c, &hold_id).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "8",
        "check in, first hold becomes ready",
        measure(&app, async {
            circulation::check_in(&app, &Barcode::parse("B6-1").unwrap())
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "8",
        "check in, copy to the shelf",
        measure(&app, async {
            circulation::check_in(&app, &Barcode::parse("B5-1").unwrap())
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "9",
        "check out (fulfilling the ready hold)",
        measure(&app, async {
            circulation::check_out(&app, &card(0), &Barcode::parse("B6-1").unwrap(), None)
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "13",
        "a title",
        measure(&app, async {
            catalog::title(&app, &BibId::parse("B7").unwrap())
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "14",
        "profile (auth included)",
        measure(&app, async {
            sessions::authenticate(&app, &token).await.unwrap();
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

/// N loans over 1,000 patrons, k due on the reminder date, everyone signed up.
fn reminder_loans(
    n_loans: usize,
    due_on_day: usize,
    today: chrono::NaiveDate,
) -> (Vec<Record>, chrono::NaiveDate) {
    let due = today + Days::new(3);
    let patrons = due_on_day.max(1) as u32;
    let mut records: Vec<Record> = Vec::with_capacity(n_loans + patrons as usize);
    for p in 0..patrons {
        records.push(Record::Patron(Patron {
            card_number: card(p),
            name: format!("利用者{p}"),
            email: Some(EmailAddress::parse(&format!("p{p}@example.jp")).unwrap()),
            ebook_eligible: false,
            password: None,
            credential_version: 0,
            failed_logins: 0,
            locked_until: None,
            active_holds: 0,
            notifications: mypage::model::NotificationSettings {
                due_reminder: true,
                ..Default::default()
            },
            registered_at: at(NOW),
            version: 0,
        }));
    }
    for i in 0..n_loans {
        let p = (i % patrons as usize) as u32;
        // The first k loans fall due on the reminder date; the rest on the 60 days around it.
        let due_date = if i < due_on_day {
            due
        } else {
            today + Days::new(4 + (i % 60) as u64)
        };
        records.push(Record::Loan(Loan {
            loan_id: LoanId::parse(&format!("L{i}")).unwrap(),
            card_number: card(p),
            barcode: Barcode::parse(&format!("C{i}")).unwrap(),
            bib_id: BibId::parse(&format!("B{}", i % 5000)).unwrap(),
            title: format!("本 {i}"),
            author: "著者".into(),
            checked_out_on: due_date - Days::new(14),
            due_date,
            renewals: 0,
            interlibrary: false,
            reminded_for: None,
            reminder: Some(ReminderContact {
                email: EmailAddress::parse(&format!("p{p}@example.jp")).unwrap(),
                name: format!("利用者{p}"),
            }),
            version: 0,
        }));
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
    let (app, clock, outbox) = app_on(store);
    let today = clock.today();
    let t = Instant::now();
    let before = app.store.stats().snapshot();
    let report = mailing::send_due_reminders(&app, today).await.unwrap();
    let first = app.store.stats().snapshot() - before;
    let first_time = t.elapsed();
    let t = Instant::now();
    let before = app.store.stats().snapshot();
    let rerun = mailing::send_due_reminders(&app, today).await.unwrap();
    let second = app.store.stats().snapshot() - before;
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
            std::hint::black_box(mypage::types::hash_password("correct horse battery"));
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let median = ms[runs / 2];
    writeln!(out, "\n### Argon2id (m = 19456 KiB, t = 2, p = 1), one core\n").unwrap();
    writeln!(out, "median of {runs} hashes: {median:.1} ms (min {:.1}, max {:.1})\n", ms[0], ms[runs - 1]).unwrap();
    writeln!(out, "| Lambda memory | CPU share (1,769 MB = 1 vCPU) | one hash, scaled |").unwrap();
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
        at(NOW).with_timezone(&mypage::clock::jst()).date_naive()
    )
    .unwrap();
    writeln!(out, "| store | loans N | due k | load time | run | items read | items read / k | emails | write requests | wall time |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|").unwrap();
    let today = mypage::clock::japan_date(at(NOW));
    let memory = Arc::new(MemoryStore::new());
    let (records, _) = reminder_loans(n, k, today);
    let m2 = memory.clone();
    let load = async move {
        for chunk in records.chunks(1000) {
            m2.commit(chunk.iter().cloned().map(Op::create).collect())
                .await
                .unwrap();
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
