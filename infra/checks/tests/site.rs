//! The website's production home in template.yaml: one CloudFront distribution serves the
//! site from a private bucket through origin access control and routes `/api/*` to the HTTP
//! API uncached, with every header, cookie and query string forwarded; the response-headers
//! policy sends what the dev server sends (ASVS 5.0 V3.4.1 HSTS, V3.4.3 CSP, V3.4.4 nosniff,
//! V3.4.5 Referrer-Policy, V3.4.6 frame-ancestors).

use deploy_checks::{parse_yaml, repo_root};
use serde_norway::Value;

const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => untag(&t.value),
        o => o,
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| {
        untag(v)
            .get(*k)
            .unwrap_or_else(|| panic!("template.yaml has no {k} in {path:?}"))
    })
}

fn text(v: &Value) -> String {
    match untag(v) {
        Value::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn template() -> Value {
    parse_yaml(&repo_root().join("template.yaml")).unwrap()
}

#[test]
fn api_paths_go_to_the_http_api_uncached_with_headers_cookies_and_queries() {
    let t = template();
    let config = at(
        &t,
        &[
            "Resources",
            "SiteDistribution",
            "Properties",
            "DistributionConfig",
        ],
    );
    let behaviors = untag(at(config, &["CacheBehaviors"]))
        .as_sequence()
        .unwrap();
    let api = behaviors
        .iter()
        .find(|b| text(at(b, &["PathPattern"])) == "/api/*")
        .expect("a /api/* behaviour");
    assert_eq!(
        text(at(api, &["CachePolicyId"])),
        CACHING_DISABLED,
        "no caching"
    );
    assert_eq!(
        text(at(api, &["OriginRequestPolicyId"])),
        ALL_VIEWER_EXCEPT_HOST,
        "Authorization, cookies and query strings forwarded"
    );
    let methods: Vec<String> = untag(at(api, &["AllowedMethods"]))
        .as_sequence()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        assert!(methods.contains(&m.to_owned()), "{m}");
    }
    assert_eq!(text(at(api, &["ViewerProtocolPolicy"])), "https-only");
    let target = text(at(api, &["TargetOriginId"]));
    let origins = untag(at(config, &["Origins"])).as_sequence().unwrap();
    let api_origin = origins
        .iter()
        .find(|o| text(at(o, &["Id"])) == target)
        .unwrap();
    assert!(text(at(api_origin, &["DomainName"])).contains("MyPageApi"));
    let secret = untag(at(api_origin, &["OriginCustomHeaders"]))
        .as_sequence()
        .unwrap()
        .iter()
        .any(|h| {
            text(at(h, &["HeaderName"]))
                .eq_ignore_ascii_case(mypage::http::auth::ORIGIN_VERIFY_HEADER)
        });
    assert!(
        secret,
        "the origin-verify header proves a request came through CloudFront"
    );
    // Everything else is the site, from the bucket.
    let default = at(config, &["DefaultCacheBehavior"]);
    let site = origins
        .iter()
        .find(|o| text(at(o, &["Id"])) == text(at(default, &["TargetOriginId"])))
        .unwrap();
    assert!(text(at(site, &["DomainName"])).contains("SiteBucket"));
}

#[test]
fn the_bucket_is_private_and_read_only_through_origin_access_control() {
    let t = template();
    let config = at(
        &t,
        &[
            "Resources",
            "SiteDistribution",
            "Properties",
            "DistributionConfig",
        ],
    );
    let origins = untag(at(config, &["Origins"])).as_sequence().unwrap();
    let site = origins
        .iter()
        .find(|o| text(at(o, &["Id"])) == "site")
        .unwrap();
    assert!(text(at(site, &["OriginAccessControlId"])).contains("SiteOriginAccessControl"));
    let oac = at(
        &t,
        &[
            "Resources",
            "SiteOriginAccessControl",
            "Properties",
            "OriginAccessControlConfig",
        ],
    );
    assert_eq!(text(at(oac, &["SigningBehavior"])), "always");
    assert_eq!(text(at(oac, &["OriginAccessControlOriginType"])), "s3");
    let block = at(
        &t,
        &[
            "Resources",
            "SiteBucket",
            "Properties",
            "PublicAccessBlockConfiguration",
        ],
    );
    for k in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(untag(at(block, &[k])).as_bool(), Some(true), "{k}");
    }
    let statements = untag(at(
        &t,
        &[
            "Resources",
            "SiteBucketPolicy",
            "Properties",
            "PolicyDocument",
            "Statement",
        ],
    ))
    .as_sequence()
    .unwrap();
    let read = statements
        .iter()
        .find(|s| text(at(s, &["Effect"])) == "Allow")
        .unwrap();
    assert_eq!(
        text(at(read, &["Principal", "Service"])),
        "cloudfront.amazonaws.com"
    );
    assert!(
        text(at(read, &["Condition", "StringEquals", "AWS:SourceArn"]))
            .contains("SiteDistribution")
    );
}

#[test]
fn the_response_headers_policy_sends_what_the_dev_server_sends() {
    let t = template();
    let h = at(
        &t,
        &[
            "Resources",
            "SiteResponseHeadersPolicy",
            "Properties",
            "ResponseHeadersPolicyConfig",
            "SecurityHeadersConfig",
        ],
    );
    let hsts = at(h, &["StrictTransportSecurity"]);
    assert!(
        untag(at(hsts, &["AccessControlMaxAgeSec"]))
            .as_u64()
            .unwrap()
            >= 31_536_000
    );
    assert_eq!(
        untag(at(hsts, &["IncludeSubdomains"])).as_bool(),
        Some(true)
    );
    let csp = text(at(h, &["ContentSecurityPolicy", "ContentSecurityPolicy"]));
    assert_eq!(csp, dev_server::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(
        untag(at(h, &["ContentTypeOptions", "Override"])).as_bool(),
        Some(true)
    );
    assert_eq!(
        text(at(h, &["ReferrerPolicy", "ReferrerPolicy"])),
        dev_server::REFERRER_POLICY
    );
    let config = at(
        &t,
        &[
            "Resources",
            "SiteDistribution",
            "Properties",
            "DistributionConfig",
        ],
    );
    assert!(text(at(
        config,
        &["DefaultCacheBehavior", "ResponseHeadersPolicyId"]
    ))
    .contains("SiteResponseHeadersPolicy"));
}

#[test]
fn cors_allows_the_csrf_header_and_waf_is_optional() {
    let t = template();
    let cors = at(
        &t,
        &[
            "Resources",
            "MyPageApi",
            "Properties",
            "CorsConfiguration",
            "AllowHeaders",
        ],
    );
    let headers: Vec<String> = untag(cors)
        .as_sequence()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert!(
        headers.contains(&mypage::http::auth::CSRF_HEADER.to_owned()),
        "{headers:?}"
    );
    assert_eq!(text(at(&t, &["Parameters", "WafWebAclArn", "Default"])), "");
}
