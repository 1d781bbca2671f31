//! Demo data for a fresh dev store, relative to the clock's today. The logins are listed in
//! README.md; every renewal state of R-RENEW-1..5 appears on the first patron's loan list;
//! about sixty titles with kana readings make the catalog search worth trying (R-FIND-1).
//! The library has a few dated closures (R-CAL-1; `make run` also closes it on Mondays), and
//! the second patron keeps a reading history with three returns in it (R-HIST-1).

use chrono::{Days, Duration, Utc};
use mypage::adapters::PinnedClock;
use mypage::app::counter::Readings;
use mypage::app::{calendar, counter, holds};
use mypage::credentials::hash_password;
use mypage::domain::types::{
    AuthorName, AuthorReading, Barcode, BibId, CardNumber, ClosureReason, EmailAddress, PatronName,
    Subject, Subjects, TitleName, TitleReading,
};
use mypage::domain::{patron, Changes, Credential, HoldNotice};
use mypage::ports::{Clock, Commit};
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

/// A demo title: bib_id, title, its reading, author, the author's reading, subjects, copies.
type DemoTitle = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    u32,
);

/// The titles the demo loans and holds use (added 60 days ago).
const TITLES: &[DemoTitle] = &[
    (
        "B-RASHOMON",
        "羅生門",
        "ラショウモン",
        "芥川 龍之介",
        "アクタガワ リュウノスケ",
        &["日本文学", "短編小説"],
        1,
    ),
    (
        "B-KOKORO",
        "こころ",
        "ココロ",
        "夏目 漱石",
        "ナツメ ソウセキ",
        &["日本文学"],
        1,
    ),
    (
        "B-BOTCHAN",
        "坊っちゃん",
        "ボッチャン",
        "夏目 漱石",
        "ナツメ ソウセキ",
        &["日本文学"],
        1,
    ),
    (
        "B-NORWEGIAN",
        "ノルウェイの森",
        "ノルウェイ ノ モリ",
        "村上 春樹",
        "ムラカミ ハルキ",
        &["日本文学"],
        1,
    ),
    (
        "B-MACHI",
        "街とその不確かな壁",
        "マチ ト ソノ フタシカ ナ カベ",
        "村上 春樹",
        "ムラカミ ハルキ",
        &["日本文学"],
        1,
    ),
    (
        "B-GARDENS",
        "Kyoto Gardens (interlibrary loan)",
        "",
        "Marc Treib",
        "",
        &["Gardens", "Kyoto"],
        1,
    ),
    (
        "B-REMAINS",
        "The Remains of the Day",
        "",
        "Kazuo Ishiguro",
        "カズオ イシグロ",
        &["English fiction"],
        1,
    ),
    (
        "B-PYTHON",
        "Python入門",
        "パイソン ニュウモン",
        "山本 太郎",
        "ヤマモト タロウ",
        &["プログラミング"],
        2,
    ),
    (
        "B-TEIEN",
        "京都の庭園",
        "キョウト ノ テイエン",
        "重森 三玲",
        "シゲモリ ミレイ",
        &["日本庭園", "京都"],
        2,
    ),
    (
        "B-KAMO",
        "方丈記",
        "ホウジョウキ",
        "鴨 長明",
        "カモノ チョウメイ",
        &["古典", "随筆"],
        1,
    ),
];

