//! The library's rules as pure functions over plain values: no I/O, no clock reads.
//! Each returns the reason it refuses, named as in RULES.md and API.md.

pub mod arrivals;
pub mod holds;
pub mod login;
pub mod renewal;
