//! `audit_event`: one link of the audit chain. Rows are only ever appended,
//! by `audit::chain`; the id is the position in the chain (1, 2, 3, …).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub kind: String,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub request_id: Option<String>,
    pub operation_type: String,
    pub operation_name: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub root_fields: String,
    pub query_hash: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub variables: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub details: Option<String>,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
    /// Null for events of requests that named no trusted document (and for
    /// every event written before the column existed).
    pub document_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
