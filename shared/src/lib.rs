//! My Page: the library's patron self-service, as a domain crate.
//!
//! - `rules`: the library's rules as pure functions (no I/O).
//! - `types`, `model`, `policy`, `clock`: the vocabulary.
//! - `store`, `mail`, `scheduler`: ports, each with an AWS adapter and an embedded one;
//!   `aws` builds the SDK configuration the AWS adapters share.
//! - `app`: the operations the Lambda functions call (read, decide with `rules`, commit).
//! - `http`: request parsing and the one error-to-response mapping, shared by every function.

pub mod app;
pub mod aws;
pub mod clock;
pub mod config;
pub mod error;
pub mod http;
pub mod lambda;
pub mod mail;
pub mod model;
pub mod policy;
pub mod rules;
pub mod scheduler;
pub mod store;
pub mod telemetry;
pub mod types;

pub use app::App;
pub use error::Error;
