//! `new-arrivals`, daily: titles added since the last run, to the patrons who asked (R-MAIL-2).

use mypage::app::mailing::{self, MailReport};
use mypage::{App, Error};

pub async fn run(app: &App, _event: serde_json::Value) -> Result<MailReport, Error> {
    mailing::send_new_arrivals(app).await
}
