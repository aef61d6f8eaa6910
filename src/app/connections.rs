//! Descriptions of the Relay connection and edge types. async-graphql
//! generates `CaseConnection`, `CaseEdge` and the others from
//! `Connection<String, Case, ConnectionTotals>` without a description of
//! their own; partner developers read the schema, so each is described here,
//! by name, when the schema is built. A new connection gets its line here
//! (the schema lint in `.ci/schema-lint` fails on an undescribed type).

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{ObjectType, OutputType, SchemaBuilder, SubscriptionType};

use crate::audit::graphql::AuditEvent;
use crate::case::graphql::Case;
use crate::case::nested::Forwarding;
use crate::change::graphql::Change;
use crate::change::webhook_graphql::WebhookDelivery;
use crate::official::graphql::Official;
use crate::pagination::ConnectionTotals;
use crate::publication::graphql::Publication;

/// Describes the connection and the edge type over `N`: `list` says what
/// one page holds, `item` what one edge carries.
fn describe<N, Q, M, S>(
    builder: SchemaBuilder<Q, M, S>,
    list: &'static str,
    item: &'static str,
) -> SchemaBuilder<Q, M, S>
where
    N: OutputType,
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    builder
        .override_output_type_description::<Connection<String, N, ConnectionTotals>>(list)
        .override_output_type_description::<Edge<String, N, EmptyFields>>(item)
}

/// Sets the description of every connection and edge type of the schema.
pub fn describe_all<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let builder = describe::<Case, _, _, _>(
        builder,
        "One page of cases (Relay connection): the edges in the requested order, paging information, and \
         the number of all matching cases when `totalCount` is selected.",
        "One case of a `CaseConnection` page, with the cursor to continue after it.",
    );
    let builder = describe::<Official, _, _, _>(
        builder,
        "One page of officials (Relay connection): the edges in the list's order, paging information, and the \
         number of all matching officials when `totalCount` is selected.",
        "One official of an `OfficialConnection` page, with the cursor to continue after it.",
    );
    let builder = describe::<Forwarding, _, _, _>(
        builder,
        "One page of forwardings (Relay connection), oldest due date first, with paging information and the \
         number of all matching forwardings when `totalCount` is selected.",
        "One forwarding of a `ForwardingConnection` page, with the cursor to continue after it.",
    );
    let builder = describe::<AuditEvent, _, _, _>(
        builder,
        "One page of audit events (Relay connection), newest first, with paging information and the number of \
         all matching events when `totalCount` is selected.",
        "One audit event of an `AuditEventConnection` page, with the cursor to continue after it.",
    );
    let builder = describe::<Publication, _, _, _>(
        builder,
        "One page of published statistics tables (Relay connection), newest first, with paging information \
         and the number of all matching tables when `totalCount` is selected.",
        "One publication of a `PublicationConnection` page, with the cursor to continue after it.",
    );
    let builder = describe::<Change, _, _, _>(
        builder,
        "One page of the change feed (Relay connection), in commit order, with paging information and the \
         number of all matching entries when `totalCount` is selected. The `endCursor` of the last page is \
         where a catch-up continues (see `changes`).",
        "One entry of a `ChangeConnection` page, with the cursor to continue after it.",
    );
    describe::<WebhookDelivery, _, _, _>(
        builder,
        "One page of a webhook's deliveries (Relay connection), newest first, with paging information and the \
         number of all its deliveries when `totalCount` is selected.",
        "One delivery of a `WebhookDeliveryConnection` page, with the cursor to continue after it.",
    )
}
