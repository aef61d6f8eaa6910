//! GraphQL type `AuditEvent` and the root field `auditEvents`, which exists
//! only for Bawaslu RI callers holding the `audit` permission.

use crate::graphql::scalars::DateTime;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};

use super::service::{self, AuditCursor, AuditFilter, EventWithCases};
use super::{CaseAccess, EventKind, OperationType, Outcome};
use crate::error::{AppError, IntoGql};
use crate::graphql::node::global_id;
use crate::graphql::ContextExt;
use crate::pagination::{encode_cursor, ConnectionTotals, PageRequest};

/// A case an audit event concerns.
#[derive(SimpleObject)]
pub struct AuditedCase {
    /// How: its reporter identity or evidence was returned, or it was changed.
    pub access: CaseAccess,
    /// The case's number.
    pub number: Option<String>,
    /// The case's global id (as `Case.id`).
    pub case_id: ID,
}

/// One link of the audit chain: a request that returned non-public data, or
/// a write.
pub struct AuditEvent(EventWithCases);

/// One link of the audit chain: a request that returned non-public data, or
/// a write.
#[Object]
impl AuditEvent {
    /// Global id.
    async fn id(&self) -> ID {
        global_id("AuditEvent", self.0.event.id)
    }
    /// Position in the chain (1, 2, 3, …).
    async fn sequence(&self) -> i64 {
        self.0.event.id
    }
    /// When the request was answered or the write made (UTC).
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.event.occurred_at)
    }
    /// Request or write.
    async fn kind(&self) -> Option<EventKind> {
        EventKind::parse(&self.0.event.kind)
    }
    /// Token issuer; null for an anonymous request.
    async fn issuer(&self) -> Option<&str> {
        self.0.event.issuer.as_deref()
    }
    /// Token subject (the user at the agency); null for an anonymous request.
    async fn subject(&self) -> Option<&str> {
        self.0.event.subject.as_deref()
    }
    /// Registry code of the caller's agency; null for an anonymous request.
    async fn agency_code(&self) -> Option<&str> {
        self.0.event.agency_code.as_deref()
    }
    /// HTTP request id (`x-request-id`), to find the request in the logs.
    async fn request_id(&self) -> Option<&str> {
        self.0.event.request_id.as_deref()
    }
    /// Query or mutation.
    async fn operation_type(&self) -> Option<OperationType> {
        OperationType::parse(&self.0.event.operation_type)
    }
    /// The operation's name, when the client gave one.
    async fn operation_name(&self) -> Option<&str> {
        self.0.event.operation_name.as_deref()
    }
    /// The root fields resolved (for a write: the mutation).
    async fn root_fields(&self) -> Vec<&str> {
        self.0.event.root_fields.split(',').filter(|f| !f.is_empty()).collect()
    }
    /// SHA-256 of the normalized query document.
    async fn query_hash(&self) -> Option<&str> {
        self.0.event.query_hash.as_deref()
    }
    /// The trusted document that ran (its SHA-256 hex id), when the request
    /// named it by `documentId` or persisted-query hash, or sent a document
    /// of the manifest; null for an ad-hoc query.
    async fn document_id(&self) -> Option<&str> {
        self.0.event.document_id.as_deref()
    }
    /// The variables as JSON text, personal values replaced by `[REDACTED]`.
    async fn variables(&self) -> &str {
        &self.0.event.variables
    }
    /// JSON text: a write's details, or a failed request's error codes.
    async fn details(&self) -> Option<&str> {
        self.0.event.details.as_deref()
    }
    /// Whether the request ended without errors.
    async fn outcome(&self) -> Option<Outcome> {
        Outcome::parse(&self.0.event.outcome)
    }
    /// The cases whose reporter identity or evidence was returned, or which were changed.
    async fn cases(&self) -> Vec<AuditedCase> {
        self.0
            .cases
            .iter()
            .filter_map(|(access, id, number)| {
                Some(AuditedCase {
                    access: CaseAccess::parse(access)?,
                    number: number.clone(),
                    case_id: global_id("Case", id),
                })
            })
            .collect()
    }
    /// Hash of the previous event (64 zeros for the first).
    async fn prev_hash(&self) -> &str {
        &self.0.event.prev_hash
    }
    /// This event's hash (see `netra audit verify`).
    async fn hash(&self) -> &str {
        &self.0.event.hash
    }
}

/// Filter of the audit trail; all given parts must hold.
#[derive(InputObject, Default)]
#[graphql(name = "AuditEventFilter")]
pub struct AuditEventFilterInput {
    /// The caller's agency code, e.g. `BAWASLU-16.73`.
    pub agency_code: Option<String>,
    /// The token subject (user).
    pub subject: Option<String>,
    /// Events concerning this case number …
    pub case_number: Option<String>,
    /// … in one of these ways (e.g. `[REPORTER]`: who saw its reporter).
    pub access: Option<Vec<CaseAccess>>,
    /// At or after this instant.
    pub from: Option<DateTime>,
    /// Before this instant.
    pub to: Option<DateTime>,
    /// An operation name, or a root field such as `cases` or `case`.
    pub operation: Option<String>,
    /// Request or write events only.
    pub kind: Option<EventKind>,
}

impl TryFrom<AuditEventFilterInput> for AuditFilter {
    type Error = AppError;

    fn try_from(i: AuditEventFilterInput) -> Result<Self, Self::Error> {
        Self {
            agency_code: i.agency_code,
            subject: i.subject,
            case_number: i.case_number,
            access: i.access.unwrap_or_default(),
            from: i.from.map(Into::into),
            to: i.to.map(Into::into),
            operation: i.operation,
            kind: i.kind,
        }
        .validate()
    }
}

/// Root fields of the audit trail.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first, as a Relay connection. Only for Bawaslu
    /// RI tokens with the `audit` permission; absent for everyone else.
    #[graphql(visible = "crate::graphql::visibility::audit_events")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which events to list; all of them when absent.")] filter: Option<AuditEventFilterInput>,
        #[graphql(desc = "Page size; at most the server's maximum (100 by default).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; the first page when absent.")] after: Option<String>,
    ) -> async_graphql::Result<Connection<String, AuditEvent, ConnectionTotals>> {
        let page = PageRequest::<AuditCursor>::parse(first, after.as_deref(), ctx.config().max_page_size)
            .gql()?
            .counting(crate::pagination::total_selected(ctx));
        let filter = AuditFilter::try_from(filter.unwrap_or_default()).gql()?;
        let result = service::events(ctx.db(), ctx.viewer(), &filter, &page).await.gql()?;
        let mut conn = Connection::with_additional_fields(
            page.after.is_some(),
            result.has_next,
            ConnectionTotals::new(result.total),
        );
        conn.edges.extend(
            result.items.into_iter().map(|e| Edge::new(encode_cursor(&AuditCursor::of(&e.event)), AuditEvent(e))),
        );
        Ok(conn)
    }
}
