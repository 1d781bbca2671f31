//! The library calendar (R-CAL-1, R-CAL-2), the reading history (R-HIST-1) and the patron's
//! session list (R-ACCT-9) through the dev server's router, on both stores. The races among
//! them are in `concurrency.rs`.

use chrono::Weekday;
use mypage::domain::policy::ClosedWeekdays;
use mypage::domain::types::{CardNumber, SessionId};
use mypage::domain::{Changes, HistoryEntry, Key, Record};
use mypage::ports::HistoryRange;
use mypage_tests::both_stores;
use mypage_tests::{own_password, test_config, Reply, StoreKind, TestServer};
use reqwest::Method;
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::{json, Value};

const PUT: Method = Method::PUT;

/// A server whose library is closed on Tuesdays (today, 2026-12-01, is a Tuesday).
async fn closed_on_tuesdays(kind: StoreKind) -> TestServer {
    let mut config = test_config();
    config.policy.closed_weekdays = ClosedWeekdays::of(&[Weekday::Tue]);
    TestServer::start_with(kind, config).await
}

fn due_of(r: &Reply) -> String {
    r.body["due_date"].as_str().unwrap().to_owned()
}

async fn loans(s: &TestServer, token: &str) -> Vec<Value> {
    s.get("/api/me/loans", Some(token)).await.expect(200).body["loans"]
        .as_array()
        .unwrap()
        .clone()
}

// ------------------------------------------------------------------- calendar (R-CAL-*)

#[apply(both_stores)]
async fn r_cal_1_due_dates_move_past_weekly_and_dated_closures(#[case] kind: StoreKind) {
    let s = closed_on_tuesdays(kind).await;
    s.patron("50000001").await;
    s.title("WEEK", 1).await;
    s.title("DATED", 1).await;
    s.title("ILL", 1).await;
    s.title("RENEW", 1).await;
    // Checked out Tue 12-01: 14 days is Tue 12-15, a weekly closed day -> Wed 12-16.
    let r = s.check_out("50000001", "WEEK-1").await.expect(201);
    assert_eq!(due_of(&r), "2026-12-16");
    // Wed 12-16 closed for stocktaking as well: the next open day is Thu 12-17.
    s.close_day("2026-12-16", "蔵書点検").await.expect(204);
    let r = s.check_out("50000001", "DATED-1").await.expect(201);
    assert_eq!(due_of(&r), "2026-12-17");
    // An inter-library due date is the lending library's: never moved, even onto a closed day.
    let r = s
        .check_out_interlibrary("50000001", "ILL-1", "2026-12-15")
        .await
        .expect(201);
    assert_eq!(due_of(&r), "2026-12-15");
    // R-RENEW-6: renewed on Wed 12-02, due Wed 12-16 (closed) -> Thu 12-17.
    s.check_out("50000001", "RENEW-1").await.expect(201);
    s.advance_days(1);
    let t = s.relog("50000001").await;
    let loan = loans(&s, &t)
        .await
        .into_iter()
        .find(|l| l["bib_id"] == "RENEW")
        .unwrap();
    let id = loan["loan_id"].as_str().unwrap();
    let r = s.renew(&t, id).await.expect(200);
    assert_eq!(due_of(&r), "2026-12-17");
}

#[apply(both_stores)]
async fn r_cal_1_r_hold_6_a_pickup_deadline_moves_past_weekly_and_dated_closures(
    #[case] kind: StoreKind,
) {
    let s = closed_on_tuesdays(kind).await;
    let [(waiting, _)] = s.queue("POP", "50000002", ["50000003"]).await;
    // Ready on Tue 12-01: a week is Tue 12-08, closed weekly; Wed 12-09 closed for the day.
    s.close_day("2026-12-09", "臨時休館").await.expect(204);
    let r = s.check_in("POP-1").await.expect(200);
    assert_eq!(r.body["hold_ready"]["pickup_deadline"], "2026-12-10");
    let holds = s.get("/api/me/holds", Some(&waiting)).await.expect(200);
    assert_eq!(holds.body["holds"][0]["pickup_deadline"], "2026-12-10");
}

