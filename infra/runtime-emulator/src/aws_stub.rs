//! `--aws-stub`: an AWS endpoint that answers every JSON-protocol call at once with an empty
//! result, and SSM GetParameter with a dummy secret, so that init is measured without any
//! backend latency. It fakes no service beyond that.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use axum::Router;
use serde_json::json;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Serves until the process ends; returns where (for AWS_ENDPOINT_URL).
pub async fn start() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let app = Router::new().fallback(answer);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

/// With the stub on, the variable that points a bootstrap's SDK at it.
pub async fn endpoint_env(on: bool) -> Result<Vec<(String, String)>, String> {
    if !on {
        return Ok(Vec::new());
    }
    let addr = start().await.map_err(|e| format!("aws stub: {e}"))?;
    Ok(vec![("AWS_ENDPOINT_URL".into(), format!("http://{addr}"))])
}

// Taking the body reads it off the connection, so the SDK can reuse it for the next call.
async fn answer(headers: HeaderMap, _body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = if target.ends_with(".getparameter") {
        json!({"Parameter": {
            "Name": "/stub",
            "Type": "SecureString",
            "Value": "stub-secret-0123456789abcdef0123456789",
            "Version": 1,
        }})
    } else {
        json!({})
    };
    let headers = [
        (
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.0"),
        ),
        ("x-amzn-requestid", HeaderValue::from_static("stub")),
    ];
    (headers, body.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use lambda_runtime_api_client::body::Body;
    use lambda_runtime_api_client::{build_request, Client};

    async fn post(client: &Client, target: &str) -> (HeaderMap, serde_json::Value) {
        let req = build_request()
            .method("POST")
            .uri("/")
            .header("x-amz-target", target)
            .header("content-type", "application/x-amz-json-1.0")
            .body(Body::from(r#"{"Name":"/x","WithDecryption":true}"#))
            .unwrap();
        let resp = client.call(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (parts.headers, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn answers_at_once() {
        let addr = start().await.unwrap();
        let client = Client::builder()
            .with_endpoint(format!("http://{addr}").parse().unwrap())
            .build()
            .unwrap();
        let (headers, ssm) = post(&client, "AmazonSSM.GetParameter").await;
        assert_eq!(headers["content-type"], "application/x-amz-json-1.0");
        assert_eq!(ssm["Parameter"]["Type"], "SecureString");
        let (_, ddb) = post(&client, "DynamoDB_20120810.GetItem").await;
        assert_eq!(ddb, json!({}));
    }
}
