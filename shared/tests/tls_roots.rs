//! The HTTPS client of every AWS adapter (shared/src/aws.rs) verifies the server's
//! certificate against the roots it is told to trust: a local server whose chain ends at a
//! test root is refused with the compiled-in Amazon roots, and answered once that root is
//! in the trusted store (`AWS_TLS_ROOTS=system`, with the store pointed at the test root).

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use mypage::aws::{http_client, TlsRoots};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TEST_ROOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/test-ca.cert.pem"
);
const SERVER_CERT: &[u8] = include_bytes!("fixtures/localhost.cert.pem");
const SERVER_KEY: &[u8] = include_bytes!("fixtures/localhost.key.pem");

/// A TLS server for `localhost`, certified by the test root, that answers every request as
/// DynamoDB answers a GetItem that found nothing.
async fn tls_server() -> u16 {
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return; // the client refused our certificate
                };
                if read_request(&mut tls).await.is_none() {
                    return;
                }
                let body = "{}";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

/// Reads one HTTP request, head and body.
async fn read_request(r: &mut (impl AsyncReadExt + Unpin)) -> Option<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = r.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Some(());
        }
    }
}

async fn get_item(roots: TlsRoots, port: u16) -> Result<(), String> {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("ap-northeast-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(format!("https://localhost:{port}"))
        .http_client(http_client(roots))
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
        .get_item()
        .table_name("mypage")
        .key("pk", AttributeValue::S("PATRON#10000001".into()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| DisplayErrorContext(e).to_string())
}

#[tokio::test]
async fn the_https_client_trusts_only_the_roots_it_is_given() {
    let port = tls_server().await;

    let refused = get_item(TlsRoots::AmazonTrustServices, port).await;
    let error = refused.expect_err("a server certified by a non-Amazon root must be refused");
    assert!(
        error.contains("UnknownIssuer"),
        "refused for another reason: {error}"
    );

    // With SSL_CERT_FILE set, the system store is that file alone. No other test in this
    // binary reads the system store before (it is loaded once per process).
    std::env::set_var("SSL_CERT_FILE", TEST_ROOT);
    get_item(TlsRoots::System, port)
        .await
        .expect("the same server, once its root is trusted");
}
