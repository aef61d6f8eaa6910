//! One view of the schema as SDL (`policy::SchemaView`: one per distinct set
//! of visible fields). async-graphql's own SDL export ignores field
//! visibility, so this runs the introspection query as a synthetic caller of
//! the view and prints what that caller would see.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::Arc;

use async_graphql::Request;
use sea_orm::DatabaseConnection;
use serde_json::Value;

use crate::config::Config;
use crate::graphql::batch::Loaders;
use crate::graphql::RequestViewer;
use crate::policy::SchemaView;

const INTROSPECTION: &str = r"{ __schema { queryType { name } mutationType { name } types { kind name description
  fields(includeDeprecated: true) { name description args { name description type { ...T } defaultValue }
    type { ...T } isDeprecated deprecationReason }
  inputFields { name description type { ...T } defaultValue }
  interfaces { name } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";

fn type_ref(t: &Value) -> String {
    match t["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_ref(&t["ofType"])),
        Some("LIST") => format!("[{}]", type_ref(&t["ofType"])),
        _ => t["name"].as_str().unwrap_or("?").to_owned(),
    }
}

fn description(out: &mut String, indent: &str, d: &Value) {
    if let Some(text) = d.as_str().filter(|t| !t.is_empty()) {
        let _ = writeln!(out, "{indent}\"\"\"");
        for line in text.lines() {
            let _ = writeln!(out, "{indent}{line}");
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    }
}

fn deprecated(v: &Value) -> String {
    if v["isDeprecated"].as_bool() == Some(true) {
        match v["deprecationReason"].as_str() {
            Some(r) => format!(" @deprecated(reason: {})", serde_json::to_string(r).unwrap_or_default()),
            None => " @deprecated".to_owned(),
        }
    } else {
        String::new()
    }
}

fn print_type(out: &mut String, t: &Value) {
    let name = t["name"].as_str().unwrap_or_default();
    description(out, "", &t["description"]);
    match t["kind"].as_str().unwrap_or_default() {
        "SCALAR" => {
            let _ = writeln!(out, "scalar {name}\n");
        }
        "ENUM" => {
            let _ = writeln!(out, "enum {name} {{");
            for v in t["enumValues"].as_array().into_iter().flatten() {
                description(out, "  ", &v["description"]);
                let _ = writeln!(out, "  {}{}", v["name"].as_str().unwrap_or_default(), deprecated(v));
            }
            let _ = writeln!(out, "}}\n");
        }
        "INPUT_OBJECT" => {
            let _ = writeln!(out, "input {name} {{");
            for f in t["inputFields"].as_array().into_iter().flatten() {
                description(out, "  ", &f["description"]);
                let default = f["defaultValue"].as_str().map(|d| format!(" = {d}")).unwrap_or_default();
                let _ =
                    writeln!(out, "  {}: {}{default}", f["name"].as_str().unwrap_or_default(), type_ref(&f["type"]));
            }
            let _ = writeln!(out, "}}\n");
        }
        "UNION" => {
            let members: Vec<&str> =
                t["possibleTypes"].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str()).collect();
            let _ = writeln!(out, "union {name} = {}\n", members.join(" | "));
        }
        kind => {
            let keyword = if kind == "INTERFACE" { "interface" } else { "type" };
            let interfaces: Vec<&str> =
                t["interfaces"].as_array().into_iter().flatten().filter_map(|i| i["name"].as_str()).collect();
            let implements =
                if interfaces.is_empty() { String::new() } else { format!(" implements {}", interfaces.join(" & ")) };
            let _ = writeln!(out, "{keyword} {name}{implements} {{");
            for f in t["fields"].as_array().into_iter().flatten() {
                description(out, "  ", &f["description"]);
                let args: Vec<String> = f["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        let default = a["defaultValue"].as_str().map(|d| format!(" = {d}")).unwrap_or_default();
                        format!("{}: {}{default}", a["name"].as_str().unwrap_or_default(), type_ref(&a["type"]))
                    })
                    .collect();
                let args = if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) };
                let _ = writeln!(
                    out,
                    "  {}{args}: {}{}",
                    f["name"].as_str().unwrap_or_default(),
                    type_ref(&f["type"]),
                    deprecated(f)
                );
            }
            let _ = writeln!(out, "}}\n");
        }
    }
}

const BUILT_IN: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

/// The SDL of the schema as a caller of `view` sees it.
pub async fn sdl_for_view(view: SchemaView) -> anyhow::Result<String> {
    let config = Arc::new(Config::for_database("sqlite::memory:"));
    let schema = super::schema::build_schema(DatabaseConnection::Disconnected, config);
    let viewer = view.representative();
    let loaders = Loaders::new(DatabaseConnection::Disconnected, viewer.clone());
    let resp = schema.execute(Request::new(INTROSPECTION).data(RequestViewer(viewer)).data(loaders)).await;
    if let Some(err) = resp.errors.first() {
        anyhow::bail!("introspection failed: {}", err.message);
    }
    Ok(render(&resp.data.into_json()?, view))
}

/// Prints as SDL the `data` of an introspection query (any query that asks
/// at least what this module's own does, such as graphql-js's standard one)
/// answered for a caller of `view`.
pub fn render(data: &Value, view: SchemaView) -> String {
    let schema_json = &data["__schema"];
    let mut types: Vec<&Value> = schema_json["types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            let name = t["name"].as_str().unwrap_or_default();
            !name.starts_with("__") && !BUILT_IN.contains(&name)
        })
        .collect();
    types.sort_by_key(|t| t["name"].as_str().unwrap_or_default().to_owned());
    let mut out = format!("# netra schema as seen by {} (`netra schema --role {}`).\n\n", view.callers(), view.name());
    let names: BTreeSet<&str> = types.iter().filter_map(|t| t["name"].as_str()).collect();
    for t in types {
        print_type(&mut out, t);
    }
    let query = schema_json["queryType"]["name"].as_str().unwrap_or("Query");
    let _ = write!(out, "schema {{\n  query: {query}\n");
    if let Some(m) = schema_json["mutationType"]["name"].as_str().filter(|m| names.contains(m)) {
        let _ = writeln!(out, "  mutation: {m}");
    }
    out.push_str("}\n");
    out
}
