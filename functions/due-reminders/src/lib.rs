//! `due-reminders`, daily at 09:00 Japan time: loans due in three days (R-MAIL-1).

use chrono::NaiveDate;
use mypage::app::reminders::{self, MailReport};
use mypage::{App, Error};
use serde::Deserialize;

/// `{}` for today's run, or `{"date": "2026-12-01"}` to rerun a day.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub date: Option<NaiveDate>,
}

pub async fn run(app: App, input: Input) -> Result<MailReport, Error> {
    let date = input.date.unwrap_or_else(|| app.clock.today());
    reminders::send_due_reminders(&app, date).await
}
