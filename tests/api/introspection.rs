//! Standard introspection: the queries graphql-js 16 builds with
//! `getIntrospectionQuery()` (GraphiQL, graphql-codegen, graphql-inspector,
//! Python `gql` all send them) work for every caller allowed to introspect,
//! and each caller gets exactly its role's schema. The query texts in
//! `tests/fixtures/introspection/` are graphql@16.15.0's output (plain, and
//! with every option: descriptions, specifiedByUrl, directiveIsRepeatable,
//! schemaDescription, inputValueDeprecation, oneOf).

use netra::config::Introspection;
use netra::policy::Role;
use serde_json::json;

use crate::helpers::{error_code, Engine, TestApp};

const STANDARD: &str = include_str!("../fixtures/introspection/graphql-js-16-standard.graphql");
const FULL: &str = include_str!("../fixtures/introspection/graphql-js-16-full.graphql");

/// An agency of each role, as tokens name them.
const CALLERS: [(Role, Option<&str>); 7] = [
    (Role::Bawaslu, Some("BAWASLU")),
    (Role::Inspectorate, Some("INSPEKTORAT-16.73")),
    (Role::RegionalGovernment, Some("PEMDA-16.73")),
    (Role::Bkn, Some("BKN")),
    (Role::Receiver, Some("POLRI")),
    (Role::Other, Some("KEMENDAGRI")),
    (Role::Anonymous, None),
];

#[tokio::test]
async fn graphql_js_standard_introspection_returns_each_callers_role_schema() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    for (role, agency) in CALLERS {
        let expected = netra::app::sdl::sdl_for_role(role).await.unwrap();
        let token = agency.map(|a| app.token_with(a, &["read", "write", "publish", "audit"]));
        for query in [STANDARD, FULL] {
            let (status, body) = app.gql(token.as_deref(), query, json!({})).await;
            assert_eq!(status, 200, "{role:?}: {body}");
            assert!(body.get("errors").is_none(), "{role:?}: {body}");
            let got = netra::app::sdl::render(&body["data"], role);
            assert!(got == expected, "{role:?}: introspection differs from `netra schema --role {}`", role.name());
        }
    }
    // The role schemas differ where the policy says: only Bawaslu has the reporter.
    let bawaslu = netra::app::sdl::sdl_for_role(Role::Bawaslu).await.unwrap();
    let bkn = netra::app::sdl::sdl_for_role(Role::Bkn).await.unwrap();
    assert!(bawaslu.contains("  reporter: Reporter\n") && !bkn.contains("  reporter: Reporter\n"));
}

#[tokio::test]
async fn the_full_variant_answers_the_newer_introspection_fields() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (_, body) = app.gql(Some(&app.token("BAWASLU-16.73")), FULL, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let types = body["data"]["__schema"]["types"].as_array().unwrap();
    let scalar = types.iter().find(|t| t["name"] == "DateTime").unwrap();
    assert!(scalar.as_object().unwrap().contains_key("specifiedByURL"), "{scalar}");
    assert!(types.iter().all(|t| t.as_object().unwrap().contains_key("isOneOf")));
    let input = types.iter().find(|t| t["kind"] == "INPUT_OBJECT").unwrap();
    assert!(input["inputFields"][0].as_object().unwrap().contains_key("isDeprecated"), "{input}");
}

#[tokio::test]
async fn introspection_has_its_own_bound_and_data_queries_keep_the_depth_limit() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.max_depth = 5).await;
    // Standard introspection (depth 15) passes although NETRA_MAX_DEPTH is 5.
    let (_, body) = app.gql(None, STANDARD, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    // A data query past the depth limit is still refused.
    let deep = "{ regions { children { children { children { children { children { code } } } } } } }";
    let (_, body) = app.gql(None, deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // Lists inside lists multiply the answer: four nested are refused, three pass.
    let four = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let (_, body) = app.gql(None, four, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("lists"), "{body}");
    let three = "{ __schema { types { fields { type { fields { name } } } } } }";
    let (_, body) = app.gql(None, three, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    // A chain of ofType past the introspection depth is refused.
    let mut chain = String::from("name");
    for _ in 0..25 {
        chain = format!("ofType {{ {chain} }}");
    }
    let (_, body) = app.gql(None, &format!("{{ __type(name: \"Case\") {{ {chain} }} }}"), json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn fragments_cannot_hide_depth_or_blow_up_the_check() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.max_depth = 5).await;
    let deep = "{ regions { ...A } } fragment A on Region { children { ...B } } \
                fragment B on Region { children { children { children { children { code } } } } }";
    let (_, body) = app.gql(None, deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[test]
fn the_depth_check_walks_each_fragment_once_per_position() {
    // Thirty fragments each spreading the next twice: 2^30 paths if walked naively.
    let mut doc = String::from("{ regions { ...F0 } }");
    for i in 0..30 {
        doc.push_str(&format!(" fragment F{i} on Region {{ code ...F{n} ...F{n} }}", n = i + 1));
    }
    doc.push_str(" fragment F30 on Region { name }");
    let parsed = async_graphql::parser::parse_query(&doc).unwrap();
    let limits = netra::graphql::depth::DepthLimits { max_depth: 12, max_introspection_depth: 20 };
    let started = std::time::Instant::now();
    netra::graphql::depth::check(&parsed, limits).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let shallow = netra::graphql::depth::DepthLimits { max_depth: 1, max_introspection_depth: 20 };
    assert!(netra::graphql::depth::check(&parsed, shallow).is_err(), "regions → code is depth 2");
}

#[tokio::test]
async fn production_lets_only_authenticated_callers_introspect() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.introspection = Introspection::Authenticated).await;
    let (_, anonymous) = app.gql(None, STANDARD, json!({})).await;
    assert!(anonymous["data"]["__schema"].is_null(), "{anonymous}");
    let (_, bkn) = app.gql(Some(&app.token("BKN")), STANDARD, json!({})).await;
    assert!(bkn.get("errors").is_none(), "{bkn}");
    let expected = netra::app::sdl::sdl_for_role(Role::Bkn).await.unwrap();
    assert!(netra::app::sdl::render(&bkn["data"], Role::Bkn) == expected);
}
