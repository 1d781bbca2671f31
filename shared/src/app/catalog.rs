//! The catalog as patrons see it (no login).

use super::App;
use crate::domain::types::BibId;
use crate::domain::Title;
use crate::error::Error;
use chrono::Days;

pub async fn title(app: &App, bib: &BibId) -> Result<Title, Error> {
    app.store.title(bib).await?.ok_or(Error::TitleNotFound)
}

/// Longest window `GET /api/catalog/new-arrivals?days=` accepts.
pub const MAX_NEW_ARRIVAL_DAYS: u32 = 90;

/// Titles added in the last `days` days (today included), newest first.
pub async fn new_arrivals(app: &App, days: u32) -> Result<Vec<Title>, Error> {
    let today = app.clock.today();
    let mut out = Vec::new();
    for back in 0..days.min(MAX_NEW_ARRIVAL_DAYS) {
        let Some(day) = today.checked_sub_days(Days::new(back.into())) else {
            break;
        };
        out.extend(app.store.titles_added_on(day).await?);
    }
    out.sort_by(|a, b| {
        b.added_at
            .cmp(&a.added_at)
            .then_with(|| a.bib_id.cmp(&b.bib_id))
    });
    Ok(out)
}
