//! The layering check: every `crate::…` path in `src/` (outside comments and
//! `#[cfg(test)]` modules) must point down the layer list below, which is the
//! one written down in `docs/architecture.md`. A forbidden import fails this
//! test with the file and the edge.

use std::collections::BTreeSet;
use std::path::Path;

/// The top-level modules from the bottom up: a module may import only
/// modules listed before it.
const LAYERS: &[&str] = &[
    "error",
    "domain",
    "entity",
    "pagination",
    "clock",
    "config",
    "idempotency",
    "db",
    "metrics",
    "rate_limit",
    "registry",
    "auth",
    "policy",
    "graphql",
    "audit",
    "reference",
    "official",
    "change",
    "case",
    "statistics",
    "publication",
    "seed",
    "security_headers",
    "app",
    "cli",
];

/// Upward edges that are allowed, each with its reason: (file, module).
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "official/graphql.rs",
        "case",
        "`Official.cases` returns the case slice's `Case`: the GraphQL graph itself has the cycle \
         Case → Allegation → Official → Case, and async-graphql needs both types in one crate",
    ),
    (
        "change/graphql.rs",
        "case",
        "`Change.case` returns the case slice's `Case`, while the workflow writes its entries \
         through `change::record`: the outbox sits below `case`, its GraphQL type names `Case`",
    ),
];

/// The crate modules a source text names, as `crate::x` or `crate::{x, y}`.
fn imports(source: &str) -> BTreeSet<String> {
    let mut code = String::new();
    for line in source.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        if !line.trim_start().starts_with("//") {
            code.push_str(line);
            code.push('\n');
        }
    }
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        // `$crate::` inside macros names the crate too.
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for name in group[..end].split(',') {
                let name: String = name.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.insert(name);
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every forbidden edge: (file, its module, the module it imports).
fn violations(src: &Path) -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
        let Some(rank) = LAYERS.iter().position(|l| *l == module) else {
            out.push((rel, module, "<a module missing from LAYERS>".to_owned()));
            continue;
        };
        for target in imports(&std::fs::read_to_string(&file).unwrap()) {
            if target == module || !LAYERS.contains(&target.as_str()) {
                // Macros exported at the crate root (`crate::peered_from!`) are not modules.
                continue;
            }
            let target_rank = LAYERS.iter().position(|l| *l == target).unwrap();
            let excepted = EXCEPTIONS.iter().any(|(f, m, _)| *f == rel && *m == target);
            if target_rank > rank && !excepted {
                out.push((rel.clone(), module.clone(), target));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "forbidden imports (see docs/architecture.md):\n{}",
        found.iter().map(|(f, m, t)| format!("  src/{f}: {m} → {t}")).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn policy_imports_only_auth_domain_entity_and_error() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/policy");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut named = BTreeSet::new();
    for f in files {
        named.extend(imports(&std::fs::read_to_string(f).unwrap()));
    }
    named.remove("policy");
    let allowed: BTreeSet<String> = ["auth", "domain", "entity", "error"].iter().map(|s| (*s).to_owned()).collect();
    assert!(named.is_subset(&allowed), "policy imports {named:?}");
}

#[test]
fn the_check_catches_an_upward_import() {
    // A copy of the tree with one forbidden line: the check must name it.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("policy")).unwrap();
    std::fs::write(src.join("policy/mod.rs"), "use crate::auth::Principal;\nuse crate::{domain, case};\n").unwrap();
    std::fs::write(src.join("domain.rs"), "//! uses crate::app in a comment only\n").unwrap();
    std::fs::write(src.join("pagination.rs"), "#[cfg(test)]\nmod tests { use crate::app; }\n").unwrap();
    let found = violations(src);
    assert_eq!(found, vec![("policy/mod.rs".to_owned(), "policy".to_owned(), "case".to_owned())]);
    // And the list of layers covers every module of the real crate.
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines().filter_map(|l| l.strip_prefix("pub mod ")) {
        let name = line.trim_end_matches(';');
        assert!(LAYERS.contains(&name), "module `{name}` has no layer");
    }
}
