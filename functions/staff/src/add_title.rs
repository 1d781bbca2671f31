//! POST /api/staff/titles: a title joins the catalog (R-DESK-1; it feeds R-MAIL-2).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::counter;
use mypage::domain::types::{AuthorName, BibId, Subjects, TitleName};
use mypage::http::body::TitleBody;
use mypage::http::{Json, Staff};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddTitle {
    bib_id: BibId,
    title: TitleName,
    #[serde(default)]
    author: AuthorName,
    #[serde(default)]
    subjects: Subjects,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Json(b): Json<AddTitle>,
) -> Result<(StatusCode, axum::Json<TitleBody>), Error> {
    let t = counter::add_title(&app, b.bib_id, b.title, b.author, b.subjects).await?;
    Ok((StatusCode::CREATED, axum::Json(TitleBody::from(&t))))
}
