//! GET /api/catalog/search?q=WORDS[&page_token=..][&limit=N]: titles whose title, author,
//! subjects or readings contain every word (R-FIND-1), newest first, paged (R-FIND-2).

use axum::extract::State;
use mypage::app::search;
use mypage::http::body::TitleBody;
use mypage::http::Query;
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Params {
    q: Option<String>,
    page_token: Option<String>,
    limit: Option<String>,
}

#[derive(Serialize)]
pub struct Hits {
    titles: Vec<TitleBody>,
    next_page_token: Option<String>,
}

pub async fn handle(
    State(app): State<App>,
    Query(p): Query<Params>,
) -> Result<axum::Json<Hits>, Error> {
    let limit = search::page_size(p.limit.as_deref())?;
    let page = search::search(
        &app,
        p.q.as_deref().unwrap_or(""),
        p.page_token.as_deref(),
        limit,
    )
    .await?;
    Ok(axum::Json(Hits {
        titles: page.titles.iter().map(TitleBody::from).collect(),
        next_page_token: page.next_page_token,
    }))
}
