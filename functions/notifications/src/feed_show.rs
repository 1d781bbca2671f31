//! GET /api/me/calendar-feed: the current private feed, if there is one (R-CAL-3).

use axum::extract::State;
use mypage::app::feed;
use mypage::http::Patron;
use mypage::{App, Error};
use serde::Serialize;

#[derive(Serialize)]
pub struct Feed {
    pub url: String,
    pub include_titles: bool,
}

impl From<feed::FeedView> for Feed {
    fn from(v: feed::FeedView) -> Self {
        Feed {
            url: v.url,
            include_titles: v.include_titles,
        }
    }
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
) -> Result<axum::Json<Feed>, Error> {
    Ok(axum::Json(feed::show(&app, &caller).await?.into()))
}