/// More of the catalog, so that searching from `make run` finds something (R-FIND-1): added
/// over the months before, one a day, with readings, some with `・` or `＝` in a name.
const CATALOG: &[DemoTitle] = &[
    (
        "B-WAGAHAI",
        "吾輩は猫である",
        "ワガハイ ワ ネコ デ アル",
        "夏目 漱石",
        "ナツメ ソウセキ",
        &["日本文学", "小説"],
        2,
    ),
    (
        "B-SANSHIRO",
        "三四郎",
        "サンシロウ",
        "夏目 漱石",
        "ナツメ ソウセキ",
        &["日本文学"],
        1,
    ),
    (
        "B-HANA",
        "鼻",
        "ハナ",
        "芥川 龍之介",
        "アクタガワ リュウノスケ",
        &["日本文学", "短編小説"],
        1,
    ),
    (
        "B-KUMO",
        "蜘蛛の糸",
        "クモ ノ イト",
        "芥川 龍之介",
        "アクタガワ リュウノスケ",
        &["日本文学", "児童文学"],
        1,
    ),
    (
        "B-GINGA",
        "銀河鉄道の夜",
        "ギンガ テツドウ ノ ヨル",
        "宮沢 賢治",
        "ミヤザワ ケンジ",
        &["日本文学", "童話"],
        2,
    ),
    (
        "B-CHUMON",
        "注文の多い料理店",
        "チュウモン ノ オオイ リョウリテン",
        "宮沢 賢治",
        "ミヤザワ ケンジ",
        &["童話"],
        1,
    ),
    (
        "B-NEKOJIMU",
        "猫の事務所",
        "ネコ ノ ジムショ",
        "宮沢 賢治",
        "ミヤザワ ケンジ",
        &["童話"],
        1,
    ),
    (
        "B-HYAKUMAN",
        "100万回生きたねこ",
        "ヒャクマンカイ イキタ ネコ",
        "佐野 洋子",
        "サノ ヨウコ",
        &["絵本"],
        2,
    ),
    (
        "B-SHIKKAKU",
        "人間失格",
        "ニンゲン シッカク",
        "太宰 治",
        "ダザイ オサム",
        &["日本文学"],
        1,
    ),
    (
        "B-MELOS",
        "走れメロス",
        "ハシレ メロス",
        "太宰 治",
        "ダザイ オサム",
        &["日本文学", "短編小説"],
        1,
    ),
    (
        "B-YUKIGUNI",
        "雪国",
        "ユキグニ",
        "川端 康成",
        "カワバタ ヤスナリ",
        &["日本文学"],
        1,
    ),
    (
        "B-IZU",
        "伊豆の踊子",
        "イズ ノ オドリコ",
        "川端 康成",
        "カワバタ ヤスナリ",
        &["日本文学"],
        1,
    ),
    (
        "B-KINKAKU",
        "金閣寺",
        "キンカクジ",
        "三島 由紀夫",
        "ミシマ ユキオ",
        &["日本文学", "京都"],
        1,
    ),
    (
        "B-KAFKA",
        "海辺のカフカ",
        "ウミベ ノ カフカ",
        "村上 春樹",
        "ムラカミ ハルキ",
        &["日本文学"],
        1,
    ),
    (
        "B-1Q84",
        "1Q84",
        "イチキュウハチヨン",
        "村上 春樹",
        "ムラカミ ハルキ",
        &["日本文学"],
        2,
    ),
    (
        "B-KITCHEN",
        "キッチン",
        "キッチン",
        "吉本 ばなな",
        "ヨシモト バナナ",
        &["日本文学"],
        1,
    ),
    (
        "B-TOTTO",
        "窓ぎわのトットちゃん",
        "マドギワ ノ トットチャン",
        "黒柳 徹子",
        "クロヤナギ テツコ",
        &["日本文学"],
        1,
    ),
    (
        "B-SAKA",
        "坂の上の雲",
        "サカ ノ ウエ ノ クモ",
        "司馬 遼太郎",
        "シバ リョウタロウ",
        &["日本文学", "歴史小説"],
        1,
    ),
    (
        "B-RYOMA",
        "竜馬がゆく",
        "リョウマ ガ ユク",
        "司馬 遼太郎",
        "シバ リョウタロウ",
        &["歴史小説"],
        1,
    ),
    (
        "B-HOTARU",
        "火垂るの墓",
        "ホタル ノ ハカ",
        "野坂 昭如",
        "ノサカ アキユキ",
        &["日本文学"],
        1,
    ),
    (
        "B-LEMON",
        "檸檬",
        "レモン",
        "梶井 基次郎",
        "カジイ モトジロウ",
        &["日本文学", "短編小説", "京都"],
        1,
    ),
    (
        "B-TAKASE",
        "高瀬舟",
        "タカセブネ",
        "森 鷗外",
        "モリ オウガイ",
        &["日本文学", "京都"],
        1,
    ),
    (
        "B-GON",
        "ごんぎつね",
        "ゴンギツネ",
        "新美 南吉",
        "ニイミ ナンキチ",
        &["童話"],
        2,
    ),
    (
        "B-GENJI",
        "源氏物語",
        "ゲンジ モノガタリ",
        "紫式部",
        "ムラサキシキブ",
        &["古典", "日本文学"],
        1,
    ),
    (
        "B-MAKURA",
        "枕草子",
        "マクラノソウシ",
        "清少納言",
        "セイショウナゴン",
        &["古典", "随筆"],
        1,
    ),
    (
        "B-TSUREZURE",
        "徒然草",
        "ツレヅレグサ",
        "吉田 兼好",
        "ヨシダ ケンコウ",
        &["古典", "随筆"],
        1,
    ),
    (
        "B-OKU",
        "おくのほそ道",
        "オク ノ ホソミチ",
        "松尾 芭蕉",
        "マツオ バショウ",
        &["古典", "紀行"],
        1,
    ),
    (
        "B-MOMO",
        "モモ",
        "モモ",
        "ミヒャエル・エンデ",
        "ミヒャエル エンデ",
        &["児童文学", "ドイツ文学"],
        2,
    ),
    (
        "B-HATESHI",
        "はてしない物語",
        "ハテシナイ モノガタリ",
        "ミヒャエル・エンデ",
        "ミヒャエル エンデ",
        &["児童文学", "ドイツ文学"],
        1,
    ),
    (
        "B-KODOKU",
        "百年の孤独",
        "ヒャクネン ノ コドク",
        "ガブリエル・ガルシア＝マルケス",
        "ガブリエル ガルシア マルケス",
        &["ラテンアメリカ文学"],
        1,
    ),
    (
        "B-OJI",
        "星の王子さま",
        "ホシ ノ オウジサマ",
        "サン＝テグジュペリ",
        "サン テグジュペリ",
        &["フランス文学", "児童文学"],
        2,
    ),
    (
        "B-ALICE",
        "不思議の国のアリス",
        "フシギ ノ クニ ノ アリス",
        "ルイス・キャロル",
        "ルイス キャロル",
        &["イギリス文学", "児童文学"],
        1,
    ),
    (
        "B-ROJIN",
        "老人と海",
        "ロウジン ト ウミ",
        "ヘミングウェイ",
        "ヘミングウェイ",
        &["アメリカ文学"],
        1,
    ),
    (
        "B-TSUMI",
        "罪と罰",
        "ツミ ト バツ",
        "ドストエフスキー",
        "ドストエフスキー",
        &["ロシア文学"],
        1,
    ),
    (
        "B-MACHIYA",
        "京都 町家の暮らし",
        "キョウト マチヤ ノ クラシ",
        "中村 京子",
        "ナカムラ キョウコ",
        &["京都", "建築"],
        1,
    ),
    (
        "B-OBANZAI",
        "京のおばんざい",
        "キョウ ノ オバンザイ",
        "川村 美代",
        "カワムラ ミヨ",
        &["料理", "京都"],
        2,
    ),
    (
        "B-WASHOKU",
        "はじめての和食",
        "ハジメテ ノ ワショク",
        "川村 美代",
        "カワムラ ミヨ",
        &["料理"],
        1,
    ),
    (
        "B-NEKOKURASU",
        "猫と暮らす本",
        "ネコ ト クラス ホン",
        "小林 真",
        "コバヤシ マコト",
        &["猫", "ペット"],
        1,
    ),
    (
        "B-INU",
        "犬の気持ち",
        "イヌ ノ キモチ",
        "小林 真",
        "コバヤシ マコト",
        &["犬", "ペット"],
        1,
    ),
    (
        "B-HOSHIZORA",
        "星空観察ガイド",
        "ホシゾラ カンサツ ガイド",
        "天野 星子",
        "アマノ ホシコ",
        &["天文"],
        1,
    ),
    (
        "B-YACHO",
        "日本の野鳥",
        "ニホン ノ ヤチョウ",
        "鳥居 翼",
        "トリイ ツバサ",
        &["鳥類", "自然"],
        1,
    ),
    (
        "B-TOKEI",
        "やさしい統計入門",
        "ヤサシイ トウケイ ニュウモン",
        "数野 学",
        "カズノ マナブ",
        &["統計", "数学"],
        1,
    ),
    (
        "B-JS",
        "JavaScript入門",
        "ジャバスクリプト ニュウモン",
        "山本 太郎",
        "ヤマモト タロウ",
        &["プログラミング"],
        1,
    ),
    (
        "B-TOSHOKAN",
        "図書館のひみつ",
        "トショカン ノ ヒミツ",
        "本田 文子",
        "ホンダ フミコ",
        &["図書館", "児童書"],
        1,
    ),
    (
        "B-EHON",
        "子どもと読む絵本",
        "コドモ ト ヨム エホン",
        "本田 文子",
        "ホンダ フミコ",
        &["絵本", "子育て"],
        1,
    ),
    (
        "B-SAIEN",
        "家庭菜園の基本",
        "カテイ サイエン ノ キホン",
        "田畑 耕",
        "タバタ コウ",
        &["園芸"],
        1,
    ),
    (
        "B-TEIENMIKATA",
        "日本庭園の見かた",
        "ニホン テイエン ノ ミカタ",
        "庭野 静",
        "ニワノ シズカ",
        &["日本庭園", "京都"],
        1,
    ),
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

/// A demo title and its copies `<bib_id>-1`, `<bib_id>-2`, ..., added at the app's clock.
async fn add_demo_title(
    app: &App,
    (id, title, title_reading, author, author_reading, subjects, copies): DemoTitle,
) -> Result<(), Error> {
    let subjects: Vec<Subject> = subjects
        .iter()
        .map(|s| Subject::parse(s).expect("demo subjects are valid"))
        .collect();
    let readings = Readings {
        title: TitleReading::parse(title_reading).expect("demo readings are valid"),
        author: AuthorReading::parse(author_reading).expect("demo readings are valid"),
    };
    counter::add_title_read_as(
        app,
        bib(id),
        TitleName::parse(title).expect("demo titles are valid"),
        AuthorName::parse(author).expect("demo authors are valid"),
        Subjects::try_from(subjects).expect("few demo subjects"),
        readings,
    )
    .await?;
    for n in 1..=copies {
        counter::add_copy(app, barcode(&format!("{id}-{n}")), bib(id)).await?;
    }
    Ok(())
}

/// A hold on `bib_id` by the patron, told by email when it is ready.
async fn email_hold(app: &App, card_number: &str, bib_id: &str) -> Result<(), Error> {
    holds::place(
        app,
        &card(card_number),
        None,
        &bib(bib_id),
        HoldNotice::Email.into(),
    )
    .await?;
    Ok(())
}

/// The demo address set and verified through the domain's own transitions (R-MAIL-5), as if
/// the patron had opened the link, so that the demo's mail goes out. No loans yet, so no
/// reminder contacts to keep in step.
async fn verified_address(app: &App, card_number: &str, email: &str) -> Result<(), Error> {
    let stored = |what: &str| Error::Internal(format!("demo patron {card_number}: {what}"));
    let demo = app
        .store
        .patron(&card(card_number))
        .await?
        .ok_or_else(|| stored("missing"))?;
    let pending = patron::NewVerification {
        token_hash: format!("demo-{card_number}"),
        expires_at: app.clock.now() + Duration::hours(1),
    };
    let email = EmailAddress::parse(email).expect("demo addresses are valid");
    let set = patron::set_email(&demo, &[], email, pending, app.clock.today(), app.policy())
        .map_err(|_| stored("too many verifications"))?;
    let Commit::Done(written) = app.store.commit(set.changes).await? else {
        return Err(stored("lost a race"));
    };
    let verification = written
        .into_records()
        .into_iter()
        .find_map(|r| r.into_email_verification())
        .ok_or_else(|| stored("no verification"))?;
    let demo = app
        .store
        .patron(&card(card_number))
        .await?
        .ok_or_else(|| stored("missing"))?;
    let verified = patron::verify_email(&demo, &[], &verification, app.clock.now())
        .map_err(|_| stored("verification refused"))?;
    let Commit::Done(_) = app.store.commit(verified.changes).await? else {
        return Err(stored("lost a race"));
    };
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
        demo.notifications.due_reminder = p.email.is_some();
        let changes = Changes::none().update(demo);
        let _ = app.store.commit(changes).await?;
        if let Some(email) = p.email {
            verified_address(app, p.card, email).await?;
        }
    }
    for demo in TITLES {
        add_demo_title(&long_ago, *demo).await?;
    }
    for (n, demo) in CATALOG.iter().enumerate() {
        add_demo_title(&at_days(app, -200 + n as i64 * 3), *demo).await?;
    }
    // New arrivals, added today.
    for demo in [
        (
            "B-NEW-1",
            "古都の建築",
            "コト ノ ケンチク",
            "西川 幸治",
            "ニシカワ コウジ",
            &["京都"][..],
            1,
        ),
        (
            "B-NEW-2",
            "はじめてのRust",
            "ハジメテ ノ ラスト",
            "佐藤 ゆき",
            "サトウ ユキ",
            &["プログラミング"][..],
            1,
        ),
    ] {
        add_demo_title(app, demo).await?;
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
    email_hold(app, "10000003", "B-MACHI").await?;

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
    email_hold(app, "10000002", "B-BOTCHAN").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mypage::adapters::MemoryStore;
    use mypage::config::Settings;

    // The README's demo: 佐藤 一郎's loan due in three days is reminded at his address, which
    // only a verified address allows (R-MAIL-5), with its one-tap renewal link (R-MAIL-7); and
    // the demo data keeps every invariant.
    #[tokio::test]
    async fn the_demo_reminder_reaches_the_demo_address_and_the_data_is_sound() {
        let clock = Arc::new(PinnedClock::new("2026-12-02T01:00:00Z".parse().unwrap()));
        let settings = Settings::from_lookup(|_| None).unwrap();
        let demo = mypage::adapters::embedded(settings, Arc::new(MemoryStore::new()), clock);
        demo_data(&demo.app).await.unwrap();
        let me = demo
            .app
            .store
            .patron(&card("10000002"))
            .await
            .unwrap()
            .unwrap();
        assert!(me.email_verified());

        let today = demo.app.clock.today();
        let report = mypage::app::reminders::send_due_reminders(&demo.app, today)
            .await
            .unwrap();
        assert_eq!(report.emails_sent, 1, "{report:?}");
        let sent = demo.outbox.messages();
        assert!(
            sent.iter()
                .any(|m| m.message.to.as_str() == "ichiro@example.jp"
                    && m.message.subject.contains("返却期限日")
                    && m.message.text.contains("#/renewal?token=")),
            "{sent:?}"
        );
        let found = mypage::app::checker::check_app(&demo.app, 1).await.unwrap();
        assert!(found.violations.is_empty(), "{:?}", found.violations);
    }
}
