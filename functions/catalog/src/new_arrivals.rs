//! GET /api/catalog/new-arrivals?days=N: titles added in the last N days, newest first.

use axum::extract::State;
use mypage::app::catalog::{self, MAX_NEW_ARRIVAL_DAYS};
use mypage::http::body::TitleBody;
use mypage::http::Query;
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Window {
    days: Option<String>,
}

#[derive(Serialize)]
pub struct NewArrivals {
    titles: Vec<TitleBody>,
}

pub async fn handle(
    State(app): State<App>,
    Query(q): Query<Window>,
) -> Result<axum::Json<NewArrivals>, Error> {
    let days = match q.days {
        None => app.policy().new_arrivals_days,
        Some(d) => d
            .parse()
            .ok()
            .filter(|d| (1..=MAX_NEW_ARRIVAL_DAYS).contains(d))
            .ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "days is a whole number from 1 to {MAX_NEW_ARRIVAL_DAYS}"
                ))
            })?,
    };
    let titles = catalog::new_arrivals(&app, days)
        .await?
        .iter()
        .map(TitleBody::from)
        .collect();
    Ok(axum::Json(NewArrivals { titles }))
}
