//! `make check-store`: reads every record of the store and reports each broken invariant
//! (docs/table-design.md, "The store checker"); exits 1 if there is any, 2 if the store
//! could not be read.
//!
//! DynamoDB: `TABLE_NAME` (and the usual AWS settings; `AWS_ENDPOINT_URL` for moto). The
//! embedded store: `STORE=embedded MYPAGE_DATA=<file>`. `CHECK_SEGMENTS` parallel scan
//! segments (4). Each finding is re-checked on a fresh read before it is reported; run it on
//! a point-in-time restore for an exact answer (infra/DEPLOY.md).

use mypage::adapters::{DynamoStore, MemoryStore};
use mypage::app::checker;
use mypage::config::env_lookup as env;
use mypage::ports::Store;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let segments: u32 = env("CHECK_SEGMENTS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let store: Arc<dyn Store> = if env("STORE").as_deref() == Some("embedded") {
        let path = env("MYPAGE_DATA").unwrap_or_else(|| "target/mypage-dev.json".into());
        match MemoryStore::open(std::path::Path::new(&path)) {
            Ok((s, false)) => Arc::new(s),
            Ok((_, true)) => fail(&format!("{path}: no such store file")),
            Err(e) => fail(&e.to_string()),
        }
    } else {
        let Some(table) = env("TABLE_NAME") else {
            fail("set TABLE_NAME (DynamoDB) or STORE=embedded MYPAGE_DATA=<file>")
        };
        let sdk = mypage::aws::sdk_config(mypage::aws::TlsRoots::default()).await;
        Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table))
    };
    let now = mypage::ports::Clock::now(&mypage::adapters::SystemClock);
    let report = match checker::check_store(&store, now, segments).await {
        Ok(r) => r,
        Err(e) => fail(&e.to_string()),
    };
    for v in &report.violations {
        println!("BROKEN {v}");
    }
    println!(
        "{} records read; {} broken invariant(s); {} finding(s) withdrawn after a re-read (changes in flight)",
        report.records,
        report.violations.len(),
        report.withdrawn.len()
    );
    std::process::exit(if report.violations.is_empty() { 0 } else { 1 });
}

fn fail(why: &str) -> ! {
    eprintln!("check-store: {why}");
    std::process::exit(2)
}
