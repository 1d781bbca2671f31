//! The library's emails, in Japanese (R-MAIL-4), rendered from the templates in
//! `shared/templates` with minijinja (HTML escaped automatically).

use crate::config::LibraryInfo;
use crate::domain::types::EmailAddress;
use crate::ports::mailer::EmailMessage;
use chrono::{Datelike, NaiveDate};
use minijinja::{context, Environment};
use serde::Serialize;
use std::sync::OnceLock;

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        let templates = [
            (
                "hold_ready.txt",
                include_str!("../../templates/hold_ready.txt"),
            ),
            (
                "hold_ready.html",
                include_str!("../../templates/hold_ready.html"),
            ),
            (
                "due_reminder.txt",
                include_str!("../../templates/due_reminder.txt"),
            ),
            (
                "due_reminder.html",
                include_str!("../../templates/due_reminder.html"),
            ),
            (
                "new_arrivals.txt",
                include_str!("../../templates/new_arrivals.txt"),
            ),
            (
                "new_arrivals.html",
                include_str!("../../templates/new_arrivals.html"),
            ),
            (
                "overdue_notice.txt",
                include_str!("../../templates/overdue_notice.txt"),
            ),
            (
                "overdue_notice.html",
                include_str!("../../templates/overdue_notice.html"),
            ),
            (
                "verify_email.txt",
                include_str!("../../templates/verify_email.txt"),
            ),
            (
                "verify_email.html",
                include_str!("../../templates/verify_email.html"),
            ),
            (
                "email_changed.txt",
                include_str!("../../templates/email_changed.txt"),
            ),
            (
                "email_changed.html",
                include_str!("../../templates/email_changed.html"),
            ),
            ("footer.txt", include_str!("../../templates/footer.txt")),
            ("footer.html", include_str!("../../templates/footer.html")),
        ];
        for (name, source) in templates {
            env.add_template(name, source)
                .expect("bundled templates parse");
        }
        env
    })
}

fn render(name: &str, ctx: &minijinja::Value) -> String {
    // Templates are bundled and tested; a render error is a bug, shown rather than hidden.
    env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| format!("[template {name}: {e}]"))
}

/// 2026年12月8日(火)
pub fn japanese_date(d: NaiveDate) -> String {
    const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    format!(
        "{}年{}月{}日({})",
        d.year(),
        d.month(),
        d.day(),
        WEEKDAYS[d.weekday().num_days_from_monday() as usize]
    )
}

/// A mail of the library: `subject` after the library's name, the bodies from the text and
/// HTML templates `name`.
fn message(
    library: &LibraryInfo,
    to: &EmailAddress,
    subject: &str,
    name: &str,
    ctx: minijinja::Value,
) -> EmailMessage {
    EmailMessage {
        to: to.clone(),
        subject: format!("【{}】{subject}", library.name),
        text: render(&format!("{name}.txt"), &ctx),
        html: render(&format!("{name}.html"), &ctx),
    }
}

/// R-HOLD-7: the hold is ready; kept until the pickup deadline.
pub fn hold_ready(
    library: &LibraryInfo,
    to: &EmailAddress,
    patron_name: &str,
    title: &str,
    pickup_deadline: NaiveDate,
) -> EmailMessage {
    let ctx =
        context! { library, patron_name, title, pickup_deadline => japanese_date(pickup_deadline) };
    message(
        library,
        to,
        "ご予約の資料が準備できました",
        "hold_ready",
        ctx,
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct ReminderLine {
    pub title: String,
    pub due_date: String,
    /// R-MAIL-7: the one-tap renewal link, for a loan renewable when the mail is made.
    pub renewal_url: Option<String>,
}

/// The mails that list a patron's loans, one email listing them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoanMail {
    /// R-MAIL-1: loans due soon.
    DueReminder,
    /// R-MAIL-6: loans that fell due yesterday and are not back.
    OverdueNotice,
}

pub fn loan_mail(
    kind: LoanMail,
    library: &LibraryInfo,
    to: &EmailAddress,
    patron_name: &str,
    loans: &[ReminderLine],
) -> EmailMessage {
    let (subject, name) = match kind {
        LoanMail::DueReminder => ("返却期限日のお知らせ", "due_reminder"),
        LoanMail::OverdueNotice => ("返却期限日を過ぎた資料のお知らせ", "overdue_notice"),
    };
    let ctx = context! { library, patron_name, loans };
    message(library, to, subject, name, ctx)
}

/// R-MAIL-5: the link that verifies a new address.
pub fn verify_email(
    library: &LibraryInfo,
    to: &EmailAddress,
    patron_name: &str,
    token: &str,
    hours: i64,
) -> EmailMessage {
    let link = format!("{}/#/verify-email?token={token}", library.mypage_url);
    let ctx = context! { library, patron_name, link, hours };
    message(library, to, "メールアドレスの確認", "verify_email", ctx)
}

/// R-MAIL-5: to the verified address being replaced; never names the new one.
pub fn email_changed(library: &LibraryInfo, to: &EmailAddress, patron_name: &str) -> EmailMessage {
    let ctx = context! { library, patron_name };
    message(
        library,
        to,
        "メールアドレスが変更されました",
        "email_changed",
        ctx,
    )
}

/// R-MAIL-7: where a renewal link points: the website's confirmation page.
pub fn renewal_url(library: &LibraryInfo, token: &str) -> String {
    format!("{}/#/renewal?token={token}", library.mypage_url)
}

#[derive(Debug, Clone, Serialize)]
pub struct ArrivalLine<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub url: String,
}

