//! Baseline for the cold-start bench: the smallest useful Lambda function.
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    Ok(
        json!({ "statusCode": 200, "body": "hello", "echo_keys": event.payload.as_object().map(|o| o.len()) }),
    )
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
