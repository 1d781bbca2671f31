//! Start-up shared by every function's `main`: logs, configuration, clients, once.

use crate::app::App;
use std::time::Instant;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Builds the app for a Lambda function (clients, configuration, an open DynamoDB
/// connection); it lives for the whole process. Logs how long that took, so a slow cold
/// start can be read off CloudWatch.
pub async fn init() -> Result<&'static App, BoxError> {
    let started = Instant::now();
    crate::telemetry::init_json();
    let app = App::from_lambda_env().await?;
    tracing::info!(
        init_ms = started.elapsed().as_secs_f64() * 1e3,
        "initialised"
    );
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
