//! GET /api/me/notifications: which email services the patron signed up for.

use axum::extract::State;
use mypage::http::Patron;
use mypage::App;
use serde::Serialize;

#[derive(Serialize)]
pub struct Settings {
    due_reminder: bool,
    overdue_notice: bool,
    new_arrivals: NewArrivals,
}

#[derive(Serialize)]
pub struct NewArrivals {
    enabled: bool,
    authors: Vec<String>,
    subjects: Vec<String>,
    keywords: Vec<String>,
}

pub async fn handle(State(_app): State<App>, Patron(caller): Patron) -> axum::Json<Settings> {
    let n = caller.account.patron.notifications;
    let list = |t: mypage::domain::types::InterestTerms| t.iter().map(str::to_owned).collect();
    axum::Json(Settings {
        due_reminder: n.due_reminder,
        overdue_notice: n.overdue_notice,
        new_arrivals: NewArrivals {
            enabled: n.new_arrivals.enabled,
            authors: list(n.new_arrivals.authors),
            subjects: list(n.new_arrivals.subjects),
            keywords: list(n.new_arrivals.keywords),
        },
    })
}