#[apply(both_stores)]
async fn r_cal_1_a_calendar_change_leaves_existing_dates_alone(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("50000004").await;
    s.title("A", 1).await;
    s.title("B", 1).await;
    let due = due_of(&s.check_out("50000004", "A-1").await.expect(201));
    assert_eq!(due, "2026-12-15");
    // The due date becomes a closed day: the loan keeps it; a new loan does not get it.
    s.close_day("2026-12-15", "臨時休館").await.expect(204);
    let listed = loans(&s, &t).await;
    assert_eq!(listed[0]["due_date"], "2026-12-15");
    assert_eq!(
        due_of(&s.check_out("50000004", "B-1").await.expect(201)),
        "2026-12-16"
    );
    // Opening again moves nothing back either.
    s.reopen_day("2026-12-15").await.expect(204);
    s.reopen_day("2026-12-15").await.expect(204); // nothing to clear: still 204
    let dues: Vec<_> = loans(&s, &t)
        .await
        .iter()
        .map(|l| l["due_date"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(dues, vec!["2026-12-15", "2026-12-16"]);
}

#[apply(both_stores)]
async fn r_cal_1_a_closure_that_would_close_more_than_60_days_in_a_row_is_refused(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    // 60 days from 2027-01-01 (to 03-01) are allowed, one more on either side is not.
    let start: chrono::NaiveDate = "2027-01-01".parse().unwrap();
    for i in 0..60 {
        let d = start + chrono::Days::new(i);
        s.close_day(&d.to_string(), "改修工事").await.expect(204);
    }
    for day_after_or_before in ["2027-03-02", "2026-12-31"] {
        s.close_day(day_after_or_before, "改修工事")
            .await
            .expect_error(409, "closed_too_long");
    }
    // Replacing the reason of a day already closed is allowed.
    s.close_day("2027-01-15", "点検").await.expect(204);
    // Bad requests are 400, never a 500; a patron or anonymous caller is refused.
    let too_long = "長".repeat(51);
    for (date, reason) in [
        ("2027-3-5", "x"),
        ("2029-01-01", "x"),
        ("2027-04-01", ""),
        ("2027-04-01", too_long.as_str()),
    ] {
        s.close_day(date, reason)
            .await
            .expect_error(400, "invalid_request");
    }
    s.call(
        PUT,
        "/api/staff/calendar/closed-days/2027-04-01",
        None,
        Some(json!({"reason": "x"})),
    )
    .await
    .expect_error(403, "staff_only");
    let t = s.patron("50000005").await;
    s.delete("/api/staff/calendar/closed-days/2027-01-01", &t)
        .await
        .expect_error(403, "staff_only");
}

#[apply(both_stores)]
async fn r_cal_2_the_closed_days_of_a_period_are_public(#[case] kind: StoreKind) {
    let s = closed_on_tuesdays(kind).await;
    s.close_day("2026-12-08", "蔵書点検").await.expect(204); // a Tuesday: its own reason
    s.close_day("2026-12-10", "館内整理").await.expect(204);
    let r = s
        .get("/api/catalog/calendar?from=2026-12-01&to=2026-12-16", None)
        .await
        .expect(200);
    assert_eq!(
        r.body["closed"],
        json!([
            {"date": "2026-12-01", "reason": "定休日"},
            {"date": "2026-12-08", "reason": "蔵書点検"},
            {"date": "2026-12-10", "reason": "館内整理"},
            {"date": "2026-12-15", "reason": "定休日"},
        ])
    );
    // 366 dates, both ends counted, is the most.
    let year = s
        .get("/api/catalog/calendar?from=2026-12-01&to=2027-12-01", None)
        .await
        .expect(200);
    assert_eq!(year.body["closed"].as_array().unwrap().len(), 53 + 2 - 1);
    for q in [
        "from=2026-12-01&to=2027-12-02",
        "from=2026-12-02&to=2026-12-01",
        "from=2026-12-01",
        "to=2026-12-01",
        "from=2026-12-1&to=2026-12-31",
        "from=yesterday&to=today",
        "",
    ] {
        s.get(&format!("/api/catalog/calendar?{q}"), None)
            .await
            .expect_error(400, "invalid_request");
    }
}

// ------------------------------------------------------------------- reading history

async fn history(s: &TestServer, token: &str, query: &str) -> Reply {
    s.get(&format!("/api/me/reading-history{query}"), Some(token))
        .await
}

async fn switch(s: &TestServer, token: &str, on: bool) {
    s.set_reading_history(token, on).await.expect(204);
}

/// A patron who has switched the reading history on: the session token.
async fn recording_patron(s: &TestServer, card: &str) -> String {
    let t = s.patron(card).await;
    switch(s, &t, true).await;
    t
}

fn titles(r: &Reply) -> Vec<String> {
    r.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect()
}

/// A loan of a new title, checked out and returned a second after the previous one (the
/// clock is pinned: entries recorded at the same instant have no order); `name` is the title.
async fn borrow_and_return(s: &TestServer, card: &str, bib: &str, name: &str) {
    s.clock.advance(chrono::Duration::seconds(1));
    s.staff(
        "/api/staff/titles",
        json!({"bib_id": bib, "title": name, "author": "著者 一郎", "subjects": []}),
    )
    .await
    .expect(201);
    let barcode = format!("{bib}-1");
    s.add_copy(&barcode, bib).await.expect(201);
    s.check_out(card, &barcode).await.expect(201);
    s.check_in(&barcode).await.expect(200);
}

/// `count` loans as [`borrow_and_return`]'s, in turn: titles `<prefix>-1`, ... named `本 1`, ...
async fn borrow_and_return_numbered(s: &TestServer, card: &str, prefix: &str, count: u32) {
    for i in 1..=count {
        borrow_and_return(s, card, &format!("{prefix}-{i}"), &format!("本 {i}")).await;
    }
}

/// Every entry the store holds for a patron, whatever its generation.
async fn stored_entries(s: &TestServer, card: &str) -> Vec<HistoryEntry> {
    let card = CardNumber::parse(card).unwrap();
    s.app()
        .store
        .history(
            &card,
            HistoryRange::Purgeable {
                before: u32::MAX,
                limit: 10_000,
            },
        )
        .await
        .unwrap()
}

#[apply(both_stores)]
async fn r_hist_1_returns_are_recorded_only_while_the_history_is_on(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = s.patron("51000001").await;
    borrow_and_return(&s, "51000001", "H-OFF", "記録されない本").await;
    let r = history(&s, &t, "").await.expect(200);
    assert_eq!(r.body["enabled"], false);
    assert_eq!(r.body["entries"], json!([]));
    assert!(stored_entries(&s, "51000001").await.is_empty());

    switch(&s, &t, true).await;
    borrow_and_return(&s, "51000001", "H-1", "こころ").await;
    s.advance_days(2);
    let t = s.relog("51000001").await;
    borrow_and_return(&s, "51000001", "H-2", "坊っちゃん").await;
    let r = history(&s, &t, "").await.expect(200);
    assert_eq!(r.body["enabled"], true);
    assert_eq!(titles(&r), vec!["坊っちゃん", "こころ"], "newest first");
    let e = &r.body["entries"][0];
    assert_eq!(e["bib_id"], "H-2");
    assert_eq!(e["author"], "著者 一郎");
    assert_eq!(e["checked_out_on"], "2026-12-03");
    assert_eq!(e["returned_on"], "2026-12-03");
    assert!(r.body["next_page_token"].is_null());
    // Another patron's history is theirs alone.
    let other = s.patron("51000002").await;
    assert_eq!(
        history(&s, &other, "").await.expect(200).body["entries"],
        json!([])
    );
}

#[apply(both_stores)]
async fn r_hist_1_pages_newest_first_and_a_page_token_not_issued_is_refused(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let t = recording_patron(&s, "51000003").await;
    borrow_and_return_numbered(&s, "51000003", "P", 5).await;
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let r = history(&s, &t, &query).await.expect(200);
        pages += 1;
        seen.extend(titles(&r));
        match r.body["next_page_token"].as_str() {
            Some(token) => query = format!("?limit=2&page_token={token}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, vec!["本 5", "本 4", "本 3", "本 2", "本 1"]);
    assert_eq!(titles(&history(&s, &t, "").await.expect(200)).len(), 5);
    for bad in [
        "?page_token=forged",
        "?page_token=aGlzdG9yeTo", // "history:" and nothing after it
        "?page_token=%00%01",
        "?limit=0",
        "?limit=51",
        "?limit=ten",
    ] {
        history(&s, &t, bad)
            .await
            .expect_error(400, "invalid_request");
    }
}

#[apply(both_stores)]
async fn r_hist_1_turning_it_off_deletes_everything_at_once_and_records_nothing_more(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let t = recording_patron(&s, "51000004").await;
    borrow_and_return_numbered(&s, "51000004", "OFF", 3).await;
    assert_eq!(stored_entries(&s, "51000004").await.len(), 3);
    switch(&s, &t, false).await;
    let r = history(&s, &t, "").await.expect(200);
    assert_eq!(
        (r.body["enabled"].clone(), r.body["entries"].clone()),
        (json!(false), json!([]))
    );
    assert!(
        stored_entries(&s, "51000004").await.is_empty(),
        "deleted, not hidden"
    );
    let export = s
        .get("/api/me/reading-history/export", Some(&t))
        .await
        .expect(200);
    assert_eq!(
        export.body.as_str().unwrap(),
        "\u{feff}書名,著者,貸出日,返却日\r\n"
    );
    // Off: a return records nothing. On again: the old entries do not come back.
    borrow_and_return(&s, "51000004", "OFF-4", "記録されない本").await;
    switch(&s, &t, true).await;
    assert_eq!(
        history(&s, &t, "").await.expect(200).body["entries"],
        json!([])
    );
    assert!(stored_entries(&s, "51000004").await.is_empty());
    let card = CardNumber::parse("51000004").unwrap();
    let patron = s.app().store.patron(&card).await.unwrap().unwrap();
    assert!(!patron.reading_history().purge_pending);
    assert!(s.app().store.history_purges().await.unwrap().is_empty());
}

#[apply(both_stores)]
async fn r_hist_1_one_entry_or_all_of_them_can_be_deleted(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = recording_patron(&s, "51000005").await;
    let other = recording_patron(&s, "51000006").await;
    borrow_and_return(&s, "51000005", "D-1", "一").await;
    borrow_and_return(&s, "51000005", "D-2", "二").await;
    borrow_and_return(&s, "51000006", "D-3", "他人の本").await;
    let r = history(&s, &t, "").await.expect(200);
    let id = r.body["entries"][1]["entry_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/me/reading-history/{id}");
    // Another patron cannot delete it (and learns nothing: the same 404 as no entry).
    s.delete(&path, &other)
        .await
        .expect_error(404, "entry_not_found");
    s.delete(&path, &t).await.expect(204);
    s.delete(&path, &t)
        .await
        .expect_error(404, "entry_not_found");
    s.delete("/api/me/reading-history/not-an-id!", &t)
        .await
        .expect_error(404, "entry_not_found");
    assert_eq!(titles(&history(&s, &t, "").await.expect(200)), vec!["二"]);
    // Delete all: the history stays on and keeps recording.
    s.delete("/api/me/reading-history", &t).await.expect(204);
    let r = history(&s, &t, "").await.expect(200);
    assert_eq!(
        (r.body["enabled"].clone(), titles(&r).len()),
        (json!(true), 0)
    );
    assert!(stored_entries(&s, "51000005").await.is_empty());
    borrow_and_return(&s, "51000005", "D-4", "四").await;
    assert_eq!(titles(&history(&s, &t, "").await.expect(200)), vec!["四"]);
    assert_eq!(
        titles(&history(&s, &other, "").await.expect(200)),
        vec!["他人の本"]
    );
}

#[apply(both_stores)]
async fn r_hist_1_the_csv_export_round_trips_commas_quotes_and_line_breaks(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let t = recording_patron(&s, "51000007").await;
    let awkward = [
        "吾輩は猫である, 上",
        "\"引用\"と「かぎ括弧」",
        "=HYPERLINK(\"http://example.jp\")",
        "-3度の朝",
        "@メンション",
        "+α",
    ];
    for (i, name) in awkward.iter().enumerate() {
        borrow_and_return(&s, "51000007", &format!("CSV-{i}"), name).await;
    }
    let r = s
        .get("/api/me/reading-history/export", Some(&t))
        .await
        .expect(200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(r.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = r.body.as_str().unwrap();
    let bytes = text.as_bytes();
    assert_eq!(&bytes[..3], b"\xef\xbb\xbf", "UTF-8 with a byte order mark");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&bytes[3..]);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["書名", "著者", "貸出日", "返却日"]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let mut expected: Vec<String> = awkward
        .iter()
        .map(|t| {
            if t.starts_with(['=', '+', '-', '@']) {
                format!("'{t}")
            } else {
                (*t).to_owned()
            }
        })
        .collect();
    expected.reverse(); // newest first
    assert_eq!(
        rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(),
        expected
    );
    for row in &rows {
        assert_eq!(&row[1..], ["著者 一郎", "2026-12-01", "2026-12-01"]);
    }
    // Every record ends with CRLF, line breaks inside a quoted title included.
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches("\r\n").count(), 1 + awkward.len());
}

#[apply(both_stores)]
async fn r_hist_1_a_title_with_a_line_break_round_trips(#[case] kind: StoreKind) {
    // The counter refuses control characters in a title, so a line break can only come from
    // data stored before that check: write such an entry directly.
    let s = TestServer::start(kind).await;
    let t = recording_patron(&s, "51000008").await;
    let entry: HistoryEntry = serde_json::from_value(json!({
        "card_number": "51000008", "generation": 0, "entry_id": "E1764550800000-abcdefabcdef",
        "bib_id": "NL", "title": "一行目\r\n二行目, \"三\"", "author": "改行 太郎",
        "checked_out_on": "2026-11-01", "returned_on": "2026-11-20",
    }))
    .unwrap();
    let _ = s
        .app()
        .store
        .commit(Changes::none().create(entry))
        .await
        .unwrap();
    assert_eq!(stored_entries(&s, "51000008").await.len(), 1);
    let r = s
        .get("/api/me/reading-history/export", Some(&t))
        .await
        .expect(200);
    let text = r.body.as_str().unwrap();
    let mut reader = csv::Reader::from_reader(&text.as_bytes()[3..]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "一行目\r\n二行目, \"三\"");
    assert_eq!(&row[2], "2026-11-01");
}

#[apply(both_stores)]
async fn r_hist_1_a_purge_stopped_halfway_is_finished_by_the_daily_run(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let t = recording_patron(&s, "51000009").await;
    let card = CardNumber::parse("51000009").unwrap();
    // 130 entries, more than five purge batches.
    let store = &s.app().store;
    for chunk in 0..2 {
        let mut changes = Changes::none();
        for i in 0..65 {
            let n = chunk * 65 + i;
            let entry: HistoryEntry = serde_json::from_value(json!({
                "card_number": "51000009", "generation": 0,
                "entry_id": format!("E{:013}-aaaaaaaaaaaa", 1_764_000_000_000u64 + n),
                "bib_id": "B", "title": format!("本 {n}"), "author": "",
                "checked_out_on": "2026-11-01", "returned_on": "2026-11-20",
            }))
            .unwrap();
            changes = changes.create(entry);
        }
        let _ = store.commit(changes).await.unwrap();
    }
    assert_eq!(
        history(&s, &t, "?limit=50").await.expect(200).body["entries"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
    // The switch-off commits, then the request stops before deleting anything (a crash).
    let patron = store.patron(&card).await.unwrap().unwrap();
    let off = mypage::domain::history::set_enabled(&patron, false);
    let _ = store.commit(off.changes).await.unwrap();
    // Off at once: nothing is listed or exported, though the entries are still stored.
    assert_eq!(
        history(&s, &t, "").await.expect(200).body["entries"],
        json!([])
    );
    assert_eq!(stored_entries(&s, "51000009").await.len(), 130);
    assert_eq!(store.history_purges().await.unwrap(), vec![card.clone()]);
    // The daily run finds the patron through the index and finishes.
    let report = s.run_job("history-purge", None).await;
    assert_eq!(report["entries_deleted"], 130);
    assert_eq!(report["finished"], 1);
    assert!(stored_entries(&s, "51000009").await.is_empty());
    assert!(store.history_purges().await.unwrap().is_empty());
    let again = s.run_job("history-purge", None).await;
    assert_eq!(again["patrons"], 0);
}

// ------------------------------------------------------------------- sessions (R-ACCT-9)

async fn log_in_with(s: &TestServer, card: &str, user_agent: &str) -> String {
    let r = s
        .http
        .post(format!("{}/api/session", s.base))
        .header("user-agent", user_agent)
        .json(&json!({"card_number": card, "password": own_password(card)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn sessions(s: &TestServer, token: &str) -> Vec<Value> {
    s.get("/api/me/sessions", Some(token))
        .await
        .expect(200)
        .body["sessions"]
        .as_array()
        .unwrap()
        .clone()
}

#[apply(both_stores)]
async fn r_acct_9_the_session_list_shows_each_session_without_its_token(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let first = s.patron("52000001").await;
    s.clock.advance(chrono::Duration::minutes(1));
    let library_pc = log_in_with(&s, "52000001", "Mozilla/5.0 (Windows NT 10.0) 図書館端末").await;
    let long_ua = format!("Mozilla/5.0 {}", "x".repeat(400));
    s.clock.advance(chrono::Duration::minutes(1));
    let phone = log_in_with(&s, "52000001", &long_ua).await;
    let list = sessions(&s, &phone).await;
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().filter(|x| x["current"] == true).count(), 1);
    assert_eq!(
        list[2]["current"], true,
        "oldest first; this one is the newest"
    );
    assert_eq!(
        list[1]["user_agent"],
        "Mozilla/5.0 (Windows NT 10.0) 図書館端末"
    );
    assert_eq!(
        list[2]["user_agent"].as_str().unwrap().chars().count(),
        200,
        "cut to 200 characters"
    );
    assert_eq!(list[1]["created_at"], "2026-12-01T01:01:00Z");
    assert!(list[1]["last_seen_at"].is_string());
    let ids: Vec<&str> = list
        .iter()
        .map(|x| x["session_id"].as_str().unwrap())
        .collect();
    for token in [&first, &library_pc, &phone] {
        let secret = token.split_once('.').unwrap().1;
        let hash = mypage::credentials::sha256_hex(secret);
        for id in &ids {
            assert!(!id.contains(secret) && !secret.contains(id) && !hash.contains(id));
        }
        // Nothing in the answer carries a token or its hash.
        let text = serde_json::to_string(&list).unwrap();
        assert!(!text.contains(secret) && !text.contains(&hash));
    }
    assert!(ids.iter().all(|id| SessionId::parse(id).is_ok()));
}

#[apply(both_stores)]
async fn r_acct_9_a_session_ended_from_the_list_is_over_at_once(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    let home = s.patron("52000002").await;
    let library_pc = log_in_with(&s, "52000002", "図書館の端末").await;
    let other = s.patron("52000003").await;
    let pc_id = sessions(&s, &home)
        .await
        .into_iter()
        .find(|x| x["user_agent"] == "図書館の端末")
        .unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.get("/api/me", Some(&library_pc)).await.expect(200);
    // Another patron cannot end it (404, as if it did not exist), nor can a made-up id.
    let path = format!("/api/me/sessions/{pc_id}");
    s.delete(&path, &other)
        .await
        .expect_error(404, "session_not_found");
    s.delete("/api/me/sessions/S-nosuchsession", &home)
        .await
        .expect_error(404, "session_not_found");
    s.delete("/api/me/sessions/%20", &home)
        .await
        .expect_error(404, "session_not_found");
    s.delete(&path, &home).await.expect(204);
    s.assert_no_session(Some(&library_pc)).await;
    s.delete(&path, &home)
        .await
        .expect_error(404, "session_not_found");
    assert_eq!(sessions(&s, &home).await.len(), 1);
    // Ending the current session is logging out.
    let mine = sessions(&s, &home).await[0]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.delete(&format!("/api/me/sessions/{mine}"), &home)
        .await
        .expect(204);
    s.assert_no_session(Some(&home)).await;
    s.get("/api/me", Some(&other)).await.expect(200);
}

#[apply(both_stores)]
async fn r_acct_9_a_session_stored_before_sessions_had_ids_is_listed_and_can_be_ended(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    let home = s.patron("52000004").await;
    let old = log_in_with(&s, "52000004", "古い端末").await;
    // Make that session as it was stored before: no session_id, no user_agent.
    let card = CardNumber::parse("52000004").unwrap();
    let store = &s.app().store;
    let hash = mypage::credentials::sha256_hex(old.split_once('.').unwrap().1);
    let Some(Record::Session(stored)) = store.get(&Key::Session(card, hash)).await.unwrap() else {
        panic!("the session is stored")
    };
    let mut v = serde_json::to_value(Record::Session(stored)).unwrap();
    v.as_object_mut().unwrap().remove("session_id");
    v.as_object_mut().unwrap().remove("user_agent");
    let before: Record = serde_json::from_value(v).unwrap();
    let _ = store.commit(Changes::none().update(before)).await.unwrap();
    s.get("/api/me", Some(&old)).await.expect(200);
    let list = sessions(&s, &home).await;
    assert_eq!(list.len(), 2);
    let named = list.iter().find(|x| x["current"] == false).unwrap();
    assert!(named["user_agent"].is_null());
    let id = named["session_id"].as_str().unwrap().to_owned();
    // The id it was given now stays.
    let again = sessions(&s, &home).await;
    assert!(again.iter().any(|x| x["session_id"] == id.as_str()));
    s.delete(&format!("/api/me/sessions/{id}"), &home)
        .await
        .expect(204);
    s.assert_no_session(Some(&old)).await;
}
