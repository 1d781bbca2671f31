//! POST /api/me/loans/{loan_id}/renewal (R-RENEW-1..8).

use lambda_http::{Body, Request, Response};
use mypage::app::loans;
use mypage::http::{self, StatusCode};
use mypage::types::LoanId;
use mypage::{App, Error};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "POST /api/me/loans/{loan_id}/renewal" => {
            let caller = http::patron(app, &req).await?;
            // A malformed id names no loan of this patron.
            let loan_id = http::path_param(&req, "loan_id", LoanId::parse)
                .map_err(|_| Error::LoanNotFound)?;
            let renewed = loans::renew(app, &caller, &loan_id).await?;
            Ok(http::json(StatusCode::OK, &renewed))
        }
        _ => http::unknown_route(),
    }
}
