//! GET /api/me/ebooks: the e-book and audiobook service (R-EBOOK-1).

use lambda_http::{Body, Request, Response};
use mypage::app::ebooks;
use mypage::http::{self, StatusCode};
use mypage::{App, Error};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "GET /api/me/ebooks" => {
            let caller = http::patron(app, &req).await?;
            Ok(http::json(StatusCode::OK, &ebooks::launch(app, &caller)?))
        }
        _ => http::unknown_route(),
    }
}
