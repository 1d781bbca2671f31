use crate::ports::mailer::{EmailMessage, MailError, Mailer};
use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_sdk_sesv2::Client;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Sends through SES v2, no faster than the account's maximum send rate, backing off when
/// SES throttles.
pub struct SesMailer {
    client: Client,
    from: String,
    min_interval: Duration,
    next_slot: Mutex<Instant>,
}

impl SesMailer {
    /// `from` is the configured sender, e.g. `"京都市立図書館 <info@library.example.jp>"`.
    pub fn new(client: Client, from: impl Into<String>, max_per_second: f64) -> Self {
        let rate = if max_per_second > 0.0 {
            max_per_second
        } else {
            1.0
        };
        SesMailer {
            client,
            from: encode_display_name(&from.into()),
            min_interval: Duration::from_secs_f64(1.0 / rate),
            next_slot: Mutex::new(Instant::now()),
        }
    }

    async fn wait_for_slot(&self) {
        let wait = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + self.min_interval;
            at - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// SES takes a non-ASCII display name only as an RFC 2047 encoded word:
/// `京都市立図書館 <info@...>` becomes `=?UTF-8?B?...?= <info@...>`.
pub fn encode_display_name(from: &str) -> String {
    use base64::Engine;
    match from.rsplit_once('<') {
        Some((name, addr)) if !name.trim().is_ascii() => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(name.trim().as_bytes());
            format!("=?UTF-8?B?{encoded}?= <{addr}")
        }
        _ => from.to_owned(),
    }
}

fn utf8(text: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| MailError::Rejected(e.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, m: &EmailMessage) -> Result<(), MailError> {
        let content = EmailContent::builder()
            .simple(
                Message::builder()
                    .subject(utf8(&m.subject)?)
                    .body(
                        Body::builder()
                            .text(utf8(&m.text)?)
                            .html(utf8(&m.html)?)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let mut backoff = Duration::from_millis(200);
        for attempt in 0.. {
            self.wait_for_slot().await;
            let result = self
                .client
                .send_email()
                .from_email_address(&self.from)
                .destination(Destination::builder().to_addresses(m.to.as_str()).build())
                .content(content.clone())
                .send()
                .await;
            match result {
                Ok(_) => return Ok(()),
                Err(e) => {
                    use aws_sdk_sesv2::operation::send_email::SendEmailError as E;
                    let err = e.into_service_error();
                    let throttled = matches!(
                        err,
                        E::TooManyRequestsException(_) | E::LimitExceededException(_)
                    );
                    if throttled && attempt < 5 {
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                        continue;
                    }
                    let text = aws_sdk_sesv2::error::DisplayErrorContext(&err).to_string();
                    return Err(match err {
                        E::MessageRejected(_)
                        | E::MailFromDomainNotVerifiedException(_)
                        | E::BadRequestException(_) => MailError::Rejected(text),
                        _ => MailError::Unavailable(text),
                    });
                }
            }
        }
        unreachable!("the loop returns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sends_are_spaced_to_the_configured_rate() {
        let conf = aws_sdk_sesv2::Config::builder()
            .behavior_version_latest()
            .region(aws_sdk_sesv2::config::Region::new("ap-northeast-1"))
            .build();
        let mailer = SesMailer::new(Client::from_conf(conf), "info@example.jp", 2.0);
        let start = Instant::now();
        for _ in 0..5 {
            mailer.wait_for_slot().await;
        }
        // Five sends at two a second: the fifth goes out two seconds after the first.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[test]
    fn r_mail_4_japanese_sender_names_are_encoded_for_ses() {
        assert_eq!(
            encode_display_name("図書館 <info@example.jp>"),
            "=?UTF-8?B?5Zuz5pu46aSo?= <info@example.jp>"
        );
        assert_eq!(
            encode_display_name("Library <info@example.jp>"),
            "Library <info@example.jp>"
        );
        assert_eq!(encode_display_name("info@example.jp"), "info@example.jp");
    }
}
