//! Two facts about a parsed document that the request guard checks before
//! validation: which type names the caller's role schema has, and how many
//! field selections the document expands to once every fragment spread is
//! replaced by its fragment. Pure: no I/O.
//!
//! A type that only a hidden field leads to (`Reporter` for an inspectorate,
//! `AuditEvent` for a province office) must look exactly like a type that
//! does not exist, or a type condition (`... on Reporter`) or a variable type
//! would tell a caller that it exists. And fragments that spread each other
//! twice per level expand to 2^N selections: validating and costing that takes
//! minutes for a document of a few hundred bytes, so the expansion is bounded.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{BaseType, DocumentOperations, ExecutableDocument, Selection, SelectionSet, Type};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::Name;

use crate::policy::{field_visible, Field, Viewer};

/// The most field selections a document may expand to through its fragments.
/// The standard introspection query expands to a few hundred; a generous
/// client query to a few hundred more.
pub const MAX_EXPANDED_SELECTIONS: u64 = 1_000;

/// The type names of each role view, computed once per schema.
#[derive(Debug, Default)]
pub struct VisibleTypes {
    views: Mutex<HashMap<u8, Arc<HashSet<String>>>>,
}

impl VisibleTypes {
    /// The type names in the caller's schema: those reachable from the root
    /// types through the fields the caller may see.
    pub fn of(&self, registry: &Registry, viewer: Viewer<'_>) -> Arc<HashSet<String>> {
        let key = Field::ALL
            .iter()
            .enumerate()
            .fold(0u8, |k, (i, f)| if field_visible(viewer, *f) { k | (1 << i) } else { k });
        let mut views = self.views.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        views.entry(key).or_insert_with(|| Arc::new(reachable(registry, viewer))).clone()
    }
}

fn reachable(registry: &Registry, viewer: Viewer<'_>) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut todo: Vec<String> = [Some(registry.query_type.clone()), registry.mutation_type.clone()]
        .into_iter()
        .chain([registry.subscription_type.clone()])
        .flatten()
        .collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(ty) = registry.types.get(&name) else { continue };
        let mut next = Vec::new();
        if let Some(fields) = ty.fields() {
            for (field, meta) in fields {
                let hidden = Field::of_schema_field(&name, field).is_some_and(|h| !field_visible(viewer, h));
                if hidden {
                    continue;
                }
                next.push(meta.ty.as_str());
                next.extend(meta.args.values().map(|a| a.ty.as_str()));
            }
        }
        if let MetaType::InputObject { input_fields, .. } = ty {
            next.extend(input_fields.values().map(|f| f.ty.as_str()));
        }
        if let Some(possible) = ty.possible_types() {
            next.extend(possible.iter().map(String::as_str));
        }
        todo.extend(next.into_iter().map(|t| MetaTypeName::concrete_typename(t).to_owned()));
    }
    seen
}

/// What a type name becomes while the document is validated, when the
/// caller's schema does not have the type: a name no schema has.
fn unknown_name(name: &str) -> String {
    format!("{name}__netra_unknown")
}

/// Renames, in every type condition and variable type of `doc`, each type
/// that exists but that the caller's schema (`visible`) lacks, so validation
/// treats it exactly as a type that does not exist. Returns the
/// (temporary, real) name pairs, for [`restore_names`].
pub fn hide_types(
    doc: &mut ExecutableDocument,
    registry: &Registry,
    visible: &HashSet<String>,
) -> Vec<(String, String)> {
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut hide = |name: &mut Name| {
        let n = name.as_str();
        if !n.starts_with("__") && registry.types.contains_key(n) && !visible.contains(n) {
            let temp = unknown_name(n);
            if !renamed.iter().any(|(t, _)| *t == temp) {
                renamed.push((temp.clone(), n.to_owned()));
            }
            *name = Name::new(temp);
        }
    };
    for fragment in doc.fragments.values_mut() {
        hide(&mut fragment.node.type_condition.node.on.node);
        hide_in_set(&mut fragment.node.selection_set.node, &mut hide);
    }
    let ops: Vec<_> = match &mut doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values_mut().collect(),
    };
    for op in ops {
        for var in &mut op.node.variable_definitions {
            hide_in_type(&mut var.node.var_type.node, &mut hide);
        }
        hide_in_set(&mut op.node.selection_set.node, &mut hide);
    }
    renamed
}

