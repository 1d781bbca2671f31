//! `overdue-notices`, daily: one email per signed-up patron listing every loan that fell due
//! the day before and is not back (R-MAIL-6).

use mypage::app::reminders::{self, MailReport};
use mypage::{App, Error};

/// `{}` for today's run, or `{"date": "2026-12-05"}` to rerun a day (it notices the loans
/// due the day before that date).
pub use mypage::app::reminders::RunDay as Input;

pub async fn run(app: App, input: Input) -> Result<MailReport, Error> {
    reminders::send_overdue_notices(&app, input.day(&app)).await
}
