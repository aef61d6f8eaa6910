//! The JSON body of a webhook delivery: the entry as the receiving agency
//! may see it, in the Standard Webhooks shape `{type, timestamp, data}`. The
//! case is read through the agency's case scope; the body names no person
//! (never the reporter, no official), only the case's number and state.

use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;

use crate::auth::Principal;
use crate::entity::{agency, case, change_entry};
use crate::error::AppResult;
use crate::graphql::node::global_id;
use crate::graphql::scalars::format_instant;
use crate::pagination::encode_cursor;
use crate::policy;

/// The body for `entry`, sent to an endpoint of `reader`'s agency.
pub async fn of(db: &DatabaseConnection, reader: &Principal, entry: &change_entry::Model) -> AppResult<String> {
    let case = match entry.case_id {
        Some(id) => case::Entity::find_by_id(id).filter(policy::case_scope(Some(reader))).one(db).await?,
        None => None,
    };
    let actor = match entry.actor_agency_id {
        Some(id) => agency::Entity::find_by_id(id).one(db).await?.map(|a| a.code),
        None => None,
    };
    let body = json!({
        "type": entry.kind,
        "timestamp": format_instant(entry.recorded_at),
        "data": {
            "id": global_id("Change", entry.id).0,
            "cursor": encode_cursor(&entry.id),
            "kind": entry.kind,
            "occurredAt": format_instant(entry.occurred_at),
            "recordedAt": format_instant(entry.recorded_at),
            "action": entry.action,
            "fromState": entry.from_state,
            "toState": entry.to_state,
            "actorAgency": actor.map(|code| json!({ "code": code })),
            "case": case.map(|c| json!({ "number": c.number, "state": c.state.as_str() })),
            "publicationId": entry.publication_id.map(|id| id.to_string()),
            "dueOn": entry.due_on.map(|d| d.to_string()),
        },
    });
    Ok(body.to_string())
}
