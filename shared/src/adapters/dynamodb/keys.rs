//! The table's keys, in one place: where each record lives (`pk`, `sk`), the sparse indexes
//! it appears in, and when it expires (docs/table-design.md).

use crate::domain::search::OrderKey;
use crate::domain::{ClaimState, HoldState, Key, Record};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
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
    /// The search postings of one gram, in hit order.
    Gram(&'a str),
    /// The posting count of one gram (the search planner's statistic).
    GramCount(&'a str),
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
            Partition::Gram(g) => format!("GRAM#{g}"),
            Partition::GramCount(g) => format!("GRAMCOUNT#{g}"),
        }
    }
}

/// Sort keys of a patron's account begin with a capital letter; items kept in the patron's
/// partition but outside the account (read only by their own routes) begin with `~`, which
/// sorts after every letter, so the account's Query (`sk < "~"`) never reads them.
pub(super) const ACCOUNT_END: &str = "~";

/// A posting item's one attribute besides its key: the title's search text.
pub(super) const POSTING_TEXT: &str = "text";
/// A gram count item's number.
pub(super) const GRAM_COUNT: &str = "n";

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
        };
        ItemKey {
            pk: partition.value(),
            sk,
        }
    }

    pub fn account(card: &crate::domain::types::CardNumber) -> String {
        Partition::Patron(card.as_str()).value()
    }

    /// A search posting: the gram's partition, sorted by the title's order key.
    pub fn posting(gram: &str, order: &OrderKey) -> ItemKey {
        ItemKey {
            pk: Self::postings_of(gram),
            sk: order.to_string(),
        }
    }

    pub fn postings_of(gram: &str) -> String {
        Partition::Gram(gram).value()
    }

    pub fn gram_count(gram: &str) -> ItemKey {
        ItemKey {
            pk: Partition::GramCount(gram).value(),
            sk: "COUNT".to_owned(),
        }
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
    /// Titles whose search postings are not all written yet (#16, the re-index).
    SearchPending,
}

impl Index {
    pub const ALL: [Index; 5] = [
        Index::ByDueDate,
        Index::ByPickupDeadline,
        Index::ByAddedOn,
        Index::NewArrivalSubscribers,
        Index::SearchPending,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Index::ByDueDate => "ByDueDate",
            Index::ByPickupDeadline => "ByPickupDeadline",
            Index::ByAddedOn => "ByAddedOn",
            Index::NewArrivalSubscribers => "NewArrivalSubscribers",
            Index::SearchPending => "SearchPending",
        }
    }

    /// The index's partition and sort key attributes.
    pub fn attributes(self) -> (&'static str, &'static str) {
        match self {
            Index::ByDueDate => ("due_pk", "due_sk"),
            Index::ByPickupDeadline => ("pickup_pk", "pickup_sk"),
            Index::ByAddedOn => ("added_pk", "added_sk"),
            Index::NewArrivalSubscribers => ("alerts_pk", "alerts_sk"),
            Index::SearchPending => ("pending_pk", "pending_sk"),
        }
    }

    /// The one partition value of the indexes that keep everything under one.
    pub fn single_partition(self) -> &'static str {
        match self {
            Index::ByPickupDeadline => "READY",
            Index::NewArrivalSubscribers => "NEW_ARRIVALS",
            Index::SearchPending => "PENDING",
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
        Record::Title(t) => {
            let mut entries = vec![(
                Index::ByAddedOn,
                Index::added_on(t.added_on),
                format!("{}#{}", t.added_at.to_rfc3339(), t.bib_id),
            )];
            if t.search_pending() {
                entries.push((
                    Index::SearchPending,
                    Index::SearchPending.single_partition().to_owned(),
                    t.bib_id.to_string(),
                ));
            }
            entries
        }
        Record::Patron(p) if p.notifications.new_arrivals.enabled => vec![(
            Index::NewArrivalSubscribers,
            Index::NewArrivalSubscribers.single_partition().to_owned(),
            p.card_number.to_string(),
        )],
        _ => vec![],
    }
}

/// When DynamoDB's time to live may remove the record (attribute `ttl`).
pub(super) fn expires_at(record: &Record) -> Option<DateTime<Utc>> {
    let after = |state: &ClaimState, days| match state {
        ClaimState::Sending { lease_until } => *lease_until + Duration::days(days),
        ClaimState::Sent { at } => *at + Duration::days(days),
    };
    match record {
        Record::Session(s) => Some(s.expires_at),
        // A reminder claim is needed until its due date has passed.
        Record::MailClaim(c) => Some(after(&c.state, 60)),
        // An announcement must outlive the new-arrivals window it guards.
        Record::Announcement(a) => Some(after(&a.state, 400)),
        _ => None,
    }
}
