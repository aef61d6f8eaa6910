//! GraphQL of webhooks: `webhooks`, `webhookDeliveries`, `createWebhook`,
//! `rotateWebhookSecret` and `deleteWebhook`. Thin wrappers over `webhook`;
//! the secret is returned only by the mutations that make one.

use crate::graphql::scalars::DateTime;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};

use super::{webhook, ChangeKind};
use crate::entity::{webhook as webhook_row, webhook_delivery};
use crate::error::{AppError, IntoGql};
use crate::graphql::node::{global_id, parse_global_id};
use crate::graphql::ContextExt;
use crate::pagination::{encode_cursor, ConnectionTotals, PageRequest};

/// An endpoint of the agency's system that netra delivers change entries to.
pub struct Webhook(webhook_row::Model);

/// An endpoint of the agency's system that netra delivers change entries to.
#[Object]
impl Webhook {
    /// Global id.
    async fn id(&self) -> ID {
        global_id("Webhook", self.0.id)
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The kinds delivered; null = all.
    async fn change_kinds(&self) -> Option<Vec<ChangeKind>> {
        webhook::kinds_of(&self.0)
    }
    /// Whether deliveries are made. An endpoint whose deliveries kept failing
    /// is disabled; `rotateWebhookSecret` enables it again.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Why it was disabled.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// Failed attempts since the last success.
    async fn failed_in_a_row(&self) -> i32 {
        self.0.failed_in_a_row
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// One change entry owed to one endpoint, with its attempts.
#[derive(SimpleObject)]
pub struct WebhookDelivery {
    /// Global id.
    id: ID,
    /// The change entry (`Change.id`); it is also the `webhook-id` header's suffix.
    change_id: ID,
    /// `PENDING`, `DELIVERED`, `FAILED` (retried for the whole horizon) or
    /// `SKIPPED` (the endpoint was disabled, or the agency may no longer see the entry).
    status: String,
    /// Attempts made.
    attempts: i32,
    /// The receiver's last HTTP status.
    response_code: Option<i32>,
    /// What went wrong last.
    last_error: Option<String>,
    /// When the last attempt was made.
    last_attempt_at: Option<DateTime>,
    /// When the next attempt is due (while `PENDING`).
    next_attempt_at: Option<DateTime>,
    /// When the entry was queued for the endpoint.
    created_at: DateTime,
}

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(m: webhook_delivery::Model) -> Self {
        let pending = m.status == super::delivery::status::PENDING;
        Self {
            id: global_id("WebhookDelivery", m.id),
            change_id: global_id("Change", m.change_id),
            status: m.status,
            attempts: m.attempts,
            response_code: m.response_code,
            last_error: m.last_error,
            last_attempt_at: m.last_attempt_at.map(DateTime),
            next_attempt_at: pending.then_some(DateTime(m.next_attempt_at)),
            created_at: DateTime(m.created_at),
        }
    }
}

/// The local id of a `Webhook` global id.
fn webhook_id(id: &ID) -> Result<i64, AppError> {
    parse_global_id(id)
        .filter(|(kind, _)| kind == "Webhook")
        .and_then(|(_, key)| key.parse().ok())
        .ok_or(AppError::NotFound)
}

/// Root fields of webhooks.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The caller's agency's endpoints (token permission `webhooks`).
    async fn webhooks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Webhook>> {
        Ok(webhook::list(ctx.db(), ctx.viewer()).await.gql()?.into_iter().map(Webhook).collect())
    }

    /// The deliveries of one endpoint, newest first.
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's global id (`Webhook.id`); it must belong to the caller's agency.")] webhook_id: ID,
        #[graphql(desc = "Page size; at most the server's maximum (100 by default).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; the first page when absent.")] after: Option<String>,
    ) -> async_graphql::Result<Connection<String, WebhookDelivery, ConnectionTotals>> {
        let id = self::webhook_id(&webhook_id).gql()?;
        let page = PageRequest::<i64>::parse(first, after.as_deref(), ctx.config().max_page_size)
            .gql()?
            .counting(crate::pagination::total_selected(ctx));
        let result = webhook::deliveries(ctx.db(), ctx.viewer(), id, &page).await.gql()?;
        let mut conn = Connection::with_additional_fields(
            page.after.is_some(),
            result.has_next,
            ConnectionTotals::new(result.total),
        );
        conn.edges.extend(result.items.into_iter().map(|m| Edge::new(encode_cursor(&m.id), WebhookDelivery::from(m))));
        Ok(conn)
    }
}

/// A new endpoint.
#[derive(InputObject)]
pub struct CreateWebhookInput {
    /// Where to POST deliveries: `https` (also `http` in development).
    pub url: String,
    /// The kinds to deliver; all when absent.
    pub change_kinds: Option<Vec<ChangeKind>>,
}

/// An endpoint with its signing secret, shown only here.
#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    /// The Standard Webhooks signing secret (`whsec_…`); store it now, it is not shown again.
    secret: String,
    /// The endpoint.
    webhook: Webhook,
}

/// The result of `deleteWebhook`.
#[derive(SimpleObject)]
pub struct DeleteWebhookPayload {
    /// The id of the endpoint that was deleted.
    deleted_webhook_id: ID,
}

/// Mutations of webhooks.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint for the caller's agency (token permissions
    /// `read` and `webhooks`). Every later change entry the agency may see,
    /// of the kinds asked for, is POSTed to it, signed per Standard Webhooks.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's URL, description and the change kinds it receives.")]
        input: CreateWebhookInput,
    ) -> async_graphql::Result<WebhookSecretPayload> {
        let entry = crate::audit::write_entry(ctx, "createWebhook").gql()?;
        let (model, secret) = crate::audit::scoped_write(
            entry,
            webhook::create(ctx.db(), ctx.viewer(), ctx.config(), &input.url, input.change_kinds),
        )
        .await
        .gql()?;
        Ok(WebhookSecretPayload { secret, webhook: Webhook(model) })
    }

    /// Replaces an endpoint's signing secret (the old one stops working at
    /// once) and enables a disabled endpoint again.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's global id (`Webhook.id`).")] id: ID,
    ) -> async_graphql::Result<WebhookSecretPayload> {
        let local = webhook_id(&id).gql()?;
        let entry = crate::audit::write_entry(ctx, "rotateWebhookSecret").gql()?;
        let (model, secret) =
            crate::audit::scoped_write(entry, webhook::rotate(ctx.db(), ctx.viewer(), local)).await.gql()?;
        Ok(WebhookSecretPayload { secret, webhook: Webhook(model) })
    }

    /// Deletes an endpoint and its deliveries.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's global id (`Webhook.id`).")] id: ID,
    ) -> async_graphql::Result<DeleteWebhookPayload> {
        let local = webhook_id(&id).gql()?;
        let entry = crate::audit::write_entry(ctx, "deleteWebhook").gql()?;
        crate::audit::scoped_write(entry, webhook::delete(ctx.db(), ctx.viewer(), local)).await.gql()?;
        Ok(DeleteWebhookPayload { deleted_webhook_id: id })
    }
}
