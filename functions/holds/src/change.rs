//! PATCH /api/me/holds/{hold_id}: suspend (休止) until a date or resume (`null`), set or clear
//! the date after which it is not needed (不要になる日), change how the patron is told
//! (R-HOLD-11..13). A field left out stays as it is.

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::holds;
use mypage::domain::hold::HoldChange;
use mypage::domain::types::HoldId;
use mypage::domain::HoldNotice;
use mypage::http::body::HoldBody;
use mypage::http::{Json, Path, Patron};
use mypage::{App, Error};
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeHold {
    #[serde(default)]
    notify: Option<HoldNotice>,
    #[serde(default, deserialize_with = "present")]
    suspended_until: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    not_needed_after: Option<Option<NaiveDate>>,
}

/// A field that is present, as `Some` of its value (which may be `null`): absent and `null`
/// mean different things here.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Path(hold_id): Path<String>,
    Json(body): Json<ChangeHold>,
) -> Result<axum::Json<HoldBody>, Error> {
    let hold_id = HoldId::parse(&hold_id).map_err(|_| Error::HoldNotFound)?;
    let change = HoldChange {
        notify: body.notify,
        suspended_until: body.suspended_until,
        not_needed_after: body.not_needed_after,
    };
    let changed = holds::change(&app, &caller, &hold_id, &change).await?;
    Ok(axum::Json(HoldBody::from(&changed)))
}
