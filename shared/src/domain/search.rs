//! Catalog search (R-FIND-1, R-FIND-2), the pure part: how text is compared, the words of a
//! query, the text a title is searched by, the index entries that find it, the order of the
//! hits, and how one page of hits is read from an index. The index itself is behind the store
//! port (`write_postings`, `postings`, `gram_counts`); `app::search` drives it.
//!
//! The index: for every field of a title, each distinct character (unigram) and each pair of
//! neighbouring characters (bigram) of its folded text is a *gram*; a *posting* is one (gram,
//! title) pair, kept in the order of the hits. A query word of one character is looked up by
//! its unigram, a longer word by its bigrams: a title whose field contains the word contains
//! every one of them. So the postings of any one gram of the query hold every hit; a page is
//! read from the rarest one, and each candidate is checked against every word of the query.

use super::catalog::Title;
use super::record::Changes;
use super::types::{fold_for_matching, BibId, CheckedText, TextRule};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Between the fields of a title's search text. Folded text never contains it (folding drops
/// control characters), so a query word never matches across two fields.
pub const FIELD_SEPARATOR: char = '\u{1F}';
/// R-FIND-1: the longest query, in characters as the client sent it.
pub const MAX_QUERY_CHARS: usize = 200;
/// R-FIND-2: hits per page unless the request says otherwise, and the most it may ask for.
pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 50;
/// Postings read for one page at most. A page that reaches it ends early, with a token for
/// the rest: it costs a query whose words are each common but rarely together at most this
/// many items per page, and its pages are still exact.
pub const MAX_POSTINGS_PER_PAGE: usize = 500;

/// The text of one field as search compares it (R-FIND-1): `fold_for_matching`, which is NFKC,
/// lower case, katakana as hiragana, and no spaces, `・` or `＝`.
pub fn fold(s: &str) -> String {
    fold_for_matching(s)
}

/// The fields a title is found by: title, author, each subject, and the two readings.
fn fields(t: &Title) -> impl Iterator<Item = &str> {
    [t.title.as_str(), t.author.as_str()]
        .into_iter()
        .chain(t.subjects.iter().map(String::as_str))
        .chain([t.title_reading.as_str(), t.author_reading.as_str()])
}

/// A title's search text: its folded fields joined by `FIELD_SEPARATOR`. A word matches the
/// title when it occurs in this text.
pub fn search_text(t: &Title) -> String {
    let folded: Vec<String> = fields(t).map(fold).filter(|f| !f.is_empty()).collect();
    folded.join(&FIELD_SEPARATOR.to_string())
}

/// Every distinct unigram and bigram of each field of a search text.
pub fn grams_of(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for field in text.split(FIELD_SEPARATOR) {
        let chars: Vec<char> = field.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            out.insert(c.to_string());
            if let Some(next) = chars.get(i + 1) {
                out.insert([*c, *next].iter().collect());
            }
        }
    }
    out
}

/// The grams that find a word: its one character, or its bigrams.
fn grams_of_word(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    match chars.len() {
        0 => vec![],
        1 => vec![word.to_owned()],
        _ => chars.windows(2).map(|w| w.iter().collect()).collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidQuery {
    #[error("type one or more words to search for")]
    Empty,
    #[error("a search is at most {MAX_QUERY_CHARS} characters")]
    TooLong,
}

/// A search query: its words, folded, each non-empty (R-FIND-1). Word order and repeats do
/// not change the hits, so the words are kept sorted and once each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    /// Words are split on white space (the ideographic space too). At most
    /// `MAX_QUERY_CHARS` characters as sent; a query whose words all fold to nothing is empty.
    pub fn parse(raw: &str) -> Result<Query, InvalidQuery> {
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(InvalidQuery::TooLong);
        }
        let words: BTreeSet<String> = raw
            .split(char::is_whitespace)
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Err(InvalidQuery::Empty);
        }
        Ok(Query {
            words: words.into_iter().collect(),
        })
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Does a title with this search text match? Every word must occur in one of its fields.
    pub fn matches(&self, search_text: &str) -> bool {
        self.words.iter().all(|w| search_text.contains(w.as_str()))
    }

    /// The grams whose postings each hold every hit, once each.
    pub fn grams(&self) -> Vec<String> {
        let set: BTreeSet<String> = self.words.iter().flat_map(|w| grams_of_word(w)).collect();
        set.into_iter().collect()
    }

    /// Names the query inside a page token, so a token serves only the query it was made for.
    fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let joined = self.words.join(&FIELD_SEPARATOR.to_string());
        hex::encode(&Sha256::digest(joined.as_bytes())[..12])
    }
}

