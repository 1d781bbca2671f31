//! `hold-expiry`: lapses ready holds past their pickup deadline and passes the copy on (R-HOLD-6).
//! Invoked by a hold's one-time schedule with that hold, or daily to sweep every expired hold.

use mypage::app::expiry::{self, ExpiryReport};
use mypage::{App, Error};

pub use mypage::ports::scheduler::HoldExpiryInput as Input;

pub async fn run(app: App, input: Input) -> Result<ExpiryReport, Error> {
    match input {
        Input::Hold(one) => expiry::expire_hold(&app, &one).await,
        Input::Sweep {} => expiry::sweep_expired_holds(&app).await,
    }
}
