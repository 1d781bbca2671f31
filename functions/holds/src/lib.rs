//! GET and POST /api/me/holds, DELETE /api/me/holds/{hold_id} (R-HOLD-1..5, R-HOLD-8).

use lambda_http::{Body, Request, Response};
use mypage::app::holds;
use mypage::http::{self, json_body, StatusCode};
use mypage::model::NotifyBy;
use mypage::types::{BibId, HoldId};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceHold {
    bib_id: BibId,
    notify: NotifyBy,
}

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "GET /api/me/holds" => {
            let caller = http::patron(app, &req).await?;
            let holds = holds::list(app, &caller).await?;
            Ok(http::json(
                StatusCode::OK,
                &serde_json::json!({ "holds": holds }),
            ))
        }
        "POST /api/me/holds" => {
            let caller = http::patron(app, &req).await?;
            let body: PlaceHold = json_body(&req)?;
            let card = caller.card().clone();
            let hold =
                holds::place(app, &card, Some(caller.account), &body.bib_id, body.notify).await?;
            Ok(http::json(StatusCode::CREATED, &hold))
        }
        "DELETE /api/me/holds/{hold_id}" => {
            let caller = http::patron(app, &req).await?;
            let hold_id = http::path_param(&req, "hold_id", HoldId::parse)
                .map_err(|_| Error::HoldNotFound)?;
            holds::cancel(app, &caller, &hold_id).await?;
            Ok(http::no_content())
        }
        _ => http::unknown_route(),
    }
}
