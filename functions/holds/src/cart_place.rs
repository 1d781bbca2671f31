//! POST /api/me/hold-cart/holds: places holds on every title in the cart, with one contact
//! method; each title gets its own outcome, placed ones leave the cart (R-HOLD-10).

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::cart;
use mypage::app::holds::HoldRequest;
use mypage::domain::types::BibId;
use mypage::domain::HoldNotice;
use mypage::http::body::HoldBody;
use mypage::http::error::error_detail;
use mypage::http::{Json, Patron};
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceCart {
    notify: HoldNotice,
    #[serde(default)]
    not_needed_after: Option<NaiveDate>,
}

#[derive(Serialize)]
pub struct Results {
    results: Vec<TitleResult>,
}

#[derive(Serialize)]
pub struct TitleResult {
    bib_id: BibId,
    /// `placed` or `refused`
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hold: Option<HoldBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<serde_json::Value>,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(body): Json<PlaceCart>,
) -> Result<axum::Json<Results>, Error> {
    let request = HoldRequest {
        notify: body.notify,
        not_needed_after: body.not_needed_after,
    };
    let results = cart::place_all(&app, &caller, request)
        .await?
        .into_iter()
        .map(|r| match r.outcome {
            Ok(placed) => TitleResult {
                bib_id: r.bib_id,
                outcome: "placed",
                hold: Some(HoldBody::from(&placed)),
                error: None,
            },
            Err(e) => TitleResult {
                bib_id: r.bib_id,
                outcome: "refused",
                hold: None,
                error: Some(error_detail(&e)),
            },
        })
        .collect();
    Ok(axum::Json(Results { results }))
}
