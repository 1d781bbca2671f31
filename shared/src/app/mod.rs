//! The operations the functions call. Each reads what it needs, lets `rules` decide, and
//! commits with version checks; a lost race re-runs the operation on fresh reads.

pub mod account;
pub mod catalog;
pub mod circulation;
pub mod ebooks;
pub mod holds;
pub mod loans;
pub mod mailing;
pub mod sessions;

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, ConfigError};
use crate::error::Error;
use crate::mail::{Mailer, NoMailer, Outbox, SesMailer};
use crate::model::{Hold, Loan, Patron, Session};
use crate::policy::Policy;
use crate::scheduler::{EventBridgeScheduler, ExpiryScheduler, LocalScheduler};
use crate::store::{DynamoStore, MemoryStore, Record, Store};
use crate::types::CardNumber;
use std::future::Future;
use std::sync::Arc;

/// Everything an operation needs, built once per process (in Lambda: during init).
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub scheduler: Arc<dyn ExpiryScheduler>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
}

impl App {
    pub fn policy(&self) -> &Policy {
        &self.config.policy
    }

    /// In-memory adapters: for tests and the dev server.
    pub fn embedded(
        config: Config,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> (App, Arc<Outbox>, Arc<LocalScheduler>) {
        let outbox = Arc::new(Outbox::default());
        let scheduler = Arc::new(LocalScheduler::default());
        let app = App {
            store,
            mailer: outbox.clone(),
            scheduler: scheduler.clone(),
            clock,
            config: Arc::new(config),
        };
        (app, outbox, scheduler)
    }

    /// The AWS adapters for a Lambda function, configured from its environment (`TABLE_NAME`,
    /// `MAIL_FROM`, `SCHEDULE_GROUP`, ...). Clients are built here once and shared by every
    /// request. The DynamoDB connection is opened here too (its TLS handshake would otherwise
    /// fall on the first request); while it opens, the other clients are built and the
    /// e-book secret, if the function has one, is read from SSM.
    pub async fn from_lambda_env() -> Result<App, ConfigError> {
        let mut config = Config::from_env()?;
        let sdk = crate::aws::lambda_sdk_config(config.tls_roots).await;
        let store = Self::dynamo_store(&config, &sdk)?;
        let secret_param = std::env::var("EBOOK_SIGNING_SECRET_PARAM")
            .ok()
            .filter(|name| !name.is_empty() && config.ebooks.signing_secret.is_none());
        let meanwhile = async {
            let mailer = Self::mailer(&config, &sdk);
            let scheduler = Self::scheduler(&config, &sdk);
            let secret = match &secret_param {
                Some(name) => ebook_secret_from_ssm(&sdk, name).await.map(Some),
                None => Ok(None),
            };
            (mailer, scheduler, secret)
        };
        let ((), (mailer, scheduler, secret)) =
            tokio::join!(open_connection(store.as_ref()), meanwhile);
        if let Some(secret) = secret? {
            config.ebooks.signing_secret = Some(secret);
        }
        Ok(App {
            store,
            mailer,
            scheduler,
            clock: Arc::new(SystemClock),
            config: Arc::new(config),
        })
    }

    /// The AWS adapters with a given configuration and clock (tests against moto).
    pub fn with_aws(
        config: Config,
        sdk: &aws_config::SdkConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<App, ConfigError> {
        Ok(App {
            store: Self::dynamo_store(&config, sdk)?,
            mailer: Self::mailer(&config, sdk),
            scheduler: Self::scheduler(&config, sdk),
            clock,
            config: Arc::new(config),
        })
    }

    fn dynamo_store(
        config: &Config,
        sdk: &aws_config::SdkConfig,
    ) -> Result<Arc<dyn Store>, ConfigError> {
        let table = config
            .table_name
            .clone()
            .ok_or(ConfigError::Missing("TABLE_NAME"))?;
        Ok(Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(sdk),
            table,
        )))
    }

    /// SES when `MAIL_FROM` is set, which template.yaml does only for the functions that
    /// send mail (and may, by IAM).
    fn mailer(config: &Config, sdk: &aws_config::SdkConfig) -> Arc<dyn Mailer> {
        match &config.mail_from {
            Some(from) => Arc::new(SesMailer::new(
                aws_sdk_sesv2::Client::new(sdk),
                from.clone(),
                config.ses_max_send_rate,
            )),
            None => Arc::new(NoMailer),
        }
    }

