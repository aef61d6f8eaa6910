//! A pre-execution check of every parsed request: the alias, root-field and
//! directive limits, the bounds on argument values (`input`), and the
//! role-scoped schema. async-graphql's field visibility only hides a field
//! from introspection; this rejects a query that names a field the caller's
//! role may never see with the very error of an unknown field (`suggest`),
//! before anything runs. Types only a hidden field leads to are treated the
//! same way (`Unknown type`), and the expansion of fragments is bounded
//! (`shape`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{ErrorExtensions, Pos, Request, ServerError, ServerResult, ValidationResult, Variables};

use super::shape::{expanded_selections, hide_types, restore_names, VisibleTypes, MAX_EXPANDED_SELECTIONS};
use super::suggest::unknown_field;
use super::RequestViewer;
use crate::error::AppError;
use crate::policy::{field_visible, Field};

/// Limits on the shape of a request.
#[derive(Debug, Clone, Copy)]
pub struct ShapeLimits {
    /// Most aliases in one document.
    pub max_aliases: usize,
    /// Most fields at the root of one operation.
    pub max_root_fields: usize,
}

/// The extension factory installed on the schema.
pub struct RequestGuard {
    limits: ShapeLimits,
    types: Arc<VisibleTypes>,
}

impl RequestGuard {
    /// A guard with `limits`.
    pub fn new(limits: ShapeLimits) -> Self {
        Self { limits, types: Arc::default() }
    }
}

impl ExtensionFactory for RequestGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension { limits: self.limits, types: self.types.clone(), renamed: Mutex::default() })
    }
}

struct GuardExtension {
    limits: ShapeLimits,
    types: Arc<VisibleTypes>,
    /// The type names this request's document had renamed (`shape::hide_types`).
    renamed: Mutex<Vec<(String, String)>>,
}

fn reject(message: String, pos: Pos) -> ServerError {
    AppError::invalid("query", message).extend().into_server_error(pos)
}

/// The most directives on one field or fragment: a handful is all any
/// client needs, and each one costs work before the field runs.
pub const MAX_DIRECTIVES_PER_FIELD: usize = 10;

fn check_directives(count: usize, pos: Pos) -> ServerResult<()> {
    if count > MAX_DIRECTIVES_PER_FIELD {
        return Err(reject(
            format!("{count} directives in one place; at most {MAX_DIRECTIVES_PER_FIELD} are allowed"),
            pos,
        ));
    }
    Ok(())
}

/// Whether a selection on a value of type `t` names fields of it.
fn has_fields(t: &MetaType) -> bool {
    matches!(t, MetaType::Object { .. } | MetaType::Interface { .. } | MetaType::Union { .. })
}

struct Walk<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    viewer: Option<&'a crate::auth::Principal>,
    aliases: usize,
    fragments_seen: HashSet<String>,
}

impl Walk<'_> {
    fn selection_set(&mut self, type_name: &str, set: &SelectionSet) -> ServerResult<()> {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    if f.alias.is_some() {
                        self.aliases += 1;
                    }
                    check_directives(f.directives.len(), field.pos)?;
                    let name = f.name.node.as_str();
                    if name.starts_with("__") {
                        continue;
                    }
                    // Unknown types and leaf types are left to validation.
                    let Some(parent) = self.registry.types.get(type_name).filter(|t| has_fields(t)) else {
                        continue;
                    };
                    let hidden =
                        Field::of_schema_field(type_name, name).is_some_and(|h| !field_visible(self.viewer, h));
                    // A hidden field gets exactly the error of a field that does not exist.
                    let Some(meta) = parent.field_by_name(name).filter(|_| !hidden) else {
                        return Err(ServerError::new(unknown_field(self.viewer, parent, name), Some(field.pos)));
                    };
                    let child = MetaTypeName::concrete_typename(&meta.ty).to_owned();
                    self.selection_set(&child, &f.selection_set.node)?;
                }
                Selection::InlineFragment(frag) => {
                    check_directives(frag.node.directives.len(), frag.pos)?;
                    let frag = &frag.node;
                    let on = frag.type_condition.as_ref().map_or(type_name, |c| c.node.on.node.as_str()).to_owned();
                    self.selection_set(&on, &frag.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => {
                    check_directives(spread.node.directives.len(), spread.pos)?;
                    let name = spread.node.fragment_name.node.to_string();
                    // Each fragment is checked once (cycles are a validation error anyway).
                    if !self.fragments_seen.insert(name.clone()) {
                        continue;
                    }
                    if let Some(frag) = self.doc.fragments.get(&spread.node.fragment_name.node) {
                        let on = frag.node.type_condition.node.on.node.to_string();
                        self.selection_set(&on, &frag.node.selection_set.node)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for GuardExtension {
    /// The fragment expansion is bounded before anything walks the document:
    /// async-graphql's own recursion check, right after parsing, already
    /// visits every expanded selection. The parsed document is kept in the
    /// request, so it is parsed once.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        // A document that does not parse is left to the parser's own error.
        if let Ok(doc) = request.parsed_query() {
            let expanded = expanded_selections(doc);
            if expanded > MAX_EXPANDED_SELECTIONS {
                return Err(reject(
                    format!(
                        "the document expands to {expanded} field selections through its fragments; \
                         at most {MAX_EXPANDED_SELECTIONS} are allowed"
                    ),
                    Pos::default(),
                ));
            }
        }
        next.run(ctx, request).await
    }

    /// Validation errors about a renamed type carry its real name again.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            let renamed = self.renamed.lock().unwrap_or_else(PoisonError::into_inner);
            errors
                .into_iter()
                .map(|mut e| {
                    e.message = restore_names(&e.message, &renamed);
                    e
                })
                .collect()
        })
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let mut doc = next.run(ctx, query, variables).await?;
        let registry = &ctx.schema_env.registry;
        let viewer = ctx.data_opt::<RequestViewer>().and_then(|v| v.0.as_ref());
        // Types the caller's schema lacks become unknown types for validation.
        let renamed = hide_types(&mut doc, registry, &self.types.of(registry, viewer));
        if !renamed.is_empty() {
            *self.renamed.lock().unwrap_or_else(PoisonError::into_inner) = renamed;
        }
        let mut walk = Walk { registry, doc: &doc, viewer, aliases: 0, fragments_seen: HashSet::new() };
        for (_, op) in doc.operations.iter() {
            let root = match op.node.ty {
                async_graphql::parser::types::OperationType::Query => registry.query_type.clone(),
                async_graphql::parser::types::OperationType::Mutation => {
                    registry.mutation_type.clone().unwrap_or_default()
                }
                async_graphql::parser::types::OperationType::Subscription => {
                    registry.subscription_type.clone().unwrap_or_default()
                }
            };
            let roots = op.node.selection_set.node.items.len();
            if roots > self.limits.max_root_fields {
                return Err(reject(
                    format!(
                        "{roots} root fields in one operation; at most {} are allowed",
                        self.limits.max_root_fields
                    ),
                    op.pos,
                ));
            }
            walk.selection_set(&root, &op.node.selection_set.node)?;
        }
        if walk.aliases > self.limits.max_aliases {
            return Err(reject(
                format!("{} aliases in one request; at most {} are allowed", walk.aliases, self.limits.max_aliases),
                Pos::default(),
            ));
        }
        super::input::check_document(&doc, variables).map_err(|e| e.extend().into_server_error(Pos::default()))?;
        Ok(doc)
    }
}