fn hide_in_type(ty: &mut Type, hide: &mut impl FnMut(&mut Name)) {
    match &mut ty.base {
        BaseType::Named(name) => hide(name),
        BaseType::List(inner) => hide_in_type(inner, hide),
    }
}

fn hide_in_set(set: &mut SelectionSet, hide: &mut impl FnMut(&mut Name)) {
    for sel in &mut set.items {
        match &mut sel.node {
            Selection::Field(f) => hide_in_set(&mut f.node.selection_set.node, hide),
            Selection::InlineFragment(f) => {
                if let Some(c) = &mut f.node.type_condition {
                    hide(&mut c.node.on.node);
                }
                hide_in_set(&mut f.node.selection_set.node, hide);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Puts the real names back into error messages written about the
/// temporary names of [`hide_types`].
pub fn restore_names(message: &str, renamed: &[(String, String)]) -> String {
    renamed.iter().fold(message.to_owned(), |m, (temp, real)| m.replace(temp.as_str(), real))
}

/// How many field selections `doc` expands to, saturating; each fragment's
/// size is computed once. A spread of an unknown fragment or a cycle counts
/// nothing here: validation reports both.
pub fn expanded_selections(doc: &ExecutableDocument) -> u64 {
    let mut sizes: HashMap<Name, Option<u64>> = HashMap::new();
    doc.operations
        .iter()
        .fold(0u64, |n, (_, op)| n.saturating_add(set_size(doc, &op.node.selection_set.node, &mut sizes)))
}

fn set_size(doc: &ExecutableDocument, set: &SelectionSet, sizes: &mut HashMap<Name, Option<u64>>) -> u64 {
    set.items.iter().fold(0u64, |n, sel| {
        let add = match &sel.node {
            Selection::Field(f) => 1u64.saturating_add(set_size(doc, &f.node.selection_set.node, sizes)),
            Selection::InlineFragment(f) => set_size(doc, &f.node.selection_set.node, sizes),
            Selection::FragmentSpread(s) => fragment_size(doc, &s.node.fragment_name.node, sizes),
        };
        n.saturating_add(add)
    })
}

fn fragment_size(doc: &ExecutableDocument, name: &Name, sizes: &mut HashMap<Name, Option<u64>>) -> u64 {
    match sizes.get(name) {
        Some(Some(size)) => return *size,
        // Being computed: a cycle.
        Some(None) => return 0,
        None => {}
    }
    let Some(fragment) = doc.fragments.get(name) else { return 0 };
    sizes.insert(name.clone(), None);
    let size = set_size(doc, &fragment.node.selection_set.node, sizes);
    sizes.insert(name.clone(), Some(size));
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_that_spread_twice_per_level_expand_exponentially_and_are_counted_once_each() {
        let mut doc = String::from("{ ...F20 }\nfragment F0 on Query { me { agency { code } } }\n");
        for i in 1..=20 {
            doc.push_str(&format!("fragment F{i} on Query {{ ...F{p} ...F{p} }}\n", p = i - 1));
        }
        let parsed = async_graphql::parser::parse_query(&doc).unwrap();
        // F0 has 3 selections; each level doubles them.
        assert_eq!(expanded_selections(&parsed), 3 << 20);
        let plain = async_graphql::parser::parse_query("{ a b { c } ...on Query { d } }").unwrap();
        assert_eq!(expanded_selections(&plain), 4);
        let cyclic = async_graphql::parser::parse_query("{ ...A } fragment A on Query { x ...A }").unwrap();
        assert_eq!(expanded_selections(&cyclic), 1);
    }
}
