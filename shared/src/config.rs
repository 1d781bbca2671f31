//! Configuration from the environment, read once at start-up. A missing or malformed setting
//! is an error at init, never a panic in a request.
//!
//! `Settings` is what the use cases see (the library, its policy, the e-book service);
//! `AwsSettings` is what only the entry points read, to build the AWS adapters.

use crate::aws::TlsRoots;
use crate::domain::policy::{Policy, PolicyError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} must be set")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// What emails and error messages say about the library (R-MAIL-4, R-HOLD-5).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryInfo {
    pub name: String,
    pub phone: String,
    /// Where My Page is, for links in emails.
    pub mypage_url: String,
}

#[derive(Debug, Clone)]
pub struct EbookConfig {
    pub launch_url: String,
    /// The key the launch token is signed with; in AWS read from SSM at start-up.
    pub signing_secret: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub policy: Policy,
    pub library: LibraryInfo,
    pub ebooks: EbookConfig,
    /// Locally and in tests, the `X-Staff-Key` that stands in for IAM authorization.
    pub staff_api_key: Option<String>,
    /// The key that signs device cookies and hashes source addresses (R-ACCT-7); in AWS
    /// read from SSM at start-up by the functions that take passwords.
    pub login_secret: Option<Vec<u8>>,
    /// The value of `X-Origin-Verify` that CloudFront adds to every request it forwards:
    /// only a request carrying it may name the viewer's address in
    /// `CloudFront-Viewer-Address`.
    pub origin_verify_secret: Option<String>,
    /// The website's own origin (scheme, host, port), from `MYPAGE_URL`: the one `Origin` a
    /// state change authenticated by the cookie may come from.
    pub site_origin: String,
}

/// Which AWS resources a function uses. Set by template.yaml, per function: a function
/// without `MAIL_FROM` sends no mail, one without the schedule settings makes no schedules.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    /// DynamoDB table; when absent (locally) the embedded store is used.
    pub table_name: Option<String>,
    /// The sender of every email, e.g. `京都市立図書館 <info@library.example.jp>`.
    pub mail_from: Option<String>,
    pub ses_max_send_rate: f64,
    pub scheduler: Option<SchedulerConfig>,
    /// The SSM SecureString holding the e-book signing secret.
    pub ebook_secret_param: Option<String>,
    /// The SSM SecureString holding the login secret (device cookies, source hashes).
    pub login_secret_param: Option<String>,
    /// Which roots the HTTPS client for AWS trusts (`AWS_TLS_ROOTS`).
    pub tls_roots: TlsRoots,
}

#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    pub group: String,
    pub target_arn: String,
    pub role_arn: String,
    /// Where a schedule's invocation goes when every retry failed.
    pub dead_letter_arn: Option<String>,
}

/// The process environment, empty values counting as unset.
pub fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_lookup(env_lookup)
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let or = |k: &str, d: &str| get(k).unwrap_or_else(|| d.to_owned());
        let mypage_url = or("MYPAGE_URL", "http://127.0.0.1:3000")
            .trim_end_matches('/')
            .to_owned();
        let site_origin = origin_of(&mypage_url).ok_or(ConfigError::Invalid {
            name: "MYPAGE_URL",
            reason: "an http(s) URL".into(),
        })?;
        Ok(Settings {
            policy: Policy::from_lookup(&get)?,
            library: LibraryInfo {
                name: or("LIBRARY_NAME", "京都市立図書館"),
                phone: or("LIBRARY_PHONE", "075-762-4655"),
                mypage_url,
            },
            ebooks: EbookConfig {
                launch_url: or("EBOOK_LAUNCH_URL", "https://ebooks.example.jp/launch"),
                signing_secret: get("EBOOK_SIGNING_SECRET").map(String::into_bytes),
            },
            staff_api_key: get("STAFF_API_KEY"),
            login_secret: get("LOGIN_SECRET").map(String::into_bytes),
            origin_verify_secret: get("ORIGIN_VERIFY_SECRET"),
            site_origin,
        })
    }
}

