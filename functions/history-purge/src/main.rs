#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), mypage::lambda::BoxError> {
    mypage::lambda::run_job(history_purge::run).await
}
