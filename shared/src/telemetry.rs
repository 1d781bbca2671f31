//! Structured logs: JSON lines in Lambda (CloudWatch parses them), plain lines locally.
//! No field ever carries a password, token, email address or full card number.

use tracing_subscriber::EnvFilter;

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

pub fn init_json() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter())
        .with_current_span(false)
        .with_target(false)
        .without_time() // CloudWatch stamps each line
        .try_init();
}

pub fn init_plain() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_target(false)
        .try_init();
}
