//! Faults between the service and AWS, for the tests: an HTTP client for the SDK that, at a
//! seeded random rate, throttles (400 ThrottlingException / ProvisionedThroughputExceeded),
//! fails inside the service (500 InternalServerError), times out, or delivers the request
//! and then drops the reply (the write is applied, the caller sees a broken connection).
//!
//! It sits where the SDK's HTTP client sits, under the SDK's own retry (standard, 3
//! attempts): each attempt meets the faults on its own, as it would on the network. (An
//! interceptor cannot keep a throttled request from reaching the service, and an error it
//! returns is not one the SDK retries, so it would test less than the real thing.)

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Throttle,
    ThroughputExceeded,
    InternalError,
    Timeout,
    DropReply,
    /// A request the service refuses as malformed: a bug, never retried (a 500).
    Validation,
}

/// What to inject, how often, from which seed.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    /// Share of requests (attempts) that meet a fault, 0.0 to 1.0.
    pub rate: f64,
    pub kinds: Vec<Fault>,
}

impl Plan {
    /// The transient faults, mixed, at `rate`.
    pub fn transient(seed: u64, rate: f64) -> Plan {
        Plan {
            seed,
            rate,
            kinds: vec![
                Fault::Throttle,
                Fault::ThroughputExceeded,
                Fault::InternalError,
                Fault::Timeout,
                Fault::DropReply,
            ],
        }
    }
}

/// The injector and what it did.
#[derive(Debug)]
pub struct Faults {
    plan: Mutex<Plan>,
    /// One-shot faults for the next request to an operation (e.g. `TransactWriteItems`).
    next: Mutex<Vec<(String, Fault)>>,
    rng: Mutex<StdRng>,
    on: AtomicBool,
    pub requests: AtomicU64,
    pub injected: [AtomicU64; 6],
}

impl Faults {
    pub fn new(plan: Plan) -> Arc<Faults> {
        Arc::new(Faults {
            rng: Mutex::new(StdRng::seed_from_u64(plan.seed)),
            plan: Mutex::new(plan),
            next: Mutex::new(Vec::new()),
            on: AtomicBool::new(false),
            requests: AtomicU64::new(0),
            injected: Default::default(),
        })
    }
    /// Faults are off until switched on (set-up runs clean).
    pub fn set(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }
    /// Every request from now on meets one of `kinds` at `rate`.
    pub fn set_plan(&self, rate: f64, kinds: Vec<Fault>) {
        let mut p = self.plan.lock().unwrap();
        p.rate = rate;
        p.kinds = kinds;
    }
    /// The next request to `operation` meets `fault` (whether or not faults are on).
    pub fn once(&self, operation: &str, fault: Fault) {
        self.next
            .lock()
            .unwrap()
            .push((operation.to_owned(), fault));
    }
    fn pick(&self, operation: &str) -> Option<Fault> {
        {
            let mut next = self.next.lock().unwrap();
            if let Some(i) = next.iter().position(|(op, _)| op == operation) {
                let (_, f) = next.remove(i);
                self.injected[f as usize].fetch_add(1, Ordering::Relaxed);
                return Some(f);
            }
        }
        if !self.on.load(Ordering::SeqCst) {
            return None;
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let plan = self.plan.lock().unwrap().clone();
        let mut rng = self.rng.lock().unwrap();
        if plan.kinds.is_empty() || !rng.gen_bool(plan.rate.clamp(0.0, 1.0)) {
            return None;
        }
        let f = plan.kinds[rng.gen_range(0..plan.kinds.len())];
        self.injected[f as usize].fetch_add(1, Ordering::Relaxed);
        Some(f)
    }
    pub fn injected_total(&self) -> u64 {
        self.injected
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
    pub fn summary(&self) -> String {
        let n = |f: Fault| self.injected[f as usize].load(Ordering::Relaxed);
        format!(
            "{} AWS requests under injection; faults: {} throttled, {} throughput exceeded, {} internal errors, {} timeouts, {} dropped replies, {} validation",
            self.requests.load(Ordering::Relaxed),
            n(Fault::Throttle),
            n(Fault::ThroughputExceeded),
            n(Fault::InternalError),
            n(Fault::Timeout),
            n(Fault::DropReply),
            n(Fault::Validation),
        )
    }

    /// An SDK HTTP client that injects faults in front of `inner`.
    pub fn client(self: &Arc<Self>, inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(FaultyClient {
            inner,
            faults: self.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyClient {
    inner: SharedHttpClient,
    faults: Arc<Faults>,
}

impl HttpClient for FaultyClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(FaultyConnector {
            inner: self.inner.http_connector(settings, components),
            faults: self.faults.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    faults: Arc<Faults>,
}

fn service_error(status: u16, code: &str) -> HttpResponse {
    let body = format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"injected {code}"}}"#
    );
    let mut r = HttpResponse::new(status.try_into().expect("a status"), SdkBody::from(body));
    r.headers_mut()
        .insert("content-type", "application/x-amz-json-1.0");
    r.headers_mut().insert("x-amzn-errortype", code.to_owned());
    r
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        // DynamoDB names the operation in X-Amz-Target (`DynamoDB_20120810.PutItem`).
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("")
            .to_owned();
        let Some(fault) = self.faults.pick(&operation) else {
            return self.inner.call(request);
        };
        match fault {
            Fault::Throttle => {
                HttpConnectorFuture::ready(Ok(service_error(400, "ThrottlingException")))
            }
            Fault::ThroughputExceeded => HttpConnectorFuture::ready(Ok(service_error(
                400,
                "ProvisionedThroughputExceededException",
            ))),
            Fault::InternalError => {
                HttpConnectorFuture::ready(Ok(service_error(500, "InternalServerError")))
            }
            Fault::Validation => {
                HttpConnectorFuture::ready(Ok(service_error(400, "ValidationException")))
            }
            Fault::Timeout => HttpConnectorFuture::new(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(ConnectorError::timeout("injected read timeout".into()))
            }),
            Fault::DropReply => {
                let sent = self.inner.call(request);
                HttpConnectorFuture::new(async move {
                    // The service gets the request and acts on it; the reply is lost.
                    let _ = sent.await;
                    Err(ConnectorError::io(
                        "injected: connection reset after the request was sent".into(),
                    ))
                })
            }
        }
    }
}

/// An SDK configuration for moto with faults from `faults`, and quick retry back-off (the
/// standard retry mode and its 3 attempts, as in production; only the waits are shorter so
/// the tests stay quick).
pub async fn sdk_with_faults(faults: &Arc<Faults>) -> aws_config::SdkConfig {
    let base = crate::aws().await;
    let http = faults.client(mypage::aws::http_client(mypage::aws::TlsRoots::default()));
    base.to_builder()
        .http_client(http)
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .build()
}

/// A fresh DynamoDB table whose store meets the faults.
pub async fn dynamo_store(faults: &Arc<Faults>) -> Arc<dyn mypage::ports::Store> {
    let sdk = sdk_with_faults(faults).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let table = crate::unique("mypage-faults");
    mypage::adapters::TableDesign::create(&client, &table)
        .await
        .expect("create the test table");
    Arc::new(mypage::adapters::DynamoStore::new(client, table))
}
