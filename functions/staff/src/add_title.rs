//! POST /api/staff/titles: a title joins the catalog (R-DESK-1; it feeds R-MAIL-2), with its
//! readings if given, and is findable in search when this answers (R-FIND-1, R-FIND-2).

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::counter;
use mypage::app::counter::Readings;
use mypage::domain::types::{AuthorName, AuthorReading, BibId, Subjects, TitleName, TitleReading};
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
    #[serde(default)]
    title_reading: TitleReading,
    #[serde(default)]
    author_reading: AuthorReading,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Json(b): Json<AddTitle>,
) -> Result<(StatusCode, axum::Json<TitleBody>), Error> {
    let readings = Readings {
        title: b.title_reading,
        author: b.author_reading,
    };
    let t =
        counter::add_title_read_as(&app, b.bib_id, b.title, b.author, b.subjects, readings).await?;
    Ok((StatusCode::CREATED, axum::Json(TitleBody::from(&t))))
}