    /// EventBridge Scheduler when `SCHEDULE_GROUP` and its companions are set (the staff and
    /// hold-expiry functions).
    fn scheduler(config: &Config, sdk: &aws_config::SdkConfig) -> Arc<dyn ExpiryScheduler> {
        match &config.scheduler {
            Some(s) => Arc::new(EventBridgeScheduler::new(
                aws_sdk_scheduler::Client::new(sdk),
                s.clone(),
            )),
            None => Arc::new(LocalScheduler::default()),
        }
    }

    pub fn memory_store() -> Arc<dyn Store> {
        Arc::new(MemoryStore::new())
    }
}

/// One cheap read that leaves an open, TLS-established connection in the client's pool.
/// Its answer does not matter, and a slow endpoint must not hold up the start.
async fn open_connection(store: &dyn Store) {
    let key = crate::store::Key::Job("connection-warmup".into());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), store.get(&key)).await;
}

/// The e-book signing secret, kept as an SSM SecureString so it never sits in plain
/// configuration; read once at start-up.
async fn ebook_secret_from_ssm(
    sdk: &aws_config::SdkConfig,
    name: &str,
) -> Result<Vec<u8>, ConfigError> {
    let out = aws_sdk_ssm::Client::new(sdk)
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| ConfigError::Invalid {
            name: "EBOOK_SIGNING_SECRET_PARAM",
            reason: aws_sdk_ssm::error::DisplayErrorContext(e).to_string(),
        })?;
    out.parameter
        .and_then(|p| p.value)
        .filter(|v| !v.is_empty())
        .map(String::into_bytes)
        .ok_or(ConfigError::Invalid {
            name: "EBOOK_SIGNING_SECRET_PARAM",
            reason: "the parameter is empty".into(),
        })
}

/// Attempts before an operation that keeps losing races answers `busy`.
const MAX_ATTEMPTS: u32 = 200;

/// Runs `attempt` until it does not lose a race (`Error::Busy` comes from a store conflict).
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    for n in 0..MAX_ATTEMPTS {
        match attempt().await {
            Err(Error::Busy) => {
                let ceiling = 2 + 2 * n.min(10) as u64;
                let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=ceiling);
                tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
            }
            other => return other,
        }
    }
    Err(Error::Busy)
}

/// Everything under one patron: read in one round trip.
#[derive(Debug, Clone)]
pub struct PatronAccount {
    pub patron: Patron,
    pub sessions: Vec<Session>,
    pub loans: Vec<Loan>,
    pub holds: Vec<Hold>,
}

impl PatronAccount {
    pub async fn load(
        store: &dyn Store,
        card: &CardNumber,
    ) -> Result<Option<PatronAccount>, Error> {
        let mut patron = None;
        let (mut sessions, mut loans, mut holds) = (Vec::new(), Vec::new(), Vec::new());
        for r in store.patron_records(card).await? {
            match r {
                Record::Patron(p) => patron = Some(p),
                Record::Session(s) => sessions.push(s),
                Record::Loan(l) => loans.push(l),
                Record::Hold(h) => holds.push(h),
                _ => {}
            }
        }
        Ok(patron.map(|patron| PatronAccount {
            patron,
            sessions,
            loans,
            holds,
        }))
    }
}

impl PatronAccount {
    /// The account for one attempt of an operation: as first read (by authentication) on the
    /// first attempt, freshly read after a lost race. `missing` is the error if it is gone.
    pub(crate) async fn for_attempt(
        app: &App,
        card: &CardNumber,
        first: Option<PatronAccount>,
        missing: fn() -> Error,
    ) -> Result<PatronAccount, Error> {
        match first {
            Some(a) => Ok(a),
            None => PatronAccount::load(app.store.as_ref(), card)
                .await?
                .ok_or_else(missing),
        }
    }
}

/// CPU-heavy work (Argon2) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("blocking task: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{EmailMessage, MailError};
    use crate::types::EmailAddress;

    fn offline_sdk() -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("ap-northeast-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build()
    }

    fn message() -> EmailMessage {
        EmailMessage {
            to: EmailAddress::parse("hanako@example.jp").unwrap(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
        }
    }

    #[tokio::test]
    async fn a_function_without_mail_from_refuses_to_send_instead_of_building_ses() {
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.table_name = Some("t".into());
        assert!(config.mail_from.is_none());
        let app = App::with_aws(config, &offline_sdk(), Arc::new(SystemClock)).unwrap();
        assert!(matches!(
            app.mailer.send(&message()).await,
            Err(MailError::Rejected(_))
        ));
    }

    #[test]
    fn without_a_table_name_there_is_no_aws_app() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert!(matches!(
            App::with_aws(config, &offline_sdk(), Arc::new(SystemClock)),
            Err(ConfigError::Missing("TABLE_NAME"))
        ));
    }
}
