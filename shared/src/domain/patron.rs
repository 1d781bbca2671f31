//! A patron: registration at the counter, passwords, the patron's own settings (R-ACCT-2..6,
//! R-MAIL-1, R-MAIL-2). Failed logins are kept apart, per card number (`domain::login`).

use super::loan::{reminder_contact, Loan};
use super::login::LoginGuard;
use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::session::Session;
use super::types::{CardNumber, EmailAddress, InterestTerms};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patron {
    pub card_number: CardNumber,
    pub name: String,
    pub email: Option<EmailAddress>,
    /// Lives, studies or works in the prefecture (R-EBOOK-1), recorded by staff.
    pub ebook_eligible: bool,
    /// None until the counter issues a temporary password (R-ACCT-2).
    pub password: Option<Credential>,
    /// Bumped on every password change; sessions of an older version are dead (R-ACCT-8).
    pub credential_version: u32,
    /// Waiting and ready holds, web and counter together (R-HOLD-2). Kept by `domain::hold`.
    pub(in crate::domain) active_holds: u32,
    pub notifications: NotificationSettings,
    pub registered_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    /// Argon2id PHC string.
    pub hash: String,
    /// Issued at the counter: logs in only to the password-change step (R-ACCT-3).
    pub temporary: bool,
    /// A temporary password expires if never used (R-ACCT-5).
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub due_reminder: bool,
    pub new_arrivals: NewArrivalSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewArrivalSettings {
    pub enabled: bool,
    #[serde(default)]
    pub authors: InterestTerms,
    #[serde(default)]
    pub subjects: InterestTerms,
    #[serde(default)]
    pub keywords: InterestTerms,
}

/// Settings need an address before they can send mail (R-ACCT-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("register an email address first")]
pub struct EmailNotRegistered;

impl Patron {
    /// R-DESK-1: a card registered at the counter, without a password yet.
    pub fn register(
        card_number: CardNumber,
        name: String,
        ebook_eligible: bool,
        now: DateTime<Utc>,
    ) -> Patron {
        Patron {
            card_number,
            name,
            email: None,
            ebook_eligible,
            password: None,
            credential_version: 0,
            active_holds: 0,
            notifications: NotificationSettings::default(),
            registered_at: now,
            version: 0,
        }
    }

    pub fn active_holds(&self) -> u32 {
        self.active_holds
    }

    /// The password to check a login against: none before the counter issued one, and none
    /// once an unused temporary password has expired (R-ACCT-5).
    pub fn usable_credential(&self, now: DateTime<Utc>) -> Option<&Credential> {
        self.password
            .as_ref()
            .filter(|c| !(c.temporary && c.expires_at.is_some_and(|t| t <= now)))
    }

    pub fn has_temporary_password(&self) -> bool {
        self.password.as_ref().is_some_and(|c| c.temporary)
    }
}

/// R-ACCT-2: a new temporary password, hashed by the caller. It ends every session (the
/// credential version moves) and lifts every lock on the card (its login guard goes).
pub fn issue_temporary_password(
    patron: &Patron,
    guard: Option<&LoginGuard>,
    hash: String,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Outcome<()> {
    let mut p = patron.clone();
    p.password = Some(Credential {
        hash,
        temporary: true,
        expires_at: Some(now + Duration::days(policy.temporary_password_days)),
    });
    p.credential_version += 1;
    let mut changes = Changes::none().update(p);
    if let Some(g) = guard {
        changes = changes.delete(g.clone());
    }
    Outcome::new((), changes)
}

/// R-ACCT-5, R-ACCT-8: the patron's own password replaces the old one. Every other session
/// ends (the credential version moves); `session`, the one the change was made in, continues
/// with the new password.
pub fn change_password(patron: &Patron, session: &Session, hash: String) -> Outcome<()> {
    let mut p = patron.clone();
    p.password = Some(Credential {
        hash,
        temporary: false,
        expires_at: None,
    });
    p.credential_version += 1;
    let mut s = session.clone();
    s.credential_version = p.credential_version;
    s.temporary = false;
    Outcome::new((), Changes::none().update(p).update(s))
}

/// A change to the patron's own settings, and with it the reminder contact copied onto each
/// of their loans, so the reminder job never mails an old address (docs/access-patterns.md #10 reads
/// only loans).
fn with_settings(patron: Patron, loans: &[Loan]) -> Outcome<()> {
    let contact = reminder_contact(&patron);
    let mut changes = Changes::none().update(patron);
    for loan in loans {
        if loan.reminder != contact {
            let mut l = loan.clone();
            l.reminder = contact.clone();
            changes = changes.update(l);
        }
    }
    Outcome::new((), changes)
}

/// R-ACCT-6: register or change the address.
pub fn set_email(patron: &Patron, loans: &[Loan], email: EmailAddress) -> Outcome<()> {
    let mut p = patron.clone();
    p.email = Some(email);
    with_settings(p, loans)
}

/// R-ACCT-6: without an address no email can go out, so both email services stop too.
pub fn remove_email(patron: &Patron, loans: &[Loan]) -> Outcome<()> {
    let mut p = patron.clone();
    p.email = None;
    p.notifications.due_reminder = false;
    p.notifications.new_arrivals.enabled = false;
    with_settings(p, loans)
}

/// R-MAIL-1, R-MAIL-2: the email services the patron signed up for.
pub fn set_notifications(
    patron: &Patron,
    loans: &[Loan],
    settings: NotificationSettings,
) -> Result<Outcome<()>, EmailNotRegistered> {
    let wants_mail = settings.due_reminder || settings.new_arrivals.enabled;
    if wants_mail && patron.email.is_none() {
        return Err(EmailNotRegistered);
    }
    let mut p = patron.clone();
    p.notifications = settings;
    Ok(with_settings(p, loans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Change;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn patron() -> Patron {
        Patron::register(
            CardNumber::parse("10000001").unwrap(),
            "n".into(),
            false,
            t("2026-01-01T00:00:00Z"),
        )
    }

    #[test]
    fn r_acct_2_a_temporary_password_lifts_the_lock_and_ends_sessions() {
        let now = t("2026-12-01T01:00:00Z");
        let locked = patron();
        let mut guard = LoginGuard::new(locked.card_number.clone());
        guard.unknown.locked_until = Some(t("2026-12-01T01:10:00Z"));
        let o =
            issue_temporary_password(&locked, Some(&guard), "h".into(), now, &Policy::default());
        let changes: Vec<_> = o.changes.iter().cloned().collect();
        let [Change::Update(r), Change::Delete(g)] = changes.as_slice() else {
            panic!("the patron is updated and the lock goes: {changes:?}")
        };
        assert_eq!(
            g.key(),
            crate::domain::Key::LoginGuard(locked.card_number.clone())
        );
        let p = r.clone().into_patron().unwrap();
        assert_eq!(p.credential_version, locked.credential_version + 1);
        assert!(p.has_temporary_password());
        // R-ACCT-5: unused, it expires after the policy's days.
        assert!(p.usable_credential(now + Duration::days(29)).is_some());
        assert!(p.usable_credential(now + Duration::days(30)).is_none());
    }

    #[test]
    fn r_acct_6_mail_services_need_an_address() {
        let on = NotificationSettings {
            due_reminder: true,
            ..Default::default()
        };
        assert_eq!(
            set_notifications(&patron(), &[], on.clone()).err(),
            Some(EmailNotRegistered)
        );
        let mut with_email = patron();
        with_email.email = Some(EmailAddress::parse("p@example.jp").unwrap());
        assert!(set_notifications(&with_email, &[], on).is_ok());
    }
}
