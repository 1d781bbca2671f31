//! GET /api/me, PUT /api/me/password, PUT and DELETE /api/me/email. R-ACCT-3..6.

use lambda_http::{Body, Request, Response};
use mypage::app::{account, sessions};
use mypage::http::{self, json_body, StatusCode};
use mypage::types::{EmailAddress, PasswordAttempt};
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangePassword {
    current_password: String,
    new_password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetEmail {
    email: String,
}

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "GET /api/me" => {
            let caller = http::patron(app, &req).await?;
            Ok(http::json(StatusCode::OK, &account::profile(app, &caller)))
        }
        "PUT /api/me/password" => {
            // The one route a temporary-password session may use (R-ACCT-3).
            let caller = http::any_session(app, &req).await?;
            let body: ChangePassword = json_body(&req)?;
            let current =
                PasswordAttempt::new(body.current_password).ok_or(Error::InvalidCredentials)?;
            sessions::change_password(app, &caller, current, &body.new_password).await?;
            Ok(http::no_content())
        }
        "PUT /api/me/email" => {
            let caller = http::patron(app, &req).await?;
            let body: SetEmail = json_body(&req)?;
            account::set_email(app, &caller, EmailAddress::parse(&body.email)?).await?;
            Ok(http::no_content())
        }
        "DELETE /api/me/email" => {
            let caller = http::patron(app, &req).await?;
            account::remove_email(app, &caller).await?;
            Ok(http::no_content())
        }
        _ => http::unknown_route(),
    }
}
