//! The table's keys, in one place: where each record lives (`pk`, `sk`), the sparse indexes
//! it appears in, and when it expires (docs/table-design.md).

use crate::domain::search::OrderKey;
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
    /// A pending address verification, by token hash.
    Verification(&'a str),
    /// A renewal link, by token hash.
    RenewalLink(&'a str),
    /// A calendar feed, by secret hash.
    Feed(&'a str),
    /// The library calendar's dated closures.
    Calendar,
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
            Partition::Login(c) => format!("LOGIN#{c}"),
            Partition::Source(s) => format!("SOURCE#{s}"),
            Partition::Brake(n) => format!("BRAKE#{n}"),
            Partition::Verification(h) => format!("VERIFY#{h}"),
            Partition::RenewalLink(h) => format!("RENEWAL#{h}"),
            Partition::Feed(h) => format!("FEED#{h}"),
            Partition::Calendar => "CALENDAR".to_owned(),
            Partition::Gram(g) => format!("{GRAM}{g}"),
            Partition::GramCount(g) => format!("{GRAM_COUNT_PREFIX}{g}"),
        }
    }
}

/// Sort keys of a patron's account begin with a capital letter; items kept in the patron's
/// partition but outside the account (read only by their own routes) begin with `~`, which
/// sorts after every letter, so the account's Query (`sk < "~"`) never reads them.
pub(super) const ACCOUNT_END: &str = "~";

/// Reading-history entries (R-HIST-1): `~HIST#<generation, 10 digits>#<entry_id>`, outside the
/// account's range. Entry ids sort by when they were recorded, so a Query of one generation's
/// prefix, backwards, lists newest first.
pub(super) const HISTORY: &str = "~HIST#";

pub(super) fn history_prefix(generation: u32) -> String {
    format!("{HISTORY}{generation:010}#")
}
const GRAM: &str = "GRAM#";
const GRAM_COUNT_PREFIX: &str = "GRAMCOUNT#";

/// Whether a partition holds search postings or gram counts: derived items, not records.
pub(super) fn is_search_index(pk: &str) -> bool {
    pk.starts_with(GRAM) || pk.starts_with(GRAM_COUNT_PREFIX)
}

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
            Key::LoginGuard(c) => (Partition::Login(c.as_str()), "GUARD".to_owned()),
            Key::LoginSource(s) => (Partition::Source(s), "COUNT".to_owned()),
            Key::LoginBrake(n) => (Partition::Brake(*n), "COUNT".to_owned()),
            // Beside the account, not in it (see ACCOUNT_END).
            Key::HoldCart(c) => (Partition::Patron(c.as_str()), "~CART".to_owned()),
            Key::CalendarFeed(c) => (Partition::Patron(c.as_str()), "~FEED".to_owned()),
            Key::EmailVerification(h) => (Partition::Verification(h), "VERIFY".to_owned()),
            Key::RenewalLink(h) => (Partition::RenewalLink(h), "LINK".to_owned()),
            Key::FeedLookup(h) => (Partition::Feed(h), "FEED".to_owned()),
            Key::HistoryEntry(c, g, e) => (
                Partition::Patron(c.as_str()),
                format!("{}{e}", history_prefix(*g)),
            ),
            Key::ClosedDays => (Partition::Calendar, "CLOSED_DAYS".to_owned()),
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
    /// Waiting or suspended holds with a not-needed-after date, by that date (R-HOLD-12).
    ByNotNeededAfter,
    /// Titles with a copy on the shelf and a queue (all suspended when it came back).
    ShelvedWithQueue,
    /// Loans whose patron wants overdue notices, by due date (R-MAIL-6).
    ByOverdueDate,
    /// Patrons whose reading history is still being deleted (R-HIST-1, #17).
    HistoryPurges,
    /// Titles whose search postings are not all written yet (#22, the re-index).
    SearchPending,
}

