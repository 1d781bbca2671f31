//! The DynamoDB adapter: one table, keys `pk`/`sk`, four sparse GSIs (see infra/TABLE.md).
//! Records map to items with serde_dynamo; the adapter adds the key and index attributes.
//! Every write is conditional on the version that was read; several writes go in one
//! TransactWriteItems, so they succeed or fail together.

use super::{Expect, Key, Op, Record, Store, StoreError, StoreStats};
use crate::model::{ClaimState, Hold, HoldState, Loan, Patron, Title};
use crate::types::CardNumber;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, Projection, ProjectionType, Put,
    ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use chrono::{Duration, NaiveDate};
use std::collections::HashMap;

type Item = HashMap<String, AttributeValue>;

pub const INDEX_DUE_DATE: &str = "ByDueDate";
pub const INDEX_PICKUP_DEADLINE: &str = "ByPickupDeadline";
pub const INDEX_ADDED_ON: &str = "ByAddedOn";
pub const INDEX_NEW_ARRIVAL_SUBSCRIBERS: &str = "NewArrivalSubscribers";
const READY_HOLDS: &str = "READY";
const SUBSCRIBED: &str = "NEW_ARRIVALS";

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    stats: std::sync::Arc<StoreStats>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
            stats: Default::default(),
        }
    }

    /// Writes records without conditions, 25 to a request: loading data into an empty table
    /// (benchmarks, migrations). Never for changes to live data, which go through `commit`.
    pub async fn bulk_load(&self, records: Vec<Record>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        for chunk in records.chunks(25) {
            let mut requests = Vec::with_capacity(chunk.len());
            for r in chunk {
                let mut r = r.clone();
                r.set_version(1);
                let put = PutRequest::builder()
                    .set_item(Some(Self::to_item(&r)?))
                    .build()
                    .map_err(unavailable)?;
                requests.push(WriteRequest::builder().put_request(put).build());
            }
            let mut pending = HashMap::from([(self.table.clone(), requests)]);
            for attempt in 0..8u32 {
                let resp = self
                    .client
                    .batch_write_item()
                    .set_request_items(Some(pending))
                    .send()
                    .await
                    .map_err(|e| unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
                match resp.unprocessed_items {
                    Some(rest) if rest.values().any(|v| !v.is_empty()) => {
                        pending = rest;
                        tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                    }
                    _ => break,
                }
            }
        }
        Ok(())
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The item for a record: its attributes, plus keys, index keys and TTL.
    fn to_item(record: &Record) -> Result<Item, StoreError> {
        let mut item: Item =
            serde_dynamo::to_item(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (pk, sk) = record.key().storage_key();
        item.insert("pk".into(), s(pk));
        item.insert("sk".into(), s(sk));
        let mut index = |pk_name: &str, pk: String, sk_name: &str, sk: String| {
            item.insert(pk_name.into(), s(pk));
            item.insert(sk_name.into(), s(sk));
        };
        let ttl = match record {
            Record::Loan(l) if l.reminder.is_some() => {
                index(
                    "due_pk",
                    format!("DUE#{}", l.due_date),
                    "due_sk",
                    format!("{}#{}", l.card_number, l.loan_id),
                );
                None
            }
            Record::Hold(h) => {
                if let HoldState::Ready {
                    pickup_deadline, ..
                } = &h.state
                {
                    index(
                        "pickup_pk",
                        READY_HOLDS.into(),
                        "pickup_sk",
                        format!("{pickup_deadline}#{}#{}", h.card_number, h.bib_id),
                    );
                }
                None
            }
            Record::Title(t) => {
                index(
                    "added_pk",
                    format!("ADDED#{}", t.added_on),
                    "added_sk",
                    format!("{}#{}", t.added_at.to_rfc3339(), t.bib_id),
                );
                None
            }
            Record::Patron(p) => {
                if p.notifications.new_arrivals.enabled {
                    index(
                        "alerts_pk",
                        SUBSCRIBED.into(),
                        "alerts_sk",
                        p.card_number.to_string(),
                    );
                }
                None
            }
            Record::Session(sess) => Some(sess.expires_at),
            Record::MailClaim(c) => Some(match c.state {
                ClaimState::Sending { lease_until } => lease_until + Duration::days(60),
                ClaimState::Sent { at } => at + Duration::days(60),
            }),
            Record::Announcement(a) => Some(match a.state {
                ClaimState::Sending { lease_until } => lease_until + Duration::days(400),
                ClaimState::Sent { at } => at + Duration::days(400),
            }),
            Record::Loan(_) | Record::Copy(_) | Record::Job(_) => None,
        };
        if let Some(at) = ttl {
            item.insert("ttl".into(), AttributeValue::N(at.timestamp().to_string()));
        }
        Ok(item)
    }

    fn from_item(item: Item) -> Result<Record, StoreError> {
        serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    fn key_item(key: &Key) -> Item {
        let (pk, sk) = key.storage_key();
        HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
    }

    /// Runs a Query to the end, counting each page as a round trip.
    async fn query(
        &self,
        index: Option<&str>,
        condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
    ) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression(condition)
                .consistent_read(index.is_none())
                .set_exclusive_start_key(start.take());
            for (k, v) in names {
                q = q.expression_attribute_names(*k, *v);
            }
            for (k, v) in values {
                q = q.expression_attribute_values(*k, v.clone());
            }
            let page = q
                .send()
                .await
                .map_err(|e| unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
            let items = page.items.unwrap_or_default();
            self.stats.read(items.len() as u64);
            for item in items {
                out.push(Self::from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// The record with the version it will have once written.
    fn item_for(mut record: Record, expect: Expect) -> Result<Item, StoreError> {
        record.set_version(match expect {
            Expect::Absent => 1,
            Expect::Version(v) => v + 1,
        });
        Self::to_item(&record)
    }

    fn transact_item(&self, op: Op) -> Result<TransactWriteItem, StoreError> {
        let b = TransactWriteItem::builder();
        let item = match op {
            Op::Put(record, expect) => {
                let c = Condition::of(expect);
                b.put(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(Self::item_for(record, expect)?))
                        .condition_expression(c.expression)
                        .set_expression_attribute_names(c.names)
                        .set_expression_attribute_values(c.values)
                        .build()
                        .map_err(unavailable)?,
                )
            }
            Op::Delete(key, v) => {
                let c = Condition::of(Expect::Version(v));
                b.delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(Self::key_item(&key)))
                        .condition_expression(c.expression)
                        .set_expression_attribute_names(c.names)
                        .set_expression_attribute_values(c.values)
                        .build()
                        .map_err(unavailable)?,
                )
            }
            Op::Check(key, v) => {
                let c = Condition::of(Expect::Version(v));
                b.condition_check(
                    ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(Self::key_item(&key)))
                        .condition_expression(c.expression)
                        .set_expression_attribute_names(c.names)
                        .set_expression_attribute_values(c.values)
                        .build()
                        .map_err(unavailable)?,
                )
            }
        };
        Ok(item.build())
    }
}

/// The condition a write puts on the item it replaces.
struct Condition {
    expression: String,
    names: Option<HashMap<String, String>>,
    values: Option<HashMap<String, AttributeValue>>,
}

impl Condition {
    fn of(expect: Expect) -> Condition {
        match expect {
            Expect::Absent => Condition {
                expression: "attribute_not_exists(pk)".into(),
                names: None,
                values: None,
            },
            Expect::Version(v) => Condition {
                expression: "#version = :version".into(),
                names: Some(HashMap::from([(
                    "#version".to_owned(),
                    "version".to_owned(),
                )])),
                values: Some(HashMap::from([(
                    ":version".to_owned(),
                    AttributeValue::N(v.to_string()),
                )])),
            },
        }
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Record>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key_item(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        self.stats.read(out.item.is_some() as u64);
        out.item.map(Self::from_item).transpose()
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut pending = KeysAndAttributes::builder()
                .set_keys(Some(chunk.iter().map(Self::key_item).collect()))
                .consistent_read(true)
                .build()
                .map_err(unavailable)?;
            for attempt in 0..8u32 {
                let resp = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, pending.clone())
                    .send()
                    .await
                    .map_err(|e| unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
                let items = resp
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default();
                self.stats.read(items.len() as u64);
                for item in items {
                    out.push(Self::from_item(item)?);
                }
                match resp
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                {
                    Some(rest) if !rest.keys.is_empty() => {
                        pending = rest;
                        tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                    }
                    _ => break,
                }
            }
        }
        Ok(out)
    }

    async fn patron_records(&self, card: &CardNumber) -> Result<Vec<Record>, StoreError> {
        let (pk, _) = Key::Patron(card.clone()).storage_key();
        self.query(None, "pk = :pk", &[], &[(":pk", s(pk))]).await
    }

    async fn reminder_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        let records = self
            .query(
                Some(INDEX_DUE_DATE),
                "due_pk = :d",
                &[],
                &[(":d", s(format!("DUE#{date}")))],
            )
            .await?;
        Ok(records.into_iter().filter_map(Record::into_loan).collect())
    }

    async fn holds_past_pickup(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        let records = self
            .query(
                Some(INDEX_PICKUP_DEADLINE),
                "pickup_pk = :r AND pickup_sk < :d",
                &[],
                &[(":r", s(READY_HOLDS)), (":d", s(date.to_string()))],
            )
            .await?;
        Ok(records.into_iter().filter_map(Record::into_hold).collect())
    }

    async fn titles_added_on(&self, date: NaiveDate) -> Result<Vec<Title>, StoreError> {
        let records = self
            .query(
                Some(INDEX_ADDED_ON),
                "added_pk = :d",
                &[],
                &[(":d", s(format!("ADDED#{date}")))],
            )
            .await?;
        Ok(records.into_iter().filter_map(Record::into_title).collect())
    }

    async fn new_arrival_subscribers(&self) -> Result<Vec<Patron>, StoreError> {
        let records = self
            .query(
                Some(INDEX_NEW_ARRIVAL_SUBSCRIBERS),
                "alerts_pk = :a",
                &[],
                &[(":a", s(SUBSCRIBED))],
            )
            .await?;
        Ok(records
            .into_iter()
            .filter_map(Record::into_patron)
            .collect())
    }

    async fn commit(&self, mut ops: Vec<Op>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::operation::{
            delete_item::DeleteItemError, put_item::PutItemError,
            transact_write_items::TransactWriteItemsError,
        };
        self.stats.wrote();
        // One write needs no transaction: PutItem or DeleteItem with the same condition.
        if let [Op::Put(..) | Op::Delete(..)] = ops.as_slice() {
            let result = match ops.pop().expect("one op") {
                Op::Put(record, expect) => {
                    let c = Condition::of(expect);
                    self.client
                        .put_item()
                        .table_name(&self.table)
                        .set_item(Some(Self::item_for(record, expect)?))
                        .condition_expression(c.expression)
                        .set_expression_attribute_names(c.names)
                        .set_expression_attribute_values(c.values)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| match e.into_service_error() {
                            PutItemError::ConditionalCheckFailedException(_) => {
                                StoreError::Conflict
                            }
                            other => {
                                unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(other))
                            }
                        })
                }
                Op::Delete(key, v) => {
                    let c = Condition::of(Expect::Version(v));
                    self.client
                        .delete_item()
                        .table_name(&self.table)
                        .set_key(Some(Self::key_item(&key)))
                        .condition_expression(c.expression)
                        .set_expression_attribute_names(c.names)
                        .set_expression_attribute_values(c.values)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| match e.into_service_error() {
                            DeleteItemError::ConditionalCheckFailedException(_) => {
                                StoreError::Conflict
                            }
                            other => {
                                unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(other))
                            }
                        })
                }
                Op::Check(..) => unreachable!("matched above"),
            };
            return result;
        }
        if ops.len() > 100 {
            return Err(StoreError::Unavailable(format!(
                "{} writes exceed one transaction",
                ops.len()
            )));
        }
        let items = ops
            .into_iter()
            .map(|op| self.transact_item(op))
            .collect::<Result<Vec<_>, _>>()?;
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(c) => {
                    let lost_race = c.cancellation_reasons().iter().any(|r| {
                        matches!(
                            r.code(),
                            Some("ConditionalCheckFailed") | Some("TransactionConflict")
                        )
                    });
                    if lost_race {
                        Err(StoreError::Conflict)
                    } else {
                        Err(unavailable(format!(
                            "transaction cancelled: {:?}",
                            c.cancellation_reasons()
                        )))
                    }
                }
                TransactWriteItemsError::TransactionInProgressException(_) => {
                    Err(StoreError::Conflict)
                }
                other => Err(unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(
                    other,
                ))),
            },
        }
    }

    fn stats(&self) -> &StoreStats {
        &self.stats
    }
}

