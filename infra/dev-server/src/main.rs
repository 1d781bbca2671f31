//! `make run`: the whole service on 127.0.0.1, with the embedded store (or DynamoDB with
//! `STORE=dynamodb`), demo data on a fresh store, and the website at `/`.
//!
//! `dev-server reindex` (`make reindex`): instead of serving, finishes the search indexing of
//! the titles waiting for it in the same store (`search-index`), prints what it did and stops.

use dev_server::{seed, DevServer};
use mypage::adapters::{DynamoStore, MemoryStore, PinnedClock, SystemClock, TableDesign};
use mypage::config::{AwsSettings, Settings};
use mypage::ports::{Clock, Store};
use std::path::PathBuf;
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

use mypage::config::env_lookup as env;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    mypage::telemetry::init_plain();
    if env("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        return Err("the dev server does not run in Lambda".into());
    }
    let mut settings = Settings::from_env()?;
    let aws = AwsSettings::from_env()?;
    if settings.staff_api_key.is_none() {
        settings.staff_api_key = Some("dev-staff-key".into());
    }
    if settings.ebooks.signing_secret.is_none() {
        settings.ebooks.signing_secret = Some(b"dev-only-ebook-signing-secret".to_vec());
    }
    if settings.login_secret.is_none() {
        settings.login_secret = Some(b"dev-only-login-secret".to_vec());
    }
    let (clock, pinned): (Arc<dyn Clock>, Option<Arc<PinnedClock>>) = match env("MYPAGE_NOW") {
        Some(now) => {
            let at = chrono::DateTime::parse_from_rfc3339(&now)
                .map_err(|e| format!("MYPAGE_NOW is not RFC 3339: {e}"))?;
            let c = Arc::new(PinnedClock::new(at.with_timezone(&chrono::Utc)));
            (c.clone(), Some(c))
        }
        None => (Arc::new(SystemClock), None),
    };
    let (store, fresh): (Arc<dyn Store>, bool) = if env("STORE").as_deref() == Some("dynamodb") {
        let table = aws
            .table_name
            .clone()
            .unwrap_or_else(|| "mypage-dev".into());
        let sdk = mypage::aws::sdk_config(aws.tls_roots).await;
        let client = aws_sdk_dynamodb::Client::new(&sdk);
        let fresh = TableDesign::create(&client, &table).await.is_ok();
        (Arc::new(DynamoStore::new(client, table)), fresh)
    } else {
        let path =
            PathBuf::from(env("MYPAGE_DATA").unwrap_or_else(|| "target/mypage-dev.json".into()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let (store, fresh) = MemoryStore::open(&path)?;
        tracing::info!(file = %path.display(), fresh, "embedded store");
        (Arc::new(store), fresh)
    };
    let mypage::adapters::Embedded {
        app,
        outbox,
        scheduler,
    } = mypage::adapters::embedded(settings, store, clock);
    if std::env::args().nth(1).as_deref() == Some("reindex") {
        let report = search_index::run(app, search_index::Input {}).await?;
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    if fresh {
        seed::demo_data(&app).await?;
        tracing::info!("demo data loaded: see README.md for the demo logins");
    }
    // Titles stored before search existed, or whose indexing was cut off, become findable.
    match search_index::run(app.clone(), search_index::Input {}).await {
        Ok(r) if r.pending > 0 => tracing::info!(indexed = r.indexed, "search index finished"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "search-index at start-up failed"),
    }
    let web_root = PathBuf::from(env("WEB_ROOT").unwrap_or_else(|| "web".into()));
    let dev = DevServer {
        app,
        outbox,
        scheduler,
        pinned_clock: pinned,
        web_root: web_root.is_dir().then_some(web_root),
    };

    // EventBridge stand-in: due one-time schedules and the sweep, and the search re-index,
    // every minute.
    let ticker = dev.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = ticker.run_hold_expiry().await {
                tracing::error!(error = %e, "hold-expiry tick failed");
            }
            if let Err(e) = search_index::run(ticker.app.clone(), search_index::Input {}).await {
                tracing::error!(error = %e, "search-index tick failed");
            }
        }
    });

    let port: u16 = env("PORT").map(|p| p.parse()).transpose()?.unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("My Page dev server on http://{}", listener.local_addr()?);
    dev_server::serve::serve(
        listener,
        dev.router(),
        dev_server::serve::Limits::default(),
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await?;
    Ok(())
}
