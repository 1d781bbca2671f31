//! R-ACCT-7: what failed logins do, without telling which cards exist and without letting
//! anyone keep a patron out.
//!
//! - Failures are kept per card number in a record of their own (`LoginGuard`), which needs
//!   no patron: a card number nobody holds locks, and is answered, exactly like a real one.
//! - A device that logged in to the card before shows a signed device cookie and keeps its
//!   own allowance; the per-card lock applies to unknown devices only. So someone who knows
//!   a card number can lock out unknown devices, never the patron's own.
//! - Failures decay: only those within the last `lockout_window_minutes` count.
//! - Failures from unknown devices also count per source address (`SourceCounter`) and
//!   towards a global brake made of a few shards (`BrakeShard`), so that guessing across
//!   many cards is slowed as well.
//!
//! Plain types and functions: the use case (`app::sessions`) reads the records, hands the
//! time in and commits the changes.

use super::policy::Policy;
use super::record::{Changes, Outcome, Record};
use super::types::CardNumber;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

/// Known devices whose failures one card keeps; beyond that the one that failed least
/// recently is forgotten (it then starts afresh, which only ever helps that device).
pub const MAX_DEVICES: usize = 8;

/// How long after its last use a login record may be removed by the store's time to live.
const KEEP_AFTER_DAYS: i64 = 1;

/// Failures of one kind of client on one card, and the lock they caused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failures {
    /// The instants of the latest failures, oldest first; never more than the lock limit.
    pub recent: Vec<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// A known device's failures on one card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFailures {
    /// The device cookie's id (random, no meaning).
    pub device: String,
    #[serde(flatten)]
    pub failures: Failures,
}

/// The failed logins on one card number, registered or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginGuard {
    pub card_number: CardNumber,
    /// Devices without a valid device cookie for this card share this allowance.
    pub unknown: Failures,
    pub devices: Vec<DeviceFailures>,
    #[serde(default)]
    pub version: u64,
}

/// Failed logins from one source address in the current window. `source` is a keyed hash of
/// the address (an IPv6 address by its /64), never the address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCounter {
    pub source: String,
    pub window_start: DateTime<Utc>,
    pub failures: u32,
    #[serde(default)]
    pub version: u64,
}

/// One shard of the global count of failed logins in the current window. Each failure
/// goes to one shard; the brake adds them all up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrakeShard {
    pub shard: u8,
    pub window_start: DateTime<Utc>,
    pub failures: u32,
    #[serde(default)]
    pub version: u64,
}

/// Why a login attempt is answered at once, without looking at the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This card is locked for this kind of client (unknown devices, or this device).
    Locked { until: DateTime<Utc> },
    /// Too many failures from this source, or from everywhere: try again then.
    Throttled { until: DateTime<Utc> },
}

impl Refusal {
    pub fn until(&self) -> DateTime<Utc> {
        match self {
            Refusal::Locked { until } | Refusal::Throttled { until } => *until,
        }
    }
}

/// What one more failure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedLogin {
    /// Counted; the card stays open for this client.
    Counted,
    /// This failure (or one just before it) locked the card for this client until then.
    Locked(DateTime<Utc>),
}

/// What is known about one attempt before the password is looked at.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// The card number, when it is one (a malformed number has no guard).
    pub card: Option<CardNumber>,
    /// The attempt's device, if it showed a valid device cookie for this card.
    pub device: Option<String>,
    /// The keyed hash of the source address, if the request has one.
    pub source: Option<String>,
    /// The brake shard a failure of this attempt goes to.
    pub shard: u8,
}

impl Failures {
    fn locked(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|u| *u > now)
    }

    fn live(&self, now: DateTime<Utc>, policy: &Policy) -> bool {
        self.locked(now).is_some() || self.recent_within(now, policy).next().is_some()
    }

    fn recent_within(
        &self,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> impl Iterator<Item = &DateTime<Utc>> {
        let since = now - Duration::minutes(policy.lockout_window_minutes);
        self.recent.iter().filter(move |t| **t > since)
    }

    /// One more failure at `now`: the one that makes the limit within the window locks, and
    /// the count starts afresh for after the lock.
    fn fail(&mut self, now: DateTime<Utc>, policy: &Policy) -> FailedLogin {
        if let Some(until) = self.locked(now) {
            return FailedLogin::Locked(until);
        }
        let mut recent: Vec<DateTime<Utc>> = self.recent_within(now, policy).copied().collect();
        recent.push(now);
        if recent.len() as u32 >= policy.lockout_failures.max(1) {
            let until = now + Duration::minutes(policy.lockout_minutes);
            *self = Failures {
                recent: Vec::new(),
                locked_until: Some(until),
            };
            FailedLogin::Locked(until)
        } else {
            *self = Failures {
                recent,
                locked_until: None,
            };
            FailedLogin::Counted
        }
    }
}