impl Index {
    pub const ALL: [Index; 9] = [
        Index::ByDueDate,
        Index::ByPickupDeadline,
        Index::ByAddedOn,
        Index::NewArrivalSubscribers,
        Index::ByNotNeededAfter,
        Index::ShelvedWithQueue,
        Index::ByOverdueDate,
        Index::HistoryPurges,
        Index::SearchPending,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Index::ByDueDate => "ByDueDate",
            Index::ByPickupDeadline => "ByPickupDeadline",
            Index::ByAddedOn => "ByAddedOn",
            Index::NewArrivalSubscribers => "NewArrivalSubscribers",
            Index::ByNotNeededAfter => "ByNotNeededAfter",
            Index::ShelvedWithQueue => "ShelvedWithQueue",
            Index::ByOverdueDate => "ByOverdueDate",
            Index::HistoryPurges => "HistoryPurges",
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
            Index::ByNotNeededAfter => ("unneeded_pk", "unneeded_sk"),
            Index::ShelvedWithQueue => ("shelved_pk", "shelved_sk"),
            Index::ByOverdueDate => ("overdue_pk", "overdue_sk"),
            Index::HistoryPurges => ("purge_pk", "purge_sk"),
            Index::SearchPending => ("pending_pk", "pending_sk"),
        }
    }

    /// The one partition value of the indexes that keep everything under one.
    pub fn single_partition(self) -> &'static str {
        match self {
            Index::ByPickupDeadline => "READY",
            Index::NewArrivalSubscribers => "NEW_ARRIVALS",
            Index::ByNotNeededAfter => "NOT_NEEDED_AFTER",
            Index::ShelvedWithQueue => "SHELVED_WITH_QUEUE",
            Index::HistoryPurges => "PURGE",
            Index::SearchPending => "PENDING",
            Index::ByDueDate | Index::ByAddedOn | Index::ByOverdueDate => "",
        }
    }

    pub fn due_on(date: chrono::NaiveDate) -> String {
        format!("DUE#{date}")
    }

    pub fn added_on(date: chrono::NaiveDate) -> String {
        format!("ADDED#{date}")
    }

    pub fn overdue_after(date: chrono::NaiveDate) -> String {
        format!("OVERDUE#{date}")
    }
}

/// The index entries of a record: (index, its partition value, its sort value).
pub(super) fn index_entries(record: &Record) -> Vec<(Index, String, String)> {
    match record {
        Record::Loan(l) => {
            let sk = format!("{}#{}", l.card_number, l.loan_id);
            let mut entries = Vec::new();
            if l.reminder().is_some() {
                entries.push((Index::ByDueDate, Index::due_on(l.due_date), sk.clone()));
            }
            if l.overdue_contact().is_some() {
                entries.push((Index::ByOverdueDate, Index::overdue_after(l.due_date), sk));
            }
            entries
        }
        Record::Hold(h) => match h.state() {
            HoldState::Ready {
                pickup_deadline, ..
            } => vec![(
                Index::ByPickupDeadline,
                Index::ByPickupDeadline.single_partition().to_owned(),
                format!("{pickup_deadline}#{}#{}", h.card_number, h.bib_id),
            )],
            HoldState::Waiting => h
                .not_needed_after()
                .map(|d| {
                    (
                        Index::ByNotNeededAfter,
                        Index::ByNotNeededAfter.single_partition().to_owned(),
                        format!("{d}#{}#{}", h.card_number, h.bib_id),
                    )
                })
                .into_iter()
                .collect(),
        },
        Record::Title(t) => {
            let mut entries = vec![(
                Index::ByAddedOn,
                Index::added_on(t.added_on),
                format!("{}#{}", t.added_at.to_rfc3339(), t.bib_id),
            )];
            if t.on_shelf() > 0 && !t.queue().is_empty() {
                entries.push((
                    Index::ShelvedWithQueue,
                    Index::ShelvedWithQueue.single_partition().to_owned(),
                    t.bib_id.to_string(),
                ));
            }
            if t.search_pending() {
                entries.push((
                    Index::SearchPending,
                    Index::SearchPending.single_partition().to_owned(),
                    t.bib_id.to_string(),
                ));
            }
            entries
        }
        Record::Patron(p) => {
            let mut entries = Vec::new();
            for (index, on) in [
                (
                    Index::NewArrivalSubscribers,
                    p.notifications.new_arrivals.enabled,
                ),
                (Index::HistoryPurges, p.reading_history().purge_pending),
            ] {
                if on {
                    entries.push((
                        index,
                        index.single_partition().to_owned(),
                        p.card_number.to_string(),
                    ));
                }
            }
            entries
        }
        _ => vec![],
    }
}

/// When DynamoDB's time to live may remove the record (attribute `ttl`): the record's own
/// expiry (`Record::expires_at`).
pub(super) fn expires_at(record: &Record) -> Option<DateTime<Utc>> {
    record.expires_at()
}
