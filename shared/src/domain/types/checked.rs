//! Text kept as it was parsed: card numbers, email addresses, counter text, order keys.
//! Each kind is a `TextRule`; what they have in common (parsing, serde, display) is here once.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// What one kind of text accepts, and how debug output shows it.
pub trait TextRule {
    /// Why a text is refused; also the message serde reports.
    type Invalid: fmt::Display;
    /// The text as it is kept (trimmed, normalised), or why it is refused.
    fn check(raw: &str) -> Result<String, Self::Invalid>;
    /// Debug output: masked where the text identifies a patron.
    fn debug(text: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// A text that its rule `R` accepted; `parse` is the only way to build one outside the
/// domain. Serialised as the text, deserialised through `parse`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckedText<R>(String, PhantomData<R>);

impl<R: TextRule> CheckedText<R> {
    pub fn parse(raw: &str) -> Result<Self, R::Invalid> {
        R::check(raw).map(Self::accepted)
    }
}

impl<R> CheckedText<R> {
    /// A text the domain built to its rule, such as an order key made from a title.
    pub(in crate::domain) fn accepted(text: String) -> Self {
        CheckedText(text, PhantomData)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

impl<R: TextRule> TryFrom<String> for CheckedText<R> {
    type Error = R::Invalid;
    fn try_from(s: String) -> Result<Self, R::Invalid> {
        Self::parse(&s)
    }
}

impl<R> From<CheckedText<R>> for String {
    fn from(t: CheckedText<R>) -> String {
        t.0
    }
}

impl<R> fmt::Display for CheckedText<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<R: TextRule> fmt::Debug for CheckedText<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        R::debug(&self.0, f)
    }
}

impl<R> Serialize for CheckedText<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, R: TextRule> Deserialize<'de> for CheckedText<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}
