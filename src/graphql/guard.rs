//! A pre-execution check of every parsed request: the alias, root-field and
//! directive limits, the bounds on argument values (`input`), and the
//! role-scoped schema. async-graphql's field visibility only hides a field
//! from introspection; this rejects a query that names a field the caller's
//! role may never see with the very error of an unknown field (`suggest`),
//! before anything runs. Types only a hidden field leads to are treated the
//! same way (`Unknown type`), and the expansion of fragments is bounded
//! (`shape`).

use std::collections::HashSet;

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    ErrorExtensions, InputType, Pos, Positioned, Request, Response, SchemaEnv, ServerError, ServerResult, Variables,
};

use super::depth::DepthLimits;
use super::shape::{expanded_selections, hide_types, restore_names, VisibleTypes, MAX_EXPANDED_SELECTIONS};
use super::suggest::unknown_field;
use crate::auth::Principal;
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

/// The checks every request passes before async-graphql runs it, over the
/// schema's type registry: the fragment expansion bound, the role-scoped
/// schema, the alias, root-field and directive limits, the argument bounds
/// (`input`) and the depth limit (`depth`). It also reads off the document
/// what the audit trail records of it (`Checked::roots`).
///
/// It runs beside async-graphql rather than as one of its extensions on
/// purpose: with any extension installed, async-graphql wraps the resolution
/// of every field and every list item in a boxed hook per extension, and
/// those hooks were the largest share of netra's own CPU on a page of 50
/// cases (docs/performance.md).
pub struct RequestGuard {
    limits: ShapeLimits,
    depth: DepthLimits,
    types: VisibleTypes,
    /// The schema's environment (its registry), as the schema has it.
    env: SchemaEnv,
}

/// async-graphql's own bound on selection-set nesting (its default, which
/// netra keeps): a deeper document is refused by async-graphql before
/// anything walks it, so the guard leaves such a document to it.
const RECURSION_LIMIT: usize = 32;

/// A request the guard let through, ready for async-graphql.
pub struct Checked {
    /// The request, its parsed document attached (parsed once).
    pub request: Request,
    /// What to do with its response.
    pub after: After,
    /// The name of the document's only operation, if it has one and names it.
    pub only_operation: Option<String>,
}

/// What the guard learnt of a request that its response needs.
pub struct After {
    /// Type names the document had renamed (`shape::hide_types`).
    renamed: Vec<(String, String)>,
    /// What will run, when the guard could tell (a document that does not
    /// parse, names no runnable operation or nests too deep is refused by
    /// async-graphql itself).
    pub roots: Option<Roots>,
}

impl Checked {
    fn untouched(request: Request) -> Self {
        Self { request, after: After { renamed: Vec::new(), roots: None }, only_operation: None }
    }
}

impl After {
    /// `resp` with the real names of renamed types back in the messages of
    /// its request errors (validation names the placeholder).
    pub fn restore(&self, mut resp: Response) -> Response {
        if !self.renamed.is_empty() && super::protocol::is_request_error(&resp) {
            for e in &mut resp.errors {
                e.message = restore_names(&e.message, &self.renamed);
            }
        }
        resp
    }

    /// The root fields that ran, given the response: none when it is a
    /// request error (the operation never started).
    pub fn ran(&self, resp: &Response) -> Option<&Roots> {
        self.roots.as_ref().filter(|_| !super::protocol::is_request_error(resp))
    }
}

/// A request the guard refused.
pub struct Refused {
    /// The refusal: a request error (no data, no path).
    pub response: Box<Response>,
    /// The name of the document's only operation, as in [`Checked`].
    pub only_operation: Option<String>,
}

/// The root fields of the operation a request runs.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    /// Field names (not aliases), in document order, `@skip`/`@include` applied.
    pub fields: Vec<String>,
    /// Whether the operation is a mutation.
    pub mutation: bool,
}

impl RequestGuard {
    /// A guard with `limits` and `depth` over the registry of `env`.
    pub fn new(env: SchemaEnv, limits: ShapeLimits, depth: DepthLimits) -> Self {
        Self { limits, depth, types: VisibleTypes::default(), env }
    }

