//! GET /api/calendar-feeds/{secret}: the feed itself, as iCalendar (RFC 5545), for a phone's
//! calendar. No login: the URL's secret is the key (R-CAL-3).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use mypage::app::feed;
use mypage::http::Path;
use mypage::{App, Error};

pub async fn handle(State(app): State<App>, Path(secret): Path<String>) -> Result<Response, Error> {
    let ics = feed::render(&app, &secret).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        ics,
    )
        .into_response())
}
