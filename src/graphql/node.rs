//! Global object identification: `node(id:)` and the opaque ids of every
//! object that implements `Node`.

use async_graphql::{Context, Interface, Object, ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::ContextExt;
use crate::case::graphql::Case;
use crate::error::IntoGql;
use crate::official::graphql::Official;
use crate::reference::graphql::{Agency, Election, Region};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id, accepted by `node(id:)`."))]
pub enum Node {
    /// A case.
    Case(Case),
    /// An official.
    Official(Official),
    /// A region.
    Region(Region),
    /// An agency.
    Agency(Agency),
    /// An election race.
    Election(Election),
}

/// The global id of `kind` with local `key`.
pub fn global_id(kind: &str, key: impl std::fmt::Display) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// Splits a global id into its kind and local key; `None` if malformed.
pub fn parse_global_id(id: &str) -> Option<(String, String)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (kind, key) = raw.split_once(':')?;
    Some((kind.to_owned(), key.to_owned()))
}

/// The `node` root field.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id. Returns null both when nothing has that id
    /// and when the caller may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let Some((kind, key)) = parse_global_id(&id) else { return Ok(None) };
        let viewer = ctx.viewer();
        let db = ctx.db();
        let num = key.parse::<i64>().ok();
        Ok(match (kind.as_str(), num) {
            ("Case", Some(id)) => {
                crate::case::service::case_by_id(db, viewer, id).await.gql()?.map(|m| Node::Case(m.into()))
            }
            ("Official", Some(id)) => {
                crate::official::service::official_by_id(db, viewer, id).await.gql()?.map(|m| Node::Official(m.into()))
            }
            ("Agency", Some(id)) => {
                crate::reference::service::agency_by_id(db, id).await.gql()?.map(|m| Node::Agency(m.into()))
            }
            ("Election", Some(id)) => {
                crate::reference::service::election_by_id(db, id).await.gql()?.map(|m| Node::Election(m.into()))
            }
            ("Region", _) => {
                crate::reference::service::region_by_code(db, &key).await.gql()?.map(|m| Node::Region(m.into()))
            }
            _ => None,
        })
    }
}
