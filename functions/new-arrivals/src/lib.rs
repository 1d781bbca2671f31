//! `new-arrivals`, daily: titles added since the last run, to the patrons who asked (R-MAIL-2).

use mypage::app::arrivals;
use mypage::app::reminders::MailReport;
use mypage::{App, Error};
use serde::Deserialize;

/// The daily run takes `{}`: what to announce comes from the job's own watermark.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub async fn run(app: App, _input: Input) -> Result<MailReport, Error> {
    arrivals::send_new_arrivals(&app).await
}
