//! Demo data for a fresh dev store, relative to the clock's today. The logins are listed in
//! README.md; every renewal state of R-RENEW-1..5 appears on the first patron's loan list.
//! The library has a few dated closures (R-CAL-1; `make run` also closes it on Mondays), and
//! the second patron keeps a reading history with three returns in it (R-HIST-1).

use chrono::{Days, Duration, Utc};
use mypage::adapters::PinnedClock;
use mypage::app::{calendar, counter, holds};
use mypage::credentials::hash_password;
use mypage::domain::types::{
    AuthorName, Barcode, BibId, CardNumber, ClosureReason, EmailAddress, PatronName, Subject,
    Subjects, TitleName,
};
use mypage::domain::{Changes, Credential, HoldNotice};
use mypage::ports::Clock;
use mypage::{App, Error};
use std::sync::Arc;

pub struct DemoPatron {
    pub card: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub temporary: bool,
    pub email: Option<&'static str>,
    pub ebook_eligible: bool,
}

pub const DEMO_PATRONS: &[DemoPatron] = &[
    DemoPatron {
        card: "10000001",
        name: "山田 花子",
        password: "kari2026",
        temporary: true,
        email: None,
        ebook_eligible: true,
    },
    DemoPatron {
        card: "10000002",
        name: "佐藤 一郎",
        password: "tosho2026",
        temporary: false,
        email: Some("ichiro@example.jp"),
        ebook_eligible: true,
    },
    DemoPatron {
        card: "10000003",
        name: "鈴木 次郎",
        password: "yoyaku2026",
        temporary: false,
        email: Some("jiro@example.jp"),
        ebook_eligible: false,
    },
];

const TITLES: &[(&str, &str, &str, &[&str], u32)] = &[
    (
        "B-RASHOMON",
        "羅生門",
        "芥川 龍之介",
        &["日本文学", "短編小説"],
        1,
    ),
    ("B-KOKORO", "こころ", "夏目 漱石", &["日本文学"], 1),
    ("B-BOTCHAN", "坊っちゃん", "夏目 漱石", &["日本文学"], 1),
    (
        "B-NORWEGIAN",
        "ノルウェイの森",
        "村上 春樹",
        &["日本文学"],
        1,
    ),
    (
        "B-MACHI",
        "街とその不確かな壁",
        "村上 春樹",
        &["日本文学"],
        1,
    ),
    (
        "B-GARDENS",
        "Kyoto Gardens (interlibrary loan)",
        "Marc Treib",
        &["Gardens", "Kyoto"],
        1,
    ),
    (
        "B-REMAINS",
        "The Remains of the Day",
        "Kazuo Ishiguro",
        &["English fiction"],
        1,
    ),
    (
        "B-PYTHON",
        "Python入門",
        "山本 太郎",
        &["プログラミング"],
        2,
    ),
    (
        "B-TEIEN",
        "京都の庭園",
        "重森 三玲",
        &["日本庭園", "京都"],
        2,
    ),
    ("B-KAMO", "方丈記", "鴨 長明", &["古典", "随筆"], 1),
];

fn at_days(app: &App, days: i64) -> App {
    let clock: Arc<dyn Clock> = Arc::new(PinnedClock::new(app.clock.now() + Duration::days(days)));
    App {
        clock,
        ..app.clone()
    }
}

fn card(s: &str) -> CardNumber {
    CardNumber::parse(s).expect("demo card numbers are valid")
}
fn bib(s: &str) -> BibId {
    BibId::parse(s).expect("demo ids are valid")
}
fn barcode(s: &str) -> Barcode {
    Barcode::parse(s).expect("demo barcodes are valid")
}

