//! POST /api/me/calendar-feed: a new private feed URL; the old one stops working (R-CAL-3).
//! `include_titles` chooses whether events name the titles (reading data).

use crate::feed_show::Feed;
use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::feed;
use mypage::http::{Json, Patron};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    include_titles: bool,
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Json(body): Json<NewFeed>,
) -> Result<(StatusCode, axum::Json<Feed>), Error> {
    let made = feed::create(&app, &caller, body.include_titles).await?;
    Ok((StatusCode::CREATED, axum::Json(made.into())))
}
