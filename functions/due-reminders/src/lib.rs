//! `due-reminders`, daily at 09:00 Japan time: loans due in three days (R-MAIL-1).
//! The input may name the run's date (`{"date": "2026-12-01"}`) for a rerun.

use mypage::app::mailing::{self, MailReport};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize, Default)]
struct Input {
    date: Option<chrono::NaiveDate>,
}

pub async fn run(app: &App, event: serde_json::Value) -> Result<MailReport, Error> {
    // Scheduler events carry other fields; only `date` means anything here.
    let input: Input = serde_json::from_value(event).unwrap_or_default();
    let date = input.date.unwrap_or_else(|| app.clock.today());
    mailing::send_due_reminders(app, date).await
}
