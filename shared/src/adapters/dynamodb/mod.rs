//! The DynamoDB adapter of the store port: one table, keys `pk`/`sk`, five sparse GSIs
//! (docs/table-design.md). Records map to items with serde_dynamo; `keys` adds the key, index
//! and TTL attributes. Every write is conditional on the version that was read; several
//! writes go in one TransactWriteItems, so they succeed or fail together.

mod keys;
mod table;

pub use table::TableDesign;

use crate::domain::search::{OrderKey, Posting};
use crate::domain::types::CardNumber;
use crate::domain::{Change, Changes, HistoryEntry, Hold, Key, Loan, Patron, Record, Title};
use crate::ports::store::{Commit, HistoryRange, PostingsRange, Store, StoreError, Written};
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use chrono::NaiveDate;
use keys::{
    expires_at, history_prefix, index_entries, s, Index, Item, ItemKey, ACCOUNT_END, GRAM_COUNT,
    HISTORY, POSTING_TEXT,
};
use std::collections::HashMap;

/// DynamoDB's limit on one TransactWriteItems.
const MAX_TRANSACTION_ITEMS: usize = 100;
/// Rounds of BatchGetItem / BatchWriteItem for keys DynamoDB left unprocessed.
const BATCH_ROUNDS: u32 = 8;
/// UpdateItem requests in flight at once when adding to gram counts.
const COUNT_UPDATES_AT_ONCE: usize = 8;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

/// Service error codes that mean "not now" rather than "never" (throttling, a fault inside
/// the service). Any other 5xx answer counts as one of these too.
const TRANSIENT_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "LimitExceededException",
];

/// Reasons a transaction is cancelled that pass with time.
const CANCELLED_FOR_NOW: &[&str] = &[
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
    "InternalServerError",
];

/// The attribute that names the commit which last wrote an item. When the reply to a write
/// is lost and the retry finds the item changed, this tells "our own write was applied"
/// from "another request won the race" (docs/table-design.md, "Lost replies").
const WRITE_TOKEN: &str = "wtoken";

/// Is this failed SDK call one the caller may retry later (the service unreachable,
/// throttling, failing inside, or timing out after the SDK's own retries)? Anything else is
/// a fault in the request itself, that is, in this program.
pub(crate) fn is_transient<E>(e: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata,
{
    match e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(se) => {
            se.raw().status().is_server_error()
                || se
                    .err()
                    .code()
                    .is_some_and(|c| TRANSIENT_CODES.contains(&c))
        }
        // ConstructionFailure: the request could not even be built.
        _ => false,
    }
}

/// A single-item write's failure: `None` when its condition failed (a lost race, or a
/// retry of a write already applied), else the store error.
fn failed_condition_or<E>(e: SdkError<E, HttpResponse>) -> Option<StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if e.code() == Some("ConditionalCheckFailedException") {
        None
    } else {
        Some(sdk_error(e))
    }
}

/// A failed SDK call as a store error: `Unavailable` (503 with Retry-After) for what passes
/// with time, `Rejected` (a logged 500) for a bug such as a ValidationException.
pub(crate) fn sdk_error<E>(e: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let transient = is_transient(&e);
    let text = DisplayErrorContext(e).to_string();
    if transient {
        StoreError::Unavailable(text)
    } else {
        StoreError::Rejected(text)
    }
}

/// Sends a batch request, then what DynamoDB left unprocessed, backing off between rounds,
/// and gathers the items each round answered. `send` answers a round's items and what it
/// left, if anything. What is still left after the last round is `Unavailable` (`what` names
/// it): unprocessed is neither written nor missing, never a silent partial answer.
async fn in_rounds<P, F, Fut>(
    what: &str,
    mut pending: P,
    mut send: F,
) -> Result<Vec<Item>, StoreError>
where
    F: FnMut(P) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<Item>, Option<P>), StoreError>>,
{
    let mut out = Vec::new();
    let mut round = 0;
    loop {
        let (items, rest) = send(pending).await?;
        out.extend(items);
        let Some(rest) = rest else {
            return Ok(out);
        };
        if round + 1 == BATCH_ROUNDS {
            return Err(StoreError::Unavailable(format!(
                "{what} left unprocessed after every retry"
            )));
        }
        pending = rest;
        tokio::time::sleep(std::time::Duration::from_millis(20 << round)).await;
        round += 1;
    }
}

