//! PUT /api/me/notifications: signs up for (or leaves) the due-date reminder and the
//! new-arrivals alerts; either needs a registered address.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::account;
use mypage::domain::types::InterestTerms;
use mypage::domain::{NewArrivalSettings, NotificationSettings};
use mypage::http::{Json, Patron};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    due_reminder: bool,
    /// R-MAIL-6; older clients leave it out.
    #[serde(default)]
    overdue_notice: bool,
    new_arrivals: NewArrivals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewArrivals {
    enabled: bool,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(body): Json<Settings>,
) -> Result<StatusCode, Error> {
    let settings = NotificationSettings {
        due_reminder: body.due_reminder,
        overdue_notice: body.overdue_notice,
        new_arrivals: NewArrivalSettings {
            enabled: body.new_arrivals.enabled,
            authors: InterestTerms::parse(body.new_arrivals.authors)?,
            subjects: InterestTerms::parse(body.new_arrivals.subjects)?,
            keywords: InterestTerms::parse(body.new_arrivals.keywords)?,
        },
    };
    account::set_notifications(&app, &caller, settings).await?;
    Ok(StatusCode::NO_CONTENT)
}
