//! GET /api/renewal-links/{token}: what the link would do — title, due date, new due date —
//! changing nothing (mail scanners open links). No login (R-MAIL-7).

use axum::extract::State;
use chrono::NaiveDate;
use mypage::app::loans;
use mypage::http::Path;
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Preview {
    title: String,
    due_date: NaiveDate,
    new_due_date: NaiveDate,
}

pub async fn handle(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<axum::Json<Preview>, Error> {
    let p = loans::preview_link(&app, &token).await?;
    Ok(axum::Json(Preview {
        title: p.title,
        due_date: p.due_date,
        new_due_date: p.new_due_date,
    }))
}
