//! The table's design in code, so tests and the dev server create exactly what template.yaml
//! deploys (the drift test compares the two).

use super::keys::Index;
use crate::ports::store::StoreError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

pub struct TableDesign;

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Rejected(e.to_string())
}

impl TableDesign {
    /// The names of the global secondary indexes with their key attributes.
    pub fn indexes() -> Vec<(&'static str, &'static str, &'static str)> {
        Index::ALL
            .iter()
            .map(|i| {
                let (pk, sk) = i.attributes();
                (i.name(), pk, sk)
            })
            .collect()
    }

    pub async fn create(client: &Client, table: &str) -> Result<(), StoreError> {
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(invalid)
        };
        let key = |name: &str, kt: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kt)
                .build()
                .map_err(invalid)
        };
        let mut req = client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .attribute_definitions(attr("pk")?)
            .attribute_definitions(attr("sk")?);
        for (name, pk, sk) in Self::indexes() {
            req = req
                .attribute_definitions(attr(pk)?)
                .attribute_definitions(attr(sk)?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(name)
                        .key_schema(key(pk, KeyType::Hash)?)
                        .key_schema(key(sk, KeyType::Range)?)
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::All)
                                .build(),
                        )
                        .build()
                        .map_err(invalid)?,
                );
        }
        req.send()
            .await
            .map_err(|e| invalid(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name("ttl")
                    .enabled(true)
                    .build()
                    .map_err(invalid)?,
            )
            .send()
            .await
            .map_err(|e| invalid(aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        Ok(())
    }
}
