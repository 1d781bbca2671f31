//! The generated catalog of `make bench`'s search section: short Japanese titles (a few words,
//! an author, a subject; about 25 postings each), with words planted so that each query class
//! has a known answer.

use chrono::{DateTime, Duration, Utc};
use mypage::domain::search;
use mypage::domain::types::BibId;
use mypage::domain::{Record, Title};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Two-character words. None contains 歴, 史, 料, 蜃 or 楼, so the planted words' bigrams
/// occur only where they are planted or drawn.
const WORDS: &[&str] = &[
    "自然",
    "科学",
    "宇宙",
    "音楽",
    "美術",
    "写真",
    "旅行",
    "文化",
    "社会",
    "経済",
    "政治",
    "教育",
    "子供",
    "家族",
    "生活",
    "健康",
    "医学",
    "哲学",
    "宗教",
    "言語",
    "文学",
    "詩集",
    "物語",
    "昔話",
    "童話",
    "動物",
    "植物",
    "昆虫",
    "海洋",
    "山岳",
    "森林",
    "河川",
    "気象",
    "地震",
    "火山",
    "天文",
    "数学",
    "化学",
    "生物",
    "建築",
    "庭園",
    "工芸",
    "陶芸",
    "茶道",
    "華道",
    "書道",
    "着物",
    "祭礼",
    "民俗",
    "神社",
    "寺院",
    "仏像",
    "城郭",
    "鉄道",
    "航空",
    "船舶",
    "農業",
    "漁業",
    "林業",
    "商業",
    "工業",
    "情報",
    "電子",
    "通信",
    "放送",
    "新聞",
    "雑誌",
    "図書",
    "辞典",
    "年鑑",
    "地図",
    "時代",
    "近代",
    "現代",
    "古代",
    "中世",
    "江戸",
    "明治",
    "大正",
    "昭和",
    "平成",
    "日本",
    "世界",
    "東洋",
    "西洋",
    "大阪",
    "奈良",
    "東京",
    "北海",
    "九州",
    "四国",
    "沖縄",
    "紀行",
    "随筆",
    "評論",
    "小説",
    "短編",
    "長編",
    "名作",
    "入門",
    "基礎",
    "応用",
    "実践",
    "研究",
    "概論",
    "講座",
    "図鑑",
    "百科",
    "手帳",
    "記録",
    "年表",
    "未来",
    "季節",
    "暮らし",
    "風景",
    "子育て",
    "野菜",
    "果物",
    "魚類",
    "花火",
];
const SURNAMES: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "山下",
    "中島",
    "石井",
    "小川",
    "前田",
    "岡田",
    "長谷川",
    "藤田",
    "後藤",
    "近藤",
];
const GIVEN: &[&str] = &[
    "一郎", "二郎", "三郎", "花子", "和子", "洋子", "幸子", "美穂", "直樹", "健太", "翔太", "大輔",
    "裕子", "真一", "浩二", "明美", "恵子", "智子", "隆", "誠", "茂", "進", "愛", "望",
];
const SUBJECTS: &[&str] = &[
    "日本文学",
    "外国文学",
    "児童書",
    "絵本",
    "自然科学",
    "社会科学",
    "芸術",
    "工学",
    "産業",
    "地誌",
    "伝記",
    "辞書",
    "郷土資料",
    "趣味",
    "スポーツ",
    "家政",
    "医療",
    "言語学",
];

/// The query classes, with the number of titles each must find.
pub struct Planted {
    /// A word in `RARE` titles only.
    pub rare: &'static str,
    pub rare_hits: usize,
    /// `rare` with a word in about 10% of titles; `rare_with_common_hits` titles have both.
    pub common: &'static str,
    pub rare_with_common_hits: usize,
    /// Two words in about 6% of titles each, together in `pair_hits` only.
    pub pair: (&'static str, &'static str),
    pub pair_hits: usize,
    /// One character in about 40% of titles.
    pub one_char: &'static str,
}

pub const PLANTED: Planted = Planted {
    rare: "蜃気楼",
    rare_hits: 8,
    common: "京都",
    rare_with_common_hits: 4,
    pair: ("歴史", "料理"),
    pair_hits: 12,
    one_char: "の",
};

/// Title `i` of `n`: the newest is 0, each one a second older than the one before, with a
/// tie every fourth title.
fn title(i: usize, n: usize, rng: &mut StdRng, newest: DateTime<Utc>) -> Title {
    let pick = |rng: &mut StdRng, list: &[&'static str]| list[rng.gen_range(0..list.len())];
    let word = |rng: &mut StdRng| -> &'static str {
        let r: f64 = rng.gen();
        if r < 0.06 {
            PLANTED.pair.0
        } else if r < 0.12 {
            PLANTED.pair.1
        } else if r < 0.17 {
            PLANTED.common
        } else {
            pick(rng, WORDS)
        }
    };
    let count = if rng.gen_bool(0.2) { 3 } else { 2 };
    let mut words: Vec<&str> = Vec::new();
    while words.len() < count {
        let w = word(rng);
        let (a, b) = PLANTED.pair;
        let both = (w == a && words.contains(&b)) || (w == b && words.contains(&a));
        if !words.contains(&w) && !both {
            words.push(w);
        }
    }
    // Planted, spread over the catalog.
    let stride = n / 32;
    let slot = (i % stride.max(1) == stride / 2).then_some(i / stride.max(1));
    match slot {
        Some(k) if k < PLANTED.rare_with_common_hits => {
            words = vec![PLANTED.common, PLANTED.rare];
        }
        Some(k) if k < PLANTED.rare_hits => {
            words = vec![PLANTED.rare, pick(rng, WORDS)];
        }
        Some(k) if (16..16 + PLANTED.pair_hits).contains(&k) => {
            words = vec![PLANTED.pair.0, PLANTED.pair.1, pick(rng, WORDS)];
        }
        _ => {}
    }
    let mut name = String::new();
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            let r: f64 = rng.gen();
            name.push_str(if r < 0.45 {
                "の"
            } else if r < 0.55 {
                "と"
            } else {
                ""
            });
        }
        name.push_str(w);
    }
    let author = format!("{} {}", pick(rng, SURNAMES), pick(rng, GIVEN));
    let subject = pick(rng, SUBJECTS).to_owned();
    let at = newest - Duration::seconds((i - i % 4) as i64);
    Title::catalogue(
        BibId::parse(&format!("S{i:07}")).expect("a bib_id"),
        name,
        author,
        vec![subject],
        at,
    )
}

/// Titles as stored once indexed, in chunks (so that the postings of one chunk at a time
/// are held in memory).
pub fn corpus(n: usize, newest: DateTime<Utc>) -> impl Iterator<Item = Vec<Title>> {
    let mut rng = StdRng::seed_from_u64(2026);
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= n {
            return None;
        }
        let end = (i + 2_000).min(n);
        let chunk = (i..end)
            .map(|k| indexed(title(k, n, &mut rng, newest)))
            .collect();
        i = end;
        Some(chunk)
    })
}

/// The title marked indexed, as the domain marks it.
fn indexed(t: Title) -> Title {
    match search::mark_indexed(&t)
        .and_then(|c| c.into_iter().next())
        .map(|c| c.record().clone())
    {
        Some(Record::Title(t)) => t,
        _ => t,
    }
}
