//! `due-reminders`, daily at 09:00 Japan time: loans due in three days (R-MAIL-1).

use mypage::app::reminders::{self, MailReport};
use mypage::{App, Error};

/// `{}` for today's run, or `{"date": "2026-12-01"}` to rerun a day.
pub use mypage::app::reminders::RunDay as Input;

pub async fn run(app: App, input: Input) -> Result<MailReport, Error> {
    reminders::send_due_reminders(&app, input.day(&app)).await
}
