//! The table's keys, in one place: where each record lives (`pk`, `sk`), the sparse indexes
//! it appears in, and when it expires (docs/table-design.md).

use crate::domain::{HoldState, Key, Record};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// The partitions of the table.
enum Partition<'a> {
    /// A patron's account: profile, sessions, loans, holds.
    Patron(&'a str),
    Title(&'a str),
    Copy(&'a str),
    /// One mail job's claims on patrons.
    Claims(&'a str),
    /// The titles announced to one patron.
    Announced(&'a str),
    Job(&'a str),
    /// A card number's failed logins (R-ACCT-7): no patron needed.
    Login(&'a str),
    /// One source address's failed logins.
    Source(&'a str),
    /// One shard of the global count of failed logins.
    Brake(u8),
}

impl Partition<'_> {
    fn value(&self) -> String {
        match self {
            Partition::Patron(c) => format!("PATRON#{c}"),
            Partition::Title(b) => format!("TITLE#{b}"),
            Partition::Copy(b) => format!("COPY#{b}"),
            Partition::Claims(j) => format!("CLAIM#{j}"),
            Partition::Announced(c) => format!("ANNOUNCED#{c}"),
            Partition::Job(j) => format!("JOB#{j}"),
            Partition::Login(c) => format!("LOGIN#{c}"),
            Partition::Source(s) => format!("SOURCE#{s}"),
            Partition::Brake(n) => format!("BRAKE#{n}"),
        }
    }
}

/// Sort keys of a patron's account begin with a capital letter; items kept in the patron's
/// partition but outside the account (read only by their own routes) begin with `~`, which
/// sorts after every letter, so the account's Query (`sk < "~"`) never reads them.
pub(super) const ACCOUNT_END: &str = "~";

/// A record's primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ItemKey {
    pub pk: String,
    pub sk: String,
}

impl ItemKey {
    pub fn of(key: &Key) -> ItemKey {
        let (partition, sk) = match key {
            Key::Patron(c) => (Partition::Patron(c.as_str()), "PROFILE".to_owned()),
            Key::Session(c, h) => (Partition::Patron(c.as_str()), format!("SESSION#{h}")),
            Key::Loan(c, l) => (Partition::Patron(c.as_str()), format!("LOAN#{l}")),
            Key::Hold(c, b) => (Partition::Patron(c.as_str()), format!("HOLD#{b}")),
            Key::Title(b) => (Partition::Title(b.as_str()), "TITLE".to_owned()),
            Key::Copy(b) => (Partition::Copy(b.as_str()), "COPY".to_owned()),
            Key::MailClaim(job, c) => (Partition::Claims(job), c.to_string()),
            Key::Announcement(c, b) => (Partition::Announced(c.as_str()), b.to_string()),
            Key::Job(j) => (Partition::Job(j), "STATE".to_owned()),
            Key::LoginGuard(c) => (Partition::Login(c.as_str()), "GUARD".to_owned()),
            Key::LoginSource(s) => (Partition::Source(s), "COUNT".to_owned()),
            Key::LoginBrake(n) => (Partition::Brake(*n), "COUNT".to_owned()),
        };
        ItemKey {
            pk: partition.value(),
            sk,
        }
    }

    pub fn account(card: &crate::domain::types::CardNumber) -> String {
        Partition::Patron(card.as_str()).value()
    }

    pub fn item(&self) -> Item {
        HashMap::from([
            ("pk".to_owned(), s(&self.pk)),
            ("sk".to_owned(), s(&self.sk)),
        ])
    }
}

/// The sparse global secondary indexes (projection ALL). A record appears in an index only
/// while it carries that index's two attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Index {
    /// Loans whose patron wants due-date reminders, by due date (docs/access-patterns.md #10).
    ByDueDate,
    /// Ready holds, by pickup deadline (#12).
    ByPickupDeadline,
    /// Titles, by the Japan date they were added (#11, new arrivals).
    ByAddedOn,
    /// Patrons with new-arrival alerts on (#11).
    NewArrivalSubscribers,
}

impl Index {
    pub const ALL: [Index; 4] = [
        Index::ByDueDate,
        Index::ByPickupDeadline,
        Index::ByAddedOn,
        Index::NewArrivalSubscribers,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Index::ByDueDate => "ByDueDate",
            Index::ByPickupDeadline => "ByPickupDeadline",
            Index::ByAddedOn => "ByAddedOn",
            Index::NewArrivalSubscribers => "NewArrivalSubscribers",
        }
    }

    /// The index's partition and sort key attributes.
    pub fn attributes(self) -> (&'static str, &'static str) {
        match self {
            Index::ByDueDate => ("due_pk", "due_sk"),
            Index::ByPickupDeadline => ("pickup_pk", "pickup_sk"),
            Index::ByAddedOn => ("added_pk", "added_sk"),
            Index::NewArrivalSubscribers => ("alerts_pk", "alerts_sk"),
        }
    }

    /// The one partition value of the indexes that keep everything under one.
    pub fn single_partition(self) -> &'static str {
        match self {
            Index::ByPickupDeadline => "READY",
            Index::NewArrivalSubscribers => "NEW_ARRIVALS",
            Index::ByDueDate | Index::ByAddedOn => "",
        }
    }

    pub fn due_on(date: chrono::NaiveDate) -> String {
        format!("DUE#{date}")
    }

    pub fn added_on(date: chrono::NaiveDate) -> String {
        format!("ADDED#{date}")
    }
}

/// The index entries of a record: (index, its partition value, its sort value).
pub(super) fn index_entries(record: &Record) -> Vec<(Index, String, String)> {
    match record {
        Record::Loan(l) if l.reminder().is_some() => vec![(
            Index::ByDueDate,
            Index::due_on(l.due_date),
            format!("{}#{}", l.card_number, l.loan_id),
        )],
        Record::Hold(h) => match h.state() {
            HoldState::Ready {
                pickup_deadline, ..
            } => vec![(
                Index::ByPickupDeadline,
                Index::ByPickupDeadline.single_partition().to_owned(),
                format!("{pickup_deadline}#{}#{}", h.card_number, h.bib_id),
            )],
            HoldState::Waiting => vec![],
        },
        Record::Title(t) => vec![(
            Index::ByAddedOn,
            Index::added_on(t.added_on),
            format!("{}#{}", t.added_at.to_rfc3339(), t.bib_id),
        )],
        Record::Patron(p) if p.notifications.new_arrivals.enabled => vec![(
            Index::NewArrivalSubscribers,
            Index::NewArrivalSubscribers.single_partition().to_owned(),
            p.card_number.to_string(),
        )],
        _ => vec![],
    }
}

/// When DynamoDB's time to live may remove the record (attribute `ttl`): the record's own
/// expiry (`Record::expires_at`).
pub(super) fn expires_at(record: &Record) -> Option<DateTime<Utc>> {
    record.expires_at()
}
