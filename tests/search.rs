//! Catalog search (R-FIND-1, R-FIND-2): the HTTP route on both stores, and the property test
//! that the indexed search returns exactly what a linear scan of the catalog returns, in the
//! same order, page after page.

use chrono::{DateTime, Duration, Utc};
use mypage::adapters::{MemoryStore, PinnedClock};
use mypage::app::search as app_search;
use mypage::domain::search::{self, PageToken, Query};
use mypage::domain::types::BibId;
use mypage::domain::{Changes, Title};
use mypage::ports::Clock;
use mypage_tests::both_stores;
use mypage_tests::{pick, test_config, StoreKind, TestServer, TITLE_COUNTS};
use proptest::prelude::*;
use rstest::rstest;
use rstest_reuse::apply;
use serde_json::{json, Value};
use std::sync::Arc;

async fn add(s: &TestServer, body: Value) {
    s.staff("/api/staff/titles", body).await.expect(201);
}

async fn find(s: &TestServer, q: &str) -> Value {
    search_with(s, &format!("q={}", enc(q))).await
}

/// The search route's answer (200) to the query string `params` (`q=...&limit=...`).
async fn search_with(s: &TestServer, params: &str) -> Value {
    s.get(&format!("/api/catalog/search?{params}"), None)
        .await
        .expect(200)
        .body
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn bibs(body: &Value) -> Vec<String> {
    body["titles"]
        .as_array()
        .expect("titles")
        .iter()
        .map(|t| t["bib_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn found(s: &TestServer, q: &str) -> Vec<String> {
    let mut out = bibs(&find(s, q).await);
    out.sort();
    out
}

async fn library(s: &TestServer) {
    add(
        s,
        json!({"bib_id": "NORWAY", "title": "ノルウェイの森", "author": "村上 春樹",
               "subjects": ["日本文学"], "title_reading": "ノルウェイ ノ モリ",
               "author_reading": "ムラカミ ハルキ"}),
    )
    .await;
    add(
        s,
        json!({"bib_id": "NEKO", "title": "吾輩は猫である", "author": "夏目 漱石",
               "subjects": ["日本文学", "小説"], "author_reading": "ナツメ ソウセキ"}),
    )
    .await;
    add(
        s,
        json!({"bib_id": "PY", "title": "ＰＹＴＨＯＮ入門", "author": "Guido van Rossum",
               "subjects": ["プログラミング"]}),
    )
    .await;
    add(
        s,
        json!({"bib_id": "GARCIA", "title": "百年の孤独", "author": "ガルシア＝マルケス",
               "subjects": ["ラテンアメリカ文学"]}),
    )
    .await;
    add(
        s,
        json!({"bib_id": "ENDE", "title": "モモ", "author": "ミヒャエル・エンデ",
               "subjects": ["児童文学"], "title_reading": "モモ"}),
    )
    .await;
}

#[apply(both_stores)]
async fn r_find_1_every_word_must_match_in_title_author_subjects_or_readings(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    library(&s).await;
    assert_eq!(found(&s, "日本文学").await, ["NEKO", "NORWAY"]);
    assert_eq!(found(&s, "日本文学 村上").await, ["NORWAY"]);
    assert_eq!(found(&s, "日本文学 村上 猫").await, Vec::<String>::new());
    for (query, want, field) in [
        ("小説 夏目", "NEKO", "subjects and author"),
        ("そうせき", "NEKO", "the author's reading"),
        ("のもり", "NORWAY", "the title's reading"),
    ] {
        assert_eq!(found(&s, query).await, [want], "{field}");
    }
    assert_eq!(found(&s, "文学").await.len(), 4);
    // A word never spans two fields: the title ends in 森, the author begins with 村.
    assert!(found(&s, "森村上").await.is_empty());
    assert!(found(&s, "象").await.is_empty());
}

#[apply(both_stores)]
async fn r_find_1_width_case_kana_and_spaces_are_ignored(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    library(&s).await;
    // Each way of writing it, and what it differs in from the catalog's text.
    for (query, how) in [
        ("村上春樹", "finds 村上 春樹"),
        ("村上 春樹", "as catalogued"),
        ("村上　春樹", "ideographic space"),
        ("むらかみ", "finds ムラカミ ハルキ"),
        ("ﾑﾗｶﾐ ﾊﾙｷ", "half-width kana"),
        ("ﾉﾙｳｪｲ", "half-width kana of the title"),
    ] {
        assert_eq!(found(&s, query).await, ["NORWAY"], "{query}: {how}");
    }
    for (query, how) in [
        ("python", "full-width capitals"),
        ("Ｐｙｔｈｏｎ", "full width, mixed case"),
        ("GUIDO vanrossum", "the author, case and spaces"),
        ("ぷろぐらみんぐ", "hiragana finds katakana"),
    ] {
        assert_eq!(found(&s, query).await, ["PY"], "{query}: {how}");
    }
}

#[apply(both_stores)]
async fn r_find_1_a_single_character_is_a_word(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    library(&s).await;
    assert_eq!(found(&s, "猫").await, ["NEKO"]);
    assert_eq!(found(&s, "森").await, ["NORWAY"]);
    assert_eq!(found(&s, "も").await, ["ENDE", "NORWAY"], "モモ, モリ");
    assert_eq!(found(&s, "猫 夏").await, ["NEKO"]);
}

#[apply(both_stores)]
async fn r_find_1_middle_dots_and_equals_signs_are_ignored(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    library(&s).await;
    // Each name as catalogued, without its mark, and with another one.
    for query in [
        "ガルシア＝マルケス",
        "ガルシアマルケス",
        "ガルシア=マルケス",
    ] {
        assert_eq!(found(&s, query).await, ["GARCIA"], "{query}");
    }
    for query in ["ミヒャエル・エンデ", "ミヒャエルエンデ", "ﾐﾋｬｴﾙ･ｴﾝﾃﾞ"]
    {
        assert_eq!(found(&s, query).await, ["ENDE"], "{query}");
    }
    assert_eq!(
        found(&s, "エンデ ・").await,
        ["ENDE"],
        "a word of only ・ is no word"
    );
}

#[apply(both_stores)]
async fn r_find_1_an_empty_or_too_long_query_is_invalid_query(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    library(&s).await;
    for path in [
        "/api/catalog/search".to_owned(),
        "/api/catalog/search?q=".to_owned(),
        format!("/api/catalog/search?q={}", enc(" 　 ")),
        format!("/api/catalog/search?q={}", enc("・ ＝")),
        format!("/api/catalog/search?q={}", enc(&"猫".repeat(201))),
        // Counted as sent: spaces count.
        format!(
            "/api/catalog/search?q={}",
            enc(&format!("猫{}", " ".repeat(200)))
        ),
    ] {
        s.get(&path, None).await.expect_error(400, "invalid_query");
    }
    let two_hundred = find(&s, &format!("猫{}", "　".repeat(199))).await;
    assert_eq!(bibs(&two_hundred), ["NEKO"], "200 characters are allowed");
    for limit in ["0", "51", "x", "-1"] {
        s.get(&format!("/api/catalog/search?q=a&limit={limit}"), None)
            .await
            .expect_error(400, "invalid_request");
    }
}

#[apply(both_stores)]
async fn r_find_2_hits_carry_title_author_copies_availability_and_waiting_holds(
    #[case] kind: StoreKind,
) {
    let s = TestServer::start(kind).await;
    add(
        &s,
        json!({"bib_id": "OUT", "title": "鴨川の四季", "author": "佐藤 一郎", "subjects": ["京都"]}),
    )
    .await;
    s.clock.advance(Duration::minutes(1));
    add(
        &s,
        json!({"bib_id": "SHELF", "title": "鴨川の橋", "author": "橋本 二郎"}),
    )
    .await;
    for (barcode, bib) in [("OUT-1", "OUT"), ("SHELF-1", "SHELF"), ("SHELF-2", "SHELF")] {
        s.add_copy(barcode, bib).await.expect(201);
    }
    s.register("20000001", "利用者 一", false).await;
    s.register("20000002", "利用者 二", false).await;
    s.check_out("20000001", "OUT-1").await.expect(201);
    s.staff_hold("20000002", "OUT", "none").await.expect(201);
    let body = find(&s, "鴨川").await;
    let hits = body["titles"].as_array().unwrap();
    assert_eq!(bibs(&body), ["SHELF", "OUT"], "latest added first");
    assert_eq!(hits[1]["title"], "鴨川の四季");
    assert_eq!(hits[1]["author"], "佐藤 一郎");
    assert_eq!(hits[1]["subjects"], json!(["京都"]));
    assert_eq!(
        pick(&hits[1], TITLE_COUNTS),
        json!({"copies": 1, "available": 0, "waiting_holds": 1})
    );
    assert_eq!(
        pick(&hits[0], TITLE_COUNTS),
        json!({"copies": 2, "available": 2, "waiting_holds": 0})
    );
    assert_eq!(body["next_page_token"], Value::Null);
}

#[apply(both_stores)]
async fn r_find_2_pages_of_20_newest_first_then_by_bib_id_with_a_token(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    // 45 titles, three at each instant, added out of bib_id order; 5 that do not match.
    let mut expected: Vec<(DateTime<Utc>, String)> = Vec::new();
    for i in 0..45 {
        if i % 3 == 0 {
            s.clock.advance(Duration::minutes(1));
        }
        let bib = format!("P{:02}", (i * 7) % 45);
        add(
            &s,
            json!({"bib_id": bib, "title": format!("京都の庭 {i}"), "author": "庭師"}),
        )
        .await;
        expected.push((s.clock.now(), bib));
    }
    for i in 0..5 {
        add(
            &s,
            json!({"bib_id": format!("X{i}"), "title": "大阪の庭", "author": "庭師"}),
        )
        .await;
    }
    expected.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let expected: Vec<String> = expected.into_iter().map(|(_, b)| b).collect();

    let first = find(&s, "京都 庭").await;
    assert_eq!(bibs(&first), expected[..20]);
    let token = first["next_page_token"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = search_with(&s, &format!("q={}&page_token={token}", enc("庭 京都"))).await;
    assert_eq!(
        bibs(&second),
        expected[20..40],
        "word order does not matter"
    );
    let token = second["next_page_token"].as_str().unwrap().to_owned();
    let third = search_with(&s, &format!("q={}&page_token={token}", enc("京都 庭"))).await;
    assert_eq!(bibs(&third), expected[40..]);
    assert_eq!(third["next_page_token"], Value::Null, "the last page");

    // limit: 1 to 50.
    let all = search_with(&s, &format!("q={}&limit=50", enc("京都 庭"))).await;
    assert_eq!(bibs(&all), expected);
    assert_eq!(all["next_page_token"], Value::Null);
    let one = search_with(&s, &format!("q={}&limit=1", enc("京都"))).await;
    assert_eq!(bibs(&one), expected[..1]);
    assert!(one["next_page_token"].is_string());
}

#[apply(both_stores)]
async fn r_find_2_a_title_added_at_the_counter_is_findable_at_once(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    library(&s).await;
    assert!(found(&s, "銀河鉄道").await.is_empty());
    add(
        &s,
        json!({"bib_id": "GINGA", "title": "銀河鉄道の夜", "author": "宮沢 賢治",
               "title_reading": "ギンガ テツドウ ノ ヨル", "author_reading": "ミヤザワ ケンジ"}),
    )
    .await;
    assert_eq!(found(&s, "銀河鉄道").await, ["GINGA"]);
    assert_eq!(found(&s, "みやざわけんじ").await, ["GINGA"]);
    let t = s.get("/api/catalog/titles/GINGA", None).await.expect(200);
    assert_eq!(t.body["title_reading"], "ギンガ テツドウ ノ ヨル");
    assert_eq!(t.body["author_reading"], "ミヤザワ ケンジ");
    assert_eq!(
        s.get("/api/catalog/titles/NEKO", None)
            .await
            .expect(200)
            .body["title_reading"],
        ""
    );
    // Readings are counter text: bounded, no control characters.
    s.staff(
        "/api/staff/titles",
        json!({"bib_id": "BAD", "title": "t", "title_reading": "ア".repeat(501)}),
    )
    .await
    .expect_error(400, "invalid_request");
    s.staff(
        "/api/staff/titles",
        json!({"bib_id": "BAD", "title": "t", "author_reading": "a\u{7}"}),
    )
    .await
    .expect_error(400, "invalid_request");
}

#[apply(both_stores)]
async fn r_find_2_a_page_token_the_server_did_not_issue_is_400(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    for i in 0..3 {
        add(
            &s,
            json!({"bib_id": format!("C{i}"), "title": "猫の本", "author": "猫田"}),
        )
        .await;
    }
    let page = search_with(&s, "q=%E7%8C%AB&limit=1").await;
    let token = page["next_page_token"].as_str().unwrap().to_owned();
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for forged in [
        "x".to_owned(),
        "%E7%8C%AB".to_owned(),
        "eyJxIjoiMSIsImFmdGVyIjoiMiJ9".to_owned(),
        tampered,
        "A".repeat(4000),
    ] {
        s.get(
            &format!("/api/catalog/search?q=%E7%8C%AB&page_token={forged}"),
            None,
        )
        .await
        .expect_error(400, "invalid_request");
    }
    // A token is for the query it came with.
    s.get(
        &format!("/api/catalog/search?q=%E6%9C%AC&page_token={token}"),
        None,
    )
    .await
    .expect_error(400, "invalid_request");
    s.get(
        &format!("/api/catalog/search?q=%E7%8C%AB&limit=1&page_token={token}"),
        None,
    )
    .await
    .expect(200);
}

/// A title without subjects, catalogued at the server's now.
fn catalogued_now(s: &TestServer, bib: &str, title: &str, author: &str) -> Title {
    Title::catalogue(
        BibId::parse(bib).unwrap(),
        title.into(),
        author.into(),
        vec![],
        s.clock.now(),
    )
}

/// Stores `title` in the catalog without indexing it for search.
async fn commit_unindexed(s: &TestServer, title: &Title) {
    let _ = s
        .app()
        .store
        .commit(Changes::none().create(title.clone()))
        .await
        .unwrap();
}

#[apply(both_stores)]
async fn r_find_2_the_reindex_finishes_an_interrupted_indexing(#[case] kind: StoreKind) {
    let s = TestServer::start(kind).await;
    library(&s).await;
    // A title committed whose indexing never ran: what a staff call cut off after its commit
    // leaves.
    let cut = catalogued_now(&s, "CUT", "檸檬", "梶井 基次郎")
        .read_as(String::new(), "カジイ モトジロウ".into());
    commit_unindexed(&s, &cut).await;
    // ... or one cut off after its counts were added.
    let half = catalogued_now(&s, "HALF", "檸檬の歌", "");
    commit_unindexed(&s, &half).await;
    let p = search::postings(&half);
    s.app()
        .store
        .add_gram_counts(&search::gram_counts(&p))
        .await
        .unwrap();
    assert!(found(&s, "檸檬").await.is_empty());
    let report = s.run_job("search-index", None).await;
    assert_eq!(
        pick(&report, &["pending", "indexed"]),
        json!({"pending": 2, "indexed": 2})
    );
    assert_eq!(found(&s, "檸檬").await, ["CUT", "HALF"]);
    assert_eq!(found(&s, "かじい").await, ["CUT"]);
    let again = s.run_job("search-index", None).await;
    assert_eq!(again["pending"], 0, "nothing left to do");
    assert_eq!(found(&s, "檸檬").await, ["CUT", "HALF"]);
    s.start_job("search-index", Some(json!({"all": true})))
        .await
        .expect_error(400, "invalid_request");
}

// ---------------------------------------------------------------- against the reference

/// Characters that overlap a lot: kanji, both kana for the same sounds, latin in both widths
/// and cases, the marks search ignores, and spaces.
const ALPHABET: &[char] = &[
    '猫', '犬', '京', '都', 'ね', 'こ', 'ネ', 'コ', 'ｺ', 'a', 'A', 'ａ', 'b', '・', '＝', 'ー', ' ',
];

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..max)
        .prop_map(|cs| cs.into_iter().collect())
}

#[derive(Debug, Clone)]
struct Entry {
    title: String,
    author: String,
    subjects: Vec<String>,
    title_reading: String,
    author_reading: String,
    /// Minutes after the start: few values, so that titles tie.
    minute: i64,
    /// Indexed twice, as when the re-index finishes an indexing whose counts were added.
    twice: bool,
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        text(7),
        text(5),
        proptest::collection::vec(text(4), 0..3),
        text(6),
        text(5),
        0..4i64,
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |(title, author, subjects, title_reading, author_reading, minute, twice)| Entry {
                title: if title.trim().is_empty() {
                    "本".into()
                } else {
                    title
                },
                author,
                subjects,
                title_reading,
                author_reading,
                minute,
                twice,
            },
        )
}

/// The reference: every title, checked one by one, sorted by the rule.
fn linear_scan(titles: &[Title], query: &Query) -> Vec<String> {
    let mut hits: Vec<&Title> = titles
        .iter()
        .filter(|t| query.matches(&search::search_text(t)))
        .collect();
    hits.sort_by(|a, b| {
        b.added_at
            .cmp(&a.added_at)
            .then_with(|| a.bib_id.cmp(&b.bib_id))
    });
    hits.iter().map(|t| t.bib_id.to_string()).collect()
}

async fn indexed_search(
    app: &mypage::App,
    query: &Query,
    limits: &[usize],
    cap: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut token: Option<PageToken> = None;
    for page_no in 0.. {
        let limit = limits[page_no % limits.len()];
        let page = app_search::search_page(app, query, token.take(), limit, cap)
            .await
            .expect("a page");
        assert!(page.titles.len() <= limit);
        out.extend(page.titles.iter().map(|t| t.bib_id.to_string()));
        match page.next_page_token {
            Some(raw) => {
                token = Some(PageToken::decode(&raw, query).expect("the server's own token"))
            }
            None => break,
        }
        assert!(page_no < 10_000, "paging ends");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn r_find_1_r_find_2_indexed_search_returns_exactly_what_a_linear_scan_returns(
        catalog in proptest::collection::vec(entry(), 0..24),
        queries in proptest::collection::vec(text(5), 1..6),
        limits in proptest::collection::vec(1usize..6, 1..4),
        cap in 1usize..10,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        rt.block_on(async {
            let start: DateTime<Utc> = "2026-12-01T01:00:00Z".parse().unwrap();
            let clock = Arc::new(PinnedClock::new(start));
            let app = mypage::adapters::embedded(
                test_config(),
                Arc::new(MemoryStore::new()),
                clock as Arc<dyn Clock>,
            )
            .app;
            let mut titles = Vec::new();
            for (i, e) in catalog.iter().enumerate() {
                let t = Title::catalogue(
                    BibId::parse(&format!("T{}", (i * 5) % 24)).unwrap_or_else(|_| unreachable!()),
                    e.title.clone(),
                    e.author.clone(),
                    e.subjects.clone(),
                    start + Duration::minutes(e.minute),
                )
                .read_as(e.title_reading.clone(), e.author_reading.clone());
                if titles.iter().any(|x: &Title| x.bib_id == t.bib_id) {
                    continue;
                }
                let _ = app.store.commit(Changes::none().create(t.clone())).await.unwrap();
                if e.twice {
                    let p = search::postings(&t);
                    app.store.add_gram_counts(&search::gram_counts(&p)).await.unwrap();
                }
                app_search::index_title(&app, &t).await.unwrap();
                titles.push(t);
            }
            for raw in &queries {
                let Ok(query) = Query::parse(raw) else {
                    // Nothing to search for: the route answers invalid_query.
                    assert!(app_search::search(&app, raw, None, 20).await.is_err());
                    continue;
                };
                let expected = linear_scan(&titles, &query);
                let got = indexed_search(&app, &query, &limits, cap).await;
                assert_eq!(got, expected, "query {raw:?}");
                let whole = indexed_search(&app, &query, &[50], search::MAX_POSTINGS_PER_PAGE).await;
                assert_eq!(whole, expected, "query {raw:?} at the route's own cap");
            }
        });
    }
}