/// A fresh token for one commit's writes.
fn write_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// Writes records without conditions, 25 to a request: loading data into an empty table
    /// (benchmarks, migrations). Never for changes to live data, which go through `commit`.
    pub async fn bulk_load(&self, records: Vec<Record>) -> Result<(), StoreError> {
        let mut items = Vec::with_capacity(records.len());
        for r in records {
            let mut r = r;
            r.set_version(1);
            items.push(Self::to_item(&r)?);
        }
        self.put_all(items).await
    }

    /// Sets gram counts without conditions, 25 to a request: loading a search index into an
    /// empty table (benchmarks). Live indexing adds to them with `add_gram_counts`.
    pub async fn bulk_load_gram_counts(&self, counts: &[(String, u64)]) -> Result<(), StoreError> {
        let items = counts
            .iter()
            .map(|(gram, n)| {
                let mut item = ItemKey::gram_count(gram).item();
                item.insert(GRAM_COUNT.into(), AttributeValue::N(n.to_string()));
                item
            })
            .collect();
        self.put_all(items).await
    }

    /// BatchWriteItem, 25 puts to a request, retrying what DynamoDB leaves unprocessed; an
    /// error if some are still left, never a silent partial write.
    async fn put_all(&self, items: Vec<Item>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let mut requests = Vec::with_capacity(25);
            for item in items.by_ref().take(25) {
                let put = PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map_err(|e| StoreError::Rejected(e.to_string()))?;
                requests.push(WriteRequest::builder().put_request(put).build());
            }
            let requests = HashMap::from([(self.table.clone(), requests)]);
            in_rounds("items", requests, |pending| async move {
                let resp = self
                    .client
                    .batch_write_item()
                    .set_request_items(Some(pending))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                let rest = resp.unprocessed_items;
                Ok((
                    Vec::new(),
                    rest.filter(|r| r.values().any(|v| !v.is_empty())),
                ))
            })
            .await?;
        }
        Ok(())
    }

    async fn add_gram_count(&self, gram: String, n: u64) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(ItemKey::gram_count(&gram).item()))
            .update_expression("ADD #n :n")
            .expression_attribute_names("#n", GRAM_COUNT)
            .expression_attribute_values(":n", AttributeValue::N(n.to_string()))
            .send()
            .await
            .map(|_| ())
            .map_err(sdk_error)
    }

    /// BatchGetItem (consistent), 100 keys to a request, retrying unprocessed keys; missing
    /// items are left out, and unprocessed keys left after every retry are an error.
    async fn get_all(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let keys = KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::Rejected(e.to_string()))?;
            let found = in_rounds("keys", keys, |pending| async move {
                let resp = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                let items = resp.responses.and_then(|mut r| r.remove(&self.table));
                let rest = resp
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table));
                Ok((
                    items.unwrap_or_default(),
                    rest.filter(|r| !r.keys.is_empty()),
                ))
            })
            .await?;
            out.extend(found);
        }
        Ok(out)
    }

    /// The item for a record: its attributes, plus keys, index keys and TTL.
    fn to_item(record: &Record) -> Result<Item, StoreError> {
        let mut item: Item =
            serde_dynamo::to_item(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let key = ItemKey::of(&record.key());
        item.insert("pk".into(), s(key.pk));
        item.insert("sk".into(), s(key.sk));
        for (index, pk, sk) in index_entries(record) {
            let (pk_name, sk_name) = index.attributes();
            item.insert(pk_name.into(), s(pk));
            item.insert(sk_name.into(), s(sk));
        }
        if let Some(at) = expires_at(record) {
            item.insert("ttl".into(), AttributeValue::N(at.timestamp().to_string()));
        }
        Ok(item)
    }

    fn from_item(item: Item) -> Result<Record, StoreError> {
        serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Runs a Query to the end.
    async fn query(
        &self,
        index: Option<Index>,
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<Vec<Record>, StoreError> {
        self.query_pages(index, condition, values, true, None, None)
            .await
    }

    /// A Query of the table or of an index (whose reads cannot be consistent), one page after
    /// another: in one direction, from after `start`, for at most `limit` items (None: to the
    /// end).
    async fn query_pages(
        &self,
        index: Option<Index>,
        condition: &str,
        values: &[(&str, AttributeValue)],
        forward: bool,
        mut start: Option<Item>,
        limit: Option<usize>,
    ) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        loop {
            let want = limit.map(|l| l - out.len());
            if want == Some(0) {
                return Ok(out);
            }
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(|i| i.name().to_owned()))
                .key_condition_expression(condition)
                .consistent_read(index.is_none())
                .scan_index_forward(forward)
                .set_limit(want.map(|w| w.min(1000) as i32))
                .set_exclusive_start_key(start.take());
            for (k, v) in values {
                q = q.expression_attribute_values(*k, v.clone());
            }
            let page = q.send().await.map_err(sdk_error)?;
            for item in page.items.unwrap_or_default() {
                out.push(Self::from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// The records of partition `pk` of a sparse index (those sorting before `sk_before`, if
    /// given) that `into` takes.
    async fn query_index<T>(
        &self,
        index: Index,
        pk: String,
        sk_before: Option<String>,
        into: impl Fn(Record) -> Option<T>,
    ) -> Result<Vec<T>, StoreError> {
        let (pk_name, sk_name) = index.attributes();
        let records = match sk_before {
            None => {
                self.query(Some(index), &format!("{pk_name} = :pk"), &[(":pk", s(pk))])
                    .await
            }
            Some(before) => {
                self.query(
                    Some(index),
                    &format!("{pk_name} = :pk AND {sk_name} < :before"),
                    &[(":pk", s(pk)), (":before", s(before))],
                )
                .await
            }
        }?;
        Ok(records.into_iter().filter_map(into).collect())
    }

    /// The records under one partition value of a sparse index that `into` takes.
    async fn query_partition<T>(
        &self,
        index: Index,
        pk: String,
        into: impl Fn(Record) -> Option<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.query_index(index, pk, None, into).await
    }

    /// The same for an index that keeps everything under one partition, whose sort keys
    /// begin with a date: those dated before `before`, if given.
    async fn query_single_partition<T>(
        &self,
        index: Index,
        before: Option<NaiveDate>,
        into: impl Fn(Record) -> Option<T>,
    ) -> Result<Vec<T>, StoreError> {
        let pk = index.single_partition().to_owned();
        self.query_index(index, pk, before.map(|d| d.to_string()), into)
            .await
    }

    /// The record as it will be once written: its version moved on.
    fn written(change: &Change) -> Option<Record> {
        match change {
            Change::Create(r) => {
                let mut r = r.clone();
                r.set_version(1);
                Some(r)
            }
            Change::Update(r) => {
                let mut r = r.clone();
                r.set_version(r.version() + 1);
                Some(r)
            }
            Change::Delete(_) | Change::Check(_) => None,
        }
    }

    /// The item a Create or Update puts: the record at its new version, marked with the
    /// commit's write token.
    fn put_item(change: &Change, token: &str) -> Result<Item, StoreError> {
        let record = Self::written(change).expect("a write");
        let mut item = Self::to_item(&record)?;
        item.insert(WRITE_TOKEN.into(), s(token));
        Ok(item)
    }

    /// After a write's condition failed: was it our own write, applied by an earlier attempt
    /// whose reply was lost (the SDK retried, or the caller did)? Then the item carries this
    /// commit's token. A transaction is applied whole, so one of its items tells.
    async fn applied_before(&self, changes: &[Change], token: &str) -> Result<bool, StoreError> {
        let Some(put) = changes
            .iter()
            .find(|c| matches!(c, Change::Create(_) | Change::Update(_)))
        else {
            return Ok(false); // nothing carries a token: the use case re-reads and sees
        };
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(ItemKey::of(&put.key()).item()))
            .projection_expression("#t")
            .expression_attribute_names("#t", WRITE_TOKEN)
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(out
            .item
            .and_then(|mut i| i.remove(WRITE_TOKEN))
            .is_some_and(|v| v.as_s().is_ok_and(|t| t == token)))
    }

    fn transact_item(&self, change: &Change, token: &str) -> Result<TransactWriteItem, StoreError> {
        let c = Condition::of(change);
        let key = ItemKey::of(&change.key()).item();
        let b = TransactWriteItem::builder();
        let invalid = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Rejected(e.to_string());
        let item = match change {
            Change::Create(_) | Change::Update(_) => b.put(
                conditioned!(Put::builder(), c)
                    .table_name(&self.table)
                    .set_item(Some(Self::put_item(change, token)?))
                    .build()
                    .map_err(invalid)?,
            ),
            Change::Delete(_) => b.delete(
                conditioned!(Delete::builder(), c)
                    .table_name(&self.table)
                    .set_key(Some(key))
                    .build()
                    .map_err(invalid)?,
            ),
            Change::Check(_) => b.condition_check(
                conditioned!(ConditionCheck::builder(), c)
                    .table_name(&self.table)
                    .set_key(Some(key))
                    .build()
                    .map_err(invalid)?,
            ),
        };
        Ok(item.build())
    }

    /// One change needs no transaction: PutItem or DeleteItem with the same condition.
    async fn write_one(&self, change: &Change, token: &str) -> Result<Commit, StoreError> {
        let c = Condition::of(change);
        let result = match change {
            Change::Delete(_) => conditioned!(self.client.delete_item(), c)
                .table_name(&self.table)
                .set_key(Some(ItemKey::of(&change.key()).item()))
                .send()
                .await
                .map(|_| ())
                .map_err(failed_condition_or),
            _ => conditioned!(self.client.put_item(), c)
                .table_name(&self.table)
                .set_item(Some(Self::put_item(change, token)?))
                .send()
                .await
                .map(|_| ())
                .map_err(failed_condition_or),
        };
        let done = || Commit::Done(Written(Self::written(change).into_iter().collect()));
        match result {
            Ok(()) => Ok(done()),
            Err(None)
                if self
                    .applied_before(std::slice::from_ref(change), token)
                    .await? =>
            {
                Ok(done())
            }
            Err(None) => Ok(Commit::LostRace),
            Err(Some(e)) => Err(e),
        }
    }
}

/// A builder (put, delete or condition check, in a transaction or alone) with `Condition`
/// `$c` set: the SDK's builders share no trait that would let a function do it.
macro_rules! conditioned {
    ($builder:expr, $c:expr) => {
        $builder
            .condition_expression($c.expression)
            .set_expression_attribute_names($c.names)
            .set_expression_attribute_values($c.values)
    };
}
use conditioned;

/// The condition a change puts on the item it touches.
struct Condition {
    expression: String,
    names: Option<HashMap<String, String>>,
    values: Option<HashMap<String, AttributeValue>>,
}

impl Condition {
    fn of(change: &Change) -> Condition {
        match change {
            Change::Create(_) => Condition {
                expression: "attribute_not_exists(pk)".into(),
                names: None,
                values: None,
            },
            Change::Update(r) | Change::Delete(r) | Change::Check(r) => Condition {
                expression: "#version = :version".into(),
                names: Some(HashMap::from([(
                    "#version".to_owned(),
                    "version".to_owned(),
                )])),
                values: Some(HashMap::from([(
                    ":version".to_owned(),
                    AttributeValue::N(r.version().to_string()),
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
            .set_key(Some(ItemKey::of(key).item()))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        out.item.map(Self::from_item).transpose()
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Record>, StoreError> {
        let keys = keys.iter().map(|k| ItemKey::of(k).item()).collect();
        self.get_all(keys)
            .await?
            .into_iter()
            .map(Self::from_item)
            .collect()
    }

    async fn account(&self, card: &CardNumber) -> Result<Vec<Record>, StoreError> {
        self.query(
            None,
            "pk = :pk AND sk < :end",
            &[(":pk", s(ItemKey::account(card))), (":end", s(ACCOUNT_END))],
        )
        .await
    }

    async fn reminder_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        self.query_partition(Index::ByDueDate, Index::due_on(date), Record::into_loan)
            .await
    }

    async fn holds_past_pickup(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        self.query_single_partition(Index::ByPickupDeadline, Some(date), Record::into_hold)
            .await
    }

    async fn titles_added_on(&self, date: NaiveDate) -> Result<Vec<Title>, StoreError> {
        self.query_partition(Index::ByAddedOn, Index::added_on(date), Record::into_title)
            .await
    }

    async fn new_arrival_subscribers(&self) -> Result<Vec<Patron>, StoreError> {
        self.query_single_partition(Index::NewArrivalSubscribers, None, Record::into_patron)
            .await
    }

    async fn scan_segment(&self, segment: u32, segments: u32) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .segment(segment as i32)
                .total_segments(segments as i32)
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_error)?;
            for item in page.items.unwrap_or_default() {
                let pk = item.get("pk").and_then(|v| v.as_s().ok());
                if pk.is_some_and(|pk| keys::is_search_index(pk)) {
                    continue;
                }
                out.push(Self::from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    async fn overdue_loans_due_on(&self, date: NaiveDate) -> Result<Vec<Loan>, StoreError> {
        self.query_partition(
            Index::ByOverdueDate,
            Index::overdue_after(date),
            Record::into_loan,
        )
        .await
    }

    async fn holds_not_needed_before(&self, date: NaiveDate) -> Result<Vec<Hold>, StoreError> {
        self.query_single_partition(Index::ByNotNeededAfter, Some(date), Record::into_hold)
            .await
    }

    async fn titles_shelved_with_queue(&self) -> Result<Vec<Title>, StoreError> {
        self.query_single_partition(Index::ShelvedWithQueue, None, Record::into_title)
            .await
    }

    async fn history(
        &self,
        card: &CardNumber,
        range: HistoryRange<'_>,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let pk = (":pk", s(ItemKey::account(card)));
        let (records, before) = match range {
            HistoryRange::Visible {
                generation,
                after,
                limit,
            } => {
                let start = after.map(|e| {
                    ItemKey::of(&Key::HistoryEntry(card.clone(), generation, e.clone())).item()
                });
                let prefix = (":prefix", s(history_prefix(generation)));
                let condition = "pk = :pk AND begins_with(sk, :prefix)";
                let records = self
                    .query_pages(None, condition, &[pk, prefix], false, start, limit)
                    .await?;
                (records, None)
            }
            // Every older generation's prefix sorts before this one's.
            HistoryRange::Purgeable { before, limit } => {
                let from = (":from", s(HISTORY));
                let to = (":to", s(history_prefix(before)));
                let condition = "pk = :pk AND sk BETWEEN :from AND :to";
                let records = self
                    .query_pages(None, condition, &[pk, from, to], true, None, Some(limit))
                    .await?;
                (records, Some(before))
            }
        };
        Ok(records
            .into_iter()
            .filter_map(Record::into_history_entry)
            .filter(|e| before.is_none_or(|g| e.generation < g))
            .collect())
    }

    async fn history_purges(&self) -> Result<Vec<CardNumber>, StoreError> {
        let card = |r: Record| r.into_patron().map(|p| p.card_number);
        self.query_single_partition(Index::HistoryPurges, None, card)
            .await
    }

    async fn commit(&self, changes: Changes) -> Result<Commit, StoreError> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        let changes = changes.into_vec();
        let token = write_token();
        match changes.as_slice() {
            [] => return Ok(Commit::Done(Written::default())),
            [one @ (Change::Create(_) | Change::Update(_) | Change::Delete(_))] => {
                return self.write_one(one, &token).await
            }
            _ => {}
        }
        if changes.len() > MAX_TRANSACTION_ITEMS {
            return Err(StoreError::Rejected(format!(
                "{} changes exceed one transaction",
                changes.len()
            )));
        }
        let items = changes
            .iter()
            .map(|c| self.transact_item(c, &token))
            .collect::<Result<Vec<_>, _>>()?;
        // The SDK gives the call a ClientRequestToken and keeps it across its own retries, so
        // DynamoDB applies a retried transaction once; the write token covers the rest.
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let done = || Commit::Done(Written(changes.iter().filter_map(Self::written).collect()));
        match result {
            Ok(_) => return Ok(done()),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(c))
                    if c.cancellation_reasons()
                        .iter()
                        .any(|r| r.code() == Some("ConditionalCheckFailed")) => {}
                // Another transaction on the same items, or ours still being applied under
                // the same ClientRequestToken: either way, read again.
                Some(TransactWriteItemsError::TransactionCanceledException(c))
                    if c.cancellation_reasons()
                        .iter()
                        .any(|r| r.code() == Some("TransactionConflict")) => {}
                Some(TransactWriteItemsError::TransactionInProgressException(_)) => {}
                Some(TransactWriteItemsError::TransactionCanceledException(c))
                    if c.cancellation_reasons().iter().any(|r| {
                        r.code()
                            .is_some_and(|code| CANCELLED_FOR_NOW.contains(&code))
                    }) =>
                {
                    return Err(StoreError::Unavailable(format!(
                        "transaction cancelled: {:?}",
                        c.cancellation_reasons()
                    )));
                }
                _ => return Err(sdk_error(e)),
            },
        };
        if self.applied_before(&changes, &token).await? {
            Ok(done())
        } else {
            Ok(Commit::LostRace)
        }
    }

    async fn write_postings(&self, postings: &[Posting]) -> Result<(), StoreError> {
        let items = postings
            .iter()
            .map(|p| {
                let mut item = ItemKey::posting(&p.gram, &p.order).item();
                item.insert(POSTING_TEXT.into(), s(&p.text));
                item
            })
            .collect();
        self.put_all(items).await
    }

    async fn add_gram_counts(&self, counts: &[(String, u64)]) -> Result<(), StoreError> {
        use futures::stream::{self, StreamExt, TryStreamExt};
        // One UpdateItem ADD per gram (atomic, so concurrent indexings add up), a few at once.
        let updates: Vec<_> = counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(gram, n)| self.add_gram_count(gram.clone(), *n))
            .collect();
        stream::iter(updates)
            .buffer_unordered(COUNT_UPDATES_AT_ONCE)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    async fn gram_counts(&self, grams: &[String]) -> Result<Vec<(String, u64)>, StoreError> {
        let by_pk: HashMap<String, &String> = grams
            .iter()
            .map(|g| (ItemKey::gram_count(g).pk, g))
            .collect();
        let keys = grams
            .iter()
            .map(|g| ItemKey::gram_count(g).item())
            .collect();
        let mut out = Vec::with_capacity(grams.len());
        for item in self.get_all(keys).await? {
            let gram = match item.get("pk") {
                Some(AttributeValue::S(pk)) => by_pk.get(pk),
                _ => None,
            }
            .ok_or_else(|| StoreError::Corrupt("a count for a gram not asked for".into()))?;
            let n = match item.get(GRAM_COUNT) {
                Some(AttributeValue::N(n)) => n
                    .parse::<u64>()
                    .map_err(|e| StoreError::Corrupt(format!("gram count: {e}")))?,
                _ => return Err(StoreError::Corrupt("a gram count without a number".into())),
            };
            out.push(((*gram).clone(), n));
        }
        Ok(out)
    }

    async fn postings(&self, range: PostingsRange<'_>) -> Result<Vec<Posting>, StoreError> {
        let PostingsRange { gram, after, limit } = range;
        let mut out: Vec<Posting> = Vec::new();
        // A Query page ends at 1 MB: go on from where it stopped until `limit` or the end.
        let mut start: Option<Item> = None;
        while out.len() < limit {
            let want = i32::try_from(limit - out.len()).unwrap_or(i32::MAX);
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .limit(want)
                .set_exclusive_start_key(start.take())
                .expression_attribute_values(":pk", s(ItemKey::postings_of(gram)));
            q = match after {
                Some(k) => q
                    .key_condition_expression("pk = :pk AND sk > :after")
                    .expression_attribute_values(":after", s(k.as_str())),
                None => q.key_condition_expression("pk = :pk"),
            };
            let page = q.send().await.map_err(sdk_error)?;
            for item in page.items.unwrap_or_default() {
                let (Some(AttributeValue::S(sk)), Some(AttributeValue::S(text))) =
                    (item.get("sk"), item.get(POSTING_TEXT))
                else {
                    return Err(StoreError::Corrupt("a posting without its text".into()));
                };
                let order = OrderKey::parse(sk).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                out.push(Posting {
                    gram: gram.to_owned(),
                    order,
                    text: text.clone(),
                });
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        Ok(out)
    }

    async fn titles_pending_index(&self) -> Result<Vec<Title>, StoreError> {
        self.query_single_partition(Index::SearchPending, None, Record::into_title)
            .await
    }
}