/// R-MAIL-2: new titles matching the patron's interests, one digest.
pub fn new_arrivals(
    library: &LibraryInfo,
    to: &EmailAddress,
    patron_name: &str,
    titles: &[(&str, &str, &str)],
) -> EmailMessage {
    let titles: Vec<ArrivalLine> = titles
        .iter()
        .map(|(bib, title, author)| ArrivalLine {
            title,
            author,
            url: format!("{}/#/titles/{bib}", library.mypage_url),
        })
        .collect();
    let ctx = context! { library, patron_name, titles };
    message(library, to, "新着図書のお知らせ", "new_arrivals", ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> LibraryInfo {
        LibraryInfo {
            name: "京都市立図書館".into(),
            phone: "075-762-4655".into(),
            mypage_url: "https://mypage.example.jp".into(),
        }
    }

    #[test]
    fn japanese_dates_carry_the_weekday() {
        assert_eq!(
            japanese_date("2026-12-08".parse().unwrap()),
            "2026年12月8日(火)"
        );
    }

    #[test]
    fn r_mail_4_hold_ready_mail_is_japanese_with_library_name_and_phone() {
        let to = EmailAddress::parse("p@example.jp").unwrap();
        let m = hold_ready(
            &library(),
            &to,
            "山田 花子",
            "<羅生門>",
            "2026-12-08".parse().unwrap(),
        );
        assert!(m.subject.contains("京都市立図書館"));
        for body in [&m.text, &m.html] {
            assert!(body.contains("山田 花子"));
            assert!(body.contains("2026年12月8日(火)"));
            assert!(body.contains("075-762-4655"));
            assert!(body.contains("マイページ"));
        }
        assert!(m.text.contains("<羅生門>"));
        assert!(
            m.html.contains("&lt;羅生門&gt;"),
            "HTML is escaped: {}",
            m.html
        );
    }

    #[test]
    fn r_mail_1_reminder_lists_every_loan() {
        let to = EmailAddress::parse("p@example.jp").unwrap();
        let lines = vec![
            ReminderLine {
                title: "坊っちゃん".into(),
                due_date: "2026年12月4日(金)".into(),
                renewal_url: Some("https://mypage.example.jp/#/renewal?token=abc".into()),
            },
            ReminderLine {
                title: "こころ".into(),
                due_date: "2026年12月4日(金)".into(),
                renewal_url: None,
            },
        ];
        let m = loan_mail(LoanMail::DueReminder, &library(), &to, "山田", &lines);
        assert!(m.text.contains("坊っちゃん") && m.text.contains("こころ"));
        assert!(m.text.contains("延長できます") && m.text.contains("延長できません"));
        assert!(m
            .text
            .contains("https://mypage.example.jp/#/renewal?token=abc"));
        // In HTML the URL is escaped (`/` as `&#x2f;`), which a browser reads back as is.
        assert!(m.html.contains("renewal?token=abc") && m.html.contains("<a href="));
        assert!(
            m.text.contains("お知らせメール設定"),
            "says how to stop these emails"
        );
    }

    #[test]
    fn r_mail_5_the_verification_link_and_the_change_notice() {
        let to = EmailAddress::parse("new@example.jp").unwrap();
        let m = verify_email(&library(), &to, "山田", "TOKEN123", 24);
        assert!(m
            .text
            .contains("https://mypage.example.jp/#/verify-email?token=TOKEN123"));
        assert!(m.text.contains("24時間") && m.text.contains("075-762-4655"));
        let old = EmailAddress::parse("old@example.jp").unwrap();
        let n = email_changed(&library(), &old, "山田");
        assert!(!n.text.contains("new@example.jp") && !n.html.contains("new@example.jp"));
        assert!(n.subject.contains("変更"));
    }
}
