//! Start-up shared by every function's `main`: logs, configuration, clients, once.

use crate::app::App;
use crate::store::Key;
use std::time::Duration;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Builds the app for a Lambda function and primes the DynamoDB connection, so the first
/// request does not pay for the TLS handshake. The app lives for the whole process.
pub async fn init() -> Result<&'static App, BoxError> {
    crate::telemetry::init_json();
    let app = App::from_env().await?;
    let _ = tokio::time::timeout(
        Duration::from_secs(2),
        app.store.get(&Key::Job("connection-warmup".into())),
    )
    .await;
    Ok(Box::leak(Box::new(app)))
}

/// Runs an HTTP function: `handle` is the same function the dev server and tests call.
pub async fn run_http<F, Fut>(handle: F) -> Result<(), BoxError>
where
    F: Fn(&'static App, lambda_http::Request) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = lambda_http::Response<lambda_http::Body>> + Send + 'static,
{
    let app = init().await?;
    let handle = &*Box::leak(Box::new(handle));
    lambda_http::run(lambda_http::service_fn(move |req| {
        let fut = handle(app, req);
        async move { Ok::<_, std::convert::Infallible>(fut.await) }
    }))
    .await
}
