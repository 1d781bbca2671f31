#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), mypage::lambda::BoxError> {
    mypage::lambda::run_job(overdue_notices::run).await
}
