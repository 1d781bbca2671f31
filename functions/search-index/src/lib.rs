//! `search-index`, every few minutes: finishes the search indexing of titles whose postings
//! were not all written when they were added (R-FIND-2). Usually there are none.

use mypage::app::search::{self, IndexReport};
use mypage::{App, Error};
use serde::Deserialize;

/// The run takes `{}`: the titles to index are those still marked as waiting.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub async fn run(app: App, _input: Input) -> Result<IndexReport, Error> {
    search::index_pending(&app).await
}