/// Where a title stands among the hits (R-FIND-2: latest added first, then by `bib_id`):
/// ascending order keys are the hits' order. Zero-padded digits of the time turned around,
/// then `#` and the `bib_id`, so the bytes compare as the titles do.
pub type OrderKey = CheckedText<OrderKeyFormat>;

/// The rule of `OrderKey`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderKeyFormat;

/// Digits of the seconds and of the nanoseconds (up to 2 * 10^9 - 1: chrono's leap second).
const SECS_DIGITS: usize = 20;
const NANOS_DIGITS: usize = 10;
const MAX_NANOS: u32 = 1_999_999_999;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an order key")]
pub struct InvalidOrderKey;

impl OrderKey {
    pub fn of(t: &Title) -> OrderKey {
        let secs = t.added_at.timestamp();
        let nanos = t.added_at.timestamp_subsec_nanos().min(MAX_NANOS);
        // i64 onto u64 keeping order, then turned around: later sorts first.
        let shifted = (i128::from(secs) - i128::from(i64::MIN)) as u64;
        OrderKey::accepted(format!(
            "{:0SECS_DIGITS$}{:0NANOS_DIGITS$}#{}",
            u64::MAX - shifted,
            MAX_NANOS - nanos,
            t.bib_id
        ))
    }

    /// The title this key places.
    pub fn bib_id(&self) -> BibId {
        BibId::parse(&self.as_str()[SECS_DIGITS + NANOS_DIGITS + 1..])
            .expect("an order key ends with a bib_id")
    }
}

impl TextRule for OrderKeyFormat {
    type Invalid = InvalidOrderKey;

    fn check(raw: &str) -> Result<String, InvalidOrderKey> {
        let digits = SECS_DIGITS + NANOS_DIGITS;
        let ok = raw.len() > digits + 1
            && raw.as_bytes()[..digits].iter().all(u8::is_ascii_digit)
            && raw.as_bytes()[digits] == b'#'
            && BibId::parse(&raw[digits + 1..]).is_ok()
            && raw[..SECS_DIGITS].parse::<u64>().is_ok()
            && raw[SECS_DIGITS..digits]
                .parse::<u32>()
                .is_ok_and(|n| n <= MAX_NANOS);
        if ok {
            Ok(raw.to_owned())
        } else {
            Err(InvalidOrderKey)
        }
    }

    fn debug(key: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrderKey({key:?})")
    }
}

/// One index entry: a title under one of its grams, with the title's search text so that a
/// candidate is checked without reading the title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub gram: String,
    pub order: OrderKey,
    pub text: String,
}

impl Posting {
    pub fn bib_id(&self) -> BibId {
        self.order.bib_id()
    }
}

/// A title's postings: one per distinct gram of its fields.
pub fn postings(t: &Title) -> Vec<Posting> {
    let text = search_text(t);
    let order = OrderKey::of(t);
    grams_of(&text)
        .into_iter()
        .map(|gram| Posting {
            gram,
            order: order.clone(),
            text: text.clone(),
        })
        .collect()
}

/// How many postings each gram gains from these.
pub fn gram_counts(postings: &[Posting]) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for p in postings {
        *counts.entry(p.gram.as_str()).or_default() += 1;
    }
    counts.into_iter().map(|(g, n)| (g.to_owned(), n)).collect()
}

/// A title just catalogued waits for its postings; once they are all written it is marked
/// indexed. The change, or none if it already is.
pub fn mark_indexed(t: &Title) -> Option<Changes> {
    t.search_pending.then(|| {
        Changes::none().update(Title {
            search_pending: false,
            ..t.clone()
        })
    })
}

/// Which postings a page is read from: none (a gram of the query has no postings, so nothing
/// matches), or those of the rarest gram. Counts may run high (an indexing that was
/// interrupted and finished again counts twice) but never low, so zero means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    NoHits,
    Read(String),
}

