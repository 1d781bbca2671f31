//! POST /api/staff/copies: a new copy of a title; with waiting holds, it goes to the first.

use axum::extract::State;
use axum::http::StatusCode;
use mypage::app::counter;
use mypage::domain::types::{Barcode, BibId};
use mypage::http::{Json, Staff};
use mypage::{App, Error};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddCopy {
    barcode: Barcode,
    bib_id: BibId,
}

#[derive(Serialize)]
pub struct Added {
    barcode: Barcode,
    bib_id: BibId,
}

pub async fn handle(
    State(app): State<App>,
    _: Staff,
    Json(b): Json<AddCopy>,
) -> Result<(StatusCode, axum::Json<Added>), Error> {
    let c = counter::add_copy(&app, b.barcode, b.bib_id).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Added {
            barcode: c.barcode,
            bib_id: c.bib_id,
        }),
    ))
}
