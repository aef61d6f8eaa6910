//! GraphQL of the change feed: the type `Change`, the root field `changes`
//! (catch-up, a connection in commit order), the `changes` subscription
//! (the same entries, pushed), and the webhook fields. Each batch of entries
//! is read through `policy::change_scope` and its cases through
//! `policy::case_scope`, in one statement each.

use std::collections::{HashMap, VecDeque};

use crate::graphql::scalars::{Date, DateTime};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ErrorExtensions, InputObject, Object, Subscription, ID};
use futures_util::Stream;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::feed::{self, ChangeFilter};
use super::hub::Hub;
use super::ChangeKind;
use crate::audit::{AuditEntry, AuditWriter, EventKind, OperationType};
use crate::auth::Principal;
use crate::case::graphql::Case;
use crate::domain::CaseState;
use crate::entity::{case, change_entry};
use crate::error::{AppError, AppResult, IntoGql};
use crate::graphql::batch::Peered;
use crate::graphql::node::global_id;
use crate::graphql::ContextExt;
use crate::pagination::{decode_cursor, encode_cursor, ConnectionTotals, PageRequest};
use crate::policy;
use crate::reference::graphql::Agency;
use crate::reference::loaders::AgencyById;

/// Most entries one subscription reads per statement.
const BATCH: u64 = 100;

/// One entry of the change feed: a change that committed, as the caller may see it.
pub struct Change {
    entry: Peered<change_entry::Model>,
    case: Option<case::Model>,
}

/// One entry of the change feed: a change that committed, as the caller may see it.
#[Object]
impl Change {
    /// Global id.
    async fn id(&self) -> ID {
        global_id("Change", self.entry.this.id)
    }
    /// The entry's position in commit order: pass it as `after` to resume.
    async fn cursor(&self) -> String {
        encode_cursor(&self.entry.this.id)
    }
    /// What happened.
    async fn kind(&self) -> ChangeKind {
        ChangeKind::parse(&self.entry.this.kind).unwrap_or(ChangeKind::CaseStep)
    }
    /// When it happened (the step's instant, UTC).
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.entry.this.occurred_at)
    }
    /// When netra committed it.
    async fn recorded_at(&self) -> DateTime {
        DateTime(self.entry.this.recorded_at)
    }
    /// The case concerned, as the caller may see it now; null when the entry concerns no case.
    async fn case(&self) -> Option<Case> {
        self.case.clone().map(Case::from)
    }
    /// The workflow action (e.g. `FORWARD`), for step entries.
    async fn action(&self) -> Option<crate::domain::Action> {
        self.entry.this.action.as_deref().and_then(crate::domain::Action::from_name)
    }
    /// The case's state before the step.
    async fn from_state(&self) -> Option<CaseState> {
        state(self.entry.this.from_state.as_deref())
    }
    /// The case's state after the step.
    async fn to_state(&self) -> Option<CaseState> {
        state(self.entry.this.to_state.as_deref())
    }
    /// The agency that acted; null for deadline entries.
    async fn actor_agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        Ok(ctx.loaders().one(&self.entry, |m| m.actor_agency_id.map(AgencyById)).await.gql()?.map(Agency))
    }
    /// The published table (its `publication(id)`), for `PUBLICATION_PUBLISHED`.
    async fn publication_id(&self) -> Option<ID> {
        self.entry.this.publication_id.map(|id| ID(id.to_string()))
    }
    /// The due date, for `FORWARDING_OVERDUE` and `DECISION_DUE`.
    async fn due_on(&self) -> Option<Date> {
        self.entry.this.due_on.map(Date)
    }
}

/// Which entries to read or receive; the caller's scope applies on top.
#[derive(InputObject, Default)]
pub struct ChangeFilterInput {
    /// Only these kinds (all when absent).
    pub kinds: Option<Vec<ChangeKind>>,
    /// Only the entries of this case.
    pub case_number: Option<String>,
}

impl From<ChangeFilterInput> for ChangeFilter {
    fn from(f: ChangeFilterInput) -> Self {
        Self { kinds: f.kinds, case_number: f.case_number }
    }
}

/// The entries with the cases they concern, loaded within the caller's scope.
async fn with_cases(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    entries: Vec<change_entry::Model>,
) -> AppResult<Vec<Change>> {
    let ids: Vec<i64> = entries.iter().filter_map(|e| e.case_id).collect();
    let mut cases: HashMap<i64, case::Model> = HashMap::new();
    if !ids.is_empty() {
        let found =
            case::Entity::find().filter(case::Column::Id.is_in(ids)).filter(policy::case_scope(viewer)).all(db).await?;
        cases = found.into_iter().map(|c| (c.id, c)).collect();
    }
    Ok(Peered::all(entries)
        .into_iter()
        .map(|entry| {
            let case = entry.this.case_id.and_then(|id| cases.get(&id).cloned());
            Change { entry, case }
        })
        .collect())
}

/// Root field `changes`.
#[derive(Default)]
pub struct ChangeQuery;

