//! GET /api/catalog/titles/{bib_id}: a title and its availability.

use axum::extract::State;
use mypage::app::catalog;
use mypage::domain::types::BibId;
use mypage::http::body::TitleBody;
use mypage::http::Path;
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Path(bib): Path<String>,
) -> Result<axum::Json<TitleBody>, Error> {
    let bib = BibId::parse(&bib).map_err(|_| Error::TitleNotFound)?;
    Ok(axum::Json(TitleBody::from(
        &catalog::title(&app, &bib).await?,
    )))
}
