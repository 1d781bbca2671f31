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
