//! POST /api/renewal-links/{token}: renews the one loan the link names, under every renewal
//! rule, once (R-MAIL-7). No login: the token authorises this renewal and nothing else.

use crate::Renewed;
use axum::extract::State;
use mypage::app::loans;
use mypage::http::Path;
use mypage::{App, Error};

pub async fn handle(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<axum::Json<Renewed>, Error> {
    let loan = loans::renew_by_link(&app, &token).await?;
    Ok(axum::Json(Renewed::from(loan)))
}
