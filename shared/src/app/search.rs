//! Catalog search (R-FIND-1, R-FIND-2): a page of hits read from the search index, and the
//! indexing of a title, at the counter and by the re-index that finishes an interrupted one.
//!
//! A page: the posting counts of the query's grams (one request), the postings of the rarest
//! gram in order from the page token, each checked against every word, until the page is full
//! or `MAX_POSTINGS_PER_PAGE` were read; then the page's titles (one request) for their
//! availability. No request reads the catalog as a whole.

use super::{committed, until_committed, App, Attempt};
use crate::domain::search::{
    self, PageScan, PageToken, Plan, Query, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_POSTINGS_PER_PAGE,
};
use crate::domain::types::BibId;
use crate::domain::Title;
use crate::error::Error;
use crate::ports::PostingsRange;
use serde::Serialize;
use std::collections::HashMap;

/// A page of hits, in order, and the token of the next page (None on the last).
#[derive(Debug)]
pub struct SearchPage {
    pub titles: Vec<Title>,
    pub next_page_token: Option<String>,
}

/// The page size a request asks for: 1 to `MAX_PAGE_SIZE`, `DEFAULT_PAGE_SIZE` if it does not.
pub fn page_size(raw: Option<&str>) -> Result<usize, Error> {
    match raw {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| {
                Error::InvalidRequest(format!("limit is a whole number from 1 to {MAX_PAGE_SIZE}"))
            }),
    }
}

/// GET /api/catalog/search: `q` as sent, the page token if any, the page size.
pub async fn search(
    app: &App,
    q: &str,
    page_token: Option<&str>,
    limit: usize,
) -> Result<SearchPage, Error> {
    let query = Query::parse(q)?;
    let token = page_token
        .map(|raw| PageToken::decode(raw, &query))
        .transpose()?;
    search_page(app, &query, token, limit, MAX_POSTINGS_PER_PAGE).await
}

/// One page, reading at most `max_postings` postings (the property test varies it).
pub async fn search_page(
    app: &App,
    query: &Query,
    token: Option<PageToken>,
    limit: usize,
    max_postings: usize,
) -> Result<SearchPage, Error> {
    let counts = app.store.gram_counts(&query.grams()).await?;
    let Plan::Read(gram) = search::plan(query, &counts) else {
        return Ok(SearchPage {
            titles: Vec::new(),
            next_page_token: None,
        });
    };
    let mut scan = PageScan::new(query, token.map(|t| t.after), limit, max_postings);
    while let Some(n) = scan.wants() {
        let range = PostingsRange {
            gram: &gram,
            after: scan.after(),
            limit: n,
        };
        let batch = app.store.postings(range).await?;
        scan.take(n, batch);
    }
    let page = scan.finish();
    let bibs: Vec<BibId> = page.hits.iter().map(|h| h.bib_id()).collect();
    let mut found: HashMap<BibId, Title> = app
        .store
        .titles(bibs.clone())
        .await?
        .into_iter()
        .map(|t| (t.bib_id.clone(), t))
        .collect();
    Ok(SearchPage {
        // Titles are never deleted; one that is missing all the same is left out.
        titles: bibs.iter().filter_map(|b| found.remove(b)).collect(),
        next_page_token: page.next.map(|t| t.encode(query)),
    })
}

/// Writes a title's index entries, in the order that keeps search correct if it stops part
/// way: the counts first (a count may then run high, never low), the postings, and only then
/// the mark that it is indexed (until then the re-index will do it again).
pub async fn index_title(app: &App, title: &Title) -> Result<(), Error> {
    let postings = search::postings(title);
    app.store
        .add_gram_counts(&search::gram_counts(&postings))
        .await?;
    app.store.write_postings(&postings).await?;
    until_committed(|| async {
        let current = app
            .store
            .title(&title.bib_id)
            .await?
            .ok_or(Error::TitleNotFound)?;
        match search::mark_indexed(&current) {
            None => Ok(Attempt::Done(())),
            Some(changes) => Ok(committed(app.store.commit(changes).await?, ())),
        }
    })
    .await
}

/// What a re-index run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexReport {
    /// Titles found waiting for their postings.
    pub pending: usize,
    pub indexed: usize,
    pub failed: usize,
}

/// `search-index`: indexes every title still waiting for its postings (an indexing that was
/// interrupted after the title was committed). Running it again does no harm.
pub async fn index_pending(app: &App) -> Result<IndexReport, Error> {
    let pending = app.store.titles_pending_index().await?;
    let mut report = IndexReport {
        pending: pending.len(),
        ..IndexReport::default()
    };
    for title in &pending {
        match index_title(app, title).await {
            Ok(()) => report.indexed += 1,
            Err(e) => {
                report.failed += 1;
                tracing::error!(bib_id = %title.bib_id, error = %e, "indexing a title failed; the next run tries again");
            }
        }
    }
    super::log_run_done("search-index", &report);
    if report.failed > 0 {
        return Err(Error::Internal(format!(
            "{} of {} titles could not be indexed",
            report.failed, report.pending
        )));
    }
    Ok(report)
}
