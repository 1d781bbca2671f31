//! The events handed to a bootstrap: API Gateway HTTP API (payload 2.0) requests, the
//! scheduled event, or a JSON file.

use serde_json::{json, Map, Value};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// What `--event` names: `http:METHOD:/route/{param}`, `scheduled`, or a file of JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSpec {
    Scheduled,
    /// A scheduled invocation with the JSON its schedule sends (`Input` in the template).
    Input(String),
    Http {
        method: String,
        route: String,
    },
    File(PathBuf),
}

impl FromStr for EventSpec {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        if spec == "scheduled" {
            return Ok(EventSpec::Scheduled);
        }
        if let Some(input) = spec.strip_prefix("scheduled:") {
            return Ok(EventSpec::Input(input.to_string()));
        }
        if let Some(rest) = spec.strip_prefix("http:") {
            let (method, route) = rest
                .split_once(':')
                .filter(|(m, r)| !m.is_empty() && r.starts_with('/'))
                .ok_or("http:METHOD:/path expected")?;
            return Ok(EventSpec::http(method, route));
        }
        Ok(EventSpec::File(spec.into()))
    }
}

/// The spelling `from_str` reads, so the bench table shows what `serve --event` takes.
impl fmt::Display for EventSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventSpec::Scheduled => f.write_str("scheduled"),
            EventSpec::Input(json) => write!(f, "scheduled:{json}"),
            EventSpec::Http { method, route } => write!(f, "http:{method}:{route}"),
            EventSpec::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl EventSpec {
    pub fn http(method: &str, route: &str) -> Self {
        EventSpec::Http {
            method: method.to_ascii_uppercase(),
            route: route.to_string(),
        }
    }

    /// The event's JSON text. A file is passed on as written, once it is known to be JSON.
    pub fn payload(&self) -> Result<String, String> {
        match self {
            EventSpec::Scheduled => Ok(scheduled_event().to_string()),
            EventSpec::Input(json) => {
                serde_json::from_str::<Value>(json)
                    .map_err(|e| format!("schedule input {json}: not JSON: {e}"))?;
                Ok(json.clone())
            }
            EventSpec::Http { method, route } => Ok(http_event(method, route).to_string()),
            EventSpec::File(p) => {
                let text =
                    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                serde_json::from_str::<Value>(&text)
                    .map_err(|e| format!("{}: not JSON: {e}", p.display()))?;
                Ok(text)
            }
        }
    }
}

/// The scheduled jobs ignore their payload (EventBridge Scheduler sends what the template
/// says), so an empty object stands in for it.
pub fn scheduled_event() -> Value {
    json!({})
}

/// An HTTP API request for one route. The functions route on the request path, so `rawPath`
/// and `requestContext.http.path` carry sample values where the route has `{params}`.
pub fn http_event(method: &str, route: &str) -> Value {
    let mut path = String::new();
    let mut params = Map::new();
    for seg in route.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let value = sample_param(name);
                params.insert(name.to_string(), value.into());
                path.push_str(value);
            }
            None => path.push_str(seg),
        }
    }
    let method = method.to_ascii_uppercase();
    let route_key = format!("{method} {route}");
    // A body where the method takes one, so a handler that reads JSON gets past parsing.
    let body = match method.as_str() {
        "GET" | "DELETE" => Value::Null,
        _ => "{}".into(),
    };
    let path_parameters = if params.is_empty() {
        Value::Null
    } else {
        Value::Object(params)
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let host = "abc123.execute-api.ap-northeast-1.amazonaws.com";
    json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "host": host,
            "user-agent": "coldstart-bench",
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": host,
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "coldstart-bench",
            },
            "requestId": "bench-req",
            "routeKey": route_key,
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": now_ms,
        },
        "pathParameters": path_parameters,
        "body": body,
        "isBase64Encoded": false,
    })
}

/// Sample route parameters; a card number is 6 to 14 digits, as the card type accepts.
fn sample_param(name: &str) -> &'static str {
    match name {
        "card_number" => "1000001",
        "bib_id" => "X",
        _ => "bench-id",
    }
}

/// "404" for an API Gateway style response, "ok" for any other payload.
pub fn status_of(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("statusCode").and_then(Value::as_u64))
        .map_or_else(|| "ok".into(), |s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
    use lambda_http::RequestExt;

    #[test]
    fn specs_read_and_print_alike() {
        for s in [
            "scheduled",
            "http:GET:/api/me",
            "http:POST:/api/me/holds/{hold_id}",
        ] {
            assert_eq!(s.parse::<EventSpec>().unwrap().to_string(), s);
        }
        assert_eq!(
            "http:get:/api/me".parse::<EventSpec>().unwrap(),
            EventSpec::http("GET", "/api/me")
        );
        assert!("http:GET".parse::<EventSpec>().is_err());
        assert!("http::/x".parse::<EventSpec>().is_err());
        assert_eq!(
            "ev.json".parse::<EventSpec>().unwrap(),
            EventSpec::File("ev.json".into())
        );
        assert_eq!(EventSpec::Scheduled.payload().unwrap(), "{}");
        assert!(EventSpec::File("/nonexistent/ev.json".into())
            .payload()
            .is_err());
    }

    #[test]
    fn http_events_carry_the_concrete_path() {
        let e = http_event(
            "post",
            "/api/staff/patrons/{card_number}/temporary-password",
        );
        let path = "/api/staff/patrons/1000001/temporary-password";
        assert_eq!(e["rawPath"], path);
        assert_eq!(e["requestContext"]["http"]["path"], path);
        assert_eq!(e["requestContext"]["http"]["method"], "POST");
        assert_eq!(
            e["routeKey"],
            "POST /api/staff/patrons/{card_number}/temporary-password"
        );
        assert_eq!(e["pathParameters"], json!({"card_number": "1000001"}));
        assert_eq!(e["body"], "{}");

        let g = http_event("GET", "/api/me");
        assert_eq!(g["pathParameters"], Value::Null);
        assert_eq!(g["body"], Value::Null);
    }

    #[test]
    fn http_events_are_what_lambda_http_reads() {
        let text = EventSpec::http("GET", "/api/catalog/titles/{bib_id}")
            .payload()
            .unwrap();
        let typed: ApiGatewayV2httpRequest = serde_json::from_str(&text).unwrap();
        assert_eq!(typed.raw_path.as_deref(), Some("/api/catalog/titles/X"));
        assert_eq!(typed.request_context.http.method, "GET");
        assert_eq!(
            typed.request_context.http.source_ip.as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            typed.path_parameters.get("bib_id").map(String::as_str),
            Some("X")
        );

        // What an axum router behind lambda_http would see.
        let req = lambda_http::request::from_str(&text).unwrap();
        assert_eq!(req.method(), "GET");
        assert_eq!(req.uri().path(), "/api/catalog/titles/X");
        assert_eq!(
            req.path_parameters().first("bib_id"),
            Some("X"),
            "{:?}",
            req.uri()
        );

        let post = lambda_http::request::from_str(&http_event("POST", "/api/session").to_string())
            .unwrap();
        assert_eq!(post.method(), "POST");
        assert_eq!(post.body().as_ref(), b"{}");
    }

    #[test]
    fn status_of_reads_api_gateway_responses() {
        assert_eq!(status_of(r#"{"statusCode":404,"body":""}"#), "404");
        assert_eq!(status_of(r#"{"statusCode": 200}"#), "200");
        assert_eq!(status_of(r#"{"x":1}"#), "ok");
        assert_eq!(status_of("not json"), "ok");
    }
}
