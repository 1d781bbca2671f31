//! GET /api/me/loans: the loan list with renewability (R-LOAN-1, R-RENEW-1..5).

use lambda_http::{Body, Request, Response};
use mypage::app::loans;
use mypage::http::{self, StatusCode};
use mypage::{App, Error};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "GET /api/me/loans" => {
            let caller = http::patron(app, &req).await?;
            let loans = loans::list(app, &caller).await?;
            Ok(http::json(
                StatusCode::OK,
                &serde_json::json!({ "loans": loans }),
            ))
        }
        _ => http::unknown_route(),
    }
}
