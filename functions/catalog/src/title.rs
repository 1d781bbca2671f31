//! GET /api/catalog/titles/{bib_id}: a title and its availability.

use axum::extract::State;
use mypage::app::catalog;
use mypage::domain::types::BibId;
use mypage::http::body::TitleBody;
use mypage::http::PathId;
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    PathId(bib): PathId<BibId>,
) -> Result<axum::Json<TitleBody>, Error> {
    Ok(axum::Json(TitleBody::from(
        &catalog::title(&app, &bib).await?,
    )))
}