pub fn plan(query: &Query, counts: &[(String, u64)]) -> Plan {
    let count = |g: &str| counts.iter().find(|(c, _)| c == g).map_or(0, |(_, n)| *n);
    query
        .grams()
        .into_iter()
        .map(|g| (count(&g), g))
        .min()
        .filter(|(n, _)| *n > 0)
        .map_or(Plan::NoHits, |(_, g)| Plan::Read(g))
}

/// A page token: the query it was made for and the last order key the previous page read.
/// Opaque to clients (base64url of JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageToken {
    pub after: OrderKey,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    q: String,
    after: OrderKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("page_token was not issued for this search")]
pub struct InvalidPageToken;

impl PageToken {
    pub fn encode(&self, query: &Query) -> String {
        use base64::Engine;
        let body = TokenBody {
            q: query.fingerprint(),
            after: self.after.clone(),
        };
        let json = serde_json::to_vec(&body).expect("a token serializes");
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// A token the server issued for this query, or an error (never a panic) for anything
    /// else.
    pub fn decode(raw: &str, query: &Query) -> Result<PageToken, InvalidPageToken> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .map_err(|_| InvalidPageToken)?;
        let body: TokenBody = serde_json::from_slice(&bytes).map_err(|_| InvalidPageToken)?;
        if body.q != query.fingerprint() {
            return Err(InvalidPageToken);
        }
        Ok(PageToken { after: body.after })
    }
}

/// One page read from a plan's postings: it asks for postings in growing batches, checks each
/// against the query, and stops at `limit` hits plus one more (so that it knows whether a
/// next page exists), at the end of the postings, or at `max_postings` read.
#[derive(Debug)]
pub struct PageScan<'q> {
    query: &'q Query,
    limit: usize,
    max_postings: usize,
    hits: Vec<Posting>,
    /// One hit past the page was seen: there is a next page.
    more: bool,
    read: usize,
    last_read: Option<OrderKey>,
    /// The postings ran out.
    exhausted: bool,
    next_batch: usize,
}

/// The hits of a page and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOfHits {
    pub hits: Vec<Posting>,
    pub next: Option<PageToken>,
}

impl<'q> PageScan<'q> {
    pub fn new(
        query: &'q Query,
        after: Option<OrderKey>,
        limit: usize,
        max_postings: usize,
    ) -> Self {
        let limit = limit.max(1);
        PageScan {
            query,
            limit,
            max_postings: max_postings.max(1),
            hits: Vec::new(),
            more: false,
            read: 0,
            last_read: after,
            exhausted: false,
            next_batch: limit + 1,
        }
    }

    /// Read from after this key (None: from the start).
    pub fn after(&self) -> Option<&OrderKey> {
        self.last_read.as_ref()
    }

    /// How many postings to ask for next, or None when the page is complete.
    pub fn wants(&self) -> Option<usize> {
        if self.more || self.exhausted || self.read >= self.max_postings {
            return None;
        }
        Some(self.next_batch.min(self.max_postings - self.read))
    }

    /// The postings that came back for `wants()` (in order, after `after()`).
    pub fn take(&mut self, asked: usize, batch: Vec<Posting>) {
        if batch.len() < asked {
            self.exhausted = true;
        }
        for p in batch {
            if self.more || self.read >= self.max_postings {
                break;
            }
            self.read += 1;
            self.last_read = Some(p.order.clone());
            if self.query.matches(&p.text) {
                if self.hits.len() == self.limit {
                    self.more = true;
                } else {
                    self.hits.push(p);
                }
            }
        }
        self.next_batch = (self.next_batch * 2).min(self.max_postings);
    }

    pub fn postings_read(&self) -> usize {
        self.read
    }

