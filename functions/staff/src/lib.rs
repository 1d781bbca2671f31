//! The counter's routes, /api/staff/* (R-DESK-1, R-DESK-2, R-ACCT-2).

use chrono::NaiveDate;
use lambda_http::{Body, Request, Response};
use mypage::app::{circulation, holds};
use mypage::http::{self, json_body, StatusCode};
use mypage::model::NotifyBy;
use mypage::types::{Barcode, BibId, CardNumber};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterPatron {
    card_number: CardNumber,
    name: String,
    #[serde(default)]
    ebook_eligible: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddTitle {
    bib_id: BibId,
    title: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    subjects: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddCopy {
    barcode: Barcode,
    bib_id: BibId,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckOut {
    card_number: CardNumber,
    barcode: Barcode,
    interlibrary_due_date: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckIn {
    barcode: Barcode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterHold {
    card_number: CardNumber,
    bib_id: BibId,
    notify: NotifyBy,
}

/// Text fields: present, bounded, no control characters.
fn text(field: &str, value: String, max_chars: usize, required: bool) -> Result<String, Error> {
    let v = value.trim().to_owned();
    let n = v.chars().count();
    if (required && n == 0) || n > max_chars || v.chars().any(char::is_control) {
        return Err(Error::InvalidRequest(format!(
            "{field} is {} to {max_chars} characters without control characters",
            u8::from(required)
        )));
    }
    Ok(v)
}

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    http::require_staff(app, &req)?;
    match http::route_key(&req).as_str() {
        "POST /api/staff/patrons" => {
            let b: RegisterPatron = json_body(&req)?;
            let name = text("name", b.name, 100, true)?;
            let p =
                circulation::register_patron(app, b.card_number, name, b.ebook_eligible).await?;
            Ok(http::json(
                StatusCode::CREATED,
                &serde_json::json!({ "card_number": p.card_number, "name": p.name, "ebook_eligible": p.ebook_eligible }),
            ))
        }
        "POST /api/staff/patrons/{card_number}/temporary-password" => {
            let card = http::path_param(&req, "card_number", CardNumber::parse)?;
            let temporary_password = circulation::issue_temporary_password(app, &card).await?;
            Ok(http::json(
                StatusCode::OK,
                &serde_json::json!({ "temporary_password": temporary_password }),
            ))
        }
        "POST /api/staff/titles" => {
            let b: AddTitle = json_body(&req)?;
            if b.subjects.len() > 20 {
                return Err(Error::InvalidRequest("at most 20 subjects".into()));
            }
            let subjects = b
                .subjects
                .into_iter()
                .map(|s| text("subjects", s, 100, true))
                .collect::<Result<_, _>>()?;
            let t = circulation::add_title(
                app,
                b.bib_id,
                text("title", b.title, 500, true)?,
                text("author", b.author, 200, false)?,
                subjects,
            )
            .await?;
            Ok(http::json(
                StatusCode::CREATED,
                &mypage::app::catalog::TitleView::from(&t),
            ))
        }
        "POST /api/staff/copies" => {
            let b: AddCopy = json_body(&req)?;
            let c = circulation::add_copy(app, b.barcode, b.bib_id).await?;
            Ok(http::json(
                StatusCode::CREATED,
                &serde_json::json!({ "barcode": c.barcode, "bib_id": c.bib_id }),
            ))
        }
        "POST /api/staff/checkouts" => {
            let b: CheckOut = json_body(&req)?;
            let loan =
                circulation::check_out(app, &b.card_number, &b.barcode, b.interlibrary_due_date)
                    .await?;
            Ok(http::json(StatusCode::CREATED, &loan))
        }
        "POST /api/staff/checkins" => {
            let b: CheckIn = json_body(&req)?;
            Ok(http::json(
                StatusCode::OK,
                &circulation::check_in(app, &b.barcode).await?,
            ))
        }
        "POST /api/staff/holds" => {
            let b: CounterHold = json_body(&req)?;
            let hold = holds::place(app, &b.card_number, None, &b.bib_id, b.notify).await?;
            Ok(http::json(StatusCode::CREATED, &hold))
        }
        _ => http::unknown_route(),
    }
}
