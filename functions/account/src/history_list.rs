//! GET /api/me/reading-history?page_token=&limit=: the patron's reading history, newest
//! first, in pages of 1 to 50 (20 by default) (R-HIST-1). While it is off, `enabled` is false
//! and there are no entries.

use axum::extract::State;
use base64::Engine;
use chrono::NaiveDate;
use mypage::app::history;
use mypage::domain::types::{BibId, EntryId};
use mypage::http::{Patron, Query};
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 50;
/// What a page token says before the entry it continues after.
const TOKEN_PREFIX: &str = "history:";

#[derive(Deserialize)]
pub struct Paging {
    page_token: Option<String>,
    limit: Option<String>,
}

#[derive(Serialize)]
pub struct HistoryPage {
    enabled: bool,
    entries: Vec<EntryBody>,
    next_page_token: Option<String>,
}

#[derive(Serialize)]
pub struct EntryBody {
    entry_id: EntryId,
    bib_id: BibId,
    title: String,
    author: String,
    checked_out_on: NaiveDate,
    returned_on: NaiveDate,
}

fn engine() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn token_for(after: &EntryId) -> String {
    engine().encode(format!("{TOKEN_PREFIX}{after}"))
}

/// The entry a page token continues after; a token this server did not make is refused.
fn after_of(token: &str) -> Result<EntryId, Error> {
    let refused = || Error::InvalidRequest("page_token was not issued by this server".into());
    let bytes = engine().decode(token).map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    let id = text.strip_prefix(TOKEN_PREFIX).ok_or_else(refused)?;
    EntryId::parse(id).map_err(|_| refused())
}

pub async fn handle(
    State(app): State<App>,
    Patron(caller): Patron,
    Query(q): Query<Paging>,
) -> Result<axum::Json<HistoryPage>, Error> {
    let limit = match q.limit {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| {
                Error::InvalidRequest(format!("limit is a whole number from 1 to {MAX_LIMIT}"))
            })?,
    };
    let after = q.page_token.as_deref().map(after_of).transpose()?;
    let page = history::page(&app, &caller, after.as_ref(), limit).await?;
    Ok(axum::Json(HistoryPage {
        enabled: page.enabled,
        entries: page
            .entries
            .into_iter()
            .map(|e| EntryBody {
                entry_id: e.entry_id,
                bib_id: e.bib_id,
                title: e.title,
                author: e.author,
                checked_out_on: e.checked_out_on,
                returned_on: e.returned_on,
            })
            .collect(),
        next_page_token: page.next_after.as_ref().map(token_for),
    }))
}