    pub fn finish(self) -> PageOfHits {
        let next = if self.more {
            // The next page starts right after this page's last hit.
            self.hits.last().map(|h| PageToken {
                after: h.order.clone(),
            })
        } else if self.exhausted {
            None
        } else {
            // Stopped at the cap: nothing between the last hit and the last posting read
            // matched, so the next page starts after that posting.
            self.last_read.map(|after| PageToken { after })
        };
        PageOfHits {
            hits: self.hits,
            next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn title(bib: &str, name: &str, author: &str, subjects: &[&str], at: &str) -> Title {
        Title::catalogue(
            BibId::parse(bib).unwrap(),
            name.into(),
            author.into(),
            subjects.iter().map(|s| s.to_string()).collect(),
            at.parse::<DateTime<Utc>>().unwrap(),
        )
    }

    fn hit(q: &str, t: &Title) -> bool {
        Query::parse(q).unwrap().matches(&search_text(t))
    }

    #[test]
    fn r_find_1_folding_ignores_width_case_kana_spaces_and_name_marks() {
        assert_eq!(fold("ＡＢＣ ｄｅｆ"), "abcdef");
        assert_eq!(fold("ムラカミ ハルキ"), "むらかみはるき");
        assert_eq!(fold("ﾑﾗｶﾐ"), "むらかみ");
        assert_eq!(fold("ガルシア＝マルケス"), "がるしあまるけす");
        assert_eq!(fold("ガルシア=マルケス"), "がるしあまるけす");
        assert_eq!(fold("ミヒャエル・エンデ"), "みひゃえるえんで");
        assert_eq!(fold("ｺｰﾋｰ"), "こーひー", "the long vowel mark stays");
        assert_eq!(fold("ヴ"), "ゔ");
        assert!(!fold("a\u{1F}b").contains(FIELD_SEPARATOR));
    }

    #[test]
    fn r_find_1_every_word_must_occur_in_a_field() {
        let mut t = title(
            "B1",
            "ノルウェイの森",
            "村上 春樹",
            &["日本文学"],
            "2026-01-01T00:00:00Z",
        );
        t.title_reading = "ノルウェイ ノ モリ".into();
        t.author_reading = "ムラカミ ハルキ".into();
        assert!(hit("村上春樹", &t));
        assert!(hit("村上 春樹", &t));
        assert!(hit("むらかみ", &t));
        assert!(hit("ムラカミ　ハルキ 森", &t));
        assert!(hit("森", &t), "one character is a word");
        assert!(hit("ﾉﾙｳｪｲ", &t));
        assert!(!hit("村上 夏目", &t), "every word must match");
        assert!(!hit("森村上", &t), "a word never spans two fields");
        assert!(!hit("文学ノルウェイ", &t));
    }

    #[test]
    fn r_find_1_queries_are_bounded_and_not_empty() {
        assert_eq!(Query::parse(""), Err(InvalidQuery::Empty));
        assert_eq!(Query::parse(" 　 "), Err(InvalidQuery::Empty));
        assert_eq!(Query::parse("・ ＝"), Err(InvalidQuery::Empty));
        assert!(Query::parse(&"猫".repeat(200)).is_ok());
        assert_eq!(Query::parse(&"猫".repeat(201)), Err(InvalidQuery::TooLong));
        // Counted as sent: 200 spaces around one word are 201 characters.
        assert_eq!(
            Query::parse(&format!("猫{}", " ".repeat(200))),
            Err(InvalidQuery::TooLong)
        );
        let q = Query::parse("猫　犬 猫 ・").unwrap();
        assert_eq!(q.words(), ["犬", "猫"]);
    }

    #[test]
    fn the_postings_of_any_gram_of_a_matching_word_hold_the_title() {
        let t = title(
            "B1",
            "吾輩は猫である",
            "夏目漱石",
            &[],
            "2026-01-01T00:00:00Z",
        );
        let grams: BTreeSet<String> = postings(&t).into_iter().map(|p| p.gram).collect();
        for q in ["猫", "吾輩", "猫である", "夏目 漱石"] {
            let q = Query::parse(q).unwrap();
            assert!(q.matches(&search_text(&t)));
            for g in q.grams() {
                assert!(grams.contains(&g), "{g}");
            }
        }
        assert!(!grams.contains("る夏"), "no gram spans two fields");
    }

    #[test]
    fn r_find_2_order_keys_sort_latest_first_then_by_bib_id() {
        let keys: Vec<OrderKey> = [
            ("B", "2026-01-02T00:00:00Z"),
            ("A", "2026-01-02T00:00:00Z"),
            ("A-1", "2026-01-02T00:00:00Z"),
            ("A", "2026-01-02T00:00:00.000000001Z"),
            ("Z", "1960-01-01T00:00:00Z"),
            ("Z", "2026-01-01T23:59:59.999Z"),
        ]
        .iter()
        .map(|(b, at)| OrderKey::of(&title(b, "t", "", &[], at)))
        .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        let bibs: Vec<String> = sorted.iter().map(|k| k.bib_id().to_string()).collect();
        assert_eq!(bibs, ["A", "A", "A-1", "B", "Z", "Z"]);
        assert_eq!(sorted[0], keys[3], "a nanosecond later comes first");
        assert_eq!(sorted[4], keys[5]);
        for k in &keys {
            assert_eq!(OrderKey::parse(k.as_str()).as_ref(), Ok(k));
        }
        assert!(OrderKey::parse("123#B").is_err());
        assert!(OrderKey::parse(&format!("{}#", "0".repeat(30))).is_err());
        assert!(OrderKey::parse(&format!("{}#B 1", "0".repeat(30))).is_err());
    }

    #[test]
    fn r_find_2_a_forged_or_foreign_page_token_is_refused() {
        let q = Query::parse("猫").unwrap();
        let other = Query::parse("犬").unwrap();
        let t = title("B1", "猫", "", &[], "2026-01-01T00:00:00Z");
        let token = PageToken {
            after: OrderKey::of(&t),
        };
        let raw = token.encode(&q);
        assert_eq!(PageToken::decode(&raw, &q), Ok(token));
        assert_eq!(PageToken::decode(&raw, &other), Err(InvalidPageToken));
        for forged in [
            "",
            "x",
            "!!!",
            "eyJ9",
            &raw[1..],
            "eyJxIjoiYSIsImFmdGVyIjoiMSJ9",
        ] {
            assert_eq!(PageToken::decode(forged, &q), Err(InvalidPageToken));
        }
    }

    #[test]
    fn the_plan_reads_the_rarest_gram_and_none_when_one_has_no_postings() {
        let q = Query::parse("京都 庭").unwrap();
        assert_eq!(q.grams(), ["京都", "庭"]);
        let counts = vec![("京都".to_owned(), 50), ("庭".to_owned(), 7)];
        assert_eq!(plan(&q, &counts), Plan::Read("庭".into()));
        assert_eq!(plan(&q, &counts[..1]), Plan::NoHits);
    }

    fn posting(bib: &str, text: &str) -> Posting {
        let t = title(bib, "t", "", &[], "2026-01-01T00:00:00Z");
        Posting {
            gram: "g".into(),
            order: OrderKey::of(&t),
            text: text.into(),
        }
    }

    #[test]
    fn a_page_stops_after_one_hit_more_than_it_shows() {
        let q = Query::parse("猫").unwrap();
        let mut scan = PageScan::new(&q, None, 2, 100);
        assert_eq!(scan.wants(), Some(3));
        scan.take(
            3,
            vec![posting("A", "猫"), posting("B", "犬"), posting("C", "猫")],
        );
        assert_eq!(scan.wants(), Some(6));
        scan.take(6, vec![posting("D", "猫"), posting("E", "猫")]);
        assert_eq!(scan.wants(), None);
        let page = scan.finish();
        assert_eq!(page.hits.len(), 2);
        assert_eq!(page.next.unwrap().after, posting("C", "").order);
    }

    #[test]
    fn a_page_that_reaches_the_cap_continues_after_the_last_posting_read() {
        let q = Query::parse("猫").unwrap();
        let mut scan = PageScan::new(&q, None, 5, 3);
        assert_eq!(scan.wants(), Some(3));
        scan.take(
            3,
            vec![posting("A", "犬"), posting("B", "猫"), posting("C", "犬")],
        );
        assert_eq!(scan.wants(), None);
        let page = scan.finish();
        assert_eq!(page.hits.len(), 1);
        assert_eq!(page.next.unwrap().after, posting("C", "").order);
        // The end of the postings: no next page.
        let mut scan = PageScan::new(&q, None, 5, 100);
        scan.take(6, vec![posting("A", "猫")]);
        assert_eq!(scan.wants(), None);
        assert_eq!(scan.finish().next, None);
    }
}
