//! The `Node` interface over the slices' objects and the `node(id:)` root
//! field. The ids themselves are made in `graphql::node`.

use async_graphql::{Context, Interface, Object, ID};

use crate::case::graphql::Case;
use crate::case::nested::{AgencyDecision, Allegation, Forwarding};
use crate::error::IntoGql;
use crate::graphql::batch::Peered;
use crate::graphql::node::parse_global_id;
use crate::graphql::ContextExt;
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
    /// One official × one act of a case.
    Allegation(Allegation),
    /// A recommendation forwarded to a competent agency.
    Forwarding(Forwarding),
    /// A receiving agency's decision on a forwarding.
    AgencyDecision(AgencyDecision),
}

/// The `node` root field.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id. Returns null both when nothing has that id
    /// and when the caller may not see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id as returned in any `id` field.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
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
            ("Allegation", Some(id)) => crate::case::service::allegation_by_id(db, viewer, id)
                .await
                .gql()?
                .map(|m| Node::Allegation(Allegation(Peered::one(m)))),
            ("Forwarding", Some(id)) => crate::case::service::forwarding_by_id(db, viewer, id)
                .await
                .gql()?
                .map(|m| Node::Forwarding(Forwarding(Peered::one(m)))),
            ("AgencyDecision", Some(id)) => crate::case::service::decision_by_id(db, viewer, id)
                .await
                .gql()?
                .map(|m| Node::AgencyDecision(AgencyDecision(Peered::one(m)))),
            ("Region", _) => {
                crate::reference::service::region_by_code(db, &key).await.gql()?.map(|m| Node::Region(m.into()))
            }
            _ => None,
        })
    }
}
