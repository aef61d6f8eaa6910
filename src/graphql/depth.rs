//! The depth limit, with introspection measured by its own bound. The
//! standard introspection query of graphql-js (GraphiQL, graphql-codegen,
//! graphql-inspector, VS Code, Python `gql`) nests `ofType` nine times, deeper
//! than any data query needs; counted against `NETRA_MAX_DEPTH` it was
//! refused. So the data part of a query keeps `NETRA_MAX_DEPTH`, and the part
//! under `__schema` / `__type` has `NETRA_MAX_INTROSPECTION_DEPTH` plus a
//! fixed bound on nested *lists* (`types`, `fields`, `args`, …): what makes an
//! introspection answer large is lists inside lists (`fields { type { fields
//! … } }` multiplies), while `ofType` chains only grow linearly. Checks only
//! the parsed document; no data is read here.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Pos, ServerError, ServerResult};
use std::collections::HashSet;

use crate::error::AppError;

/// Introspection fields whose value is a list.
const LIST_FIELDS: [&str; 8] =
    ["types", "fields", "args", "inputFields", "interfaces", "possibleTypes", "enumValues", "directives"];

/// The most introspection lists nested on one path: `types { fields { args } }`
/// is three, which every standard introspection query fits.
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// The bounds of one request's nesting.
#[derive(Debug, Clone, Copy)]
pub struct DepthLimits {
    /// Deepest data selection (`NETRA_MAX_DEPTH`).
    pub max_depth: usize,
    /// Deepest selection under `__schema` / `__type`, counted from the root
    /// (`NETRA_MAX_INTROSPECTION_DEPTH`).
    pub max_introspection_depth: usize,
}

fn too_deep(message: &str, pos: Pos) -> ServerError {
    AppError::invalid("query", message).extend().into_server_error(pos)
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    limits: DepthLimits,
    /// Fragments being expanded on the current path (a cycle is a validation error, reported later).
    active: Vec<&'a str>,
    /// Fragments already found within bounds at a depth and list count: a
    /// fragment spread many times is walked once per position, never
    /// exponentially often.
    checked: HashSet<(&'a str, usize, Option<usize>)>,
}

impl<'a> Walk<'a> {
    /// Walks `set` whose fields sit at `depth`; `lists` counts the
    /// introspection lists above, `None` outside introspection.
    fn selection_set(&mut self, set: &'a SelectionSet, depth: usize, lists: Option<usize>) -> ServerResult<()> {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let name = f.name.node.as_str();
                    let lists = match lists {
                        None if name == "__schema" || name == "__type" => Some(0),
                        Some(n) if LIST_FIELDS.contains(&name) => Some(n + 1),
                        other => other,
                    };
                    match lists {
                        None if depth > self.limits.max_depth => {
                            return Err(too_deep("Query is nested too deep.", f.name.pos));
                        }
                        Some(_) if depth > self.limits.max_introspection_depth => {
                            return Err(too_deep("Introspection query is nested too deep.", f.name.pos));
                        }
                        Some(n) if n > MAX_INTROSPECTION_LISTS => {
                            return Err(too_deep(
                                "Introspection query nests too many lists (at most 3, as in `types { fields { args } }`).",
                                f.name.pos,
                            ));
                        }
                        _ => {}
                    }
                    self.selection_set(&f.selection_set.node, depth + 1, lists)?;
                }
                Selection::InlineFragment(frag) => self.selection_set(&frag.node.selection_set.node, depth, lists)?,
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if self.active.contains(&name) || self.checked.contains(&(name, depth, lists)) {
                        continue;
                    }
                    if let Some(frag) = self.doc.fragments.get(&spread.node.fragment_name.node) {
                        self.active.push(name);
                        self.selection_set(&frag.node.selection_set.node, depth, lists)?;
                        self.active.pop();
                        self.checked.insert((name, depth, lists));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Checks every operation of `doc` against `limits`.
pub fn check(doc: &ExecutableDocument, limits: DepthLimits) -> ServerResult<()> {
    let mut walk = Walk { doc, limits, active: Vec::new(), checked: HashSet::new() };
    for (_, op) in doc.operations.iter() {
        walk.selection_set(&op.node.selection_set.node, 1, None)?;
    }
    Ok(())
}
