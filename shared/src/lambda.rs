//! A Lambda function's start-up, the composition root: reads the environment, builds the AWS
//! adapters once, and runs either an HTTP router (`run_http`) or a scheduled job
//! (`run_job`). Nothing built here is rebuilt per request.

use crate::adapters::{
    DynamoStore, EventBridgeScheduler, NoMailer, NoScheduler, SesMailer, SystemClock,
};
use crate::config::{AwsSettings, ConfigError, Settings};
use crate::domain::Key;
use crate::ports::{ExpiryScheduler, Mailer, Store};
use crate::App;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Builds the app from the function's environment (`TABLE_NAME`, `MAIL_FROM`,
/// `SCHEDULE_GROUP`, ...). The DynamoDB connection is opened here too (its TLS handshake would
/// otherwise fall on the first request); while it opens, the other clients are built and the
/// e-book secret, if the function has one, is read from SSM.
pub async fn app_from_env() -> Result<App, ConfigError> {
    app_from(Settings::from_env()?, AwsSettings::from_env()?).await
}

/// The app for these settings, with the AWS clients they call for.
pub async fn app_from(mut settings: Settings, aws: AwsSettings) -> Result<App, ConfigError> {
    let sdk = crate::aws::lambda_sdk_config(aws.tls_roots).await;
    let table = aws
        .table_name
        .clone()
        .ok_or(ConfigError::Missing("TABLE_NAME"))?;
    let store: Arc<dyn Store> =
        Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table));
    let secret_param = aws
        .ebook_secret_param
        .clone()
        .filter(|_| settings.ebooks.signing_secret.is_none());
    let login_param = aws
        .login_secret_param
        .clone()
        .filter(|_| settings.login_secret.is_none());
    let meanwhile = async {
        let clients = aws_clients(&aws, &sdk);
        let ssm = (secret_param.is_some() || login_param.is_some())
            .then(|| aws_sdk_ssm::Client::new(&sdk));
        let read = |param: Option<String>, name: &'static str| {
            let ssm = ssm.clone();
            async move {
                match (param, ssm) {
                    (Some(param), Some(ssm)) => crate::adapters::ssm::secure_string(&ssm, &param)
                        .await
                        .map(Some)
                        .map_err(|reason| ConfigError::Invalid { name, reason }),
                    _ => Ok(None),
                }
            }
        };
        let (secret, login) = tokio::join!(
            read(secret_param, "EBOOK_SIGNING_SECRET_PARAM"),
            read(login_param, "LOGIN_SECRET_PARAM")
        );
        (clients, secret, login)
    };
    let ((), ((mailer, scheduler), secret, login)) =
        tokio::join!(open_connection(store.as_ref()), meanwhile);
    if let Some(secret) = secret? {
        settings.ebooks.signing_secret = Some(secret);
    }
    if let Some(secret) = login? {
        settings.login_secret = Some(secret);
    }
    Ok(App {
        store,
        mailer,
        scheduler,
        clock: Arc::new(SystemClock),
        settings: Arc::new(settings),
    })
}

/// SES when `MAIL_FROM` is set and EventBridge Scheduler when the schedule settings are,
/// which template.yaml does only for the functions that send mail or make schedules (and
/// may, by IAM). The others build no client and refuse such a request.
pub fn aws_clients(
    aws: &AwsSettings,
    sdk: &aws_config::SdkConfig,
) -> (Arc<dyn Mailer>, Arc<dyn ExpiryScheduler>) {
    let mailer: Arc<dyn Mailer> = match &aws.mail_from {
        Some(from) => Arc::new(SesMailer::new(
            aws_sdk_sesv2::Client::new(sdk),
            from.clone(),
            aws.ses_max_send_rate,
        )),
        None => Arc::new(NoMailer),
    };
    let scheduler: Arc<dyn ExpiryScheduler> = match &aws.scheduler {
        Some(s) => Arc::new(EventBridgeScheduler::new(
            aws_sdk_scheduler::Client::new(sdk),
            s.clone(),
        )),
        None => Arc::new(NoScheduler),
    };
    (mailer, scheduler)
}

/// One cheap read that leaves an open, TLS-established connection in the client's pool.
/// Its answer does not matter, and a slow endpoint must not hold up the start.
async fn open_connection(store: &dyn Store) {
    let key = Key::Job("connection-warmup".into());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), store.get(&key)).await;
}

/// Logs, configuration, clients, once; logs how long that took, so a slow cold start can be
/// read off CloudWatch.
async fn init() -> Result<App, BoxError> {
    let started = Instant::now();
    crate::telemetry::init_json();
    let app = app_from_env().await?;
    tracing::info!(
        init_ms = started.elapsed().as_secs_f64() * 1e3,
        "initialised"
    );
    Ok(app)
}

/// Runs an HTTP function: its routes, behind API Gateway, a function URL or
/// `cargo lambda watch` alike (the router matches on the request's path).
pub async fn run_http(routes: axum::Router<App>) -> Result<(), BoxError> {
    let app = init().await?;
    lambda_http::run(crate::http::service(routes, app)).await
}

/// Runs a scheduled function. The event must parse as `I` exactly: a malformed input is a
/// reported error (retried, then dead-lettered), never a silent default run.
pub async fn run_job<I, O, F, Fut>(job: F) -> Result<(), BoxError>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize,
    F: Fn(App, I) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, crate::Error>> + Send,
{
    let app = init().await?;
    let job = &job;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
            let app = app.clone();
            async move {
                let input: I = serde_json::from_value(event.payload).map_err(|e| {
                    tracing::error!(error = %e, "the job's input does not parse");
                    BoxError::from(format!("invalid input: {e}"))
                })?;
                job(app, input).await.map_err(BoxError::from)
            }
        },
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::types::EmailAddress;
    use crate::ports::{EmailMessage, MailError};

    fn offline_sdk() -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("ap-northeast-1"))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build()
    }

    #[tokio::test]
    async fn a_function_without_mail_from_refuses_to_send_instead_of_building_ses() {
        let aws = AwsSettings::from_lookup(|_| None).unwrap();
        assert!(aws.mail_from.is_none());
        let (mailer, scheduler) = aws_clients(&aws, &offline_sdk());
        let message = EmailMessage {
            to: EmailAddress::parse("hanako@example.jp").unwrap(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
        };
        assert!(matches!(
            mailer.send(&message).await,
            Err(MailError::Rejected(_))
        ));
        let expiry = crate::ports::HoldExpiry {
            card_number: crate::domain::types::CardNumber::parse("10000001").unwrap(),
            bib_id: crate::domain::types::BibId::parse("B-1").unwrap(),
            hold_id: crate::domain::types::HoldId::parse("H-1").unwrap(),
        };
        assert!(scheduler
            .schedule(&expiry, chrono::NaiveDateTime::default())
            .await
            .is_err());
    }

    #[tokio::test]
    async fn without_a_table_name_there_is_no_aws_app() {
        let settings = Settings::from_lookup(|_| None).unwrap();
        let aws = AwsSettings::from_lookup(|_| None).unwrap();
        assert!(matches!(
            app_from(settings, aws).await,
            Err(ConfigError::Missing("TABLE_NAME"))
        ));
    }
}
