//! `history-purge`, daily: finishes deleting the reading histories that patrons turned off or
//! deleted (R-HIST-1) where the request that began it did not get to the end (more than
//! 1,000 entries, a crash, a timeout). The patrons are found through a sparse index.

use mypage::app::history::{self, PurgeReport};
use mypage::{App, Error};
use serde::Deserialize;

/// `{}`: the run takes no parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub async fn run(app: App, _input: Input) -> Result<PurgeReport, Error> {
    history::purge_pending(&app).await
}
