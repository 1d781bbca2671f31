//! My Page: the library's patron self-service back end, shared by every Lambda function.
//!
//! Four rooms, inside out:
//! - `domain`: the library's records, rules and transitions; plain types, no I/O.
//! - `ports`: what the use cases need from the world (store, mailer, scheduler, clock).
//! - `app`: the use cases: read, let the domain decide, commit, then follow up.
//! - `adapters`: the ports' implementations: DynamoDB, SES, EventBridge Scheduler, SSM, and
//!   the embedded ones the dev server and tests use.
//!
//! Around them: `http` (the axum layer every HTTP function shares: extractors, auth, the one
//! error-to-response mapping), `lambda` (a function's start-up: the composition root that
//! builds the adapters from the environment), `config`, `credentials`, `telemetry`, `aws`.

pub mod adapters;
pub mod app;
pub mod aws;
pub mod config;
pub mod credentials;
pub mod domain;
pub mod error;
pub mod http;
pub mod lambda;
pub mod ports;
pub mod telemetry;

pub use app::App;
pub use error::Error;
