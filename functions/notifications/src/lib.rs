//! GET and PUT /api/me/notifications: the two email services (R-MAIL-1, R-MAIL-2).

use lambda_http::{Body, Request, Response};
use mypage::app::account;
use mypage::http::{self, json_body, StatusCode};
use mypage::model::{NewArrivalSettings, NotificationSettings};
use mypage::types::InterestTerms;
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    due_reminder: bool,
    new_arrivals: NewArrivals,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewArrivals {
    enabled: bool,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "GET /api/me/notifications" => {
            let caller = http::patron(app, &req).await?;
            Ok(http::json(
                StatusCode::OK,
                &caller.account.patron.notifications,
            ))
        }
        "PUT /api/me/notifications" => {
            let caller = http::patron(app, &req).await?;
            let body: Settings = json_body(&req)?;
            let settings = NotificationSettings {
                due_reminder: body.due_reminder,
                new_arrivals: NewArrivalSettings {
                    enabled: body.new_arrivals.enabled,
                    authors: InterestTerms::parse(body.new_arrivals.authors)?,
                    subjects: InterestTerms::parse(body.new_arrivals.subjects)?,
                    keywords: InterestTerms::parse(body.new_arrivals.keywords)?,
                },
            };
            account::set_notifications(app, &caller, settings).await?;
            Ok(http::no_content())
        }
        _ => http::unknown_route(),
    }
}
