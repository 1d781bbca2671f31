//! The store checker in the tests: after every concurrency, fault and login test, on both
//! stores, the whole store must keep every invariant.

use crate::TestServer;
use mypage::app::checker;
use mypage::App;

/// Fails the test with every broken invariant of the app's store.
pub async fn assert_app_sound(app: &App) {
    let report = checker::check_app(app, 3)
        .await
        .expect("the checker reads the whole store");
    assert!(
        report.violations.is_empty(),
        "the store checker found {} broken invariant(s) in {} records:\n  {}",
        report.violations.len(),
        report.records,
        report
            .violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

pub async fn assert_store_sound(s: &TestServer) {
    assert_app_sound(s.app()).await;
}

/// Deletes every record whose time to live has passed on the test's clock, as DynamoDB's
/// expiry does in time (neither store of a test sweeps by itself), so a test that moved the
/// clock on by days checks what a live table would hold.
pub async fn expire_as_dynamodb_would(s: &TestServer) {
    let app = s.app();
    let now = app.clock.now();
    let records = checker::read_all(&app.store, 1)
        .await
        .expect("the store reads whole");
    for r in records
        .into_iter()
        .filter(|r| r.expires_at().is_some_and(|at| at < now))
    {
        // A record changed meanwhile is no longer the expired one: leave it.
        let _ = app
            .store
            .commit(mypage::domain::Changes::none().delete(r))
            .await
            .expect("the store answers");
    }
}

/// [`assert_store_sound`] after the expiry that a live table would have run by now.
pub async fn assert_store_sound_after_expiry(s: &TestServer) {
    expire_as_dynamodb_would(s).await;
    assert_store_sound(s).await;
}