impl LoginGuard {
    pub fn new(card_number: CardNumber) -> LoginGuard {
        LoginGuard {
            card_number,
            unknown: Failures::default(),
            devices: Vec::new(),
            version: 0,
        }
    }

    fn slot(&self, device: Option<&str>) -> Option<&Failures> {
        match device {
            None => Some(&self.unknown),
            Some(d) => self
                .devices
                .iter()
                .find(|x| x.device == d)
                .map(|x| &x.failures),
        }
    }

    /// Until when this card is locked for `device` (None: unknown devices).
    pub fn locked_until(&self, device: Option<&str>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.slot(device).and_then(|f| f.locked(now))
    }

    /// When the store may forget this record: a day after its last lock or failure.
    pub fn expires_at(&self) -> DateTime<Utc> {
        let all = std::iter::once(&self.unknown).chain(self.devices.iter().map(|d| &d.failures));
        let latest = all
            .flat_map(|f| f.recent.iter().copied().chain(f.locked_until))
            .max()
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        latest + Duration::days(KEEP_AFTER_DAYS)
    }
}

impl SourceCounter {
    pub fn expires_at(&self, policy: &Policy) -> DateTime<Utc> {
        self.window_start
            + Duration::minutes(policy.source_window_minutes)
            + Duration::days(KEEP_AFTER_DAYS)
    }
}

impl BrakeShard {
    pub fn expires_at(&self, policy: &Policy) -> DateTime<Utc> {
        self.window_start
            + Duration::minutes(policy.brake_window_minutes)
            + Duration::days(KEEP_AFTER_DAYS)
    }
}

/// The start of the fixed window of `minutes` that `now` falls in.
fn window_start(now: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    now.duration_trunc(Duration::minutes(minutes.max(1)))
        .unwrap_or(now)
}

/// The failures a counter holds for the window `now` falls in.
fn in_window(start: DateTime<Utc>, failures: u32, now: DateTime<Utc>, minutes: i64) -> u32 {
    if start == window_start(now, minutes) {
        failures
    } else {
        0
    }
}

/// The counters of failed logins in fixed windows: per source address, and the brake's shards.
trait WindowCounter: Clone + Into<Record> {
    /// The start of the window counted, and the failures counted in it.
    fn window(&mut self) -> (&mut DateTime<Utc>, &mut u32);
}

impl WindowCounter for SourceCounter {
    fn window(&mut self) -> (&mut DateTime<Utc>, &mut u32) {
        (&mut self.window_start, &mut self.failures)
    }
}

impl WindowCounter for BrakeShard {
    fn window(&mut self) -> (&mut DateTime<Utc>, &mut u32) {
        (&mut self.window_start, &mut self.failures)
    }
}

/// One more failure at `now` on a counter with windows of `minutes`: the counter as read, or
/// `fresh` when there is none yet.
fn count_failure<C: WindowCounter>(
    changes: Changes,
    read: Option<&C>,
    fresh: C,
    now: DateTime<Utc>,
    minutes: i64,
) -> Changes {
    let mut counter = read.cloned().unwrap_or(fresh);
    let (start, failures) = counter.window();
    *failures = in_window(*start, *failures, now, minutes) + 1;
    *start = window_start(now, minutes);
    changes.create_or_update(read.is_some(), counter)
}

