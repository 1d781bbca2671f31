//! POST /api/session (log in) and DELETE /api/session (log out). R-ACCT-3, R-ACCT-7, R-ACCT-8.

use lambda_http::{Body, Request, Response};
use mypage::app::sessions;
use mypage::http::{self, json_body};
use mypage::types::PasswordAttempt;
use mypage::{App, Error};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogIn {
    card_number: String,
    password: String,
}

#[derive(serde::Serialize)]
struct LoggedIn {
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
    must_change_password: bool,
}

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::respond(route(app, req).await)
}

async fn route(app: &App, req: Request) -> Result<Response<Body>, Error> {
    match http::route_key(&req).as_str() {
        "POST /api/session" => {
            let body: LogIn = json_body(&req)?;
            let password = PasswordAttempt::new(body.password).ok_or(Error::InvalidCredentials)?;
            let ok = sessions::log_in(app, &body.card_number, password).await?;
            let max_age = (ok.expires_at - app.clock.now()).num_seconds().max(0);
            let cookie = http::session_cookie(&ok.token, max_age);
            let resp = http::json(
                http::StatusCode::OK,
                &LoggedIn {
                    token: ok.token,
                    expires_at: ok.expires_at,
                    must_change_password: ok.must_change_password,
                },
            );
            Ok(http::with_cookie(resp, &cookie))
        }
        "DELETE /api/session" => {
            if let Some(token) = http::raw_token(&req) {
                sessions::log_out(app, &token).await?;
            }
            Ok(http::with_cookie(
                http::no_content(),
                &http::cleared_session_cookie(),
            ))
        }
        _ => http::unknown_route(),
    }
}
