//! The one AWS SDK configuration that every adapter (DynamoDB, SES, Scheduler, SSM) is
//! built from, with the one HTTPS client they share.
//!
//! AWS service endpoints present certificates that chain to Amazon Trust Services roots, so
//! by default the client trusts those four roots, compiled in: reading and parsing the
//! system's whole CA store took more than half of a function's cold start (see
//! infra/DEPLOY.md). `AWS_TLS_ROOTS=system` trusts the system store instead, for a network
//! that re-signs TLS (an inspecting proxy with its own root).

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::time::Duration;

const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

/// Which root certificates the HTTPS client trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsRoots {
    /// The Amazon Trust Services roots that AWS endpoints chain to.
    #[default]
    AmazonTrustServices,
    /// The operating system's CA store.
    System,
}

impl TlsRoots {
    /// The value of `AWS_TLS_ROOTS`: unset or `amazon`, or `system`.
    pub fn parse(value: Option<&str>) -> Option<TlsRoots> {
        match value {
            None | Some("amazon") => Some(TlsRoots::AmazonTrustServices),
            Some("system") => Some(TlsRoots::System),
            Some(_) => None,
        }
    }

    fn trust_store(self) -> TrustStore {
        match self {
            TlsRoots::AmazonTrustServices => {
                TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES)
            }
            TlsRoots::System => TrustStore::empty().with_native_roots(true),
        }
    }
}

/// The HTTPS client for every AWS call: rustls with the ring provider.
pub fn http_client(roots: TlsRoots) -> SharedHttpClient {
    let context = TlsContext::builder()
        .with_trust_store(roots.trust_store())
        .build()
        .expect("a TLS context with only a trust store always builds");
    Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(context)
        .build_https()
}

/// How long one attempt of an AWS call, and the call with the SDK's retries (standard mode,
/// 3 attempts), may take before it fails as a timeout: a 503 with Retry-After for the caller
/// rather than a request that hangs until the function's own timeout (10 s for the HTTP
/// functions).
pub fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(3100))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(8))
        .build()
}

/// Region, credentials and endpoint as `aws_config::load_from_env` finds them (environment,
/// profile files, container or instance credentials), with [`http_client`]. For the dev
/// server and the tests.
pub async fn sdk_config(roots: TlsRoots) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client(roots))
        .timeout_config(timeouts())
        .load()
        .await
}

/// In Lambda, the runtime gives every function its region and its role's credentials as
/// environment variables. Reading them directly skips building the default provider chains
/// (profile files, web identity, ECS, IMDS clients), which took about 0.5 ms of a cold
/// start (infra/DEPLOY.md).
pub async fn lambda_sdk_config(roots: TlsRoots) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client(roots))
        .timeout_config(timeouts())
        .credentials_provider(EnvironmentVariableCredentialsProvider::new());
    if let Some(region) = std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()) {
        loader = loader.region(Region::new(region));
    }
    loader.load().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::{pem::PemObject, CertificateDer};

    #[test]
    fn the_compiled_in_roots_are_the_four_amazon_trust_services_roots() {
        let certs = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES)
            .collect::<Result<Vec<_>, _>>()
            .expect("valid PEM");
        assert_eq!(certs.len(), 4);
        let mut roots = rustls::RootCertStore::empty();
        let (valid, invalid) = roots.add_parsable_certificates(certs);
        assert_eq!((valid, invalid), (4, 0));
    }

    #[test]
    fn aws_tls_roots_accepts_amazon_or_system_only() {
        assert_eq!(TlsRoots::parse(None), Some(TlsRoots::AmazonTrustServices));
        assert_eq!(
            TlsRoots::parse(Some("amazon")),
            Some(TlsRoots::AmazonTrustServices)
        );
        assert_eq!(TlsRoots::parse(Some("system")), Some(TlsRoots::System));
        assert_eq!(TlsRoots::parse(Some("System")), None);
        assert_eq!(TlsRoots::parse(Some("none")), None);
    }
}