/// The table's design, in code, so tests and the dev server create exactly what
/// template.yaml deploys.
pub struct TableDesign;

impl TableDesign {
    pub async fn create(client: &Client, table: &str) -> Result<(), StoreError> {
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(unavailable)
        };
        let key = |name: &str, kt: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kt)
                .build()
                .map_err(unavailable)
        };
        let gsi = |index: &str, pk: &str, sk: &str| -> Result<GlobalSecondaryIndex, StoreError> {
            GlobalSecondaryIndex::builder()
                .index_name(index)
                .key_schema(key(pk, KeyType::Hash)?)
                .key_schema(key(sk, KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(unavailable)
        };
        let mut req = client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?);
        for name in [
            "pk",
            "sk",
            "due_pk",
            "due_sk",
            "pickup_pk",
            "pickup_sk",
            "added_pk",
            "added_sk",
            "alerts_pk",
            "alerts_sk",
        ] {
            req = req.attribute_definitions(attr(name)?);
        }
        req = req
            .global_secondary_indexes(gsi(INDEX_DUE_DATE, "due_pk", "due_sk")?)
            .global_secondary_indexes(gsi(INDEX_PICKUP_DEADLINE, "pickup_pk", "pickup_sk")?)
            .global_secondary_indexes(gsi(INDEX_ADDED_ON, "added_pk", "added_sk")?)
            .global_secondary_indexes(gsi(
                INDEX_NEW_ARRIVAL_SUBSCRIBERS,
                "alerts_pk",
                "alerts_sk",
            )?);
        req.send()
            .await
            .map_err(|e| unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name("ttl")
                    .enabled(true)
                    .build()
                    .map_err(unavailable)?,
            )
            .send()
            .await
            .map_err(|e| unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        Ok(())
    }
}
