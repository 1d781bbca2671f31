//! `hold-expiry`: lapses ready holds past their pickup deadline and passes the copy on
//! (R-HOLD-6). Invoked by a one-time schedule with one hold, or daily with any other input
//! to sweep every expired hold.

use mypage::app::circulation::{self, ExpiryReport};
use mypage::scheduler::HoldExpiry;
use mypage::{App, Error};

pub async fn run(app: &App, event: serde_json::Value) -> Result<ExpiryReport, Error> {
    match serde_json::from_value::<HoldExpiry>(event) {
        Ok(one) => circulation::expire_hold(app, &one).await,
        Err(_) => circulation::sweep_expired_holds(app).await,
    }
}