/// The origin of an http(s) URL: `https://www.library.example.jp/mypage/` gives
/// `https://www.library.example.jp`.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("https", Some((host, "443"))) | ("http", Some((host, "80"))) => host.to_owned(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

impl AwsSettings {
    pub fn from_env() -> Result<AwsSettings, ConfigError> {
        AwsSettings::from_lookup(env_lookup)
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<AwsSettings, ConfigError> {
        let ses_max_send_rate = match get("SES_MAX_SEND_RATE") {
            None => 10.0,
            Some(v) => v
                .parse()
                .ok()
                .filter(|r: &f64| *r > 0.0)
                .ok_or(ConfigError::Invalid {
                    name: "SES_MAX_SEND_RATE",
                    reason: "a positive number of emails per second".into(),
                })?,
        };
        let scheduler = match (
            get("SCHEDULE_GROUP"),
            get("HOLD_EXPIRY_FUNCTION_ARN"),
            get("HOLD_EXPIRY_SCHEDULER_ROLE_ARN"),
        ) {
            (Some(group), Some(target_arn), Some(role_arn)) => Some(SchedulerConfig {
                group,
                target_arn,
                role_arn,
                dead_letter_arn: get("HOLD_EXPIRY_DLQ_ARN"),
            }),
            (None, None, None) => None,
            _ => {
                return Err(ConfigError::Invalid {
                    name: "SCHEDULE_GROUP",
                    reason: "set SCHEDULE_GROUP, HOLD_EXPIRY_FUNCTION_ARN and HOLD_EXPIRY_SCHEDULER_ROLE_ARN together".into(),
                })
            }
        };
        let tls_roots =
            TlsRoots::parse(get("AWS_TLS_ROOTS").as_deref()).ok_or(ConfigError::Invalid {
                name: "AWS_TLS_ROOTS",
                reason: "amazon (the default) or system".into(),
            })?;
        Ok(AwsSettings {
            table_name: get("TABLE_NAME"),
            mail_from: get("MAIL_FROM"),
            ses_max_send_rate,
            scheduler,
            ebook_secret_param: get("EBOOK_SIGNING_SECRET_PARAM"),
            login_secret_param: get("LOGIN_SECRET_PARAM"),
            tls_roots,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let get = |k: &str| match k {
            "LIBRARY_PHONE" => Some("06-0000-0000".into()),
            "POLICY_PICKUP_DAYS" => Some("10".into()),
            _ => None,
        };
        let c = Settings::from_lookup(get).unwrap();
        assert_eq!(c.library.phone, "06-0000-0000");
        assert_eq!(c.policy.pickup_days, 10);
        let aws = AwsSettings::from_lookup(get).unwrap();
        assert!(aws.table_name.is_none() && aws.scheduler.is_none());
    }

    #[test]
    fn the_site_origin_comes_from_mypage_url() {
        assert_eq!(
            origin_of("https://www.Library.example.jp/mypage/").as_deref(),
            Some("https://www.library.example.jp")
        );
        assert_eq!(
            origin_of("https://a.example.jp:443").as_deref(),
            Some("https://a.example.jp")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("https://user@x"), None);
        assert!(Settings::from_lookup(|k| (k == "MYPAGE_URL").then(|| "nope".into())).is_err());
    }

    #[test]
    fn half_a_scheduler_configuration_is_refused() {
        let r = AwsSettings::from_lookup(|k| (k == "SCHEDULE_GROUP").then(|| "g".into()));
        assert!(matches!(
            r,
            Err(ConfigError::Invalid {
                name: "SCHEDULE_GROUP",
                ..
            })
        ));
        assert!(
            AwsSettings::from_lookup(|k| (k == "SES_MAX_SEND_RATE").then(|| "-1".into())).is_err()
        );
        assert!(
            AwsSettings::from_lookup(|k| (k == "AWS_TLS_ROOTS").then(|| "none".into())).is_err()
        );
    }
}