    /// Checks `request` of `viewer`: the request to run, or the response
    /// that refuses it (a request error: no data, no path).
    pub fn check(&self, mut request: Request, viewer: Option<&Principal>) -> Result<Checked, Refused> {
        // A document that does not parse is refused by async-graphql with its own error.
        let Ok(mut doc) = async_graphql::parser::parse_query(&request.query) else {
            return Ok(Checked::untouched(request));
        };
        let only_operation = {
            let mut names = doc.operations.iter().map(|(name, _)| name);
            match (names.next(), names.next()) {
                (Some(Some(only)), None) => Some(only.to_string()),
                _ => None,
            }
        };
        let refuse = |e: ServerError| Refused {
            response: Box::new(Response::from_errors(vec![e])),
            only_operation: only_operation.clone(),
        };
        let expanded = expanded_selections(&doc);
        if expanded > MAX_EXPANDED_SELECTIONS {
            return Err(refuse(reject(
                format!(
                    "the document expands to {expanded} field selections through its fragments; \
                     at most {MAX_EXPANDED_SELECTIONS} are allowed"
                ),
                Pos::default(),
            )));
        }
        if nests_deeper(&doc, RECURSION_LIMIT) {
            return Ok(Checked { only_operation, ..Checked::untouched(request) });
        }
        let registry = &self.env.registry;
        // Types the caller's schema lacks become unknown types for validation.
        let renamed = hide_types(&mut doc, registry, &self.types.of(registry, viewer));
        self.shape(&doc, &request.variables, viewer).map_err(refuse)?;
        super::depth::check(&doc, self.depth).map_err(refuse)?;
        let roots = roots(&doc, request.operation_name.as_deref(), &request.variables);
        request.set_parsed_query(doc);
        Ok(Checked { request, after: After { renamed, roots }, only_operation })
    }

    /// The role-scoped schema, the alias and root-field limits and the argument bounds.
    fn shape(&self, doc: &ExecutableDocument, variables: &Variables, viewer: Option<&Principal>) -> ServerResult<()> {
        let registry = &self.env.registry;
        let mut walk = Walk { registry, doc, viewer, aliases: 0, fragments_seen: HashSet::new() };
        for (_, op) in doc.operations.iter() {
            let root = match op.node.ty {
                OperationType::Query => registry.query_type.clone(),
                OperationType::Mutation => registry.mutation_type.clone().unwrap_or_default(),
                OperationType::Subscription => registry.subscription_type.clone().unwrap_or_default(),
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
        super::input::check_document(doc, variables).map_err(|e| e.extend().into_server_error(Pos::default()))
    }
}

/// Whether a selection set of `doc` nests deeper than `max`, counted as
/// async-graphql counts it (fields with selections, fragment spreads and
/// inline fragments each add one). The walk stops at `max + 1`.
fn nests_deeper(doc: &ExecutableDocument, max: usize) -> bool {
    fn set(doc: &ExecutableDocument, s: &SelectionSet, depth: usize, max: usize) -> bool {
        if depth > max {
            return true;
        }
        s.items.iter().any(|sel| match &sel.node {
            Selection::Field(f) => {
                !f.node.selection_set.node.items.is_empty() && set(doc, &f.node.selection_set.node, depth + 1, max)
            }
            Selection::FragmentSpread(spread) => doc
                .fragments
                .get(&spread.node.fragment_name.node)
                .is_some_and(|frag| set(doc, &frag.node.selection_set.node, depth + 1, max)),
            Selection::InlineFragment(frag) => set(doc, &frag.node.selection_set.node, depth + 1, max),
        })
    }
    doc.operations.iter().any(|(_, op)| set(doc, &op.node.selection_set.node, 0, max))
}

/// The root fields of the operation `operation_name` picks, as async-graphql
/// picks it; `None` when it picks none (async-graphql refuses the request).
fn roots(doc: &ExecutableDocument, operation_name: Option<&str>, variables: &Variables) -> Option<Roots> {
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), None) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name)?,
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next()?,
        _ => return None,
    };
    let mut out = Roots { fields: Vec::new(), mutation: op.node.ty == OperationType::Mutation };
    root_fields(doc, &op.node.selection_set.node, variables, &mut out.fields, &mut HashSet::new());
    Some(out)
}

fn root_fields(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    variables: &Variables,
    out: &mut Vec<String>,
    spread: &mut HashSet<String>,
) {
    for sel in &set.items {
        if skipped(sel.node.directives(), variables) {
            continue;
        }
        match &sel.node {
            // `__typename` is answered without a resolver.
            Selection::Field(f) if f.node.name.node == "__typename" => {}
            Selection::Field(f) => out.push(f.node.name.node.to_string()),
            Selection::InlineFragment(frag) => root_fields(doc, &frag.node.selection_set.node, variables, out, spread),
            Selection::FragmentSpread(s) => {
                let name = &s.node.fragment_name.node;
                if spread.insert(name.to_string()) {
                    if let Some(frag) = doc.fragments.get(name) {
                        root_fields(doc, &frag.node.selection_set.node, variables, out, spread);
                    }
                }
            }
        }
    }
}

/// Whether `@skip` / `@include` leave a selection out, evaluated as
/// async-graphql evaluates them.
fn skipped(directives: &[Positioned<Directive>], variables: &Variables) -> bool {
    directives.iter().any(|d| {
        let include = match d.node.name.node.as_str() {
            "skip" => false,
            "include" => true,
            _ => return false,
        };
        d.node.get_argument("if").is_some_and(|cond| {
            let value =
                cond.node.clone().into_const_with(|name| variables.get(&name).cloned().ok_or(())).unwrap_or_default();
            let value: bool = InputType::parse(Some(value)).unwrap_or_default();
            include != value
        })
    })
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
