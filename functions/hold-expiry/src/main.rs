use lambda_runtime::{service_fn, LambdaEvent};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), mypage::lambda::BoxError> {
    let app = mypage::lambda::init().await?;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            hold_expiry::run(app, event.payload)
                .await
                .map_err(mypage::lambda::BoxError::from)
        },
    ))
    .await
}
