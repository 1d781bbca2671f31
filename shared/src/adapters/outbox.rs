//! Mailers that do not reach SES: the outbox (dev server, tests) and the refusal of a
//! function that sends no mail.

use crate::ports::clock::Clock;
use crate::ports::mailer::{EmailMessage, MailError, Mailer};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize)]
pub struct SentEmail {
    pub sent_at: DateTime<Utc>,
    #[serde(flatten)]
    pub message: EmailMessage,
}

/// Keeps every message, stamped with the library's clock; the dev server shows them at
/// `GET /dev/outbox`.
pub struct Outbox {
    clock: Arc<dyn Clock>,
    sent: Mutex<Vec<SentEmail>>,
}

impl Outbox {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Outbox {
            clock,
            sent: Mutex::new(Vec::new()),
        }
    }
    pub fn messages(&self) -> Vec<SentEmail> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, message: &EmailMessage) -> Result<(), MailError> {
        let sent_at = self.clock.now();
        self.sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(SentEmail {
                sent_at,
                message: message.clone(),
            });
        Ok(())
    }
}

/// The mailer of a function that has no `MAIL_FROM` because it is not one that sends mail
/// (nor may, by its IAM policy): a send is refused, as SES would refuse it.
pub struct NoMailer;

#[async_trait]
impl Mailer for NoMailer {
    async fn send(&self, _message: &EmailMessage) -> Result<(), MailError> {
        Err(MailError::Rejected(
            "this function sends no mail (MAIL_FROM is not set)".into(),
        ))
    }
}