#[Object]
impl ChangeQuery {
    /// The caller's change-feed entries in commit order, oldest first: the
    /// catch-up path. Keep the last `endCursor` and pass it as `after` to get
    /// everything committed since, with no gap and no repeat. Anonymous
    /// callers get an empty connection.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The cursor of the last entry already handled (`Change.cursor` or a page's `endCursor`); from the oldest entry when absent."
        )]
        after: Option<String>,
        #[graphql(desc = "Page size; at most the server's maximum (100 by default).")] first: Option<i32>,
        #[graphql(desc = "Which entries to read or receive; all the caller may see when absent.")] filter: Option<
            ChangeFilterInput,
        >,
    ) -> async_graphql::Result<Connection<String, Change, ConnectionTotals>> {
        let page = PageRequest::<i64>::parse(first, after.as_deref(), ctx.config().max_page_size)
            .gql()?
            .counting(crate::pagination::total_selected(ctx));
        let filter = ChangeFilter::from(filter.unwrap_or_default());
        let result = feed::page(ctx.db(), ctx.viewer(), &filter, &page).await.gql()?;
        let items = with_cases(ctx.db(), ctx.viewer(), result.items).await.gql()?;
        let mut conn = Connection::with_additional_fields(
            page.after.is_some(),
            result.has_next,
            ConnectionTotals::new(result.total),
        );
        conn.edges.extend(items.into_iter().map(|c| Edge::new(encode_cursor(&c.entry.this.id), c)));
        Ok(conn)
    }
}

/// What a subscription stream carries between polls.
struct Follow {
    db: DatabaseConnection,
    viewer: Principal,
    filter: ChangeFilter,
    cursor: i64,
    head: tokio::sync::watch::Receiver<i64>,
    ready: VecDeque<Change>,
    audit: Option<AuditWriter>,
}

impl Follow {
    /// Records the entries about to be pushed as a read by the subscriber,
    /// before any of them is sent: no event, no data.
    async fn audit(&self, batch: &[change_entry::Model]) -> AppResult<()> {
        let Some(writer) = &self.audit else { return Ok(()) };
        let ids: Vec<i64> = batch.iter().map(|e| e.id).collect();
        let cases: Vec<i64> = batch.iter().filter_map(|e| e.case_id).collect();
        let mut entry = AuditEntry::write(&self.viewer, "changes")
            .details(&serde_json::json!({ "subscription": "changes", "entries": ids, "cases": cases }));
        entry.kind = EventKind::Request;
        entry.operation_type = OperationType::Query;
        writer.record(entry).await.map(|_| ())
    }
}

impl Follow {
    /// The next entry, waiting for one to commit if need be; `None` when the hub is gone.
    async fn next(mut self) -> Option<(async_graphql::Result<Change>, Self)> {
        loop {
            if let Some(c) = self.ready.pop_front() {
                return Some((Ok(c), self));
            }
            // Mark the head as seen before reading, so that a commit landing
            // during the read wakes the next round. Every entry up to `head`
            // has committed (ids ascend in commit order), so the read sees
            // them all.
            let head = *self.head.borrow_and_update();
            match feed::after(&self.db, Some(&self.viewer), &self.filter, self.cursor, BATCH).await {
                Ok(batch) => {
                    let full = batch.len() as u64 == BATCH;
                    let last = batch.last().map_or(self.cursor, |e| e.id);
                    // Entries up to `head` that the caller may not see are passed
                    // over for good; a full batch may have more after it.
                    self.cursor = if full { last } else { last.max(head) };
                    if batch.is_empty() {
                        if self.head.changed().await.is_err() {
                            return None;
                        }
                        continue;
                    }
                    if let Err(e) = self.audit(&batch).await {
                        return Some((Err(e.extend()), self));
                    }
                    match with_cases(&self.db, Some(&self.viewer), batch).await {
                        Ok(items) => self.ready.extend(items),
                        Err(e) => return Some((Err(e.extend()), self)),
                    }
                }
                Err(e) => return Some((Err(e.extend()), self)),
            }
        }
    }
}

/// A stored state name as the enum.
fn state(raw: Option<&str>) -> Option<CaseState> {
    use sea_orm::Iterable;
    raw.and_then(|r| CaseState::iter().find(|s| s.as_str() == r))
}

/// The subscription root of the change feed.
#[derive(Default)]
pub struct ChangeSubscription;

#[Subscription]
impl ChangeSubscription {
    /// Pushes the caller's change-feed entries as they commit, each checked
    /// against the caller's scope before it is sent; each batch pushed leaves
    /// an audit event (a read) first. With `after` (a
    /// `cursor` or `endCursor`), it first replays everything committed since,
    /// then follows live: no gap, no repeat. Without it, it starts now.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which entries to read or receive; all the caller may see when absent.")] filter: Option<
            ChangeFilterInput,
        >,
        #[graphql(
            desc = "The cursor of the last entry already handled (`Change.cursor` or a page's `endCursor`): everything committed since is replayed before the live entries. Without it, the subscription starts now."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Change>>> {
        let viewer = ctx.principal().gql()?.clone();
        let hub = ctx.data::<Hub>().map_err(|_| AppError::Internal(anyhow::anyhow!("no change hub"))).gql()?;
        let db = ctx.db().clone();
        let cursor = match after {
            Some(raw) => decode_cursor::<i64>(&raw).gql()?,
            None => feed::head(&db).await.gql()?,
        };
        let follow = Follow {
            db,
            viewer,
            filter: ChangeFilter::from(filter.unwrap_or_default()),
            cursor,
            head: hub.subscribe(),
            ready: VecDeque::new(),
            audit: ctx.data_opt::<AuditWriter>().cloned(),
        };
        Ok(futures_util::stream::unfold(follow, Follow::next))
    }
}
