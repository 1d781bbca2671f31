//! The hold cart (予約候補一覧, R-HOLD-10): titles a patron collects before placing holds on
//! them in one step. Kept by the server, so it follows the patron across devices; at most the
//! policy's number of titles, in the order added.

use super::policy::Policy;
use super::record::{Changes, Outcome};
use super::types::{BibId, CardNumber};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldCart {
    pub card_number: CardNumber,
    pub(in crate::domain) items: Vec<CartItem>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartItem {
    pub bib_id: BibId,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the hold cart is full")]
pub struct CartFull;

impl HoldCart {
    /// The cart of a patron who has none yet.
    pub fn empty(card_number: &CardNumber) -> HoldCart {
        HoldCart {
            card_number: card_number.clone(),
            items: Vec::new(),
            version: 0,
        }
    }
    pub fn items(&self) -> &[CartItem] {
        &self.items
    }
    pub fn contains(&self, bib: &BibId) -> bool {
        self.items.iter().any(|i| &i.bib_id == bib)
    }
    /// Written for the first time (no stored record yet).
    fn is_new(&self) -> bool {
        self.version == 0
    }
    fn write(self) -> Changes {
        Changes::none().create_or_update(!self.is_new(), self)
    }
}

/// Adds a title. Adding one already there keeps its place and changes nothing, even when the
/// cart is full.
pub fn add(
    cart: &HoldCart,
    bib: &BibId,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Outcome<()>, CartFull> {
    if cart.contains(bib) {
        return Ok(Outcome::new((), Changes::none()));
    }
    if cart.items.len() >= policy.hold_cart_max as usize {
        return Err(CartFull);
    }
    let mut c = cart.clone();
    c.items.push(CartItem {
        bib_id: bib.clone(),
        added_at: now,
    });
    Ok(Outcome::new((), c.write()))
}

/// Removes a title (nothing happens if it is not there).
pub fn remove(cart: &HoldCart, bib: &BibId) -> Outcome<()> {
    if !cart.contains(bib) || cart.is_new() {
        return Outcome::new((), Changes::none());
    }
    let mut c = cart.clone();
    c.items.retain(|i| &i.bib_id != bib);
    Outcome::new((), Changes::none().update(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{card, CARD};

    fn bib(n: u32) -> BibId {
        BibId::parse(&format!("B{n}")).unwrap()
    }

    fn apply(cart: &HoldCart, o: Outcome<()>) -> HoldCart {
        let mut c = o
            .changes
            .into_iter()
            .next()
            .and_then(|ch| ch.record().clone().into_hold_cart())
            .unwrap_or_else(|| cart.clone());
        c.version += 1;
        c
    }

    #[test]
    fn r_hold_10_at_most_twenty_in_the_order_added_and_a_re_add_keeps_its_place() {
        let now = "2026-12-01T01:00:00Z".parse().unwrap();
        let policy = Policy::default();
        let mut cart = HoldCart::empty(&card(CARD));
        for n in 0..20 {
            cart = apply(&cart, add(&cart, &bib(n), now, &policy).unwrap());
        }
        assert_eq!(add(&cart, &bib(20), now, &policy).err(), Some(CartFull));
        // Already there: fine even when full, and it does not move.
        assert!(add(&cart, &bib(3), now, &policy)
            .unwrap()
            .changes
            .is_empty());
        let order: Vec<_> = cart.items().iter().map(|i| i.bib_id.clone()).collect();
        assert_eq!(order, (0..20).map(bib).collect::<Vec<_>>());
        cart = apply(&cart, remove(&cart, &bib(3)));
        assert_eq!(cart.items().len(), 19);
        assert!(add(&cart, &bib(20), now, &policy).is_ok());
        assert!(remove(&cart, &bib(99)).changes.is_empty());
    }
}
