//! Bounds on every argument value, checked once per request before anything
//! runs, the same on SQLite and PostgreSQL: no string may hold a NUL
//! character (PostgreSQL refuses it in text), every string has a length
//! limit and every list a bound on its items. A value over a bound is
//! `BAD_USER_INPUT` naming the argument path (`officials.filter.name`).
//! The limits are documented in `docs/limits.md`; keep the two in step.
//!
//! The check walks the document's arguments (literals, variables and
//! variable defaults alike), so it covers every argument and input field
//! of the schema, present and future, without a list to keep current.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Name, Value, Variables};

use crate::error::AppError;

/// The most characters of any string argument or input field, except those below.
pub const MAX_TEXT_CHARS: usize = 1_000;
/// The most characters of the free-text prose fields named in [`LONG_TEXT_FIELDS`].
pub const MAX_LONG_TEXT_CHARS: usize = 10_000;
/// Input fields that hold prose (a case summary, a note) rather than a name or code.
pub const LONG_TEXT_FIELDS: [&str; 5] = ["description", "summary", "note", "notRegisteredReason", "url"];
/// The most items of any list argument or input field.
pub const MAX_LIST_ITEMS: usize = 100;

/// The limit on a string whose input field or argument is `name`.
pub fn text_limit(name: &str) -> usize {
    if LONG_TEXT_FIELDS.contains(&name) {
        MAX_LONG_TEXT_CHARS
    } else {
        MAX_TEXT_CHARS
    }
}

/// Checks every argument of every field and directive in `doc`.
pub fn check_document(doc: &ExecutableDocument, variables: &Variables) -> Result<(), AppError> {
    let mut defaults = HashMap::new();
    for (_, op) in doc.operations.iter() {
        for def in &op.node.variable_definitions {
            if let Some(value) = &def.node.default_value {
                defaults.insert(def.node.name.node.clone(), value.node.clone());
            }
        }
    }
    let walk = Walk { variables, defaults: &defaults };
    for (_, op) in doc.operations.iter() {
        walk.selection_set(&op.node.selection_set.node)?;
    }
    for fragment in doc.fragments.values() {
        walk.selection_set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

struct Walk<'a> {
    variables: &'a Variables,
    defaults: &'a HashMap<Name, Value>,
}

impl Walk<'_> {
    fn selection_set(&self, set: &SelectionSet) -> Result<(), AppError> {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(field) => self.field(&field.node)?,
                Selection::InlineFragment(frag) => self.selection_set(&frag.node.selection_set.node)?,
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }

    fn field(&self, field: &Field) -> Result<(), AppError> {
        let name = field.name.node.as_str();
        for (arg, value) in &field.arguments {
            self.value(&format!("{name}.{}", arg.node), arg.node.as_str(), &value.node)?;
        }
        for directive in &field.directives {
            for (arg, value) in &directive.node.arguments {
                self.value(
                    &format!("{name}.@{}.{}", directive.node.name.node, arg.node),
                    arg.node.as_str(),
                    &value.node,
                )?;
            }
        }
        self.selection_set(&field.selection_set.node)
    }

    /// `path` names the value for the caller; `key` is its own field name.
    fn value(&self, path: &str, key: &str, value: &async_graphql_value::Value) -> Result<(), AppError> {
        use async_graphql_value::Value as V;
        match value {
            V::Variable(var) => match self.variables.get(var).or_else(|| self.defaults.get(var)) {
                Some(v) => check_const(path, key, v),
                None => Ok(()),
            },
            V::String(s) => check_text(path, key, s),
            V::List(items) => {
                check_len(path, items.len())?;
                items.iter().enumerate().try_for_each(|(i, item)| self.value(&format!("{path}[{i}]"), key, item))
            }
            V::Object(fields) => fields.iter().try_for_each(|(k, v)| self.value(&format!("{path}.{k}"), k.as_str(), v)),
            _ => Ok(()),
        }
    }
}

fn check_const(path: &str, key: &str, value: &Value) -> Result<(), AppError> {
    match value {
        Value::String(s) => check_text(path, key, s),
        Value::List(items) => {
            check_len(path, items.len())?;
            items.iter().enumerate().try_for_each(|(i, item)| check_const(&format!("{path}[{i}]"), key, item))
        }
        Value::Object(fields) => {
            fields.iter().try_for_each(|(k, v)| check_const(&format!("{path}.{k}"), k.as_str(), v))
        }
        _ => Ok(()),
    }
}

fn check_text(path: &str, key: &str, text: &str) -> Result<(), AppError> {
    if text.contains('\0') {
        return Err(AppError::invalid(path, "must not contain a NUL character"));
    }
    let limit = text_limit(key);
    if text.chars().count() > limit {
        return Err(AppError::invalid(path, format!("is longer than {limit} characters")));
    }
    Ok(())
}

fn check_len(path: &str, len: usize) -> Result<(), AppError> {
    if len > MAX_LIST_ITEMS {
        return Err(AppError::invalid(path, format!("has {len} items; at most {MAX_LIST_ITEMS} are allowed")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, variables: serde_json::Value) -> Result<(), String> {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        check_document(&doc, &Variables::from_json(variables)).map_err(|e| e.to_string())
    }

    #[test]
    fn literals_variables_and_defaults_are_all_bounded() {
        assert!(check(r#"{ officials(filter: {name: "Ana"}) { totalCount } }"#, serde_json::json!({})).is_ok());
        assert_eq!(
            check(r#"{ officials(filter: {name: "A\u0000"}) { totalCount } }"#, serde_json::json!({})),
            Err("officials.filter.name: must not contain a NUL character".to_owned())
        );
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            check(
                "query($f: OfficialFilter) { officials(filter: $f) { totalCount } }",
                serde_json::json!({"f": {"name": long}})
            ),
            Err(format!("officials.filter.name: is longer than {MAX_TEXT_CHARS} characters"))
        );
        let states: Vec<_> = (0..=MAX_LIST_ITEMS).map(|_| "RECEIVED").collect();
        assert!(check(
            "query($s: [CaseState!]) { cases(filter: {states: $s}) { totalCount } }",
            serde_json::json!({ "s": states })
        )
        .unwrap_err()
        .starts_with("cases.filter.states: has 101 items"));
        assert_eq!(
            check(r#"query($c: String = "a\u0000") { region(code: $c) { name } }"#, serde_json::json!({})),
            Err("region.code: must not contain a NUL character".to_owned())
        );
        let summary = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(check(
            &format!(r#"mutation {{ receiveCase(input: {{summary: "{summary}"}}) {{ __typename }} }}"#),
            serde_json::json!({})
        )
        .is_ok());
    }
}
