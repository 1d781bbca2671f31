//! `overdue-notices`, daily: one email per signed-up patron listing every loan that fell due
//! the day before and is not back (R-MAIL-6).

use chrono::NaiveDate;
use mypage::app::reminders::{self, MailReport};
use mypage::{App, Error};
use serde::Deserialize;

/// `{}` for today's run, or `{"date": "2026-12-05"}` to rerun a day (it notices the loans
/// due the day before that date).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub date: Option<NaiveDate>,
}

pub async fn run(app: App, input: Input) -> Result<MailReport, Error> {
    let date = input.date.unwrap_or_else(|| app.clock.today());
    reminders::send_overdue_notices(&app, date).await
}
