//! The catalog as patrons see it (no login).

use super::App;
use crate::error::Error;
use crate::model::Title;
use crate::types::BibId;
use chrono::Days;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct TitleView {
    pub bib_id: BibId,
    pub title: String,
    pub author: String,
    pub subjects: Vec<String>,
    pub added_on: chrono::NaiveDate,
    pub copies: u32,
    pub available: u32,
    pub waiting_holds: u32,
}

impl From<&Title> for TitleView {
    fn from(t: &Title) -> Self {
        TitleView {
            bib_id: t.bib_id.clone(),
            title: t.title.clone(),
            author: t.author.clone(),
            subjects: t.subjects.clone(),
            added_on: t.added_on,
            copies: t.copies,
            available: t.on_shelf,
            waiting_holds: t.queue.len() as u32,
        }
    }
}

pub async fn title(app: &App, bib: &BibId) -> Result<TitleView, Error> {
    let t = app.store.title(bib).await?.ok_or(Error::TitleNotFound)?;
    Ok(TitleView::from(&t))
}

/// Longest window `GET /api/catalog/new-arrivals?days=` accepts.
pub const MAX_NEW_ARRIVAL_DAYS: u32 = 90;

/// Titles added in the last `days` days (today included), newest first.
pub async fn new_arrivals(app: &App, days: u32) -> Result<Vec<TitleView>, Error> {
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
    Ok(out.iter().map(TitleView::from).collect())
}