/// May this attempt have its password looked at? A known device is held only to its own
/// allowance; an unknown one also to the card's shared lock, its source's limit and the
/// global brake. Nothing here depends on whether the card is registered.
pub fn admit(
    attempt: &Attempt,
    guard: Option<&LoginGuard>,
    source: Option<&SourceCounter>,
    brake: &[BrakeShard],
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<(), Refusal> {
    if let Some(until) = guard.and_then(|g| g.locked_until(attempt.device.as_deref(), now)) {
        return Err(Refusal::Locked { until });
    }
    if attempt.device.is_some() {
        return Ok(());
    }
    if let Some(s) = source {
        let minutes = policy.source_window_minutes;
        if in_window(s.window_start, s.failures, now, minutes) >= policy.source_failures {
            return Err(Refusal::Throttled {
                until: window_start(now, minutes) + Duration::minutes(minutes),
            });
        }
    }
    let minutes = policy.brake_window_minutes;
    let total: u32 = brake
        .iter()
        .map(|b| in_window(b.window_start, b.failures, now, minutes))
        .sum();
    if total >= policy.brake_failures {
        return Err(Refusal::Throttled {
            until: window_start(now, minutes) + Duration::minutes(minutes),
        });
    }
    Ok(())
}

/// One failed attempt at `now`: counted on the card for its kind of client, and, for an
/// unknown device, on its source and on one brake shard. The records are those read (None:
/// not there yet).
pub fn record_failure(
    attempt: &Attempt,
    guard: Option<&LoginGuard>,
    source: Option<&SourceCounter>,
    shard: Option<&BrakeShard>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Outcome<FailedLogin> {
    let mut changes = Changes::none();
    let mut result = FailedLogin::Counted;
    if let Some(card) = &attempt.card {
        let mut g = guard
            .cloned()
            .unwrap_or_else(|| LoginGuard::new(card.clone()));
        result = match &attempt.device {
            None => g.unknown.fail(now, policy),
            Some(d) => {
                if !g.devices.iter().any(|x| &x.device == d) {
                    g.devices.push(DeviceFailures {
                        device: d.clone(),
                        failures: Failures::default(),
                    });
                }
                let slot = g
                    .devices
                    .iter_mut()
                    .find(|x| &x.device == d)
                    .expect("just added");
                slot.failures.fail(now, policy)
            }
        };
        g.devices.retain(|x| x.failures.live(now, policy));
        if g.devices.len() > MAX_DEVICES {
            g.devices.sort_by_key(|x| {
                x.failures
                    .recent
                    .last()
                    .copied()
                    .or(x.failures.locked_until)
            });
            let extra = g.devices.len() - MAX_DEVICES;
            g.devices.drain(..extra);
        }
        // A failure while locked changes nothing.
        if guard != Some(&g) {
            changes = changes.create_or_update(guard.is_some(), g);
        }
    }
    if attempt.device.is_some() || matches!(result, FailedLogin::Locked(_)) && changes.is_empty() {
        // A known device counts only on its own allowance; a refusal that changed nothing
        // was not a guess.
        return Outcome::new(result, changes);
    }
    if let Some(id) = &attempt.source {
        let fresh = SourceCounter {
            source: id.clone(),
            ..Default::default()
        };
        changes = count_failure(changes, source, fresh, now, policy.source_window_minutes);
    }
    let fresh = BrakeShard {
        shard: attempt.shard,
        ..Default::default()
    };
    changes = count_failure(changes, shard, fresh, now, policy.brake_window_minutes);
    Outcome::new(result, changes)
}

/// A successful login: the allowance of the client that succeeded starts afresh. No change
/// when there was nothing to forget.
pub fn record_success(guard: Option<&LoginGuard>, device: Option<&str>) -> Changes {
    let Some(old) = guard else {
        return Changes::none();
    };
    let mut g = old.clone();
    match device {
        None => g.unknown.recent.clear(),
        Some(d) => g.devices.retain(|x| x.device != d),
    }
    if g == *old {
        Changes::none()
    } else {
        Changes::none().update(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{card, t, CARD};
    use crate::domain::record::{Change, Record};

    fn attempt(device: Option<&str>) -> Attempt {
        Attempt {
            card: Some(card(CARD)),
            device: device.map(str::to_owned),
            source: Some("src".into()),
            shard: 0,
        }
    }

    /// Applies failures one after another as the store would.
    struct World {
        guard: Option<LoginGuard>,
        source: Option<SourceCounter>,
        brake: Vec<BrakeShard>,
    }

    impl World {
        fn new() -> World {
            World {
                guard: None,
                source: None,
                brake: Vec::new(),
            }
        }
        fn fail(&mut self, a: &Attempt, now: DateTime<Utc>, p: &Policy) -> FailedLogin {
            let shard = self.brake.iter().find(|b| b.shard == a.shard);
            let o = record_failure(a, self.guard.as_ref(), self.source.as_ref(), shard, now, p);
            for c in o.changes.iter() {
                match c {
                    Change::Create(r) | Change::Update(r) => match r.clone() {
                        Record::LoginGuard(g) => self.guard = Some(g),
                        Record::LoginSource(s) => self.source = Some(s),
                        Record::LoginBrake(b) => {
                            self.brake.retain(|x| x.shard != b.shard);
                            self.brake.push(b);
                        }
                        _ => panic!("only login records"),
                    },
                    _ => panic!("failures create or update"),
                }
            }
            o.value
        }
        fn admit(&self, a: &Attempt, now: DateTime<Utc>, p: &Policy) -> Result<(), Refusal> {
            admit(
                a,
                self.guard.as_ref(),
                self.source.as_ref(),
                &self.brake,
                now,
                p,
            )
        }
    }

    #[test]
    fn r_acct_7_fifth_failure_within_the_window_locks_for_fifteen_minutes() {
        let p = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let mut w = World::new();
        for _ in 1..5 {
            assert_eq!(w.fail(&attempt(None), now, &p), FailedLogin::Counted);
        }
        let until = t("2026-12-01T01:15:00Z");
        assert_eq!(w.fail(&attempt(None), now, &p), FailedLogin::Locked(until));
        assert_eq!(
            w.admit(&attempt(None), now, &p),
            Err(Refusal::Locked { until })
        );
        assert!(w.admit(&attempt(None), until, &p).is_ok());
    }

    #[test]
    fn r_acct_7_failures_decay_four_this_month_and_one_next_month_do_not_lock() {
        let p = Policy::default();
        let mut w = World::new();
        for _ in 0..4 {
            w.fail(&attempt(None), t("2026-11-03T01:00:00Z"), &p);
        }
        assert_eq!(
            w.fail(&attempt(None), t("2026-12-01T01:00:00Z"), &p),
            FailedLogin::Counted
        );
        assert_eq!(w.guard.as_ref().unwrap().unknown.recent.len(), 1);
        // Within the window they add up: 16 minutes apart is outside it.
        let mut w = World::new();
        for i in 0..4 {
            w.fail(
                &attempt(None),
                t("2026-12-01T01:00:00Z") + Duration::minutes(i),
                &p,
            );
        }
        assert_eq!(
            w.fail(&attempt(None), t("2026-12-01T01:14:00Z"), &p),
            FailedLogin::Locked(t("2026-12-01T01:29:00Z"))
        );
    }

    #[test]
    fn r_acct_7_a_known_device_keeps_its_own_allowance_while_unknown_ones_are_locked() {
        let p = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let mut w = World::new();
        for _ in 0..5 {
            w.fail(&attempt(None), now, &p);
        }
        assert!(w.admit(&attempt(None), now, &p).is_err());
        assert!(w.admit(&attempt(Some("dev-1")), now, &p).is_ok());
        // The device has its own five.
        for _ in 0..4 {
            assert_eq!(
                w.fail(&attempt(Some("dev-1")), now, &p),
                FailedLogin::Counted
            );
        }
        assert!(matches!(
            w.fail(&attempt(Some("dev-1")), now, &p),
            FailedLogin::Locked(_)
        ));
        assert!(w.admit(&attempt(Some("dev-1")), now, &p).is_err());
        assert!(w.admit(&attempt(Some("dev-2")), now, &p).is_ok());
    }

    #[test]
    fn r_acct_7_a_source_and_the_brake_slow_unknown_devices_only() {
        let p = Policy {
            source_failures: 3,
            brake_failures: 1000,
            ..Policy::default()
        };
        let now = t("2026-12-01T01:02:00Z");
        let mut w = World::new();
        for i in 0..3 {
            let mut a = attempt(None);
            a.card = Some(card(&format!("2000000{i}")));
            w.guard = None;
            w.fail(&a, now, &p);
        }
        w.guard = None;
        let refused = w.admit(&attempt(None), now, &p);
        assert_eq!(
            refused,
            Err(Refusal::Throttled {
                until: t("2026-12-01T01:15:00Z")
            })
        );
        assert!(w.admit(&attempt(Some("dev")), now, &p).is_ok());
        // The next window starts afresh.
        assert!(w
            .admit(&attempt(None), t("2026-12-01T01:15:00Z"), &p)
            .is_ok());
        let braked = Policy {
            brake_failures: 3,
            ..Policy::default()
        };
        let mut other = attempt(None);
        other.source = Some("elsewhere".into());
        assert!(matches!(
            w.admit(&other, now, &braked),
            Err(Refusal::Throttled { .. })
        ));
    }

    #[test]
    fn a_success_forgets_only_the_allowance_that_succeeded() {
        let p = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let mut w = World::new();
        w.fail(&attempt(None), now, &p);
        w.fail(&attempt(Some("d")), now, &p);
        let g = w.guard.clone().unwrap();
        let c = record_success(Some(&g), None);
        let Some(Change::Update(Record::LoginGuard(after))) = c.iter().next().cloned() else {
            panic!("the guard is updated")
        };
        assert!(after.unknown.recent.is_empty());
        assert_eq!(after.devices.len(), 1);
        assert!(record_success(None, None).is_empty());
        assert!(record_success(Some(&after), None).is_empty());
    }

    #[test]
    fn a_card_keeps_a_bounded_number_of_devices() {
        let p = Policy::default();
        let now = t("2026-12-01T01:00:00Z");
        let mut w = World::new();
        for i in 0..(MAX_DEVICES + 3) {
            w.fail(
                &attempt(Some(&format!("d{i}"))),
                now + Duration::seconds(i as i64),
                &p,
            );
        }
        let g = w.guard.unwrap();
        assert_eq!(g.devices.len(), MAX_DEVICES);
        assert!(g.devices.iter().all(|d| d.device != "d0"));
    }
}
