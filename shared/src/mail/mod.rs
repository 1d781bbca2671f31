//! The mailer port: SES v2 in AWS, an outbox in memory for the dev server and tests.

mod ses;
mod templates;

pub use ses::SesMailer;
pub use templates::{due_reminder, hold_ready, japanese_date, new_arrivals, ReminderLine};

use crate::types::EmailAddress;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailMessage {
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail service refused the message: {0}")]
    Rejected(String),
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &EmailMessage) -> Result<(), MailError>;
}

#[derive(Debug, Clone, Serialize)]
pub struct SentEmail {
    pub sent_at: DateTime<Utc>,
    #[serde(flatten)]
    pub message: EmailMessage,
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

/// Keeps every message; the dev server shows them at `GET /dev/outbox`.
#[derive(Default)]
pub struct Outbox {
    sent: Mutex<Vec<SentEmail>>,
}

impl Outbox {
    pub fn messages(&self) -> Vec<SentEmail> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, message: &EmailMessage) -> Result<(), MailError> {
        self.sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(SentEmail {
                sent_at: Utc::now(),
                message: message.clone(),
            });
        Ok(())
    }
}