/// Dated closures: stocktaking soon, a one-day closure, and the coming year-end holidays.
async fn closures(app: &App) -> Result<(), Error> {
    use chrono::Datelike;
    let today = app.clock.today();
    let mut days: Vec<(chrono::NaiveDate, &str)> = vec![
        (today + Days::new(9), "蔵書点検"),
        (today + Days::new(10), "蔵書点検"),
        (today + Days::new(11), "蔵書点検"),
        (today + Days::new(24), "臨時休館（館内設備点検）"),
    ];
    let year = if today.month() == 1 && today.day() <= 3 {
        today.year() - 1
    } else {
        today.year()
    };
    let year_end = chrono::NaiveDate::from_ymd_opt(year, 12, 29).expect("a date");
    for i in 0..6 {
        days.push((year_end + Days::new(i), "年末年始休館"));
    }
    for (date, reason) in days {
        let reason = ClosureReason::parse(reason).expect("demo reasons are valid");
        match calendar::set_closure(app, date, reason).await {
            Ok(()) | Err(Error::ClosedTooLong { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Ichiro keeps a reading history: three returns since he turned it on.
async fn reading_history(app: &App, ichiro: &CardNumber) -> Result<(), Error> {
    let p = app
        .store
        .patron(ichiro)
        .await?
        .ok_or(Error::PatronNotFound)?;
    let _ = app
        .store
        .commit(mypage::domain::history::set_enabled(&p, true).changes)
        .await?;
    for (code, out, back) in [
        ("B-KAMO-1", -45, -30),
        ("B-TEIEN-1", -28, -15),
        ("B-PYTHON-1", -14, -2),
    ] {
        counter::check_out(&at_days(app, out), ichiro, &barcode(code), None).await?;
        counter::check_in(&at_days(app, back), &barcode(code)).await?;
    }
    Ok(())
}

pub async fn demo_data(app: &App) -> Result<(), Error> {
    let long_ago = at_days(app, -60);
    closures(app).await?;
    for p in DEMO_PATRONS {
        let name = PatronName::parse(p.name).expect("demo names are valid");
        let mut demo = counter::register_patron(app, card(p.card), name, p.ebook_eligible).await?;
        // A known password instead of a random temporary one, so the README can list it.
        demo.password = Some(Credential {
            hash: hash_password(p.password),
            temporary: p.temporary,
            expires_at: p
                .temporary
                .then(|| Utc::now().max(app.clock.now()) + Duration::days(365)),
        });
        demo.credential_version = 1;
        demo.version = 1;
        // No loans yet, so no reminder contacts to keep in step.
        demo.email = p
            .email
            .map(|e| EmailAddress::parse(e).expect("demo addresses are valid"));
        demo.notifications.due_reminder = p.email.is_some();
        let changes = Changes::none().update(demo);
        let _ = app.store.commit(changes).await?;
    }
    for (id, title, author, subjects, copies) in TITLES {
        let subjects: Vec<Subject> = subjects
            .iter()
            .map(|s| Subject::parse(s).expect("demo subjects are valid"))
            .collect();
        counter::add_title(
            &long_ago,
            bib(id),
            TitleName::parse(title).expect("demo titles are valid"),
            AuthorName::parse(author).expect("demo authors are valid"),
            Subjects::try_from(subjects).expect("few demo subjects"),
        )
        .await?;
        for n in 1..=*copies {
            counter::add_copy(&long_ago, barcode(&format!("{id}-{n}")), bib(id)).await?;
        }
    }
    // New arrivals, added today.
    for (id, title, author, subject) in [
        ("B-NEW-1", "古都の建築", "西川 幸治", "京都"),
        ("B-NEW-2", "はじめてのRust", "佐藤 ゆき", "プログラミング"),
    ] {
        counter::add_title(
            app,
            bib(id),
            TitleName::parse(title).expect("demo titles are valid"),
            AuthorName::parse(author).expect("demo authors are valid"),
            Subjects::try_from(vec![Subject::parse(subject).expect("valid")]).expect("one subject"),
        )
        .await?;
        counter::add_copy(app, barcode(&format!("{id}-1")), bib(id)).await?;
    }

    let hanako = card("10000001");
    let out = |days: i64, who: &CardNumber, code: &str| {
        let app = at_days(app, days);
        let who = who.clone();
        let code = barcode(code);
        async move { counter::check_out(&app, &who, &code, None).await }
    };
    out(-5, &hanako, "B-RASHOMON-1").await?; // renewable
    let kokoro = out(-10, &hanako, "B-KOKORO-1").await?; // renewed three days ago
                                                         // Renewed three days ago: what a renewal then would have written.
    let mut loan = kokoro.loan;
    loan.version = 1;
    loan.renewals = 1;
    loan.due_date = app.clock.today() + chrono::Days::new(11);
    let _ = app.store.commit(Changes::none().update(loan)).await?;
    out(-20, &hanako, "B-BOTCHAN-1").await?; // overdue
    out(0, &hanako, "B-NORWEGIAN-1").await?; // checked out today
    out(-4, &hanako, "B-MACHI-1").await?; // another patron waits for it
    let ill_due = app.clock.today() + chrono::Days::new(10);
    counter::check_out(
        &at_days(app, -4),
        &hanako,
        &barcode("B-GARDENS-1"),
        Some(ill_due),
    )
    .await?;
    holds::place(
        app,
        &card("10000003"),
        None,
        &bib("B-MACHI"),
        HoldNotice::Email.into(),
    )
    .await?;

    reading_history(app, &card("10000002")).await?;

    // Ichiro's loan falls due in three days: the due-date reminder's demo. Should that be a
    // closed day now, it was set before the closure was: dates set are never moved.
    let remains = out(-11, &card("10000002"), "B-REMAINS-1").await?;
    let in_three_days = app.clock.today() + Days::new(3);
    if remains.loan.due_date != in_three_days {
        let mut loan = remains.loan;
        loan.version = 1;
        loan.due_date = in_three_days;
        let _ = app.store.commit(Changes::none().update(loan)).await?;
    }
    holds::place(
        app,
        &card("10000002"),
        None,
        &bib("B-BOTCHAN"),
        HoldNotice::Email.into(),
    )
    .await?;
    Ok(())
}
