//! A patron: registration at the counter, passwords, the patron's own settings and a verified
//! address (R-ACCT-2..6, R-MAIL-1, R-MAIL-2, R-MAIL-5, R-MAIL-6). Failed logins are kept
//! apart, per card number (`domain::login`).

use super::history::ReadingHistory;
use super::loan::{with_contacts, Loan};
use super::login::LoginGuard;
use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::session::Session;
use super::types::{CardNumber, EmailAddress, InterestTerms};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patron {
    pub card_number: CardNumber,
    pub name: String,
    pub email: Option<EmailAddress>,
    /// R-MAIL-5: the patron opened the link sent to `email`. No mail but the verification
    /// goes to an address until then. Addresses stored before verification existed count as
    /// verified (the field's default when absent).
    #[serde(default = "verified_before_verification_existed")]
    pub(in crate::domain) email_verified: bool,
    /// Verification emails sent on one Japan day, for the daily limit.
    #[serde(default)]
    pub(in crate::domain) verification_sends: DailyCount,
    /// Lives, studies or works in the prefecture (R-EBOOK-1), recorded by staff.
    pub ebook_eligible: bool,
    /// None until the counter issues a temporary password (R-ACCT-2).
    pub password: Option<Credential>,
    /// Bumped on every password change; sessions of an older version are dead (R-ACCT-8).
    pub credential_version: u32,
    /// Waiting and ready holds, web and counter together (R-HOLD-2). Kept by `domain::hold`.
    pub(in crate::domain) active_holds: u32,
    pub notifications: NotificationSettings,
    /// R-HIST-1: off unless the patron turned it on. Kept by `domain::history`.
    #[serde(default)]
    pub(in crate::domain) reading_history: ReadingHistory,
    pub registered_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

fn verified_before_verification_existed() -> bool {
    true
}

/// How many times something happened on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCount {
    pub day: Option<NaiveDate>,
    pub count: u32,
}

impl DailyCount {
    fn on(self, day: NaiveDate) -> u32 {
        if self.day == Some(day) {
            self.count
        } else {
            0
        }
    }
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
    /// R-MAIL-6: an email the day after a loan falls due and is not returned.
    #[serde(default)]
    pub overdue_notice: bool,
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
            email_verified: false,
            verification_sends: DailyCount::default(),
            ebook_eligible,
            password: None,
            credential_version: 0,
            active_holds: 0,
            notifications: NotificationSettings::default(),
            reading_history: ReadingHistory::default(),
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

    pub fn email_verified(&self) -> bool {
        self.email.is_some() && self.email_verified
    }

    /// R-MAIL-5: where mail other than a verification may go: a verified address only.
    pub fn mail_address(&self) -> Option<&EmailAddress> {
        self.email.as_ref().filter(|_| self.email_verified)
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

/// A change to the patron's own settings, and with it the contacts copied onto each of their
/// loans (due-date reminder, overdue notice), so the mail jobs never mail an old or unverified
/// address (docs/access-patterns.md #10 reads only loans).
fn with_settings(patron: Patron, loans: &[Loan]) -> Outcome<()> {
    let mut changes = Changes::none();
    for loan in loans {
        if let Some(l) = with_contacts(loan, &patron) {
            changes = changes.update(l);
        }
    }
    Outcome::new((), Changes::none().update(patron).and(changes))
}

/// A verification email on its way (R-MAIL-5): the SHA-256 of its token, and until when.
pub struct NewVerification {
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
}

/// What an address change leaves to do once committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressChanged {
    /// The address the verification email goes to.
    pub to: EmailAddress,
    /// R-MAIL-5: the verified address being replaced, told of the change (not of the new one).
    pub replaced_verified: Option<EmailAddress>,
}

/// More verification emails than the policy allows in one day (R-MAIL-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many verification emails today")]
pub struct TooManyVerifications;

/// R-ACCT-6, R-MAIL-5: register or change the address. It replaces the old one at once and is
/// unverified until the link sent to it is opened; until then no other mail goes to it.
pub fn set_email(
    patron: &Patron,
    loans: &[Loan],
    email: EmailAddress,
    verification: NewVerification,
    today: NaiveDate,
    policy: &Policy,
) -> Result<Outcome<AddressChanged>, TooManyVerifications> {
    let sent = patron.verification_sends.on(today);
    if sent >= policy.verification_emails_per_day {
        return Err(TooManyVerifications);
    }
    let replaced_verified = patron.mail_address().filter(|old| **old != email).cloned();
    let mut p = patron.clone();
    p.email = Some(email.clone());
    p.email_verified = false;
    p.verification_sends = DailyCount {
        day: Some(today),
        count: sent + 1,
    };
    let pending = EmailVerification {
        token_hash: verification.token_hash,
        card_number: patron.card_number.clone(),
        email: email.clone(),
        expires_at: verification.expires_at,
        version: 0,
    };
    let changed = with_settings(p, loans);
    Ok(Outcome::new(
        AddressChanged {
            to: email,
            replaced_verified,
        },
        changed.changes.create(pending),
    ))
}

/// A link sent to an address to prove the patron reads it (R-MAIL-5); single use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailVerification {
    /// SHA-256 of the token in the link, hex. The token itself is never stored.
    pub token_hash: String,
    pub card_number: CardNumber,
    /// The address it was sent to: it verifies that address only.
    pub email: EmailAddress,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// The link is unknown, used, expired, or for an address the patron has replaced since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the link is not valid (unknown, used or expired)")]
pub struct InvalidToken;

/// R-MAIL-5: the patron opened the link: the address is verified, the mail the patron signed
/// up for starts (their loans carry the contacts from now on), and the link is used up.
pub fn verify_email(
    patron: &Patron,
    loans: &[Loan],
    verification: &EmailVerification,
    now: DateTime<Utc>,
) -> Result<Outcome<()>, InvalidToken> {
    if verification.expires_at <= now || patron.email.as_ref() != Some(&verification.email) {
        return Err(InvalidToken);
    }
    let mut p = patron.clone();
    p.email_verified = true;
    Ok(with_settings(p, loans)
        .map(|_| ())
        .also(Changes::none().delete(verification.clone())))
}

/// R-ACCT-6: without an address no email can go out, so the email services stop too.
pub fn remove_email(patron: &Patron, loans: &[Loan]) -> Outcome<()> {
    let mut p = patron.clone();
    p.email = None;
    p.email_verified = false;
    p.notifications.due_reminder = false;
    p.notifications.overdue_notice = false;
    p.notifications.new_arrivals.enabled = false;
    with_settings(p, loans)
}

/// R-MAIL-1, R-MAIL-2: the email services the patron signed up for.
pub fn set_notifications(
    patron: &Patron,
    loans: &[Loan],
    settings: NotificationSettings,
) -> Result<Outcome<()>, EmailNotRegistered> {
    let wants_mail =
        settings.due_reminder || settings.overdue_notice || settings.new_arrivals.enabled;
    if wants_mail && patron.email.is_none() {
        return Err(EmailNotRegistered);
    }
    let mut p = patron.clone();
    p.notifications = settings;
    Ok(with_settings(p, loans))
}

/// A plain patron for the domain's tests: card 10000001, registered 2026-01-01, no e-mail
/// address, never written. Each test changes what it is about.
#[cfg(test)]
pub(crate) fn sample() -> Patron {
    use crate::domain::fixtures::{card, t, CARD};
    Patron::register(card(CARD), "n".into(), false, t("2026-01-01T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::t;
    use crate::domain::record::Change;

    fn patron() -> Patron {
        sample()
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
