//! Webhook endpoints of agency systems: register, list, rotate the secret,
//! delete, and the deliveries with their attempts. Each write runs in one
//! transaction with its audit event. Who may manage them is the policy's
//! call (`policy::may_manage_webhooks`); an agency sees only its own.

use std::net::IpAddr;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{sign, ChangeKind};
use crate::auth::Principal;
use crate::config::{Config, Environment};
use crate::entity::{webhook, webhook_delivery};
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::policy;

/// The caller, when it may manage webhooks.
fn manager(viewer: Option<&Principal>) -> AppResult<&Principal> {
    let p = viewer.ok_or(AppError::Unauthenticated)?;
    if !policy::may_manage_webhooks(viewer) {
        return Err(AppError::Forbidden);
    }
    Ok(p)
}

/// Whether `ip` is an address webhooks never reach in production: private,
/// loopback, link-local, unspecified, multicast, shared or unique-local.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

/// Checks an endpoint URL: `https` in production (`http` also in
/// development), a host, no credentials, and no internal literal address
/// unless allowed. Names are resolved and checked again at each delivery.
pub fn check_url(raw: &str, config: &Config) -> AppResult<reqwest::Url> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| AppError::invalid("url", "not an absolute URL"))?;
    let https_only = config.environment == Environment::Production;
    match url.scheme() {
        "https" => {}
        "http" if !https_only => {}
        _ => return Err(AppError::invalid("url", "the endpoint must use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::invalid("url", "put no credentials in the URL; verify the signature instead"));
    }
    let host = url.host_str().ok_or_else(|| AppError::invalid("url", "the URL has no host"))?;
    let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    if !config.webhook_allow_private && (literal.is_some_and(is_internal) || host.eq_ignore_ascii_case("localhost")) {
        return Err(AppError::invalid("url", "the endpoint is a private, loopback or link-local address"));
    }
    Ok(url)
}

/// The kinds an endpoint receives (`None` = all), as stored.
fn kinds_column(kinds: Option<&[ChangeKind]>) -> Option<String> {
    kinds.map(|ks| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","))
}

/// The kinds of a stored endpoint; `None` = all.
pub fn kinds_of(m: &webhook::Model) -> Option<Vec<ChangeKind>> {
    m.change_kinds.as_ref().map(|raw| raw.split(',').filter_map(ChangeKind::parse).collect())
}

/// Registers an endpoint for the caller's agency; returns it with its secret.
pub async fn create(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    config: &Config,
    url: &str,
    kinds: Option<Vec<ChangeKind>>,
) -> AppResult<(webhook::Model, String)> {
    let p = manager(viewer)?;
    let url = check_url(url, config)?;
    if kinds.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::invalid("changeKinds", "give at least one kind, or leave it out for all"));
    }
    let secret = sign::new_secret();
    let txn = crate::db::begin_write(db).await?;
    let model = webhook::ActiveModel {
        id: NotSet,
        agency_id: Set(p.agency_id),
        url: Set(url.to_string()),
        change_kinds: Set(kinds_column(kinds.as_deref())),
        secret: Set(secret.clone()),
        created_by: Set(p.subject.clone()),
        created_at: Set(Utc::now()),
        active: Set(true),
        disabled_reason: Set(None),
        failed_in_a_row: Set(0),
    }
    .insert(&txn)
    .await?;
    crate::audit::record_scoped_write_details(&txn, &serde_json::json!({ "webhook": model.id })).await?;
    txn.commit().await?;
    Ok((model, secret))
}

/// The caller's agency's endpoints, oldest first.
pub async fn list(db: &DatabaseConnection, viewer: Option<&Principal>) -> AppResult<Vec<webhook::Model>> {
    let p = manager(viewer)?;
    Ok(webhook::Entity::find()
        .filter(webhook::Column::AgencyId.eq(p.agency_id))
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// One of the caller's agency's endpoints; `NOT_FOUND` for any other.
async fn own<C: sea_orm::ConnectionTrait>(db: &C, p: &Principal, id: i64) -> AppResult<webhook::Model> {
    webhook::Entity::find_by_id(id)
        .filter(webhook::Column::AgencyId.eq(p.agency_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Replaces an endpoint's secret (and re-enables it); returns the new secret.
pub async fn rotate(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    id: i64,
) -> AppResult<(webhook::Model, String)> {
    let p = manager(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let mut m = own(&txn, p, id).await?.into_active_model();
    let secret = sign::new_secret();
    m.secret = Set(secret.clone());
    m.active = Set(true);
    m.disabled_reason = Set(None);
    m.failed_in_a_row = Set(0);
    let model = m.update(&txn).await?;
    crate::audit::record_scoped_write_details(&txn, &serde_json::json!({ "webhook": id, "rotated": true })).await?;
    txn.commit().await?;
    Ok((model, secret))
}

/// Deletes an endpoint and its deliveries.
pub async fn delete(db: &DatabaseConnection, viewer: Option<&Principal>, id: i64) -> AppResult<()> {
    let p = manager(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    own(&txn, p, id).await?;
    webhook_delivery::Entity::delete_many().filter(webhook_delivery::Column::WebhookId.eq(id)).exec(&txn).await?;
    webhook::Entity::delete_by_id(id).exec(&txn).await?;
    crate::audit::record_scoped_write_details(&txn, &serde_json::json!({ "webhook": id, "deleted": true })).await?;
    txn.commit().await?;
    Ok(())
}

/// The deliveries of one of the caller's endpoints, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    id: i64,
    req: &PageRequest<i64>,
) -> AppResult<Page<webhook_delivery::Model>> {
    let p = manager(viewer)?;
    own(db, p, id).await?;
    let all = webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(id));
    let total = req.total(all.clone(), db).await?;
    let mut q = all.order_by_desc(webhook_delivery::Column::Id).limit(req.size + 1);
    if let Some(after) = req.after {
        q = q.filter(webhook_delivery::Column::Id.lt(after));
    }
    Ok(Page::from_overfetch(q.all(db).await?, req.size, total))
}
