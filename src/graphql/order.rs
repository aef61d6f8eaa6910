//! The response in the query's order. async-graphql resolves the fields of
//! one object concurrently and merges the root objects of every slice, so
//! the keys of an answer may come in another order than the query asked for
//! them (the root's fields grouped by slice, say). The GraphQL spec orders a
//! response like its selection set, and people reading an answer expect it.
//! This puts every object of `data` back in the order of the operation's
//! selections, fragments expanded in place. Pure: no I/O.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value};

/// Reorders `data` like the selections of the operation `operation_name` (or
/// the only one) of `query`. A query that does not parse is left alone: it
/// has no data.
pub fn restore(data: &mut Value, query: &str, operation_name: Option<&str>) {
    // Only the merged root groups fields out of order; below it each object
    // keeps its selection order. An answer with one root field (most of
    // them) is already in order, so the query is not parsed a second time.
    if !matches!(data, Value::Object(root) if root.len() > 1) {
        return;
    }
    let Ok(doc) = async_graphql::parser::parse_query(query) else { return };
    let operation = doc
        .operations
        .iter()
        .find(|(name, _)| operation_name.is_none() || name.map(Name::as_str) == operation_name)
        .map(|(_, op)| op);
    if let Some(op) = operation {
        reorder(data, &[&op.node.selection_set.node], &doc);
    }
}

/// The response keys of `sets` (fragments expanded in place), each once, in
/// order, with the selection sets that build each key's value.
fn keys<'a>(sets: &[&'a SelectionSet], doc: &'a ExecutableDocument, out: &mut Vec<(&'a str, Vec<&'a SelectionSet>)>) {
    for set in sets {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    let key = f.node.alias.as_ref().unwrap_or(&f.node.name).node.as_str();
                    let child = &f.node.selection_set.node;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, children)) => children.push(child),
                        None => out.push((key, vec![child])),
                    }
                }
                Selection::InlineFragment(f) => keys(&[&f.node.selection_set.node], doc, out),
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                        keys(&[&fragment.node.selection_set.node], doc, out);
                    }
                }
            }
        }
    }
}

fn reorder(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    match value {
        Value::List(items) => items.iter_mut().for_each(|v| reorder(v, sets, doc)),
        Value::Object(map) => {
            let mut wanted = Vec::new();
            keys(sets, doc, &mut wanted);
            let mut old = std::mem::take(map);
            for (key, children) in &wanted {
                if let Some((name, mut v)) = old.shift_remove_entry(*key) {
                    if children.iter().any(|c| !c.items.is_empty()) {
                        reorder(&mut v, children, doc);
                    }
                    map.insert(name, v);
                }
            }
            // Anything the selections did not name keeps its place at the end.
            map.extend(old);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(v: &Value) -> Vec<String> {
        match v {
            Value::Object(m) => m.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn objects_follow_the_query_with_aliases_and_fragments_in_place() {
        let mut data = Value::from_json(serde_json::json!({
            "cases": { "edges": [{ "node": { "state": "RECEIVED", "number": "1" } }], "totalCount": 1 },
            "me": { "agency": { "kind": "BAWASLU_RI", "code": "BAWASLU" } },
            "first": "x",
        }))
        .unwrap();
        let query = "query Q { first: __typename me { ...A } cases { totalCount edges { node { number state } } } }
            fragment A on Me { agency { code kind } }";
        restore(&mut data, query, Some("Q"));
        assert_eq!(keys_of(&data), ["first", "me", "cases"]);
        let Value::Object(root) = &data else { unreachable!() };
        assert_eq!(keys_of(&root["cases"]), ["totalCount", "edges"]);
        let Value::Object(me) = &root["me"] else { unreachable!() };
        assert_eq!(keys_of(&me["agency"]), ["code", "kind"]);
        let Value::Object(cases) = &root["cases"] else { unreachable!() };
        let Value::List(edges) = &cases["edges"] else { unreachable!() };
        let Value::Object(edge) = &edges[0] else { unreachable!() };
        assert_eq!(keys_of(&edge["node"]), ["number", "state"]);
    }
}
