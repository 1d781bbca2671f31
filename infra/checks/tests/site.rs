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

/// `path` inside the properties of the template's resource `name`.
fn resource<'a>(t: &'a Value, name: &str, path: &[&str]) -> &'a Value {
    at(at(t, &["Resources", name, "Properties"]), path)
}

fn distribution_config(t: &Value) -> &Value {
    resource(t, "SiteDistribution", &["DistributionConfig"])
}

fn list(v: &Value) -> &[Value] {
    untag(v).as_sequence().unwrap()
}

fn texts(v: &Value) -> Vec<String> {
    list(v).iter().map(text).collect()
}

fn flag(v: &Value, path: &[&str]) -> Option<bool> {
    untag(at(v, path)).as_bool()
}

/// The item of `items` whose `key` reads `value`.
fn find<'a>(items: &'a [Value], key: &str, value: &str) -> &'a Value {
    items
        .iter()
        .find(|item| text(at(item, &[key])) == value)
        .unwrap_or_else(|| panic!("no item with {key} {value}"))
}

#[test]
fn api_paths_go_to_the_http_api_uncached_with_headers_cookies_and_queries() {
    let t = template();
    let config = distribution_config(&t);
    let api = find(
        list(at(config, &["CacheBehaviors"])),
        "PathPattern",
        "/api/*",
    );
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
    let methods = texts(at(api, &["AllowedMethods"]));
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        assert!(methods.contains(&m.to_owned()), "{m}");
    }
    assert_eq!(text(at(api, &["ViewerProtocolPolicy"])), "https-only");
    let origins = list(at(config, &["Origins"]));
    let api_origin = find(origins, "Id", &text(at(api, &["TargetOriginId"])));
    assert!(text(at(api_origin, &["DomainName"])).contains("MyPageApi"));
    let secret = list(at(api_origin, &["OriginCustomHeaders"]))
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
    let site = find(origins, "Id", &text(at(default, &["TargetOriginId"])));
    assert!(text(at(site, &["DomainName"])).contains("SiteBucket"));
}

#[test]
fn the_bucket_is_private_and_read_only_through_origin_access_control() {
    let t = template();
    let site = find(
        list(at(distribution_config(&t), &["Origins"])),
        "Id",
        "site",
    );
    assert!(text(at(site, &["OriginAccessControlId"])).contains("SiteOriginAccessControl"));
    let oac = resource(
        &t,
        "SiteOriginAccessControl",
        &["OriginAccessControlConfig"],
    );
    assert_eq!(text(at(oac, &["SigningBehavior"])), "always");
    assert_eq!(text(at(oac, &["OriginAccessControlOriginType"])), "s3");
    let block = resource(&t, "SiteBucket", &["PublicAccessBlockConfiguration"]);
    for k in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(flag(block, &[k]), Some(true), "{k}");
    }
    let statements = list(resource(
        &t,
        "SiteBucketPolicy",
        &["PolicyDocument", "Statement"],
    ));
    let read = find(statements, "Effect", "Allow");
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
    let h = resource(
        &t,
        "SiteResponseHeadersPolicy",
        &["ResponseHeadersPolicyConfig", "SecurityHeadersConfig"],
    );
    let hsts = at(h, &["StrictTransportSecurity"]);
    assert!(
        untag(at(hsts, &["AccessControlMaxAgeSec"]))
            .as_u64()
            .unwrap()
            >= 31_536_000
    );
    assert_eq!(flag(hsts, &["IncludeSubdomains"]), Some(true));
    let csp = text(at(h, &["ContentSecurityPolicy", "ContentSecurityPolicy"]));
    assert_eq!(csp, dev_server::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(flag(h, &["ContentTypeOptions", "Override"]), Some(true));
    assert_eq!(
        text(at(h, &["ReferrerPolicy", "ReferrerPolicy"])),
        dev_server::REFERRER_POLICY
    );
    assert!(text(at(
        distribution_config(&t),
        &["DefaultCacheBehavior", "ResponseHeadersPolicyId"]
    ))
    .contains("SiteResponseHeadersPolicy"));
}

#[test]
fn cors_allows_the_csrf_header_and_waf_is_optional() {
    let t = template();
    let headers = texts(resource(
        &t,
        "MyPageApi",
        &["CorsConfiguration", "AllowHeaders"],
    ));
    assert!(
        headers.contains(&mypage::http::auth::CSRF_HEADER.to_owned()),
        "{headers:?}"
    );
    assert_eq!(text(at(&t, &["Parameters", "WafWebAclArn", "Default"])), "");
}
