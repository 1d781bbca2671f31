//! GET /api/catalog/titles/{bib_id}, GET /api/catalog/new-arrivals (no login).

use lambda_http::{Body, Request, Response};
use mypage::app::catalog;
use mypage::http::{self, StatusCode};
use mypage::types::BibId;
use mypage::{App, Error};

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "GET /api/catalog/titles/{bib_id}" => {
            let bib =
                http::path_param(&req, "bib_id", BibId::parse).map_err(|_| Error::TitleNotFound)?;
            Ok(http::json(
                StatusCode::OK,
                &catalog::title(app, &bib).await?,
            ))
        }
        "GET /api/catalog/new-arrivals" => {
            let days = match http::query_param(&req, "days") {
                None => app.policy().new_arrivals_days,
                Some(d) => d
                    .parse()
                    .ok()
                    .filter(|d| (1..=catalog::MAX_NEW_ARRIVAL_DAYS).contains(d))
                    .ok_or_else(|| {
                        Error::InvalidRequest(format!(
                            "days is a whole number from 1 to {}",
                            catalog::MAX_NEW_ARRIVAL_DAYS
                        ))
                    })?,
            };
            let titles = catalog::new_arrivals(app, days).await?;
            Ok(http::json(
                StatusCode::OK,
                &serde_json::json!({ "titles": titles }),
            ))
        }
        _ => http::unknown_route(),
    }
}
