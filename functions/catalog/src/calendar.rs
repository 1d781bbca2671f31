//! GET /api/catalog/calendar?from=D&to=D: the library's closed days in a period of at most
//! 366 days, both ends counted, weekly closures included (R-CAL-2). No login.

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::calendar;
use mypage::http::extract::date_param;
use mypage::http::Query;
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
pub struct ClosedDays {
    closed: Vec<ClosedDay>,
}

#[derive(Serialize)]
pub struct ClosedDay {
    date: NaiveDate,
    reason: String,
}

pub async fn handle(
    State(app): State<App>,
    Query(q): Query<Period>,
) -> Result<axum::Json<ClosedDays>, Error> {
    let needed = |name: &str, v: Option<String>| {
        v.ok_or_else(|| Error::InvalidRequest(format!("{name} is required (YYYY-MM-DD)")))
    };
    let from = date_param("from", &needed("from", q.from)?)?;
    let to = date_param("to", &needed("to", q.to)?)?;
    let closed = calendar::closed_days(&app, from, to)
        .await?
        .into_iter()
        .map(|(date, reason)| ClosedDay { date, reason })
        .collect();
    Ok(axum::Json(ClosedDays { closed }))
}
